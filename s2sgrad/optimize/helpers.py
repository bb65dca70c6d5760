"""Spell a matrix product's adjoint as a plain operator where the operands' ranks make it exact.

``matmul_lhs(g, x, y)`` and ``matmul_rhs(g, x, y)`` (the adjoints of ``x`` and
``y`` in ``x @ y``) handle every rank and batch broadcasting; a call costs about
a microsecond on top of the product, once per step in a loop. When the kinds
say both operands are vectors or matrices (ranks 1 and 2), there is no batch
axis to broadcast, and one operator computes the adjoint exactly, of the
operand's shape and dtype:

    x @ y with ranks    adjoint of x        adjoint of y
    (2, 2)              g @ y.T             x.T @ g
    (2, 1)              g[:, None] * y      g @ x
    (1, 2)              y @ g               x[:, None] * g
    (1, 1)              g * y               g * x

``numpy.dot``'s adjoints are the same for these ranks.
"""

from typing import Callable, Dict, Optional, Tuple

import gast

from .. import runtime
from ..context import Context

Ranks = Tuple[int, int]
Spelling = Callable[[gast.expr, gast.expr, gast.expr], gast.expr]


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    return _Plain(ctx).visit(tree)


class _Plain(gast.NodeTransformer):
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def visit_Call(self, node: gast.Call) -> gast.expr:
        self.generic_visit(node)
        spellings = SPELLINGS.get(self.ctx.resolve(node.func))
        if spellings is None or len(node.args) != 3 or node.keywords:
            return node
        g, x, y = node.args
        spelling = spellings.get((self._rank(x), self._rank(y)))
        return node if spelling is None else spelling(g, x, y)

    def _rank(self, node: gast.expr) -> Optional[int]:
        kind = self.ctx.kinds.get(node.id) if isinstance(node, gast.Name) else None
        return kind.ndim if kind is not None and kind.tag == "array" else None


def _binary(left: gast.expr, op: gast.operator, right: gast.expr) -> gast.expr:
    return gast.BinOp(left=left, op=op, right=right)


def _transposed(node: gast.expr) -> gast.expr:
    return gast.Attribute(value=node, attr="T", ctx=gast.Load())


def _column(node: gast.expr) -> gast.expr:
    """``v[:, None]``: a vector as a column, to multiply with a row into an outer product."""
    index = gast.Tuple(elts=[gast.Slice(lower=None, upper=None, step=None), gast.Constant(None, None)], ctx=gast.Load())
    return gast.Subscript(value=node, slice=index, ctx=gast.Load())


LHS: Dict[Ranks, Spelling] = {
    (2, 2): lambda g, x, y: _binary(g, gast.MatMult(), _transposed(y)),
    (2, 1): lambda g, x, y: _binary(_column(g), gast.Mult(), y),
    (1, 2): lambda g, x, y: _binary(y, gast.MatMult(), g),
    (1, 1): lambda g, x, y: _binary(g, gast.Mult(), y),
}
RHS: Dict[Ranks, Spelling] = {
    (2, 2): lambda g, x, y: _binary(_transposed(x), gast.MatMult(), g),
    (2, 1): lambda g, x, y: _binary(g, gast.MatMult(), x),
    (1, 2): lambda g, x, y: _binary(_column(x), gast.Mult(), g),
    (1, 1): lambda g, x, y: _binary(g, gast.Mult(), x),
}
SPELLINGS = {runtime.matmul_lhs: LHS, runtime.dot_lhs: LHS, runtime.matmul_rhs: RHS, runtime.dot_rhs: RHS}
