"""Full-text search over the crawl index (system 7)."""
