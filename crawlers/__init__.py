"""The web crawler (system 7): a polite, safe Scrapy project plus its plain-Python parts.

Plain modules (robots, urls, bloom, simhash, frontier, content, graph, search_index, recrawl)
run without Scrapy or Dagster; the Scrapy components (settings, scheduler, middlewares,
pipelines, spiders) wire them into the engine; ``crawlers.run`` is the subprocess entry point.
"""
