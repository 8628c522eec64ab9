"""From a sentence's subject to the stakeholders it names.

A subject can name several holders ("X, supported by Y", "A, B and C", "states such as A and
B", "a coalition including A and B"), name a person who speaks for an organisation ("X, who led
the delegation of Y", "X of Y", "a spokesperson for Y"), or describe a group that no registry
knows ("Several Western delegations", "Digital rights groups"). Relative clauses about an
organisation ("..., which brings together companies including M and N") name members, not
holders, and are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from spacy.tokens import Span, Token

from nlp.actors import Actor, slug

# Head nouns of phrases that describe holders without naming them.
GROUP_TYPES = {
    "delegation": "state",
    "delegations": "state",
    "state": "state",
    "states": "state",
    "country": "state",
    "countries": "state",
    "government": "state",
    "governments": "state",
    "diplomat": "state",
    "diplomats": "state",
    "delegate": "state",
    "delegates": "state",
    "negotiators": "state",
    "ministry": "state",
    "ministries": "state",
    "minister": "state",
    "ministers": "state",
    "official": "state",
    "officials": "state",
    "authorities": "state",
    "parliament": "state",
    "lawmakers": "state",
    "investigators": "state",
    "prosecutors": "state",
    "regulators": "state",
    "group": None,
    "groups": None,
    "organisation": None,
    "organization": None,
    "organisations": "ngo",
    "organizations": "ngo",
    "ngos": "ngo",
    "society": "ngo",
    "advocates": "ngo",
    "activists": "ngo",
    "campaigners": "ngo",
    "defenders": "ngo",
    "coalition": "coalition",
    "alliance": "coalition",
    "network": None,
    "companies": "industry",
    "firms": "industry",
    "industry": "industry",
    "providers": "industry",
    "businesses": "industry",
    "vendors": "industry",
    "researchers": "academic",
    "experts": "academic",
    "academics": "academic",
    "scholars": "academic",
    "lawyers": None,
    "critics": None,
    "supporters": None,
    "opponents": None,
    "observers": None,
    "commentators": None,
    "analysts": None,
    "journalists": "press",
    "editors": "press",
    "representatives": None,
    "members": None,
    "participants": None,
    "community": None,
    "spokesperson": None,
    "spokesman": None,
    "spokeswoman": None,
    "chair": "un_body",
    "agencies": "un_body",
    "bodies": None,
    "union": "ngo",
    "unions": "ngo",
    "associations": None,
    "party": None,
    "parties": None,
    "signatories": None,
    "people": None,
    "victims": "ngo",
    "families": None,
    "rapporteurs": "un_body",
    "users": None,
    "engineers": None,
    "prosecutor": "state",
    "counsel": None,
    "expert": "academic",
    "researcher": "academic",
    "professor": "academic",
    "analyst": None,
    "lawyer": None,
    "ambassador": "state",
    "director": None,
    "judge": "state",
    "source": None,
    "sources": None,
    "insiders": None,
    "executives": "industry",
    "ngo": "ngo",
    "committee": None,
    "court": "state",
    "federation": None,
    "marchers": None,
    "protesters": None,
    # Offices and roles that speak for a state or an organisation named beside them
    # ("Drevland's cabinet", "Sauvelle's representative", "the union's president").
    "cabinet": "state",
    "envoy": "state",
    "envoys": "state",
    "representative": None,
    "agency": None,
    "office": None,
    "president": None,
    "secretary-general": None,
    "head": None,
    "chief": None,
    "deputies": "state",
    "senators": "state",
    "legislators": "state",
    "mps": "state",
    "bloc": "state",
    "majority": None,
    "operators": "industry",
    "developers": "industry",
    "banks": "industry",
    "speakers": None,
    "judges": "state",
    "colleagues": None,
    "counterparts": None,
}
# Titles of a single office-holder, who speaks for the body the title names ("the Permanent
# Representative of Teluvia", "the Minister of Justice of Osk").
OFFICES = {
    "representative", "minister", "ambassador", "envoy", "director", "president", "chair",
    "head", "chief", "secretary-general", "spokesperson", "spokesman", "spokeswoman",
    "rapporteur", "commissioner", "coordinator", "secretary",
}
# Verbs of a relative clause that tie a person to the organisation in it.
ROLE_VERBS = {
    "lead",
    "head",
    "chair",
    "represent",
    "direct",
    "coordinate",
    "work",
    "serve",
    "run",
    "manage",
    "speak",
    "advise",
    "oversee",
    "found",
    "co-found",
    "join",
    "be",
}
ROLE_PREPOSITIONS = {"of", "for", "from", "at", "with", "in"}
MEMBER_PREPOSITIONS = {"including", "such", "like", "among"}
ALONG = re.compile(r"^(along|together|jointly)$", re.I)


@dataclass(frozen=True)
class Named:
    """A holder named in a subject: an actor (with the person who spoke for it) or a group."""

    actor: Actor
    speaker: str | None = None


def group_actor(phrase: str, head: Token) -> Actor:
    name = re.sub(r"\s+", " ", phrase).strip(" ,.;:")
    return Actor(f"group-{slug(name)}", name, GROUP_TYPES.get(head.lower_), False, kind="group")


def _relative_clause_excluded(token: Token, actor_tokens: set[int]) -> bool:
    """A relative or participial clause to leave out of a subject (its verb is not a name)."""
    return token.dep_ == "relcl" and token.i not in actor_tokens


def subject_tokens(head: Token, actor_tokens: set[int]) -> set[int]:
    """The subject's tokens without relative clauses (a parse inside a name does not count)."""
    out: set[int] = set()
    stack = [head]
    while stack:
        current = stack.pop()
        out.add(current.i)
        stack.extend(c for c in current.children if not _relative_clause_excluded(c, actor_tokens))
    return out


