"""Line breaks end sentences: headings, list items and paragraphs are never merged into the
sentence that follows them (the parser alone would join "Iran's Attempt ... Safeguards" and the
first sentence of the next paragraph)."""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc


@Language.component("stancemap_line_breaks")
def line_breaks(doc: Doc) -> Doc:
    for token in doc[:-1]:
        if "\n" in token.text or token.whitespace_.count("\n") or token.text_with_ws.endswith("\n"):
            doc[token.i + 1].is_sent_start = True
    return doc
