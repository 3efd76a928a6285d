from gen.messages_pb2 import Text, TextPair
from gen.axiom_context import AxiomContext


def concat(ax: AxiomContext, input: TextPair) -> Text:
    """Joins the left and right texts with a single space between them."""
    ax.log.info("concatenating", left=len(input.left), right=len(input.right))
    return Text(text=input.left + " " + input.right)