ALLOWED_PREPOSITIONS = (
    ROLE_PREPOSITIONS
    | MEMBER_PREPOSITIONS
    | {"along", "together", "alongside", "besides", "by", "as", "on", "behind"}
)
LINKING_DEPS = {
    "conj",
    "cc",
    "pobj",
    "agent",
    "appos",
    "prep",
    "poss",
    "compound",
    "amod",
    "acl",
    "nmod",
    "npadvmod",
    "punct",
    "det",
    "dobj",
    "pcomp",
}
# Participles of access: "a copy of the letter seen by X" is X's source, not X's view.
ACCESS = {"see", "obtain", "review", "read", "view", "receive"}
GENERIC = {"each", "any", "every", "no", "either", "neither"}
DEFINITE = {"the", "this", "that", "these", "those", "its", "their"}


def _speaks_through(token: Token, head: Token, actor_tokens: set[int],
                    name_tokens: frozenset[int] = frozenset()) -> bool:
    """Whether ``token`` names a holder of the subject headed by ``head``: it is linked to it by
    coordination, apposition, "of/for/including/supported by ..." or possession, and not only a
    modifier of something else ("the UN convention", "adopted in New York")."""
    current = token
    while current.i != head.i:
        parent = current.head
        if parent.i == current.i:
            return False
        if current.i in actor_tokens and current.dep_ not in ("compound", "amod", "nmod", "poss"):
            current = parent  # the parse inside and around a name is not to be trusted
            continue
        along = current.dep_ == "advmod" and current.lower_ in ("along", "together")
        if current.dep_ not in LINKING_DEPS and not along:
            return False
        if current.dep_ == "prep" and current.lower_ not in ALLOWED_PREPOSITIONS:
            return False
        if current.dep_ == "prep" and current.lower_ == "of" and parent.i in name_tokens and (
            parent.lower_ not in OFFICES
        ):
            return False  # the rest of a name: "the Federation of Prosecutors of [Kaldoria]"
        if current.dep_ in ("compound", "amod", "nmod", "poss") and not (
            parent.i in actor_tokens or parent.lower_ in GROUP_TYPES
        ):
            return False
        if current.dep_ == "poss" and _membership(parent):
            return False  # "the Council's member states" are not the Council
        if current.dep_ == "acl" and not (
            any(c.dep_ == "agent" for c in current.children)
            and current.lemma_.lower() not in ACCESS
            or _speaking_for(current)
        ):
            return False  # "X, backed by Y" gives Y, "a copy seen by Y" does not
        if current.dep_ == "dobj" and parent.lower_ not in MEMBER_PREPOSITIONS:
            return False
        current = parent
    return True


