from gen.messages_pb2 import Number
from gen.axiom_context import AxiomContext


def increment(ax: AxiomContext, input: Number) -> Number:
    """Adds one to the value: value + 1."""
    ax.log.info("incrementing", value=input.value)
    return Number(value=input.value + 1)
