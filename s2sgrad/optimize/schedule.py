"""Order independent statements of one source line as the source reads.

The reverse sweep visits a line's operations last to first, so for
``return x ** 2 + y ** 2`` it finds ``d_y`` before ``d_x``. Within a run of
statements from one line, this pass moves a statement before its neighbour
when neither reads or writes what the other writes, and the source column it
comes from is smaller. Only reverse-sweep statements of pure operations move (every call
has a derivative rule or is a runtime helper), so no side effect is reordered.

    before                          after
    d_y = d_out * (2 * y)           d_x = d_out * (2 * x)
    d_x = d_out * (2 * x)           d_y = d_out * (2 * y)
"""

from typing import List

import gast

from .. import runtime
from ..context import Context
from ..nodes import blocks_of, names_read


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    _schedule(tree.body, ctx)
    return tree


def _schedule(body: List[gast.stmt], ctx: Context) -> None:
    for stmt in body:
        for block in blocks_of(stmt):
            _schedule(block, ctx)
    moved = True
    while moved:
        moved = False
        for i in range(len(body) - 1):
            first, second = body[i], body[i + 1]
            if _may_swap(first, second, ctx) and second.col_offset < first.col_offset:
                body[i], body[i + 1] = second, first
                moved = True


def _may_swap(first: gast.stmt, second: gast.stmt, ctx: Context) -> bool:
    if not (isinstance(first, gast.Assign) and isinstance(second, gast.Assign)):
        return False
    if getattr(first, "lineno", None) != getattr(second, "lineno", None):
        return False
    if not (_is_pure(first, ctx) and _is_pure(second, ctx)):
        return False
    if not (_written(first) | _written(second)) <= ctx.sweep_names:
        return False  # forward statements keep their order, and stay out of the reverse sweep
    writes_first, writes_second = _written(first), _written(second)
    return not (
        writes_first & writes_second or writes_first & set(names_read(second)) or writes_second & set(names_read(first))
    )


def _written(stmt: gast.Assign) -> "set[str]":
    return {n.id for t in stmt.targets for n in gast.walk(t) if isinstance(n, gast.Name)}


def _is_pure(stmt: gast.Assign, ctx: Context) -> bool:
    for node in gast.walk(stmt.value):
        if isinstance(node, gast.Call):
            func = ctx.resolve(node.func)
            if func not in ctx.rules and getattr(func, "__module__", None) != runtime.__name__:
                return False
    return True
