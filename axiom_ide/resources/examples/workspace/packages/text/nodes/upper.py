from gen.messages_pb2 import Text
from gen.axiom_context import AxiomContext


def upper(ax: AxiomContext, input: Text) -> Text:
    """Returns the input text converted to uppercase."""
    ax.log.info("uppercasing", length=len(input.text))
    return Text(text=input.text.upper())
