"""Social network (system 2): users, posts, follows, likes, reposts and replies, home timelines
by hybrid fan-out, full-text search, direct messages and trending hashtags.

Built by ``services.social.system.build`` into one ``SocialService``; the news feed (system 8)
builds on that service."""
