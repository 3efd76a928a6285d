from gen.messages_pb2 import AddInput, MathResult
from gen.axiom_context import AxiomContext


def multiply(ax: AxiomContext, input: AddInput) -> MathResult:
    """Multiplies the two operands: result = a * b."""
    ax.log.info("multiplying", a=input.a, b=input.b)
    return MathResult(result=input.a * input.b)
