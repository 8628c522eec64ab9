"""Quotations in coverage: which tokens are quoted, whether a quotation runs on into the next
sentence, and who speaks a quotation whose speaker is named only where it closes.

Wire copy puts the speaker after the quote, often several sentences later:
'"We have a seat in the room. Whether anyone listens is another matter," said X of Y.' The
parser splits that into two sentences; the first belongs to X as much as the second.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from spacy.tokens import Span

QUOTE_OPEN = "\"“‘'«"


def outside_quotes(text: str) -> str:
    return re.sub(r"[\"“][^\"”]*[\"”]", " ", text)


def quoted_tokens(sent: Span, open_at_start: bool) -> set[int]:
    """Tokens inside quotation marks: what a speaker said, not who is speaking."""
    inside, out = open_at_start, set()
    for token in sent:
        if token.text in ("“", "«"):
            inside = True
        elif token.text in ("”", "»"):
            inside = False
        elif token.text == '"' or token.text.startswith('"'):
            inside = not inside
        elif inside:
            out.add(token.i)
    return out


def quote_left_open(text: str, was_open: bool) -> bool:
    """Whether a quotation is still open after this sentence (quotes running over sentences)."""
    opened = text.count("“") + text.count("«")
    closed = text.count("”") + text.count("»")
    straight = text.count('"')
    if opened or closed:
        return (was_open and closed == 0) or opened > closed
    if straight % 2 == 1:
        return not was_open
    return was_open


class QuoteRun:
    """The sentences of a quotation that opened without its speaker, waiting for the sentence
    that closes it ('..., said X'): that speaker then holds them all."""

    def __init__(self) -> None:
        self.sentences: list[Span] = []

    def follow(self, sent: Span, opens: bool, was_open: bool, still_open: bool,
               speakers: list, assign: Callable[[Span, list], None]) -> None:
        """``opens``: the sentence starts a new quotation; ``speakers``: the holders the
        sentence itself names (not carried over from earlier ones)."""
        if opens and still_open:
            self.sentences = [sent]
        elif was_open and self.sentences:
            if still_open:
                self.sentences.append(sent)
                return
            if speakers:
                for earlier in self.sentences:
                    assign(earlier, speakers)
            self.sentences = []
        else:
            self.sentences = []
