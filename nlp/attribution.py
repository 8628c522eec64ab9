"""Attribution: who holds the stance a sentence expresses.

On an organisation's own site the author speaks unless the sentence reports someone else. In
press coverage the reported stakeholders speak ("X said", "according to X", "X called for",
"X, supported by Y, called to reject ..." gives both); pronouns, "the delegation" and
continuing quotations refer to the last named speaker; "states such as A, B and C supported..."
gives each of them. The outlet holds a view only where it states its own (first person, or an
opinion piece). Headings name no holder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from nlp.actors import GENERIC_ORG, Actor, new_actor
from nlp.quotes import QUOTE_OPEN, QuoteRun, outside_quotes, quote_left_open, quoted_tokens
from nlp.reporting import (
    ACTS,
    NOTING,
    RELAY_HEADS,
    SPEECH,
    Relay,
    according_to,
    conditional,
    describes_object,
    episodic,
    generic,
    on_behalf_of,
    proposers,
    rebutted,
    relays_only,
    says,
    subjects_of,
)
from nlp.speakers import DEFINITE, GROUP_TYPES, Named, described, holders_in_subject, is_stand_in

PRONOUNS = {"it", "they", "he", "she"}
# Texts that speak for those who signed or issued them.
WRITINGS = {"letter", "statement", "submission", "paper", "report", "petition", "appeal",
            "declaration"}
# Named entities that are not stakeholders when they are a verb's subject ("Monday saw ...").
NOT_HOLDERS = {"DATE", "TIME", "LAW", "EVENT", "WORK_OF_ART", "CARDINAL", "ORDINAL", "MONEY"}
STAND_INS = re.compile(
    r"^(the|this|that|its|their)\s+(\w+\s+)?(delegation|group|organi[sz]ation|ngo|company|office|"
    r"coalition|government|ministry|body|agency|firm|alliance|association|network|institute|"
    r"centre|center|union|council|commission|state|country|chamber|accord|outlet|foundation|"
    r"initiative|forum|guild|collective|society|minister|ambassador|diplomat|official|expert|"
    r"spokes(?:person|man|woman)|director|chair|president|rapporteur|letter|statement|report|"
    r"submission|paper|campaign|party|bar|federation|federation)$",
    re.I,
)
OPINION_URL = re.compile(r"(opinion|editorial|op-ed|oped|comment|column|/view)", re.I)
# The writer's own voice: "we" or "I" outside quotation marks ("us" is also "US"), but not the
# numeral of "Chapter I" or "Part I".
PRONOUN_I = r"(?<!Chapter )(?<!CHAPTER )(?<!Part )(?<!Title )(?<!Section )(?<!Annex )\bI\b"
MODALS = {"should", "must", "ought", "shall"}
FIRST_PERSON = re.compile(rf"\b([Ww]e|[Oo]ur|us|[Mm]y)\b|{PRONOUN_I}")  # not "US"
NUMBERING = re.compile(r"^\(?(\d+|[ivx]+|[a-z])[.)]$", re.I)  # "8.", "(b)", "iv." alone
SENTENCE_END = re.compile(r"[.!?…:;\"”’'»)\]]\s*$")

if not Span.has_extension("holders"):
    Span.set_extension("holders", default=None)


@dataclass(frozen=True)
class Holder:
    id: str
    name: str
    type: str | None
    known: bool
    how: str  # author | reported | according_to | pronoun | quote | agent | act
    kind: str = "organization"  # organization | person | group
    organization_id: str | None = None
    speaker: str | None = None  # the person who spoke for the holder, when named

    @classmethod
    def of(cls, actor: Actor, how: str, speaker: str | None = None) -> Holder:
        return cls(
            actor.id,
            actor.name,
            actor.type,
            actor.known,
            how,
            actor.kind,
            actor.organization_id,
            speaker,
        )

    def again(self, how: str) -> Holder:
        return Holder(
            self.id,
            self.name,
            self.type,
            self.known,
            how,
            self.kind,
            self.organization_id,
            self.speaker,
        )


def is_heading(sent: Span, text: str | None = None) -> bool:
    """A title or crosshead: short, no closing punctuation, mostly capitalised words. ``text``:
    the sentence's stripped text, when the caller has it."""
    text = sent.text.strip() if text is None else text
    words = [t for t in sent if t.is_alpha]
    if not words or SENTENCE_END.search(text) or len(words) > 14:
        return False
    capitalised = sum(1 for t in words if t.text[0].isupper())
    return capitalised >= 0.5 * len(words) or len(words) <= 6


