"""What each core-language operation is: its callable and its operands.

The normalized body has a handful of operation forms (see normalize.anf);
this module is the one place that maps them to rule-table callables, so the
analyses and the transform agree on what an operation is.
"""

import builtins
import operator
from typing import Any, List, NamedTuple

import gast

from ..context import Context
from ..parse.resolve import MISSING

BINARY = {
    gast.Add: operator.add,
    gast.Sub: operator.sub,
    gast.Mult: operator.mul,
    gast.Div: operator.truediv,
    gast.Pow: operator.pow,
    gast.Mod: operator.mod,
    gast.FloorDiv: operator.floordiv,
    gast.MatMult: operator.matmul,
}
UNARY = {gast.USub: operator.neg, gast.UAdd: operator.pos}
EXTREMA = (builtins.max, builtins.min)


class Operation(NamedTuple):
    """An operation: ``func(*args, **keywords)``; func is None for built-in forms."""

    form: str  # "copy", "call", "subscript", "display", "logic"
    func: Any
    args: List[gast.expr]
    keywords: List[gast.keyword]


def operation_of(value: gast.expr, ctx: Context) -> Operation:
    if isinstance(value, gast.BinOp):
        return Operation("call", BINARY.get(type(value.op), MISSING), [value.left, value.right], [])
    if isinstance(value, gast.UnaryOp) and type(value.op) in UNARY:
        return Operation("call", UNARY[type(value.op)], [value.operand], [])
    if isinstance(value, gast.Call):
        func, args = ctx.resolve(value.func), list(value.args)
        if func in EXTREMA and len(args) > 1:  # max(a, b) is max((a, b)): one rule for both forms
            args = [gast.Tuple(elts=args, ctx=gast.Load())]
        return Operation("call", func, args, list(value.keywords))
    if isinstance(value, gast.Subscript):
        return Operation("subscript", None, [value.value], [])
    if isinstance(value, (gast.Tuple, gast.List)):
        return Operation("display", None, list(value.elts), [])
    if isinstance(value, gast.Dict):
        return Operation("display", None, list(value.values), [])
    if isinstance(value, (gast.Compare, gast.BoolOp, gast.UnaryOp, gast.JoinedStr)):  # an f-string: a str
        return Operation("logic", None, [], [])
    return Operation("copy", None, [value], [])


def operand_names(node: gast.expr) -> List[str]:
    """Local names an operand reads (a display reads each element)."""
    return [n.id for n in gast.walk(node) if isinstance(n, gast.Name)]
