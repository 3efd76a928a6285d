from gen.messages_pb2 import Text
from gen.axiom_context import AxiomContext


def echo(ax: AxiomContext, input: Text) -> Text:
    """Returns the input text unchanged — handy as a pass-through while wiring a flow."""
    ax.log.info("echo", length=len(input.text))
    return Text(text=input.text)
