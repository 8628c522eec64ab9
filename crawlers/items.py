"""What the spider hands to the pipeline."""

import scrapy


class PageItem(scrapy.Item):
    """A fetched and extracted page; the pipeline decides whether it is a statement."""

    url = scrapy.Field()
    canonical_url = scrapy.Field()
    declared_original = scrapy.Field()  # an off-site canonical link: this page is a copy of it
    organization_id = scrapy.Field()
    source_id = scrapy.Field()
    title = scrapy.Field()
    published = scrapy.Field()
    author = scrapy.Field()
    text = scrapy.Field()
    language = scrapy.Field()
    content_type = scrapy.Field()
    extractor = scrapy.Field()
    http_status = scrapy.Field()
    headers = scrapy.Field()
    body = scrapy.Field()


class FetchItem(scrapy.Item):
    """A URL that yielded no page: a failure, a listing, a skip or a 304, with its reason."""

    url = scrapy.Field()
    organization_id = scrapy.Field()
    status = scrapy.Field()  # failed | listing | skipped | unchanged | off_topic | duplicate
    reason = scrapy.Field()
    reason_code = scrapy.Field()  # failures.py: http, timeout, too_large, robots, ...
    http_status = scrapy.Field()
    document_id = scrapy.Field()
    redirected_to = scrapy.Field()
