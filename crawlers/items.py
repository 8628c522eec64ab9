"""What the spider hands to the pipeline."""

import scrapy


class PageItem(scrapy.Item):
    """A fetched and extracted page; the pipeline decides whether it is a statement."""

    url = scrapy.Field()
    canonical_url = scrapy.Field()
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
    """A URL that yielded no page: a failure, a listing, or a skip, with its reason."""

    url = scrapy.Field()
    organization_id = scrapy.Field()
    status = scrapy.Field()  # failed | listing | skipped
    reason = scrapy.Field()
    http_status = scrapy.Field()
