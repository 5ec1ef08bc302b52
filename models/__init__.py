"""ML: recommenders, feed ranker, offline metrics and the model registry."""
