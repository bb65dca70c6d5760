"""Activity analysis: which values get an adjoint.

A value is *varied* if it depends, through differentiable operations, on a
``wrt`` parameter, and *useful* if the returned value depends on it. Only
values that are both are active. Integers, booleans, shapes, comparisons and
non-``wrt`` parameters are never varied. Anything active that the compiler
cannot differentiate is reported here, at its source line.

    def f(x, n):           wrt = x
        k = len(x)         k: not varied (len has a zero derivative)
        y = x * n          y: active
        z = x + 1          z: varied but not useful (never reaches the return)
        return y * k       active: {x, y}
"""

from typing import Dict, Set

import gast

from ..context import Context
from ..kinds import Kind
from ..parse.resolve import MISSING
from .ops import operand_names, operation_of


def active_names(tree: gast.FunctionDef, ctx: Context, kinds: Dict[str, Kind]) -> Set[str]:
    varied = _varied(tree, ctx, kinds)
    useful = _useful(tree)
    active = varied & useful
    for stmt in tree.body:
        if isinstance(stmt, gast.Assign) and stmt.targets[0].id in active:
            _check_differentiable(stmt, ctx)
    return active


def _varied(tree: gast.FunctionDef, ctx: Context, kinds: Dict[str, Kind]) -> Set[str]:
    varied = set(ctx.wrt)
    for stmt in tree.body:
        if not isinstance(stmt, gast.Assign):
            continue
        target = stmt.targets[0].id
        if not set(operand_names(stmt.value)) & varied:
            continue
        if isinstance(stmt.value, gast.BoolOp):  # `x or 1.0` is x or 1.0, not a boolean
            raise ctx.error(
                stmt.value, "'and'/'or' on differentiated values is not supported yet", "use an explicit comparison."
            )
        op = operation_of(stmt.value, ctx)
        if op.form == "logic" or kinds.get(target, Kind("unknown")).is_integer:
            continue
        rule = ctx.rules.lookup(op.func) if op.form == "call" else None
        if op.form != "call" or rule is None or rule.differentiable:
            varied.add(target)
    return varied


def _useful(tree: gast.FunctionDef) -> Set[str]:
    useful: Set[str] = set()
    for stmt in reversed(tree.body):
        if isinstance(stmt, gast.Return) or (isinstance(stmt, gast.Assign) and stmt.targets[0].id in useful):
            useful.update(operand_names(stmt.value))
    return useful


def _check_differentiable(stmt: gast.Assign, ctx: Context) -> None:
    op = operation_of(stmt.value, ctx)
    if op.form != "call" or ctx.rules.lookup(op.func) is not None:
        return
    call = stmt.value
    where = call.func if isinstance(call, gast.Call) else call
    if op.func is MISSING:
        raise ctx.error(where, "this operator cannot be differentiated")
    name = getattr(op.func, "__qualname__", getattr(op.func, "__name__", repr(op.func)))
    if callable(op.func) and hasattr(op.func, "__code__"):
        raise ctx.error(
            where,
            f"calls to Python functions such as {name!r} are not supported yet",
            f"register a rule with s2sgrad.register_adjoint({name}) or inline it.",
        )
    raise ctx.error(
        where,
        f"no derivative rule for {name!r}",
        f"register one with s2sgrad.register_adjoint({name}), or keep the value out of the differentiated path.",
    )
