"""A rules-only stance baseline, reported by ``stancemap evaluate`` beside the model.

It counts support and oppose cue words (a negation in front flips a cue: "not to ratify");
both kinds with a concession, or in near balance, make ``mixed``; none makes ``neutral``.
(A cue list is also too weak to skip sentences before the model: one non-neutral training
sentence in eight has no cue word at all, e.g. "it is a suggestion, not a floor".)
"""

from __future__ import annotations

import re

SUPPORT = (
    r"welcom\w*|support\w*|endors\w*|applau\w*|back(s|ed|ing)?|sign(s|ed|ing)?|ratif\w*|"
    r"adopt\w*|milestone|landmark|historic|overdue|step forward|important tool|valuable|"
    r"praise\w*|hail\w*|champion\w*|defend\w*|positive|encourag\w*|join(s|ed|ing)?|"
    r"benefit\w*|strengthen\w*|improve\w*|essential|vital|needed|urgent\w*|swift\w*"
)
OPPOSE = (
    r"reject\w*|oppos\w*|against|delet\w*|remov\w*|scrap\w*|drop\w*|strike|struck|withdraw\w*|"
    r"flaw\w*|danger\w*|endanger\w*|threat\w*|surveil\w*|abus\w*|undermin\w*|violat\w*|"
    r"alarm\w*|criti\w*|condemn\w*|deplor\w*|refus\w*|boycott\w*|veto\w*|risk\w*|harm\w*|"
    r"repress\w*|authoritarian|overbroad|too broad\w*|vague\w*|lacks?|lacking|fails?|failed|"
    r"weak\w*|concern\w*|worr\w*|fear\w*|no\b|blank cheque|sweeping|chill\w*|persecut\w*"
)
CONCESSION = r"\b(while|although|though|but|however|despite|whereas|yet|nevertheless|still)\b"
NEGATION = r"\b(not|never|no|cannot|can't|won't|shouldn't|mustn't|refrain from|decline to)\b"
SUPPORT_CUE = re.compile(rf"\b({SUPPORT})\b", re.I)
OPPOSE_CUE = re.compile(rf"\b({OPPOSE})\b", re.I)
NEGATED = re.compile(rf"{NEGATION}(\s+\w+){{0,2}}\s+$", re.I)


def _counts(text: str) -> tuple[int, int]:
    support = oppose = 0
    for match in SUPPORT_CUE.finditer(text):
        if NEGATED.search(text[: match.start()]):
            oppose += 1
        else:
            support += 1
    for match in OPPOSE_CUE.finditer(text):
        negatable = match.group(0).lower() not in ("no", "against")
        if negatable and NEGATED.search(text[: match.start()]):
            support += 1
        else:
            oppose += 1
    return support, oppose


def rule_stance(text: str) -> str:
    """The rules-only stance of a sentence: support, oppose, mixed or neutral."""
    support, oppose = _counts(text)
    if support and oppose:
        return (
            "mixed"
            if re.search(CONCESSION, text, re.I) or abs(support - oppose) <= 1
            else ("support" if support > oppose else "oppose")
        )
    if oppose:
        return "oppose"
    if support:
        return "support"
    return "neutral"
