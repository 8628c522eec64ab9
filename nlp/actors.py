"""Stakeholder recognition: registry names first, spaCy NER for the ones not yet known.

Results go to ``doc.spans["actors"]``; each span's ``._.actor`` is an ``Actor`` with the
registry id (or a ``new-...`` id for a holder first seen in this text), name and type.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from db.stakeholders import Registry, load_stakeholders

# Words after a demonym that make it a stakeholder ("the Iranian delegation").
DEMONYM_HEADS = {
    "delegation", "delegations", "government", "governments", "representative", "representatives",
    "authorities", "minister", "ministry", "officials", "official", "diplomat", "diplomats",
    "ambassador", "mission", "negotiators", "negotiator", "presidency", "parliament",
}
# Entity labels NER may offer as holders not yet in the registry, with a first guess of type.
NER_TYPES = {"ORG": None, "GPE": "state", "PERSON": None, "NORP": None}
GENERIC_ORG = re.compile(r"^(the\s+)?(UN|United Nations|Convention|Treaty|Committee|Article|Chapter)\b", re.I)

if not Span.has_extension("actor"):
    Span.set_extension("actor", default=None)


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    type: str | None
    known: bool
    kind: str = "organization"  # organization | person
    organization_id: str | None = None  # for people: who they speak for


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


class ActorRecognizer:
    def __init__(self, nlp: Language, registry: Registry):
        self.registry = registry
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.by_key: dict[str, Actor] = {}
        self.demonyms: dict[str, Actor] = {}
        self.make = nlp.make_doc
        self.add_organizations(registry.organizations.values())
        self.add_people(registry.people)

    def add_organizations(self, organizations) -> None:
        for org in organizations:
            actor = Actor(org["id"], org["name"], org.get("type"), True)
            for name in [org["name"], *(org.get("aliases") or [])]:
                if not name:
                    continue
                self.by_key.setdefault(name, actor)
                self.by_key.setdefault(name.lower(), actor)
                # Names match as written; long names also in any case. Short ones ("The Record",
                # "Meta", "US") are ordinary words when their case differs.
                matcher = self.folded if len(name.split()) >= 3 and not name.isupper() else self.exact
                matcher.add(org["id"], [self.make(name)])
            for demonym in org.get("demonyms") or []:
                self.demonyms.setdefault(demonym, actor)

    def add_people(self, people) -> None:
        for person in people:
            org_id = person.get("organization")
            org = self.registry.organizations.get(org_id or "")
            actor = Actor(
                f"person-{slug(person['name'])}",
                person["name"],
                org.get("type") if org else None,
                True,
                kind="person",
                organization_id=org_id,
            )
            for name in [person["name"], *(person.get("aliases") or [])]:
                self.by_key.setdefault(name, actor)
                self.folded.add(actor.id, [self.make(name)])

    def _actor_for(self, span: Span) -> Actor | None:
        return self.by_key.get(span.text) or self.by_key.get(span.text.lower())

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        for matcher in (self.exact, self.folded):
            for _, start, end in matcher(doc):
                span = Span(doc, start, end, label="ACTOR")
                actor = self._actor_for(span)
                if actor is not None:
                    span._.actor = actor
                    spans.append(span)
        for token in doc:
            actor = self.demonyms.get(token.text)
            if actor and token.i + 1 < len(doc) and doc[token.i + 1].lower_ in DEMONYM_HEADS:
                span = Span(doc, token.i, token.i + 2, label="ACTOR")
                span._.actor = actor
                spans.append(span)
        taken = {i for span in spans for i in range(span.start, span.end)}
        for ent in doc.ents:
            if ent.label_ not in NER_TYPES or any(i in taken for i in range(ent.start, ent.end)):
                continue
            name = ent.text.strip()
            if len(name) < 3 or GENERIC_ORG.match(name) or not name[0].isupper():
                continue
            span = Span(doc, ent.start, ent.end, label="ACTOR")
            kind = "person" if ent.label_ == "PERSON" else "organization"
            span._.actor = Actor(f"new-{slug(name)}", name, NER_TYPES[ent.label_], False, kind=kind)
            spans.append(span)
        doc.spans["actors"] = filter_spans(spans)
        return doc


@Language.factory("stancemap_actors", assigns=["doc.spans"], requires=["doc.ents"])
def make_actors(nlp: Language, name: str) -> ActorRecognizer:
    return ActorRecognizer(nlp, load_stakeholders())
