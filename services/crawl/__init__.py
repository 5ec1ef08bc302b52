"""The web crawler (system 7): crawl runs, PageRank, the recrawl schedule and search."""