def _verbs(sent: Span, lemmas: set[str]) -> list[Token]:
    return [t for t in sent if t.pos_ in ("VERB", "AUX") and t.lemma_.lower() in lemmas]


def _owner_in_sentence(stand_in: Token, actors: list[Span]) -> Actor | None:
    """'its government', 'its ambassador' after an organisation that is the subject of an
    earlier clause of the same sentence: that organisation."""
    if not any(c.dep_ == "poss" and c.lower_ == "its" for c in stand_in.children):
        return None
    before = [
        s for s in actors
        if s.end <= stand_in.i and s._.actor.kind == "organization"
        and s.root.dep_ in ("nsubj", "nsubjpass")
    ]
    return before[-1]._.actor if before else None


def _definite(noun: Token) -> bool:
    return any(c.dep_ in ("det", "poss") and c.lower_ in DEFINITE for c in noun.children)


def _named_by_head(subject: Token, sent: Span) -> list[Named]:
    """'The league asked ...' after 'the Sauvelle Net Freedom League': a definite description
    by the last word of an organisation named earlier refers back to it."""
    if subject.pos_ not in ("NOUN", "PROPN") or not any(
        c.dep_ == "det" and c.lower_ in ("the", "this") for c in subject.children
    ):
        return []
    if any(c.dep_ not in ("det", "punct", "amod") for c in subject.children if c.i < subject.i):
        return []
    for span in reversed(sent.doc.spans.get("actors", [])):
        actor = span._.actor
        if span.end > sent.start or actor.kind != "organization":
            continue
        words = actor.name.split()
        if len(words) > 1 and words[-1].lower() == subject.lower_:
            return [Named(actor)]
    return []


def _with_unlisted(subject: Token, found: list[Named], actors: list[Span], press: bool
                   ) -> list[Named]:
    """The subject's names, with coordinated proper names recognition missed ("Pellador and
    Kethra said" with only Kethra known)."""
    if not found:
        return _unlisted_name(subject, press)
    covered = {i for span in actors for i in range(span.start, span.end)}
    out = {n.actor.id: n for n in found}
    for token in _coordinated(subject):
        if token.i not in covered:
            for named in _unlisted_name(token, press):
                out.setdefault(named.actor.id, named)
    return list(out.values())


def _coordinated(head: Token) -> list[Token]:
    out, stack = [], [head]
    while stack:
        current = stack.pop()
        out.append(current)
        stack += [c for c in current.children if c.dep_ == "conj"]
    return out


def _unlisted_name(subject: Token, press: bool) -> list[Named]:
    """'Pellador went furthest, proposing ...', 'FEVEN welcomed the bill': a proper name that
    speaks or acts is a holder even where recognition missed it. Not a capitalised description
    ("Ministers welcomed", "States remain free"), and in an organisation's own text not a title
    ("The Secretary General welcomes", often its own officer) nor a lone capitalised word
    ("Declaration concerning Article 30: ...")."""
    if subject.tag_ not in ("NNP", "NNPS") or subject.ent_type_ in NOT_HOLDERS:
        return []
    if subject.lower_ in GROUP_TYPES:
        return []
    if not press and (
        any(c.dep_ == "det" for c in subject.children)
        or not subject.ent_type_ and not any(c.dep_ == "compound" for c in subject.lefts)
    ):
        return []
    # The proper-noun part of the subject ("Employers' federation [VELKO]").
    start = subject.i
    while start > 0 and subject.doc[start - 1].tag_ in ("NNP", "NNPS") and (
        subject.doc[start - 1].dep_ == "compound" and subject.doc[start - 1].head.i == subject.i
    ):
        start -= 1
    span = subject.doc[start : subject.i + 1]
    if GENERIC_ORG.match(span.text) or not span.text[:1].isupper():
        return []
    kind = "person" if subject.ent_type_ == "PERSON" else "organization"
    return [Named(new_actor(span.text, subject.ent_type_ or None, kind))]


