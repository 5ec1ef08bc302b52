"""Scrapy settings with polite defaults; a crawl overrides them from its config file.

The stock RobotsTxtMiddleware is replaced by ``crawlers.middlewares.RobotsMiddleware`` (RFC
9309 fetch outcomes), and the scheduler by the persistent frontier.
"""

BOT_NAME = "blueprintbot"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"
USER_AGENT = "BlueprintBot/1.0 (+https://example.invalid/bot)"

ROBOTSTXT_OBEY = False  # our RobotsMiddleware obeys; the stock one would be wrong on 5xx
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0  # per host; the politeness extension adapts it and honours Crawl-delay
DOWNLOAD_DELAY_JITTER = 0.0  # exact per-host delays (was RANDOMIZE_DOWNLOAD_DELAY = False)
DOWNLOAD_TIMEOUT = 15
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024  # also enforced after decompression
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
DOWNLOAD_FAIL_ON_DATALOSS = True
REDIRECT_ENABLED = True
REDIRECT_MAX_TIMES = 5
METAREFRESH_ENABLED = False
RETRY_TIMES = 1
# Items one response yields are processed this many at a time; Scrapy starts that many
# asyncio tasks per response (100 by default) and this spider yields one page item.
CONCURRENT_ITEMS = 1
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "WARNING"
DNS_TIMEOUT = 10
DEPTH_LIMIT = 0  # depth is the frontier's budget

SCHEDULER = "crawlers.scheduler.FrontierScheduler"
# Components that do nothing for this spider are switched off: each costs a call (or a
# signal) per request. Requests come from the frontier, never from spider output, so the
# URL-length and depth spider middlewares have nothing to act on; the frontier owns depth;
# there are no allowed_domains or HTTP credentials. (RedirectMiddleware wants the referer one.)
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
    "scrapy.downloadermiddlewares.stats.DownloaderStats": None,
    "crawlers.middlewares.SafetyMiddleware": 50,
    "crawlers.middlewares.RobotsMiddleware": 100,
}
ITEM_PIPELINES = {"crawlers.pipelines.StorePipeline": 300}
EXTENSIONS = {
    "scrapy.extensions.throttle.AutoThrottle": None,
    "scrapy.extensions.logstats.LogStats": None,
    "crawlers.politeness.Politeness": 500,
}

# Crawl-specific settings (read by our components).
CRAWL_DIR = ""  # folder holding crawl.sqlite
CRAWL_MAX_DEPTH = 5
CRAWL_MAX_PAGES = 10_000
CRAWL_ALLOW_PRIVATE = False
CRAWL_ALLOWED_NETWORKS: list[str] = []
CRAWL_BLOOM_CAPACITY = 1_000_000
CRAWL_BLOOM_FPR = 0.001
CRAWL_PRIORS_PATH = ""
CRAWL_ALLOWED_HOSTS: list[str] = []
CRAWL_SHARDS = 1  # processes; each owns the hosts whose CRC-32 falls in its shard
CRAWL_SHARD = 0  # empty: any host; else only these (host or host:port)
ROBOTS_CACHE_SECONDS = 24 * 3600
POLITENESS_MAX_DELAY = 30.0
POLITENESS_TARGET_CONCURRENCY = 1.0
POLITENESS_HOST_DELAYS: dict[str, float] = {}  # host:port -> fixed base delay override