def _speaking_for(verb: Token) -> bool:
    """'X, speaking on behalf of Y, said': Y holds the position too."""
    return verb.lemma_.lower() == "speak" and any(
        c.dep_ == "prep" and c.lower_ in ("for", "on") for c in verb.children
    )


def _role_organisation(person: Span, actors: list[Span], actor_tokens: set[int]) -> Span | None:
    """The organisation a person speaks for, where the sentence says so."""
    root = person.root
    # "the Special Rapporteur on Digital Rights, Dr X", "the Minister of Justice of Osk, X": the
    # office named just before her, or the body its title names (the parser may take the comma
    # for a coordination)
    if root.dep_ == "appos" or root.dep_ == "conj" and _without_conjunction(root):
        title = root.head
        office = next((s for s in actors if s.start <= title.i < s.end), None)
        if office is None and title.lower_ in OFFICES:
            office = _first_org({t.i for t in title.subtree if t.i < person.start}, actors)
        if office is not None and office._.actor.kind == "organization":
            return office
    # "Y, its director, X": the organisation the person's role is in apposition to
    role = root.head if root.dep_ == "appos" else None
    if role is not None and role.dep_ == "appos" and role.lower_ in GROUP_TYPES:
        org = _first_org({role.head.i}, actors)
        if org is None and role.head.i in actor_tokens:
            org = next((s for s in actors if s.start <= role.head.i < s.end), None)
        if org is not None and org._.actor.kind == "organization":
            return org
    # "X of Y", "X from Y", "X at Y"
    for child in root.children:
        if child.dep_ == "prep" and child.lower_ in ROLE_PREPOSITIONS:
            org = _first_org(_pobj_name(child, actors), actors)
            if org is not None:
                return org
    # "X, who led the delegation of Y", "X, the group's director at Y", "X, director of Y"
    for child in root.children:
        if child.dep_ == "relcl" and child.lemma_.lower() in ROLE_VERBS:
            tokens = {t.i for t in child.subtree if not _inner_relcl(t, child)}
            org = _first_org(tokens, actors)
            if org is not None:
                return org
        if child.dep_ == "appos":
            tokens = {t.i for t in child.subtree if not _inner_relcl(t, child)}
            org = _first_org(tokens, actors)
            if org is not None:
                return org
    return None


def _without_conjunction(conj: Token) -> bool:
    """A 'conj' joined by a comma alone ("the Rapporteur, Dr X, urged"): an apposition."""
    return not any(c.dep_ == "cc" for c in (*conj.head.children, *conj.children))


def _office_of(span: Span, actors: list[Span]) -> Span | None:
    """The body an office-holder's title names: 'the Permanent Representative of [Teluvia]'."""
    if span.root.lower_ not in OFFICES:
        return None
    for child in span.root.children:
        if child.dep_ == "prep" and child.lower_ in ("of", "for"):
            names = _pobj_name(child, actors)
            org = next((s for s in actors if s.start in names and s != span), None)
            if org is not None and org._.actor.kind == "organization":
                return org
    return None


def _pobj_name(preposition: Token, actors: list[Span]) -> set[int]:
    """The tokens of the name a preposition governs ("of [the Meridian Alliance]")."""
    for child in preposition.children:
        if child.dep_ == "pobj":
            for span in actors:
                if span.start <= child.i < span.end:
                    return set(range(span.start, span.end))
            return {child.i}
    return set()


def _inner_relcl(token: Token, outer: Token) -> bool:
    """Is ``token`` inside a relative clause nested below ``outer`` ("which brings together...")?"""
    return _below_by(token, outer, "relcl")