def _is_stand_in(subject: Token) -> bool:
    if subject.lower_ in PRONOUNS or is_stand_in(subject):
        return True
    phrase = " ".join(t.text for t in subject.subtree if t.dep_ not in ("relcl", "acl")).strip()
    return bool(STAND_INS.match(phrase)) and subject.lower_ not in {"states", "countries"}


def _recommends(verb: Token) -> bool:
    """'X should vote no': the writer recommends; X holds nothing yet."""
    current = verb
    for _ in range(3):
        if any(c.dep_ == "aux" and c.lower_ in MODALS for c in current.children):
            return True
        if current.i != verb.i and current.lower_ in MODALS:
            return True  # "States ought to add ...": the modal heads the clause
        if current.dep_ not in ("xcomp", "conj") or current.head.i == current.i:
            return False
        current = current.head
    return False


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
        # An opinion piece of the press (a legal service's "opinion" is its own text anyway).
        opinion = press and bool(
            OPINION_URL.search(f"{meta.get('url') or ''} {meta.get('title') or ''}")
        )
        actors = list(doc.spans.get("actors", []))
        last: list[Holder] = []  # the last reported speakers
        recent: list[Holder] = []  # the last named main subject, for "She said" after it
        people: list[Holder] = []  # the last speakers that were people (or spoke through one)
        in_quote = False
        run = QuoteRun()
        for sent in doc.sents:
            text = sent.text.strip()
            if is_heading(sent, text) or NUMBERING.match(text):
                sent._.holders = []
                continue
            in_sent = [a for a in actors if sent.start <= a.start < sent.end]
            quoted = quoted_tokens(sent, in_quote)
            holders, stand_in = self._reported(sent, in_sent, press, opinion, quoted, author)
            if not holders and stand_in is not None:
                # "She said" after an organisation's statement: the last person who spoke.
                personal = stand_in.lower_ in ("he", "she") and people
                antecedent = people if personal else (last or recent)
                owner = _owner_in_sentence(stand_in, in_sent)
                if owner is not None:
                    # "Tessaria stayed away: its government said ...": Tessaria.
                    holders = [Holder.of(owner, "pronoun")]
                elif antecedent:
                    holders = [h.again("pronoun") for h in antecedent]
                elif stand_in.lower_ not in PRONOUNS:
                    # "The government said ..." with nobody named before: the description.
                    holders = [Holder.of(n.actor, "reported") for n in described(stand_in)]
            elif stand_in is not None:
                # "The letter, coordinated by X, called ...": its signatories and X.
                holders = [h.again("pronoun") for h in last] + holders
            quoting = text[:1] in QUOTE_OPEN or in_quote
            named_here = bool(holders)
            if not holders and quoting and last:
                holders = [h.again("quote") for h in last]
            was_open, in_quote = in_quote, quote_left_open(text, in_quote)
            if holders and not quoting and _own_voice(sent, quoted, press):
                # "I hope the Assembly adopts it", "the Committee approved a text that we believe
                # no state should sign": the writer's own view.
                holders = []
            # "The Council urges ...", "Osmara calls on ..." in the Council's or Osmara's own text.
            holders = [author if _is_author(h, author) else h for h in holders]
            if holders:
                holders = list({h.id: h for h in holders}.values())
                last = holders
                people = [h for h in holders if h.speaker or h.kind == "person"] or people
            else:
                recent = _main_subject(sent, in_sent) or recent
                if not press or opinion or FIRST_PERSON.search(outside_quotes(text)):
                    holders = [author]
            sent._.holders = holders
            run.follow(sent, text[:1] in QUOTE_OPEN and not was_open, was_open, in_quote,
                       holders if named_here else [], _requote)
        return doc

    def _reported(
        self, sent: Span, actors: list[Span], press: bool, opinion: bool, quoted: set[int],
        author: Holder,
    ) -> tuple[list[Holder], Token | None]:
        """Holders the sentence reports, or the pronoun or stand-in ("the delegation") that
        speaks in it; with holders, a stand-in is a text whose earlier authors co-hold ("The
        letter, coordinated by X")."""
        relay = Relay()
        source, named = according_to(sent, actors)
        if named:
            held = [Holder.of(n.actor, "according_to", n.speaker) for n in named]
            if not relays_only(source, named):
                return held, None
            relay.add(held, sent.root, according_to=True)
        co_author: Token | None = None  # "The letter, coordinated by X": X and the signatories
        for lemmas, how in ((SPEECH, "reported"), (ACTS, "act")):
            holders: list[tuple[Token, list[Holder]]] = []
            stand_ins: list[tuple[Token, Token]] = []
            decided: set[int] = set()  # verbs whose clause has a speaker (or a recommendation)
            for verb in sorted(_verbs(sent, lemmas), key=_depth):
                if verb.i in quoted or _reports_within(verb, decided):
                    continue  # "X said [Y had asked ...]": Y is what X said, not a speaker
                if _recommends(verb):
                    decided.add(verb.i)
                    continue
                if lemmas is ACTS and _noun_complement(verb):
                    continue  # "no requirement that a judge approve it": nobody acts
                editorial_argument = opinion and not _main_clause(verb)
                if editorial_argument or describes_object(verb) or conditional(verb):
                    continue  # an editorial's argument, what a noun is or a condition ("the
                    # resolution the Assembly will consider", "unless the state has agreed")
                for subject in subjects_of(verb):
                    how_here = how
                    if subject.dep_ == "agent":
                        objects = [c for c in subject.children if c.dep_ == "pobj"]
                        subject = objects[0] if objects else subject
                        how_here = "agent"
                    found = on_behalf_of(verb, sent, actors,
                                         holders_in_subject(subject, sent, actors))
                    speech = says(verb, lemmas)
                    if not (speech or press or episodic(verb)) or generic(subject, verb):
                        # "States implementing it must ...", "a state may ask ...": anyone of
                        # that kind; "nine member states signed" did it.
                        found = [n for n in found if n.actor.kind != "group"]
                    if not found and press:
                        found = _named_by_head(subject, sent)
                    # "Pellador and Kethra said", "Delegate Ruben Aldecott urged": a name
                    # recognition missed.
                    found = _with_unlisted(subject, found, actors, press)
                    if verb.lemma_.lower() in NOTING and (
                        subject.lower_ in FIRST_PERSON_WORDS
                        or found and all(_is_author(Holder.of(n.actor, how), author)
                                         for n in found)
                    ):
                        continue  # "The Service notes that X called for ...": X's call
                    if found and relays_only(subject, found):
                        relay.add([Holder.of(n.actor, how_here, n.speaker) for n in found], verb)
                    elif found:
                        holders.append(
                            (verb, [Holder.of(n.actor, how_here, n.speaker) for n in found])
                        )
                        decided.add(verb.i)
                        if subject.lower_ in WRITINGS and _definite(subject):
                            co_author = co_author or subject
                    elif _is_stand_in(subject) and speech and not _parenthetical(verb):
                        if subject.lower_ in RELAY_HEADS:
                            relay.add([], verb, stand_in=subject)  # "..., the officials said"
                        else:
                            stand_ins.append((verb, subject))
                            decided.add(verb.i)
            if relay:
                # What the sources relay: the holders of the clause they report, when it tells
                # what someone did or said (not what may happen).
                relayed = [h for verb, found in holders if relay.reports(verb) for h in found]
                if relayed:
                    return relayed, None
                continue
            if holders:
                if not press and any(rebutted(verb) for verb, _ in holders):
                    return [], None  # the author answers the view it reports (rule 12)
                return [h for _, found in holders for h in found], co_author
            if stand_ins:
                return [], stand_ins[0][1]
        if relay:
            return relay.holders(), relay.stand_in
        if press and not opinion:
            # "Digital rights groups were far less enthusiastic": the main subject speaks.
            for token in sent:
                if token.dep_ == "ROOT" and token.i not in quoted and not _recommends(token):
                    for subject in [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")]:
                        found = holders_in_subject(subject, sent, actors)
                        if found and _describes_speakers(subject, found):
                            holders = [Holder.of(n.actor, "reported", n.speaker) for n in found]
                            return holders, None
        if press:
            # "A motion by Karesh to delete Article 6 was defeated", "the court is weighing a
            # petition from the union" (in an organisation's own text, its comment on it).
            for proposer in proposers(sent, quoted):
                found = _with_unlisted(proposer, holders_in_subject(proposer, sent, actors),
                                       actors, press)
                if found:
                    return [Holder.of(n.actor, "act", n.speaker) for n in found], None
        return [], None


FIRST_PERSON_WORDS = {"we", "our", "my", "i"}
NUMBERED = {"chapter", "part", "title", "section", "annex", "article", "phase", "world", "war"}


def _own_voice(sent: Span, quoted: set[int], press: bool) -> bool:
    """The writer speaks in the first person outside quotation marks. In coverage any first
    person counts, except inside the subject of someone else's statement ("Its critics, many of
    them groups we respect, warn ...", "Our government has said ..."); on an organisation's own
    site only "we believe / we regret / we urge ..." does: "We recall / we note that X called
    for ..." reports X."""
    for token in sent:
        if token.i in quoted or token.lower_ not in FIRST_PERSON_WORDS:
            continue
        if token.text == "i" or token.text == "I" and (
            token.i > 0 and token.doc[token.i - 1].lower_ in NUMBERED
        ):
            continue
        if token.dep_ == "poss" and token.head.pos_ == "PROPN":
            continue  # "Our Constitutional Court is weighing ...": whose court, not a view
        if press and not _in_speaker_subject(token):
            return True
        if not press and token.dep_ == "nsubj" and token.head.lemma_.lower() in SPEECH - NOTING:
            return True
    return False


def _in_speaker_subject(token: Token) -> bool:
    """Is the token inside the subject of a verb of saying or acting (not that subject's head)?"""
    current = token
    while current.head.i != current.i:
        if current.i != token.i and current.dep_ in ("nsubj", "nsubjpass"):
            return current.lower_ not in FIRST_PERSON_WORDS and (
                current.head.lemma_.lower() in SPEECH | ACTS
            )
        current = current.head
    return False


def _requote(sent: Span, speakers: list[Holder]) -> None:
    sent._.holders = [h if h.how == "author" else h.again("quote") for h in speakers]


NAME_WORDS = re.compile(r"[A-Z][\w'’-]+")
GOVERNMENT = re.compile(r"^(the\s+)?(federal\s+)?government$", re.I)
OUR = re.compile(r"^(our|my)\s", re.I)


def _is_author(holder: Holder, author: Holder) -> bool:
    """A third-person reference to the document's own author (its name, a part of it, "the
    Government" in a state's text)."""
    if holder.how == "author" or author.name == "author":
        return False
    if author.known and holder.id == author.id:
        return True
    if author.type == "state" and GOVERNMENT.match(holder.name):
        return True
    if author.type != "press" and OUR.match(holder.name):
        return True  # "our investigators" in a ministry's text
    if author.type != "press" and holder.kind == "group" and _names_the_author(holder, author):
        return True
    if holder.kind == "group" or author.type == "press":
        return False  # "Digital rights groups" is no part of the Digital Literacy Foundation
    words = set(NAME_WORDS.findall(holder.name)) - {"The"}
    if not words or not words <= set(NAME_WORDS.findall(author.name)):
        return False
    if author.type == "state":
        return True  # a ministry's text speaks for the state it names
    # What the last "of ..." of the author's name names is someone else ("Kaldoria" in the
    # Federation of Public Prosecutors of Kaldoria), and so is a state named in it ("Calmoria"
    # in the Calmoria Rights Network) unless the author's head noun comes with it.
    _, of, place = author.name.rpartition(" of ")
    if of and words == set(NAME_WORDS.findall(place)) - {"The"}:
        return False
    head = NAME_WORDS.findall(author.name.partition(" of ")[0].split(",")[0])
    return holder.type != "state" or bool(head) and head[-1] in words


# Who speaks in a communiqué of the body they meet in ("Ministers welcomed ...").
MEETING = {"ministers", "members", "participants", "leaders", "delegates", "heads of state"}


def _names_the_author(group: Holder, author: Holder) -> bool:
    """'The office recommends' in a country office's text; 'Ministers welcomed' in the
    communiqué of an intergovernmental body."""
    name = group.name.lower()
    if name in MEETING:
        return author.type in ("igo", "un_body")
    words = name.split()
    own = {w.lower() for w in NAME_WORDS.findall(author.name)}
    return len(words) == 2 and words[0] in ("the", "this") and words[1] in own


def _main_clause(verb: Token) -> bool:
    """The verb of the main clause, or one sharing its subject ("X went further, warning ...";
    not a purpose, "will gather to sign")."""
    current = verb
    while (current.dep_ == "conj" or current.dep_ == "advcl" and current.tag_ == "VBG"
           and not _has_subject(current)) and current.head.i != current.i:
        current = current.head
    return current.dep_ == "ROOT"


def _noun_complement(verb: Token) -> bool:
    return verb.dep_ == "acl" and any(c.dep_ == "mark" for c in verb.children)


def _depth(token: Token) -> int:
    depth = 0
    while token.head.i != token.i and depth < 50:
        token = token.head
        depth += 1
    return depth


def _reports_within(verb: Token, decided: set[int]) -> bool:
    """Is the verb inside what a decided verb reports (its complement clause)?"""
    current = verb
    embedded = False
    while current.head.i != current.i:
        if current.dep_ == "conj" and current.head.i in decided and _has_subject(current):
            return False  # "A backed it, but B continued to call for ...": B's own clause
        embedded = embedded or current.dep_ in (
            "ccomp", "xcomp", "relcl", "acl", "pcomp", "dobj"
        ) or current.dep_ == "advcl" and not _has_subject(current)
        current = current.head
        if current.i in decided and embedded:
            return True
    return False


def _has_subject(verb: Token) -> bool:
    """'while X repeated ...' has its own speaker; 'Pressed by senators, she said' has not."""
    return any(c.dep_ in ("nsubj", "nsubjpass", "expl") for c in verb.children)


def _parenthetical(verb: Token) -> bool:
    """'..., which they say could ...': a pronoun speaker inside a relative clause."""
    current = verb
    while current.head.i != current.i:
        if current.dep_ == "relcl":
            return True
        current = current.head
    return False


def _main_subject(sent: Span, actors: list[Span]) -> list[Holder]:
    for token in sent:
        if token.dep_ == "ROOT":
            for subject in [c for c in token.children if c.dep_ in ("nsubj", "nsubjpass")]:
                found = holders_in_subject(subject, sent, actors)
                found = [n for n in found if n.actor.kind != "group"]
                if found:
                    return [Holder.of(n.actor, "reported", n.speaker) for n in found]
    return []


def _describes_speakers(subject: Token, found: list[Named]) -> bool:
    return any(n.actor.kind != "group" for n in found) or subject.lower_ in GROUP_TYPES


@Language.factory(
    "stancemap_attribution", assigns=["span._.holders"], requires=["doc.spans", "token.dep"]
)
def make_attribution(nlp: Language, name: str) -> Attribution:
    return Attribution()
