"""News feed (system 8): candidates from follows, popularity and ALS, ranked by the promoted
feed ranker, diversified, within a latency budget, with live updates over SSE; and the model
serving behind it (recommendations, similar items, ranking, interaction events)."""
