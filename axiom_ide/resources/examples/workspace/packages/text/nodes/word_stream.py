from typing import Iterator

from gen.messages_pb2 import Text, Word
from gen.axiom_context import AxiomContext


def word_stream(ax: AxiomContext, inputs: Iterator[Text]) -> Iterator[Word]:
    """Streams each whitespace-separated word of every input text with its 0-based index."""
    for inp in inputs:
        words = inp.text.split()
        ax.log.info("streaming words", count=len(words))
        for index, word in enumerate(words):
            yield Word(word=word, index=index)
