from gen.messages_pb2 import ScoreRequest, ScoreResult
from gen.axiom_context import AxiomContext


def score(ax: AxiomContext, input: ScoreRequest) -> ScoreResult:
    """Scores text by the fraction of its characters that are uppercase letters.

    The score is 0.0 for empty text; `length` is the number of characters.
    """
    text = input.text
    uppercase = sum(1 for ch in text if ch.isupper())
    value = uppercase / len(text) if text else 0.0
    ax.log.info("scored", length=len(text), score=value)
    return ScoreResult(text=text, score=value, length=len(text))
