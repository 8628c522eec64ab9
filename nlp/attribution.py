"""Attribution: who holds the stance a sentence expresses.

On an organisation's own site the author speaks unless the sentence reports someone else. In
press coverage the reported stakeholders speak ("X said", "according to X", "X, supported by Y,
called for ..."), pronouns and "the delegation" refer to the last named speaker, and the outlet
holds a view only where it states its own (first person, or an opinion piece).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from nlp.actors import Actor

REPORTING = {
    "say", "state", "argue", "warn", "urge", "call", "note", "welcome", "criticize", "criticise",
    "oppose", "support", "tell", "add", "insist", "stress", "express", "vote", "seek", "want",
    "propose", "reject", "back", "raise", "caution", "emphasize", "emphasise", "condemn",
    "praise", "push", "demand", "ask", "recommend", "describe", "acknowledge", "believe", "claim",
    "contend", "maintain", "suggest", "fear", "complain", "comment", "point", "voice", "endorse",
    "applaud", "decry", "denounce", "object", "reiterate", "highlight", "join", "sign", "ratify",
    "adopt", "announce", "declare", "explain", "write", "observe", "agree", "disagree", "lament",
    "question", "challenge", "defend", "champion", "favour", "favor", "resist", "block", "veto",
    "abstain", "pledge", "commit", "promise", "hail", "celebrate", "regret", "deplore", "accuse",
}
PRONOUNS = {"it", "they", "he", "she", "we"}
STAND_INS = re.compile(
    r"^(the|this|that)\s+(delegation|group|organi[sz]ation|ngo|company|office|coalition|"
    r"government|ministry|body|agency|firm|alliance|association|network|institute|centre|center|"
    r"union|council|commission|state|country|chamber|accord|outlet|spokes(?:person|man|woman))$",
    re.I,
)
OPINION_URL = re.compile(r"(opinion|editorial|op-ed|oped|comment|column|analysis|view)", re.I)
FIRST_PERSON = re.compile(r"\b(we|our|us|I|my)\b")

if not Span.has_extension("holders"):
    Span.set_extension("holders", default=None)


@dataclass(frozen=True)
class Holder:
    id: str
    name: str
    type: str | None
    known: bool
    how: str  # author | reported | according_to | pronoun | quote | subject
    kind: str = "organization"
    organization_id: str | None = None

    @classmethod
    def of(cls, actor: Actor, how: str) -> Holder:
        return cls(actor.id, actor.name, actor.type, actor.known, how, actor.kind, actor.organization_id)


def _actors_in(tokens: set[int], actors: list[Span]) -> list[Span]:
    return [a for a in actors if a.start in tokens]


def _subtree_without_relcl(token: Token) -> set[int]:
    """Token ids of a subject, leaving out relative clauses ("which brings together X, Y")."""
    out: set[int] = set()
    stack = [token]
    while stack:
        current = stack.pop()
        out.add(current.i)
        stack.extend(child for child in current.children if child.dep_ != "relcl")
    return out


def _subject_holders(sent: Span, actors: list[Span]) -> tuple[list[Span], Token | None]:
    """Actors in the subject of a reporting verb or of the main verb, and that subject."""
    verbs = [t for t in sent if t.pos_ in ("VERB", "AUX") and (t.lemma_.lower() in REPORTING or t.dep_ == "ROOT")]
    # Reporting verbs first, then the root.
    verbs.sort(key=lambda t: (t.lemma_.lower() not in REPORTING, t.i))
    for verb in verbs:
        for child in verb.children:
            if child.dep_ in ("nsubj", "nsubjpass", "csubj"):
                found = _actors_in(_subtree_without_relcl(child), actors)
                if found:
                    return found, child
                return [], child
            if child.dep_ == "agent":  # "... was opposed by X"
                found = _actors_in({t.i for t in child.subtree}, actors)
                if found:
                    return found, child
    return [], None


def _according_to(sent: Span, actors: list[Span]) -> list[Span]:
    text = sent.text.lower()
    if "according to" not in text:
        return []
    for token in sent:
        if token.lower_ == "according" and token.i + 1 < len(sent.doc) and sent.doc[token.i + 1].lower_ == "to":
            return _actors_in({t.i for t in sent.doc[token.i + 1].subtree}, actors)
    return []


class Attribution:
    def __call__(self, doc: Doc) -> Doc:
        meta = doc._.meta or {}
        author_type = meta.get("author_type")
        author = Holder(
            meta.get("author_id") or "author",
            meta.get("author") or "author",
            author_type,
            bool(meta.get("author_id")),
            "author",
        )
        press = author_type == "press"
        opinion = bool(OPINION_URL.search(f"{meta.get('url') or ''} {meta.get('title') or ''}"))
        actors = list(doc.spans.get("actors", []))
        last: list[Holder] = []
        for sent in doc.sents:
            in_sent = [a for a in actors if sent.start <= a.start < sent.end]
            found = _according_to(sent, in_sent)
            how = "according_to"
            subject = None
            if not found:
                found, subject = _subject_holders(sent, in_sent)
                how = "reported"
            holders = [Holder.of(a._.actor, how) for a in found]
            if not holders and subject is not None:
                phrase = " ".join(t.text for t in subject.subtree).strip()
                if subject.lower_ in PRONOUNS - {"we"} or STAND_INS.match(phrase):
                    holders = [Holder(h.id, h.name, h.type, h.known, "pronoun", h.kind, h.organization_id) for h in last]
            if not holders and sent.text.lstrip()[:1] in "\"“‘'" and last:
                holders = [Holder(h.id, h.name, h.type, h.known, "quote", h.kind, h.organization_id) for h in last]
            if holders:
                # One holder per id, in order.
                holders = list({h.id: h for h in holders}.values())
                last = holders
            elif not press or opinion or FIRST_PERSON.search(sent.text):
                holders = [author]
            sent._.holders = holders
        return doc


@Language.factory("stancemap_attribution", assigns=["span._.holders"], requires=["doc.spans", "token.dep"])
def make_attribution(nlp: Language, name: str) -> Attribution:
    return Attribution()
