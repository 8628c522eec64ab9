"""spaCy's entity recognizer, attribute ruler and lemmatizer with their own weights, rules and
tables and the same output, without their per-token overheads.

On the labelled corpus (363 documents, 3,762 sentences, one thread) spaCy's ``ner`` took 9-10 s,
7 of them in its greedy decoding loop: the installed spaCy's Cython is compiled with profiling
hooks on Python 3.11, so every state query in that loop takes and drops the GIL (perf: a third of
the samples in pthread mutexes). The ``attribute_ruler`` took 3 s running its Matcher (179 rules,
nearly all of one token) over every token. Here:

- ``EntityRecognizer`` runs spaCy's own NER network (its tok2vec and precomputed lower layer,
  called exactly as spaCy calls them) and redoes the greedy BILUO decoding in bulk. With no
  entity open, the NER's state features are the buffer token and two padding vectors, so the
  scores of every token in that state come from one matrix product; only tokens inside an entity
  need a step of their own. Additions are done in spaCy's order and the products with the same
  BLIS ``sgemm``, so scores, and so choices, are bit for bit spaCy's.
- ``AttributeRules`` evaluates the ruler's rules once per distinct (tag, lower, dep, is_space)
  and writes the result with ``Doc.from_array``; later rules win, as in spaCy.
- ``Lemmas`` asks spaCy's rule lemmatizer once per distinct (orth, pos, morph).

Anything outside what they reproduce (beam search, preset entities, unseen classes, rule
predicates or attributes not listed below) is left to the spaCy component itself.
"""

from __future__ import annotations

import re

import numpy as np
from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, ORTH, POS, SENT_START, TAG
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import minibatch


