"""Trending hashtags at the top level (``GET /trends``), as clients of a social network expect."""
