"""Numbered things that look like provisions but are not any instrument's: the organisation
ARTICLE 19 ("ARTICLE 19 and Access Now said", "groups such as Article 19"), a news article ("an
article 3 weeks ago"). Which organisations are named like articles is data
(``organisations_named_like_articles`` in the treaty's ``lexicon.yaml``)."""

from __future__ import annotations

import re

from db.treaty import Treaty
from nlp.instruments import names_of

CITES_ON = re.compile(r"\s*(?:\(|,?\s*(?:of|in|on|under)\s|para|§|[-–—:]\s)")
CAPS_WORD = re.compile(r"\s+[A-Z]{3,}\b")
INDEFINITE = re.compile(r"\b(?:an?|one)\s+$")
QUANTITY = re.compile(
    r"\s+(?:days?|weeks?|months?|years?|hours?|minutes?|times|pages?|words|percent|%)\b"
)
ORG_AFTER = re.compile(
    r"\s*(?:['’]s\s+(?!(?:\w+\s+)?(?:paragraph|para|subparagraph|text|wording|scope|title|"
    r"first|second|third|fourth|fifth|provision|clause|language)\b)\w"
    r"|,\s+(?:the|an?)\s+[\w\s,-]{0,40}?(?:group|organi[sz]ation|NGO|charity|campaign|watchdog)"
    r"|\s+(?:said|warned|argued|noted|urged|told|welcomed|criticised|criticized|stated|added|"
    r"insisted|called|joined|signed|published|expressed|argues|warns|urges|welcomes|calls\s+on|"
    r"has\s+(?:long\s+)?(?:been|said|warned|argued|called|published|joined|urged)|have\s+\w+ed)\b"
    r"|\s+and\s+(?!Articles?\b|Art\b)(?:the\s+)?[A-Z][a-z]"
    r"|\s+[A-Z][a-z]+\s+(?:Africa|Asia|Europe|America|Office|Programme|Program)\b"
    r"|\s+(?:Eastern|Western|Southern|Northern|Central|Mexico|Brazil|Asia|Africa|Europe|Bangladesh|"
    r"Kenya|Senegal|Tunisia)\b)"
)
ORG_BEFORE = re.compile(
    r"(?:(?:including|such\s+as|like|by|with|from|joined|thank|partners?|groups?|organi[sz]ations?|"
    r"NGOs?)\s+|[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,3},\s+|[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,3}\s+and\s+)$"
)


def not_a_provision(
    text: str, start: int, end: int, head: str, cited: list[str], treaty: Treaty
) -> str | None:
    """Why a numbered "article" is not a provision of any instrument, or None: the
    organisation ARTICLE 19, or a news article ("an article 3 weeks ago")."""
    surface = text[start:end]
    for org in names_of(treaty).article_like_orgs:
        if not surface.lower().startswith(org.lower()) or len(surface) > len(org) + 1:
            continue
        after = text[end : end + 80]
        if CITES_ON.match(after):
            return None
        if surface.isupper() and not text[max(0, start - 30) : start].strip().isupper():
            return "organisation"
        if surface.isupper() and CAPS_WORD.match(after):
            return "organisation"
        if ORG_AFTER.match(after) or ORG_BEFORE.search(text[max(0, start - 60) : start]):
            return "organisation"
    if head[:1].islower() and INDEFINITE.search(text[max(0, start - 6) : start]):
        return "news article"
    if QUANTITY.match(text, end):
        return "a quantity"
    return None