def _below_by(token: Token, outer: Token, dep: str) -> bool:
    """Does the path from ``token`` up to ``outer`` pass through a ``dep`` link?"""
    current = token
    while current.i != outer.i and current.head.i != current.i:
        if current.dep_ == dep:
            return True
        current = current.head
    return False


def _first_org(tokens: set[int], actors: list[Span]) -> Span | None:
    for span in actors:
        if span.start in tokens and span._.actor.kind == "organization":
            return span
    return None


def is_stand_in(head: Token) -> bool:
    """'the group', 'the delegation', 'this coalition': a reference back, not a description."""
    if head.lower_ not in GROUP_TYPES:
        return False
    modifiers = [c for c in head.children if c.dep_ not in ("punct", "case")]
    return bool(modifiers) and all(
        c.dep_ == "det" and c.lower_ in DEFINITE or c.dep_ == "poss" and c.lower_ in DEFINITE
        for c in modifiers
    )


def _group_heads(tokens: set[int], head: Token, actor_tokens: set[int]) -> list[Token]:
    doc = head.doc
    heads = []
    for i in sorted(tokens):
        token = doc[i]
        if i in actor_tokens or token.lower_ not in GROUP_TYPES:
            continue
        if token.pos_ not in ("NOUN", "PROPN"):
            continue
        if not _speaks_through(token, head, actor_tokens) or is_stand_in(token):
            continue
        if token.dep_ == "compound" and token.head.lower_ in GROUP_TYPES:
            continue  # "civil society groups" is one group
        if any(c.dep_ == "det" and c.lower_ in GENERIC or c.lower_ == "your"
               for c in token.children):
            continue  # "each state", "any government", "your government": nobody in particular
        # A description of a named holder ("X, a group of companies", "X, one of dozens of
        # groups following the talks") or a group inside another one's phrase
        # ("representatives of victims' groups") is not a holder of its own.
        if _below_by(token, head, "appos") or _inside_group(token, tokens, actor_tokens):
            continue
        heads.append(token)
    return heads


def _inside_group(token: Token, tokens: set[int], actor_tokens: set[int]) -> bool:
    current = token
    while current.head.i != current.i and current.head.i in tokens:
        if current.dep_ == "pobj" and current.head.lower_ == "of":
            owner = current.head.head
            if owner.lower_ in GROUP_TYPES or owner.i in actor_tokens:
                return True
        current = current.head
    return False


def _group_phrase(head: Token, tokens: set[int]) -> str:
    """The describing phrase of a group head: its left modifiers and its "of ..." part, up to
    a comma or a list of members."""
    doc = head.doc
    start = head.left_edge.i
    end = head.i + 1
    for child in head.rights:
        if child.dep_ == "prep" and child.lower_ == "of":
            end = max(end, child.right_edge.i + 1)
    for i in range(head.i + 1, end):
        if doc[i].text in (",", ";", "(", ":") or doc[i].lower_ in MEMBER_PREPOSITIONS:
            end = i
            break
    end = min(end, max(tokens) + 1)
    return "".join(t.text_with_ws for t in doc[start:end])


def _membership(head: Token) -> bool:
    """'members', 'member states': the members of a body, who speak for themselves."""
    return head.lower_ in ("member", "members") or any(
        c.dep_ == "compound" and c.lower_ == "member" for c in head.children
    )


def _names_an_actor(head: Token, actors: list[Span]) -> bool:
    """'a spokesperson for Y', 'delegates from Y', "Y's delegation": Y speaks, not the group
    (but not "Y's member states")."""
    if _membership(head):
        return False
    for child in head.children:
        if child.dep_ == "prep" and child.lower_ in ROLE_PREPOSITIONS:
            if _first_org(_pobj_name(child, actors), actors) is not None:
                return True
        if child.dep_ == "poss" and any(s.start <= child.i < s.end for s in actors):
            return True
    return False


def _has_named_members(head: Token, actors: list[Span]) -> bool:
    """'Delegations including Russia and India', 'states with strong traditions, such as A and
    B': the members are the holders."""
    owners = [head] + [
        pobj
        for prep in head.children
        if prep.dep_ == "prep" and prep.lower_ in ("of", "with", "from")
        for pobj in prep.children
        if pobj.dep_ == "pobj"
    ]
    return any(_names_members(owner, actors) for owner in owners)