def _subbatches(docs, batch_size: int):
    """Batches as spaCy's transition parsers make them: by length, a quarter of the batch."""
    for batch in minibatch(docs, size=batch_size):
        batch = list(batch)
        yield batch, minibatch(sorted(batch, key=len), size=max(batch_size // 4, 2))


class EntityRecognizer:
    def __init__(self, ner):
        self.ner = ner
        model = ner.model
        self.tok2vec = model.get_ref("tok2vec")
        self.lower = model.get_ref("lower")
        self.ops = model.ops
        names = [ner.moves.get_class_name(i) for i in range(ner.moves.n_moves)]
        self.move = [name.partition("-")[0] for name in names]
        self.label = [name.partition("-")[2] for name in names]
        self.exact = (
            ner.cfg.get("beam_width", 1) == 1
            and model.attrs.get("has_upper")
            and not model.attrs.get("unseen_classes")
            and not getattr(ner, "postprocesses", None)
            and self.lower.get_dim("nF") == 3
            and self.lower.get_dim("nP") >= 2
            and set(self.move) <= {"B", "I", "L", "U", "O"}
        )
        if self.exact:
            upper = model.get_ref("upper")
            self.W = upper.get_param("W")
            self.b = upper.get_param("b")
            self.bias = self.lower.get_param("b").reshape(-1)
            labelled = np.array([bool(label) for label in self.label])
            moves = np.array(self.move)
            self.is_begin = (moves == "B") & labelled
            self.is_unit = (moves == "U") & labelled
            self.is_out = moves == "O"
            # The I and L move of each label, for a step inside an entity.
            self.inside = {
                label: (names.index(f"I-{label}"), names.index(f"L-{label}"))
                for move, label in zip(self.move, self.label, strict=True)
                if move == "B"
            }

    def __call__(self, doc: Doc) -> Doc:
        self._annotate([doc])
        return doc

    def pipe(self, docs, batch_size: int = 256):
        for batch, subbatches in _subbatches(docs, batch_size):
            for subbatch in subbatches:
                self._annotate(list(subbatch))
            yield from batch

    def _annotate(self, docs: list[Doc]) -> None:
        if not any(len(doc) for doc in docs):
            return
        if not self.exact or any(doc.has_annotation("ENT_IOB") for doc in docs):
            self.ner.set_annotations(docs, self.ner.predict(docs))
            return
        cached = self.lower.predict(self.tok2vec.predict(docs))  # (tokens + 1, nF, nO, nP)
        n_o, n_p = cached.shape[2], cached.shape[3]
        features = cached.reshape(cached.shape[0], 3, n_o * n_p)
        pad, features = features[0], features[1:]
        # Outside an entity the features are (token, pad, pad): spaCy's sum, in its order.
        closed = np.zeros((len(features), n_o * n_p), dtype="f")
        closed += features[:, 0]
        closed += pad[1]
        closed += pad[2]
        closed += self.bias
        scores = self._scores(closed, n_o, n_p)
        offset = 0
        for doc in docs:
            n = len(doc)
            if n:
                spans = self._decode(doc, scores[offset : offset + n], features, offset, n_o, n_p)
                doc.set_ents(spans, default="outside")
            offset += n

    def _scores(self, unmaxed: np.ndarray, n_o: int, n_p: int) -> np.ndarray:
        hidden = unmaxed.reshape(len(unmaxed), n_o, n_p).max(axis=2)
        return self.ops.gemm(hidden, self.W, trans2=True) + self.b

    def _decode(self, doc, scores, features, offset, n_o, n_p) -> list[Span]:
        flags = doc.to_array([SENT_START, IS_SPACE]).astype(np.int64)
        sent_start, space = flags[:, 0] == 1, flags[:, 1] != 0
        n = len(doc)
        # Begin needs a next token in the same sentence; neither Begin nor Unit a space.
        begins = np.zeros(n, dtype=bool)
        begins[:-1] = ~sent_start[1:]
        begins &= ~space
        valid = (
            self.is_out[None, :]
            | begins[:, None] & self.is_begin[None, :]
            | ~space[:, None] & self.is_unit[None, :]
        )
        best = np.where(valid, scores, -np.inf).argmax(axis=1)  # the first best, as spaCy
        spans = []
        after = 0  # the first token not yet decided
        for i in np.flatnonzero(~self.is_out[best]).tolist():
            if i < after:
                continue
            label = self.label[best[i]]
            end = i + 1
            if self.move[best[i]] == "B":
                in_move, last_move = self.inside[label]
                while True:
                    step = np.zeros(n_o * n_p, dtype="f")
                    step += features[offset + end, 0]
                    step += features[offset + i, 1]
                    step += features[offset + end - 1, 2]
                    step += self.bias
                    row = self._scores(step[None, :], n_o, n_p)[0]
                    can_go_on = end < n - 1 and not sent_start[end + 1]
                    end += 1
                    if not can_go_on or row[last_move] > row[in_move]:
                        break
            spans.append(Span(doc, i, end, label=label))
            after = end
        return spans


KNOWN_MAX = 200_000  # cached token kinds per component; a long crawl's vocabulary keeps growing

# The rule predicates reproduced: token attributes and how they are compared.
RULE_ATTRS = {"TAG": TAG, "LOWER": LOWER, "DEP": DEP, "IS_SPACE": IS_SPACE}
SET_ATTRS = (POS, MORPH, LEMMA, TAG, DEP)


def _predicate(spec: dict):
    tests = []
    for key, value in spec.items():
        key = key.upper()
        if key not in RULE_ATTRS:
            return None
        column = list(RULE_ATTRS).index(key)
        if isinstance(value, bool) or isinstance(value, str):
            tests.append((column, "==", value))
        elif isinstance(value, dict) and len(value) == 1:
            (op, arg), = value.items()
            if op in ("IN", "NOT_IN") and all(isinstance(v, str) for v in arg):
                tests.append((column, op, frozenset(arg)))
            elif op == "REGEX" and isinstance(arg, str):
                tests.append((column, op, re.compile(arg)))
            else:
                return None
        else:
            return None
    return tests


def _holds(tests, values) -> bool:
    for column, op, arg in tests:
        value = values[column]
        if op == "==":
            ok = value == arg
        elif op == "IN":
            ok = value in arg
        elif op == "NOT_IN":
            ok = value not in arg
        else:
            ok = bool(arg.search(value))
        if not ok:
            return False
    return True


class AttributeRules:
    def __init__(self, ruler, vocab):
        self.ruler = ruler
        self.vocab = vocab
        self.exact = True
        self.single: list[tuple[int, list]] = []  # (rule, predicate) for one-token patterns
        self.multi: list[tuple[int, list, int]] = []  # (rule, predicates, target)
        self.values: list[dict[int, int]] = []  # per rule: attribute -> value, as spaCy sets it
        for rule, (entry, attrs, index) in enumerate(
            zip(ruler.patterns, ruler.attrs, ruler.indices, strict=True)
        ):
            if not set(attrs) <= set(SET_ATTRS):
                self.exact = False
            self.values.append(dict(attrs))
            for pattern in entry["patterns"]:
                predicates = [_predicate(spec) for spec in pattern]
                target = index if index >= 0 else len(pattern) + index
                if any(p is None for p in predicates) or not 0 <= target < len(pattern):
                    self.exact = False
                elif len(pattern) == 1:
                    self.single.append((rule, predicates[0]))
                else:
                    self.multi.append((rule, predicates, target))
        self.known: dict[tuple, tuple] = {}
        self.by_tag: dict[str, list[tuple[int, list]]] = {}

    def __call__(self, doc: Doc) -> Doc:
        if not self.exact or not (doc.has_annotation("TAG") and doc.has_annotation("DEP")):
            return self.ruler(doc)
        if len(doc):
            self._annotate(doc)
        return doc

    def pipe(self, docs, batch_size: int = 128):
        for doc in docs:
            yield self(doc)

    def _facts(self, key: tuple) -> tuple:
        """For a token's (tag, lower, dep, is_space): the one-token rules it matches, what they
        set (values and which of SET_ATTRS), and which predicates of longer patterns hold."""
        facts = self.known.get(key)
        if facts is None:
            strings = self.vocab.strings
            values = (strings[key[0]], strings[key[1]], strings[key[2]], bool(key[3]))
            rules = tuple(rule for rule, tests in self._single_for(values[0])
                          if _holds(tests, values))
            holds = tuple(_holds(t, values) for _, tests, _ in self.multi for t in tests)
            if len(self.known) >= KNOWN_MAX:
                self.known.clear()
            facts = self.known[key] = (rules, *self._row(rules), holds)
        return facts

    def _single_for(self, tag: str) -> list[tuple[int, list]]:
        """The one-token rules that may hold for a tag (most name the one tag they want)."""
        found = self.by_tag.get(tag)
        if found is None:
            found = self.by_tag[tag] = [
                (rule, tests) for rule, tests in self.single
                if not any(column == 0 and op == "==" and arg != tag for column, op, arg in tests)
            ]
        return found

    def _row(self, rules) -> tuple[list[int], list[bool]]:
        merged: dict[int, int] = {}
        for rule in sorted(rules):  # later rules win
            merged.update(self.values[rule])
        return [merged.get(a, 0) for a in SET_ATTRS], [a in merged for a in SET_ATTRS]

    def _annotate(self, doc: Doc) -> None:
        keys, inverse = np.unique(
            doc.to_array([TAG, LOWER, DEP, IS_SPACE]), axis=0, return_inverse=True
        )
        inverse = inverse.reshape(-1)
        facts = [self._facts(tuple(key)) for key in keys.tolist()]
        before = doc.to_array(list(SET_ATTRS))
        rows = np.array([f[1] for f in facts], dtype=np.uint64)[inverse]
        sets = np.array([f[2] for f in facts], dtype=bool)[inverse]
        values = np.where(sets, rows, before)
        extra: dict[int, list[int]] = {}  # token -> rules of longer patterns aimed at it
        if self.multi:
            holds = np.array([f[3] for f in facts], dtype=bool)[inverse]
            column, n = 0, len(doc)
            for rule, predicates, target in self.multi:
                ok = np.ones(max(n - len(predicates) + 1, 0), dtype=bool)
                for j in range(len(predicates)):
                    ok &= holds[j : j + len(ok), column + j]
                column += len(predicates)
                for start in np.flatnonzero(ok).tolist():
                    extra.setdefault(start + target, []).append(rule)
        for i, rules in extra.items():
            row, set_here = self._row([*facts[inverse[i]][0], *rules])
            values[i] = np.where(set_here, np.array(row, dtype=np.uint64), before[i])
        doc.from_array(list(SET_ATTRS), values)


class Lemmas:
    """spaCy's rule lemmatizer, once per distinct (orth, pos, morph) rather than per token: its
    lemma depends on nothing else (spaCy caches by that key, but only some of the answers)."""

    def __init__(self, lemmatizer, vocab):
        self.lemmatizer = lemmatizer
        self.vocab = vocab
        self.known: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
        lemmatizer = self.lemmatizer
        if lemmatizer.mode != "rule" or not lemmatizer._validated or not len(doc):
            return lemmatizer(doc)  # the first call checks spaCy's tables
        values = doc.to_array([ORTH, POS, MORPH, LEMMA])
        todo = np.arange(len(doc)) if lemmatizer.overwrite else np.flatnonzero(values[:, 3] == 0)
        if len(todo):
            keys, first, inverse = np.unique(
                values[todo, :3], axis=0, return_index=True, return_inverse=True
            )
            found = []
            for key, i in zip(keys.tolist(), first.tolist(), strict=True):
                key = tuple(key)
                if key not in self.known:
                    if len(self.known) >= KNOWN_MAX:
                        self.known.clear()
                    lemma = lemmatizer.lemmatize(doc[int(todo[i])])[0]
                    self.known[key] = self.vocab.strings.add(lemma)
                found.append(self.known[key])
            lemmas = values[:, 3].copy()
            lemmas[todo] = np.array(found, dtype=np.uint64)[inverse.reshape(-1)]
            doc.from_array([LEMMA], lemmas.reshape(-1, 1))
        return doc

    def pipe(self, docs, batch_size: int = 128):
        for doc in docs:
            yield self(doc)


@Language.factory("stancemap_lemmas")
def make_lemmas(nlp: Language, name: str, source: str = "spacy_lemmatizer") -> Lemmas:
    return Lemmas(nlp.get_pipe(source), nlp.vocab)


@Language.factory("stancemap_entities")
def make_entities(nlp: Language, name: str, source: str = "spacy_ner") -> EntityRecognizer:
    return EntityRecognizer(nlp.get_pipe(source))


@Language.factory("stancemap_attribute_rules")
def make_attribute_rules(
    nlp: Language, name: str, source: str = "spacy_attribute_ruler"
) -> AttributeRules:
    return AttributeRules(nlp.get_pipe(source), nlp.vocab)


def speed_up(nlp: Language) -> Language:
    """Put the bulk versions in place of spaCy's ``ner``, ``attribute_ruler`` and
    ``lemmatizer``, under the same names."""
    for name, factory in (("ner", "stancemap_entities"),
                          ("attribute_ruler", "stancemap_attribute_rules"),
                          ("lemmatizer", "stancemap_lemmas")):
        if name in nlp.pipe_names:
            source = f"spacy_{name}"
            nlp.rename_pipe(name, source)
            nlp.add_pipe(factory, name=name, after=source, config={"source": source})
            nlp.remove_pipe(source)
    return nlp
