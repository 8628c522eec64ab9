"""Holders who side with another holder: "Russia, India and Sudan supported Iran's position",
"Toluma backed Iran's push", "the association backed the government's position", "they voted
with Tehran".

Such a sentence states no view of the text in its own words; it points at a view stated
earlier in the document. Read on its own, the stance model gives it the convention as target
and whatever the verb suggests ("supported" reads as support). The annotation guide's rule is
that the followers take the leader's stance on the leader's targets, so the pipeline copies
the leader's latest confident stances in the document to the sentence, for its own holders.

Only siding verbs are followed. "Opposed Iran's proposal" would need the leader's stance
inverted, which is not safe without knowing what the proposal was; such sentences keep the
model's reading.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.tokens import Span

from nlp.positions import stated
from nlp.stance import Prediction

# A siding verb right before the leader's name. "Backed", "sided with" and the like side with
# a holder whatever follows ("seconded", not the ordinal "second"); "supported" and "joined"
# only with the holder's view ("supported Iran's position"), because "support Namaro as it
# ratifies" offers help and "join the Budapest Convention" accedes to a treaty.
SIDING = re.compile(
    r"\b(?:back(?:ed|s|ing)?|endors(?:e|ed|es|ing)|echo(?:ed|es|ing)?|second(?:ed|s|ing)|"
    r"(?:sid|align)(?:e|ed|es|ing)\s+(?:(?:it|them)sel(?:f|ves)\s+)?with|vot(?:e|ed|es|ing)\s+with|"
    r"associat(?:e|ed|es|ing)\s+(?:it|them)sel(?:f|ves)\s+with)\s+(?:the\s+)?$",
    re.I,
)
SIDING_WITH_VIEW = re.compile(r"\b(?:support(?:ed|s|ing)?|join(?:ed|s|ing)?)\s+(?:the\s+)?$", re.I)
# What follows the name when it is the holder's view that is supported: "'s position",
# "'s proposal to delete ..." ("positi..." also takes the misspellings press copy has).
VIEW = re.compile(
    r"^(?:['’]s)?\s+(?:positi\w*|proposals?|amendments?|calls?|requests?|motions?|objections?|"
    r"stance|push|bid|demands?|views?|line|concerns?|reservations?|approach|argument)\b",
    re.I,
)
LOOKBACK = 48  # characters before the name in which the verb must end


def leader_of(sent: Span, holder_ids: Iterable[str]) -> str | None:
    """The actor the sentence's holders side with, when a siding verb names one who is not
    among the holders themselves."""
    holders = set(holder_ids)
    text, base = None, sent.start_char
    for span in sent.doc.spans.get("actors", []):
        if not sent.start <= span.start < sent.end or span._.actor.id in holders:
            continue
        text = sent.text if text is None else text  # doc.text joins every token on each call
        start, end = span.start_char - base, span.end_char - base
        before = text[max(0, start - LOOKBACK) : start]
        after = text[end : min(len(text), end + LOOKBACK)]
        if SIDING.search(before) or SIDING_WITH_VIEW.search(before) and VIEW.match(after):
            return span._.actor.id
    return None


def follow_leaders(sentences: list) -> None:
    """Give each sentence that sides with a leader, and names no article itself, the leader's
    latest confident stances in the document (targets and predictions), in document order.
    ``sentences`` are the pipeline's ``SentenceResult``s with predictions already made; a
    leader with no stance stated before leaves the sentence as the model read it."""
    latest: dict[str, dict[str, Prediction]] = {}
    for sentence in sentences:
        leader = sentence.leader
        # A sentence that names its own articles ("backed Iran's proposal to delete Article
        # 6") keeps them: the model reads the stance on what it names.
        own = any(ref.articles for ref in sentence.references)
        if leader and latest.get(leader) and sentence.holders and not own:
            stances = latest[leader]
            sentence.targets = list(stances)
            sentence.predictions = dict(stances)
        said = {target: p for target, p in sentence.predictions.items() if stated(p)}
        if said:
            for holder in sentence.holders:
                latest[holder.id] = said
