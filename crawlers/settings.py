"""Scrapy settings for stancemap: polite by default.

The bot names itself with a contact URL, obeys robots.txt, sends one request per host at a time
and lets AutoThrottle slow down for slow hosts. ``STANCEMAP_DB`` and ``STANCEMAP_SOURCES`` tell
the pipeline and the spider where to write and what to crawl.
"""

BOT_NAME = "stancemap"
SPIDER_MODULES = ["crawlers.spiders"]
NEWSPIDER_MODULE = "crawlers.spiders"

USER_AGENT = "stancemap/0.1 (+https://github.com/stancemap/stancemap; open-data research crawler)"
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]

# Statements are small; anything above this is recorded as a failure, not stored.
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
# Pages are leaves (only listings, feeds and sitemaps lead on), and pagination and sitemap
# nesting have their own caps in the spider, so no depth limit that would cut pagination short.
DEPTH_LIMIT = 0
CLOSESPIDER_ERRORCOUNT = 200
# A server that answers 429/503 pauses its whole host for the Retry-After it sends (or an
# exponential backoff from RETRY_BACKOFF seconds); asking for more than this gives the URL up.
RETRY_AFTER_MAX = 120
RETRY_BACKOFF = 1.0

COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"

DOWNLOADER_MIDDLEWARES = {
    # robots.txt that answers 5xx or cannot be reached closes the host (Scrapy would crawl it).
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawlers.middlewares.RobotsGateMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawlers.middlewares.RetryAfterMiddleware": 550,
}
EXTENSIONS = {
    "crawlers.progress.CrawlProgress": 500,
}
LOGSTATS_INTERVAL = 0  # our progress line replaces Scrapy's "Crawled N pages" line
LOG_FORMATTER = "crawlers.progress.QuietLogFormatter"

ITEM_PIPELINES = {
    "crawlers.pipelines.StorePipeline": 300,
}

STANCEMAP_DB = "stancemap.db"
STANCEMAP_SOURCES = None  # None: crawlers/sources.yaml
STANCEMAP_BASE_URL = None  # fills {{base}} in a sources file (the demo)
STANCEMAP_TREATY = "un-cybercrime-2024"
STANCEMAP_CONDITIONAL = True  # If-None-Match / If-Modified-Since for pages fetched before
STANCEMAP_PROGRESS_INTERVAL = 10.0  # seconds between progress lines on stderr; 0: none
