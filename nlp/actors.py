"""Stakeholder recognition: registry names first, then names the text shows to be organisations
or people not yet known (spaCy NER, and proper names built like organisation names: "the Digital
Trade Council of Namaro", "the Republic of Veltrana").

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
    "delegation",
    "delegations",
    "government",
    "governments",
    "representative",
    "representatives",
    "authorities",
    "minister",
    "ministry",
    "officials",
    "official",
    "diplomat",
    "diplomats",
    "ambassador",
    "mission",
    "negotiators",
    "negotiator",
    "presidency",
    "parliament",
    "cabinet",
    "embassy",
    "president",
}
# Words that may stand between the demonym and its head ("the Iranian UN delegation").
DEMONYM_FILLERS = {
    "un", "u.n.", "foreign", "justice", "interior", "national", "own", "federal", "prime",
}
# Words before a capital that make it a place, not a government ("in Cairo", "from the Kremlin",
# "visited Beijing", "the road to Riyadh").
PLACE_BEFORE = re.compile(
    r"\b(?:in|at|from|to|into|near|outside|around|across|via|through|towards?|visit(?:ed|ing|s)?|"
    r"between|leaves?|left|reach(?:ed)?|arrived?|held|hosted|of)\s+(?:the\s+)?$",
    re.I,
)
# Entity labels NER may offer as holders not yet in the registry, with a first guess of type.
NER_TYPES = {"ORG": None, "GPE": "state", "PERSON": None, "NORP": None}
GENERIC_ORG = re.compile(
    r"^(the\s+)?(UN|United Nations|Convention|Treaty|Committee|Article|Chapter|Ad Hoc Committee|"
    r"General Assembly|Member States?|Parliament|Government|Assembly|Secretariat|Chair|NGOs?)$|"
    r"^(the\s+)?(Article|Chapter|Articles|Convention|Treaty)\b",
    re.I,
)
# "UN member states" are the states, not the UN.
NOT_THE_UN = re.compile(r"^\s*(member\s+states?|members|member\s+countries)\b", re.I)
# Head words of organisation names: a capitalised phrase ending in one of these (optionally
# followed by "of/for/on ... Name") is an organisation even when NER does not say so.
ORG_HEADS = (
    "Republic|Kingdom|Federation|Union|Council|Forum|Alliance|Association|Group|Guild|Network|"
    "Society|Centre|Center|Institute|Foundation|Chamber|Ministry|Office|Collective|Coalition|"
    "Accord|Initiative|Party|Commission|Agency|Bar|Court|Committee|Assembly|Parliament|Watch|"
    "Lab|Labs|Project|Partnership|Consortium|Bureau|Authority|Federation|Trust|Fund|Inc|Ltd|"
    "Corporation|Company|Systems|Technologies|Security|Payments|Bank|Courier|Herald|Times|Post|"
    "Wire|News|Magazine|Gazette|Tribune|Journal|University|School|Academy|Principality|League|"
    "Movement|Campaign|Platform|Caucus|Secretariat|Directorate|Service|Unit|Police|Department"
)
PROPER_WORD = r"[A-Z][\w'’&-]*"
ORG_NAME = re.compile(
    rf"\b(?:{PROPER_WORD}[ \t]+){{0,5}}(?:{ORG_HEADS})\b"
    rf"(?:[ \t]+(?:of|for|on|against|to)[ \t]+(?:the[ \t]+)?"
    rf"{PROPER_WORD}(?:[ \t]+{PROPER_WORD}){{0,4}})?"
)
# People NER tends to miss behind a title: "Dr. Selin Arvani", "Prof. Ana Brest".
TITLED_PERSON = re.compile(
    r"\b(?:Dr|Prof|Professor|Ambassador|Judge|Senator|Mr|Ms|Mrs)\.?[ \t]+"
    r"((?:[A-Z][\w'’-]+[ \t]+){0,2}[A-Z][\w'’-]+)"
)
# First guesses of a new holder's type from its name.
TYPE_CUES = (
    ("state", r"\b(Republic|Kingdom|Principality|Federation of|Ministry|Government|Parliament)\b"),
    ("press", r"\b(Courier|Herald|Times|Post|Wire|News|Magazine|Gazette|Tribune|Journal)\b"),
    ("academic", r"\b(University|School|Academy|Centre for .*Law|Institute for .*Studies)\b"),
    ("coalition", r"\b(Coalition|Caucus|Alliance of)\b"),
    (
        "industry",
        r"\b(Inc|Ltd|Corporation|Company|Systems|Technologies|Security|Payments|Bank|"
        r"Chamber|Industry|Trade|Business|Software|Forensics|Intelligence)\b",
    ),
    (
        "ngo",
        r"\b(Rights|Liberties|Freedom|Watch|Foundation|Society|Forum|Alliance|Network|"
        r"Collective|Guild|Union|Association|Initiative|Project|Campaign|Movement)\b",
    ),
    ("un_body", r"\b(UN|United Nations)\b"),
)

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


def guess_type(name: str, label: str | None = None) -> str | None:
    """A holder type from the words of a new name ("... Council of Commerce" is industry)."""
    for holder_type, pattern in TYPE_CUES:
        if re.search(pattern, name):
            return holder_type
    return NER_TYPES.get(label or "")


def clean_name(text: str) -> str:
    name = re.sub(r"^(the|The)\s+", "", text.strip())
    return re.sub(r"(’s|'s)$", "", name).strip(" ,.;:")


def new_actor(text: str, label: str | None = None, kind: str = "organization") -> Actor:
    name = clean_name(text)
    return Actor(f"new-{slug(name)}", name, guess_type(name, label), False, kind=kind)


class ActorRecognizer:
    def __init__(self, nlp: Language, registry: Registry):
        self.registry = registry
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.by_key: dict[str, Actor] = {}
        self.demonyms: dict[str, Actor] = {}
        self.capitals = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.capital_of: dict[str, Actor] = {}
        self.make = nlp.make_doc
        self.add_organizations(registry.organizations.values())
        self.add_people(registry.people)
        for state, names in registry.capitals.items():
            org = registry.organizations[state]
            actor = Actor(state, org["name"], org.get("type"), True)
            for name in names:
                self.capital_of[name] = actor
                self.capitals.add(state, [self.make(name)])

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
                folded = len(name.split()) >= 3 and not name.isupper()
                matcher = self.folded if folded else self.exact
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

    def _registry_spans(self, doc: Doc, text: str) -> list[Span]:
        spans = []
        for matcher in (self.exact, self.folded):
            for _, start, end in matcher(doc):
                span = Span(doc, start, end, label="ACTOR")
                actor = self._actor_for(span)
                if actor is None or _inside_compound(doc, start, end):
                    continue
                if actor.id == "united-nations" and NOT_THE_UN.match(text[span.end_char :]):
                    continue
                span._.actor = actor
                spans.append(span)
        return spans

    def _capital_spans(self, doc: Doc, text: str) -> list[Span]:
        """'Moscow rejected ...', 'sided with Tehran': a capital standing for its government.
        Not a place ('talks in Cairo', 'from the Kremlin'), nor part of a longer name ('the
        Paris Call', 'Moscow State University', 'a Beijing-based firm')."""
        spans = []
        for _, start, end in self.capitals(doc):
            before = text[max(0, doc[start].idx - 24) : doc[start].idx]
            after = doc[end] if end < len(doc) else None
            if PLACE_BEFORE.search(before) or after is not None and (
                after.text[:1].isupper() and after.pos_ == "PROPN" or after.text in ("-", "–")
            ):
                continue
            span = Span(doc, start, end, label="ACTOR")
            span._.actor = self.capital_of[span.text]
            spans.append(span)
        return spans

    def _demonym_spans(self, doc: Doc) -> list[Span]:
        spans = []
        for token in doc:
            actor = self.demonyms.get(token.text)
            if actor is None:
                continue
            end = token.i + 1
            while end < len(doc) and doc[end].lower_ in DEMONYM_FILLERS:
                end += 1
            if end < len(doc) and doc[end].lower_ in DEMONYM_HEADS:
                span = Span(doc, token.i, end + 1, label="ACTOR")
                span._.actor = actor
                spans.append(span)
        return spans

    def _new_spans(self, doc: Doc, text: str, taken: set[int]) -> list[Span]:
        spans = []
        for match in ORG_NAME.finditer(text):
            span = doc.char_span(match.start(), match.end(), alignment_mode="contract")
            if span is None or any(i in taken for i in range(span.start, span.end)):
                continue
            if GENERIC_ORG.match(span.text) or len(span.text) < 4 or span.start == span.end:
                continue
            # A capitalised first word of a sentence is not evidence of a name on its own.
            if span.end - span.start == 1:
                continue
            actor = new_actor(span.text)
            span = Span(doc, span.start, span.end, label="ACTOR")
            span._.actor = actor
            spans.append(span)
        for match in TITLED_PERSON.finditer(text):
            span = doc.char_span(match.start(1), match.end(1), alignment_mode="contract")
            if span is None or any(i in taken for i in range(span.start, span.end)):
                continue
            person = Span(doc, span.start, span.end, label="ACTOR")
            person._.actor = new_actor(span.text, "PERSON", kind="person")
            spans.append(person)
            taken.update(range(span.start, span.end))
        for ent in doc.ents:
            if ent.label_ not in NER_TYPES or any(i in taken for i in range(ent.start, ent.end)):
                continue
            name = clean_name(ent.text)
            if len(name) < 3 or GENERIC_ORG.match(name) or not name[0].isupper():
                continue
            if ent.label_ == "NORP":
                continue  # "Iranian", "European": only with a head word (demonyms above)
            end = _hyphen_end(doc, ent.end)
            if any(i in taken for i in range(ent.end, end)):
                end = ent.end
            span = Span(doc, ent.start, end, label="ACTOR")
            kind = "person" if ent.label_ == "PERSON" else "organization"
            span._.actor = new_actor(span.text, ent.label_, kind)
            spans.append(span)
        return spans

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text  # built from the tokens on every access: once per document
        spans = (self._registry_spans(doc, text) + self._demonym_spans(doc)
                 + self._capital_spans(doc, text))
        spans = filter_spans(spans)
        taken = {i for span in spans for i in range(span.start, span.end)}
        spans = filter_spans(spans + self._new_spans(doc, text, taken))
        doc.spans["actors"] = _same_people(filter_spans(spans + _repeated_names(doc, spans)))
        return doc


def _inside_compound(doc: Doc, start: int, end: int) -> bool:
    """A match that is part of a hyphenated word ("a group of twenty-nine groups") is not the
    name ("Group of Twenty")."""
    after = end < len(doc) and doc[end].text in ("-", "‐") and not doc[end - 1].whitespace_
    before = start > 0 and doc[start - 1].text in ("-", "‐") and not doc[start - 1].whitespace_
    return after or before


def _hyphen_end(doc: Doc, end: int) -> int:
    """NER stops at a hyphen inside a name ("Hélène Marchetti-Obi"): carry the name over it."""
    while (
        end + 1 < len(doc)
        and doc[end].text in ("-", "‐")
        and not doc[end - 1].whitespace_
        and not doc[end].whitespace_
        and doc[end + 1].text[:1].isupper()
    ):
        end += 2
    return end


def _common_noun(word: str) -> bool:
    singular = word.lower().removesuffix("s")
    return singular in DEMONYM_HEADS or f"{singular}s" in DEMONYM_HEADS


def _repeated_names(doc: Doc, spans: list[Span]) -> list[Span]:
    """A new name found once (by NER or its shape) is the same holder wherever the document
    repeats it, also where NER misses it ("Pellador went furthest, ...")."""
    taken = {i for span in spans for i in range(span.start, span.end)}
    names: dict[str, list[tuple[list[str], Actor]]] = {}
    for span in spans:
        actor = span._.actor
        if actor.known or actor.kind != "organization" and len(span) < 2:
            continue
        words = [t.text for t in span if not (t.i == span.start and t.lower_ == "the")]
        if words and words[0][:1].isupper():
            names.setdefault(words[0], []).append((words, actor))
        short = short_state_name(words)
        if short:
            names.setdefault(short[0], []).append((short, actor))
    found = []
    for token in doc:
        if token.i in taken or token.text not in names:
            continue
        for words, actor in sorted(names[token.text], key=lambda pair: -len(pair[0])):
            end = token.i + len(words)
            if end <= len(doc) and [t.text for t in doc[token.i : end]] == words:
                if any(i in taken for i in range(token.i, end)):
                    continue
                if len(words) == 1 and (token.tag_ != "NNP" or _common_noun(token.text)):
                    continue  # "Ministers" once mistaken for a name is not one everywhere
                span = Span(doc, token.i, end, label="ACTOR")
                span._.actor = actor
                found.append(span)
                taken.update(range(token.i, end))
                break
    return found


STATE_FORMS = {"Republic", "Kingdom", "Principality", "Sultanate", "Commonwealth", "Emirate"}


def short_state_name(words: list[str]) -> list[str]:
    """'Republic of Veltrana' is 'Veltrana' in the rest of the text ("Federal Republic of X"
    and "Republic of the X Islands" too)."""
    for i, word in enumerate(words[:-2]):
        if word in STATE_FORMS and words[i + 1] == "of":
            rest = words[i + 2 :]
            rest = rest[1:] if rest[0] == "the" else rest
            return rest if rest and all(w[:1].isupper() for w in rest) else []
    return []


def _same_people(spans: list[Span]) -> list[Span]:
    """'Pavlova said ...' after 'Pavlina Pavlova, an expert, ...': the same person."""
    named: dict[str, Actor] = {}
    for span in spans:
        actor = span._.actor
        words = actor.name.split()
        if actor.kind == "person" and len(words) > 1:
            named.setdefault(words[-1], actor)
        elif not actor.known and len(words) == 1 and actor.name in named:
            span._.actor = named[actor.name]
    return spans


@Language.factory("stancemap_actors", assigns=["doc.spans"], requires=["doc.ents"])
def make_actors(nlp: Language, name: str) -> ActorRecognizer:
    return ActorRecognizer(nlp, load_stakeholders())
