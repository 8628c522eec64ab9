"""The JSON contracts of `stancemap refs` and `stancemap tag` (DESIGN.md), built from the
pipeline's results."""

from __future__ import annotations

from nlp.pipeline import Analysis
from nlp.positions import positions


def tag_json(analysis: Analysis) -> dict:
    author = analysis.author
    stances = []
    for sentence, holder, target, prediction in analysis.stances():
        stances.append(
            {
                "holder": holder.name,
                "holder_type": holder.type,
                "speaker": holder.speaker,
                "target": target,
                "stance": prediction.stance,
                "confidence": round(prediction.confidence, 4),
                "evidence": sentence.text,
                "start": sentence.start,
                "end": sentence.end,
            }
        )
    return {
        "document": {
            "holder": author.name if author.name != "author" else None,
            "holder_type": author.type,
            "stance": analysis.document.stance,
            "confidence": round(analysis.document.confidence, 4),
        },
        "stances": stances,
        "positions": [
            {
                "holder": p.holder_name,
                "holder_type": p.holder_type,
                "target": p.target,
                "stance": p.stance,
                "confidence": round(p.confidence, 4),
                "sentences": p.sentences,
            }
            for p in positions(analysis.stances())
        ],
        "mentions": [ref.to_json() for ref in analysis.references],
        # "en" unless surely another language; then no stance is read (nlp.language)
        "language": analysis.language or "en",
        "model": analysis.model,
    }
