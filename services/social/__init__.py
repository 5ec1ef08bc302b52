"""Social network (system 2) and news feed (system 8): posts, follows, hybrid fan-out timelines,
search, direct messages, trends and a ranked live feed."""
