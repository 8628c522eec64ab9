"""How English reporting says who speaks: verbs of saying and of acting, the subject a verb
shares through coordination, control or a relative clause ("X, which asked ...", "X, whose
envoy said ...", "A and B are among the states that ..."), and unnamed sources that only relay
what a named holder did ("according to two people", "..., diplomats said").
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from spacy.tokens import Span, Token

from nlp.speakers import GROUP_TYPES, Named, holders_in_subject

if TYPE_CHECKING:
    from nlp.attribution import Holder

# Verbs of saying and of taking a public position: their subject holds the stance.
SPEECH = {
    "say",
    "state",
    "argue",
    "warn",
    "urge",
    "call",
    "note",
    "welcome",
    "criticize",
    "criticise",
    "oppose",
    "support",
    "tell",
    "add",
    "insist",
    "stress",
    "express",
    "reject",
    "back",
    "raise",
    "caution",
    "emphasize",
    "emphasise",
    "condemn",
    "praise",
    "demand",
    "ask",
    "recommend",
    "describe",
    "acknowledge",
    "believe",
    "claim",
    "contend",
    "maintain",
    "suggest",
    "fear",
    "complain",
    "comment",
    "point",
    "voice",
    "endorse",
    "applaud",
    "decry",
    "denounce",
    "object",
    "reiterate",
    "repeat",
    "highlight",
    "announce",
    "declare",
    "explain",
    "write",
    "observe",
    "agree",
    "disagree",
    "lament",
    "question",
    "challenge",
    "defend",
    "champion",
    "favour",
    "favor",
    "hail",
    "celebrate",
    "regret",
    "deplore",
    "accuse",
    "conclude",
    "find",
    "consider",
    "hope",
    "worry",
    "concede",
    "admit",
    "confirm",
    "predict",
    "expect",
    "doubt",
    "counter",
    "respond",
    "reply",
    "plead",
    "appeal",
    "press",
    "lobby",
    "campaign",
    "signal",
    "cite",
    "credit",
    "single",  # "singled out Article 23"
    "dismiss",  # "dismissed those fears as overstated"
    "prefer",
}
# Acts that show a position: their subject holds it when nobody is reported as saying anything.
ACTS = {
    "vote",
    "seek",
    "want",
    "propose",
    "push",
    "join",
    "sign",
    "ratify",
    "adopt",
    "abstain",
    "block",
    "veto",
    "pledge",
    "commit",
    "promise",
    "resist",
    "request",
    "delete",
    "remove",
    "strike",
    "table",
    "sponsor",
    "submit",
    "refuse",
    "decline",
    "boycott",
    "withdraw",
    "distribute",
    "circulate",
    "publish",
    "issue",
    "release",
    "send",
    "organise",
    "organize",
    "hold",
    "use",
    "focus",
    "watch",
    "remain",
    "continue",
    "favour",
    "prefer",
    "need",
    "plan",
    "decide",
    "approve",
    "authorise",
    "authorize",
    "deposit",
    "defeat",
}

# Verbs that report a fact: when the writer notes that someone said or did something, that
# someone holds it ("We note that the delegation of X has proposed ...").
NOTING = {"note", "recall", "observe", "notice", "learn", "understand", "know", "remind"}
# Nouns of a proposal or a plea, held by whoever makes it ("a motion by X to ...", "a petition
# from X", "X's request").
PROPOSALS = {"motion", "petition", "proposal", "amendment", "request", "appeal", "bid",
             "demand", "complaint", "challenge", "call"}

# "X is said / believed / expected to ...": the passive subject is the one said to hold it.
RAISING = {"say", "report", "believe", "think", "understand", "expect", "know", "consider",
           "rumour", "rumor"}
RELAY_HEADS = {
    "people", "person", "source", "sources", "diplomat", "diplomats", "delegate", "delegates",
    "official", "officials", "insiders", "spokesperson", "spokesman", "spokeswoman",
    "negotiator", "negotiators",
}
RELATIVES = {"which", "who", "that", "whose"}
# Subordinators of a condition: what follows is not something anyone did.
CONDITIONS = {"if", "unless", "until", "provided", "once", "whether"}


def says(verb: Token, lemmas: set[str]) -> bool:
    """A verb of saying, or an act that states its content in a clause ("proposed that Article
    17 be deleted", "would prefer that no state ratify"): a speech act."""
    return lemmas is SPEECH or any(c.dep_ == "ccomp" and c.i > verb.i for c in verb.children)


def subjects_of(verb: Token) -> list[Token]:
    """The verb's subject, or the subject it shares through coordination or control. A passive
    without its agent has no speaker ("it is to be welcomed" says nothing of who welcomes),
    except in raising: "X is said to favour ..." is X's view."""
    children = list(verb.children)
    raising = verb.lemma_.lower() in RAISING and (
        verb.i + 1 < len(verb.doc) and verb.doc[verb.i + 1].lower_ == "to"
        or any(c.dep_ == "xcomp" for c in children)
    )
    if any(c.dep_ == "auxpass" for c in children) and not raising and not any(
        c.dep_ == "agent" for c in children
    ):
        return []
    current = verb
    for _ in range(4):
        subjects = [c for c in current.children if c.dep_ in ("nsubj", "nsubjpass", "csubj")]
        agents = [c for c in current.children if c.dep_ == "agent"]
        if current.dep_ == "acl" and agents and not subjects and current.head.i != current.i:
            # "X, supported by Y, ...": X and Y both (the agent is part of X's phrase).
            return [current.head]
        if current.dep_ == "relcl" and any(_relative(c) for c in subjects):
            # "the Union of Journalists, which asked for ...", "Veltrana, whose minister called
            # for ...": the noun the clause is about ("X is among the states that ...": X). A
            # clause without a comma only says which ones are meant ("we thank the delegations
            # that resisted ...").
            members = _member_of(current.head)
            return members or ([current.head] if _non_restrictive(current) else [])
        if subjects and agents and current.lemma_.lower() == "join":
            return agents + subjects  # "X was joined by Y": both
        if subjects or agents:
            # "... was opposed by X": the agent holds the stance, not the grammatical subject.
            return (agents or _members_on_verb(current) or subjects) + _along_with(current)
        speaking = _speaking_for_whom(current)
        if speaking:
            return speaking  # "Speaking for X, its director, Y, said ..."
        if current.dep_ in ("conj", "xcomp", "advcl") and current.head.i != current.i:
            current = current.head
        elif current.dep_ == "pcomp" and current.head.dep_ == "prep" and current.head.lower_ in (
            "by", "in", "after", "before", "while"
        ):
            current = current.head.head  # "X opened the meeting by urging states to ..."
        elif current.dep_ in ("acl", "relcl") and current.head.i != current.i:
            # "X, which sought to ...", "votes requested by X", and "X, backed by Y, proposed
            # ..." parsed as a clause on X: the noun the clause hangs on is the subject.
            finite = current.dep_ == "relcl" or current.tag_ in ("VBD", "VBZ", "VBP")
            has_agent = any(c.dep_ == "agent" for c in current.children)
            return [current.head] if finite or has_agent else []
        else:
            break
    return []


def _non_restrictive(clause: Token) -> bool:
    start = clause.left_edge.i
    return start > 0 and clause.doc[start - 1].text in (",", "(", "—", "–")


def _member_of(noun: Token) -> list[Token]:
    """'X and Y are among the states that ...', 'X was one of the firms that ...': X and Y."""
    preposition = noun.head if noun.dep_ == "pobj" else None
    if preposition is None:
        return []
    owner = preposition.head
    if preposition.lower_ == "of" and owner.lower_ == "one" and owner.dep_ == "attr":
        verb = owner.head
    elif preposition.lower_ == "among" and preposition.dep_ == "prep":
        verb = owner
    else:
        return []
    if verb.lemma_.lower() != "be":
        return []
    return [c for c in verb.children if c.dep_ == "nsubj"]


def _members_on_verb(verb: Token) -> list[Token]:
    """'Several delegations, among them A and B, said' with 'among them A and B' hung on the
    verb: A and B, as for 'delegations including A and B'."""
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ in ("among", "including") and child.i < verb.i:
            names = [c for c in child.children if c.dep_ == "pobj" and c.pos_ == "PROPN"]
            if names:
                return names
    return []


def _along_with(verb: Token) -> list[Token]:
    """'X, along with Y, said' with the parser hanging 'along with Y' on the verb: Y too."""
    out = []
    for child in verb.children:
        if child.dep_ == "prep" and child.lower_ in ("along", "together", "alongside"):
            for inner in [child, *[c for c in child.children if c.lower_ == "with"]]:
                out += [c for c in inner.children if c.dep_ == "pobj"]
    return out


def _speaking_for_whom(verb: Token) -> list[Token]:
    for child in verb.children:
        if child.dep_ == "advcl" and child.lemma_.lower() == "speak" and child.i < verb.i:
            for prep in child.children:
                if prep.dep_ == "prep" and prep.lower_ == "for":
                    return [c for c in prep.children if c.dep_ == "pobj"]
    return []


def on_behalf_of(verb: Token, sent: Span, actors: list[Span], found: list[Named]
                 ) -> list[Named]:
    """'The minister, X, signed on behalf of Y': Y holds what its envoy did or said, with X as
    the one who spoke for it."""
    for prep in verb.children:
        if prep.dep_ == "prep" and prep.lower_ == "on":
            for behalf in prep.children:
                if behalf.lower_ == "behalf":
                    bodies = [
                        named
                        for of in behalf.children if of.dep_ == "prep" and of.lower_ == "of"
                        for pobj in of.children if pobj.dep_ == "pobj"
                        for named in holders_in_subject(pobj, sent, actors)
                    ]
                    if bodies:
                        speaker = next((n.speaker or n.actor.name for n in found
                                        if n.speaker or n.actor.kind == "person"), None)
                        return [replace(n, speaker=n.speaker or speaker) for n in bodies]
    return found


def proposers(sent: Span, quoted: set[int]) -> list[Token]:
    """Who makes the one proposal the sentence tells of: 'a motion by [the Green Left] to
    decline ...', 'a petition from [the union] to halt ratification' (not 'requests from
    states', 'at another state's request': anyone's)."""
    out = []
    for noun in sent:
        if noun.lemma_.lower() not in PROPOSALS or noun.tag_ != "NN" or noun.i in quoted:
            continue
        for child in noun.children:
            if child.dep_ == "poss":
                out.append(child)
            elif child.dep_ == "prep" and child.lower_ in ("by", "from"):
                out += [c for c in child.children if c.dep_ == "pobj"]
    return [p for p in out if not any(c.dep_ == "det" and c.lower_ in INDEFINITE
                                      for c in p.children)]


def rebutted(verb: Token) -> bool:
    """'Critics describe Article 24 as a shell, but it requires ...', 'Critics told us X; with
    respect, it was ...': a view reported to be answered in a clause of its own."""
    for clause in verb.children:
        if clause.dep_ == "conj" and clause.i > verb.i and _unattributed(clause) and any(
            c.dep_ == "cc" and c.lower_ in ("but", "yet") for c in verb.children
        ):
            return True
    head = verb.head
    if verb.dep_ in ("ccomp", "parataxis") and head.i > verb.i and _unattributed(head):
        return any(t.text == ";" for t in verb.doc[verb.i : head.i])  # parsed as its complement
    return False


def _unattributed(clause: Token) -> bool:
    """A clause with a subject of its own and no verb of saying or acting: the writer's."""
    return clause.lemma_.lower() not in SPEECH | ACTS and any(
        c.dep_ in ("nsubj", "nsubjpass", "expl") for c in clause.children
    )


def _clause_of(verb: Token) -> Token:
    """The head of the clause a verb belongs to ('is expected [to seek]', 'signed [and
    ratified]')."""
    current = verb
    while current.dep_ in ("xcomp", "conj") and current.head.i != current.i:
        current = current.head
    return current


def conditional(verb: Token) -> bool:
    """'... unless the state where the data is has agreed': a condition, not what anyone did."""
    clause = _clause_of(verb)
    return clause.dep_ == "advcl" and any(
        c.dep_ == "mark" and c.lower_ in CONDITIONS for c in clause.children
    )


def describes_object(verb: Token) -> bool:
    """A relative clause with its own subject, on the noun that is its object ("the resolution
    [the Assembly will consider]", "directions [its parties never agreed to]", "the
    confidentiality [that a state may demand]"): it tells what the noun is, not who holds the
    sentence's stance."""
    clause = _clause_of(verb)
    if clause.dep_ != "relcl":
        return False
    children = list(clause.children)
    if any(c.dep_ in ("ccomp", "xcomp", "oprd", "acomp") or c.lower_ in ("when", "where")
           for c in children):
        return False  # "a change [that the Guild called overdue]", "the day [when X asked]"
    subjects = [c for c in children if c.dep_ in ("nsubj", "nsubjpass")]
    return bool(subjects) and not any(_relative(c) for c in subjects)


def _relative(subject: Token) -> bool:
    """'which', 'who', or someone who speaks for the antecedent, owned by 'whose' ('whose envoy
    said'; not 'countries whose laws say little')."""
    return subject.lower_ in RELATIVES or subject.lower_ in GROUP_TYPES and any(
        c.dep_ == "poss" and c.lower_ == "whose" for c in subject.children
    )


def according_to(sent: Span, actors: list[Span]) -> tuple[Token | None, list[Named]]:
    for token in sent:
        following = sent.doc[token.i + 1] if token.i + 1 < sent.end else None
        if token.lower_ == "according" and following is not None and following.lower_ == "to":
            target = sent.doc[token.i + 1]
            objects = [c for c in target.children if c.dep_ == "pobj"]
            if objects:
                return objects[0], holders_in_subject(objects[0], sent, actors)
    return None, []


class Relay:
    """Unnamed sources in a sentence ("according to two people", "..., diplomats said"): they
    pass on what others did or said, so the holder of the clause they report holds the stance;
    their own words count only when nobody acts in it."""

    def __init__(self) -> None:
        self.sources: list[Holder] = []
        self.heads: set[int] = set()
        self.stand_in: Token | None = None

    def __bool__(self) -> bool:
        return bool(self.sources) or self.stand_in is not None

    def add(self, sources: list[Holder], verb: Token, according_to: bool = False,
            stand_in: Token | None = None) -> None:
        self.sources += sources
        self.stand_in = self.stand_in or stand_in
        if according_to:
            self.heads |= _clause_heads(verb)  # "A did B, according to two people"
            return
        for child in verb.children:
            if child.dep_ == "ccomp":
                self.heads |= _clause_heads(child)  # "people said [A had done B]"
        if verb.dep_ in ("ccomp", "parataxis") and not any(c.dep_ == "mark" for c in verb.children):
            self.heads |= _clause_heads(verb.head)  # "[A did B], the same people said"

    def reports(self, verb: Token) -> bool:
        """Is ``verb`` what the sources report, as a fact (not 'will sign', 'did not send')?"""
        current = verb
        while current.i not in self.heads:
            if current.dep_ not in ("xcomp", "conj") or current.head.i == current.i:
                return False
            current = current.head
        return not any(_hedged(t) for t in (verb, current))

    def holders(self) -> list[Holder]:
        return list({h.id: h for h in self.sources}.values())


HEDGES = {"will", "would", "could", "may", "might", "can", "should", "'ll", "wo"}


INDEFINITE = {"a", "an", "another", "any"}
# Verbs that grant or impose what their complement describes ("Article 42 allows a state to
# ask ...").
PERMITS = {"allow", "permit", "let", "enable", "entitle", "empower", "oblige", "require",
           "compel", "force", "authorise", "authorize"}


def generic(subject: Token, verb: Token) -> bool:
    """'a state may ask', 'a requesting state would find', 'allows a state to ask': an
    indefinite subject of a possible or permitted act is anyone of that kind, not a holder."""
    if subject.lower_ in RELAY_HEADS or not any(
        c.dep_ == "det" and c.lower_ in INDEFINITE for c in subject.children
    ):
        return False  # "a spokesperson would not say": one person, as wire copy has it
    start = current = subject.head if subject.dep_ in ("nsubj", "nsubjpass") else verb
    for _ in range(3):
        if any(c.dep_ == "aux" and c.lower_ in HEDGES for c in current.children):
            return True
        if current.i != start.i and current.lemma_.lower() in PERMITS:
            return True
        if current.dep_ not in ("xcomp", "ccomp", "conj") or current.head.i == current.i:
            return False
        current = current.head
    return False


def episodic(verb: Token) -> bool:
    """A past event ('signed', 'has signed'), not a habit, a rule or a plan."""
    return verb.tag_ == "VBD" or verb.tag_ == "VBN" and any(
        c.dep_ == "aux" and c.lemma_.lower() == "have" for c in verb.children
    )


def _hedged(verb: Token) -> bool:
    return any(
        c.dep_ == "neg" or c.dep_ == "aux" and c.lower_ in HEDGES for c in verb.children
    )


def _clause_heads(verb: Token) -> set[int]:
    """A clause's verb with the verbs it shares its subject with ('is expected to seek')."""
    heads, stack = set(), [verb]
    while stack:
        current = stack.pop()
        heads.add(current.i)
        stack += [c for c in current.children if c.dep_ in ("xcomp", "conj") and c.pos_ in (
            "VERB", "AUX")]
    return heads


def relays_only(source: Token | None, found: list[Named]) -> bool:
    """'two people who have seen it', 'diplomats', 'a ministry spokesperson': sources without a
    name pass on what others do or say."""
    return (
        source is not None
        and source.lower_ in RELAY_HEADS
        and all(n.actor.kind == "group" for n in found)
    )
