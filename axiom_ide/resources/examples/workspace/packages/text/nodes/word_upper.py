from typing import Iterator

from gen.messages_pb2 import Word
from gen.axiom_context import AxiomContext


def word_upper(ax: AxiomContext, inputs: Iterator[Word]) -> Iterator[Word]:
    """Uppercases each streamed word, keeping its index."""
    for inp in inputs:
        ax.log.debug("uppercasing word", index=inp.index)
        yield Word(word=inp.word.upper(), index=inp.index)
