from gen.messages_pb2 import AddInput, MathResult
from gen.axiom_context import AxiomContext


def add(ax: AxiomContext, input: AddInput) -> MathResult:
    """Adds the two operands: result = a + b."""
    ax.log.info("adding", a=input.a, b=input.b)
    return MathResult(result=input.a + input.b)