def _names_members(head: Token, actors: list[Span]) -> bool:
    for child in head.children:
        if child.dep_ == "appos":
            # "The two states that abstained, A and B, said": the names in apposition.
            tokens = {t.i for t in child.subtree}
            if any(span.start in tokens for span in actors):
                return True
        if child.dep_ == "prep" and child.lower_ in MEMBER_PREPOSITIONS:
            tokens = {t.i for t in child.subtree}
            if any(span.start in tokens for span in actors):
                return True
        if child.dep_ == "amod" and child.lower_ == "such":
            return True
        if (
            child.dep_ == "prep"
            and child.lower_ == "as"
            and any(c.lower_ == "such" for c in child.children)
        ):
            return True
    return False


def holders_in_subject(subject: Token, sent: Span, actors: list[Span]) -> list[Named]:
    """Every holder a subject names, in order."""
    actor_tokens = {i for span in actors for i in range(span.start, span.end)}
    name_tokens = frozenset(
        i for span in actors if span._.actor.kind == "organization"
        for i in range(span.start, span.end)
    )
    tokens = subject_tokens(subject, actor_tokens)
    found: list[tuple[int, Named]] = []
    for span in actors:
        if span.start not in tokens:
            continue
        inside = span.start <= subject.i < span.end
        if not inside and not _speaks_through(span.root, subject, actor_tokens, name_tokens):
            continue
        actor = span._.actor
        if actor.kind != "person" and _office_of(span, actors) is not None:
            continue  # the body its title names speaks (found on its own)
        if actor.kind == "person":
            org = _role_organisation(span, actors, actor_tokens)
            if org is not None:
                found.append((span.start, Named(org._.actor, speaker=actor.name)))
                continue
            if actor.organization_id:
                found.append((span.start, Named(actor, speaker=actor.name)))
                continue
        found.append((span.start, Named(typed_by_apposition(span, actor))))
    for head in _group_heads(tokens, subject, actor_tokens):
        if _names_an_actor(head, actors) or _has_named_members(head, actors):
            continue
        found.append((head.left_edge.i, Named(group_actor(_group_phrase(head, tokens), head))))
    found.sort(key=lambda pair: pair[0])
    out: dict[str, Named] = {}
    for _, named in found:
        if named.actor.id not in out or named.speaker and not out[named.actor.id].speaker:
            out[named.actor.id] = named
    return list(out.values())


def described(head: Token) -> list[Named]:
    """A stand-in with nothing to refer back to ("The government said ...") as a group."""
    if head.lower_ not in GROUP_TYPES:
        return []
    tokens = {t.i for t in head.subtree}
    return [Named(group_actor(_group_phrase(head, tokens), head))]


# Nouns of an apposition that say what a new holder is ("X, an independent expert").
APPOSITION_TYPES = {
    "expert": "academic", "researcher": "academic", "professor": "academic",
    "scholar": "academic", "academic": "academic", "lawyer": "academic", "university": "academic",
    "company": "industry", "firm": "industry", "provider": "industry", "processor": "industry",
    "maker": "industry", "vendor": "industry", "bank": "industry", "association": "industry",
    "charity": "ngo", "ngo": "ngo", "campaign": "ngo", "watchdog": "ngo", "nonprofit": "ngo",
    "newspaper": "press", "outlet": "press", "magazine": "press", "journalist": "press",
    "broadcaster": "press", "coalition": "coalition", "alliance": "coalition",
    "minister": "state", "ambassador": "state", "diplomat": "state", "ministry": "state",
    "agency": "state", "regulator": "state", "official": "state",
}


def typed_by_apposition(span: Span, actor: Actor) -> Actor:
    """A new holder's type from what the text says it is, when its name did not tell."""
    if actor.known or actor.type:
        return actor
    for child in span.root.children:
        if child.dep_ == "appos" and child.lower_ in APPOSITION_TYPES:
            return replace(actor, type=APPOSITION_TYPES[child.lower_])
    return actor
