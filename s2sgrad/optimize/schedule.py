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

from collections import Counter
from typing import Dict, List

import gast

from .. import runtime
from ..context import Context
from ..nodes import blocks_of, reads_of, walk, writes_of


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    _schedule(tree.body, ctx)
    return tree


def _schedule(body: List[gast.stmt], ctx: Context) -> None:
    for stmt in body:
        for block in blocks_of(stmt):
            _schedule(block, ctx)
    copies = _copies(body)
    effects = {id(s): (reads_of(s), writes_of(s)) for s in body}  # statements move, they do not change
    movable = {id(s) for s in body if _movable(s, ctx)}
    moved = True
    while moved:
        moved = False
        for i in range(len(body) - 1):
            first, second = body[i], body[i + 1]
            if _may_swap(first, second, effects, movable) and _second_first(first, second, copies, effects):
                body[i], body[i + 1] = second, first
                moved = True


def _second_first(first: gast.stmt, second: gast.stmt, copies: Dict[str, str], effects: dict) -> bool:
    """Whether ``second`` should run first: to read a copy before its source changes, else by column.

    ``d_t = d_s; d_s = d_s * x; d_x += s * d_t`` becomes
    ``d_t = d_s; d_x += s * d_t; d_s = d_s * x``, where copy propagation then
    removes ``d_t``.
    """
    (reads_first, writes_first), (reads_second, writes_second) = effects[id(first)], effects[id(second)]
    if any(copies.get(n) in writes_first for n in reads_second):
        return True
    if any(copies.get(n) in writes_second for n in reads_first):
        return False
    return second.col_offset < first.col_offset


def _copies(body: List[gast.stmt]) -> Dict[str, str]:
    """``t: s`` for each copy ``t = s`` of the block whose target is assigned nowhere else in it."""
    counts = Counter(n for stmt in body for n in writes_of(stmt))
    return {
        s.targets[0].id: s.value.id
        for s in body
        if isinstance(s, gast.Assign)
        and isinstance(s.targets[0], gast.Name)
        and isinstance(s.value, gast.Name)
        and counts[s.targets[0].id] == 1
    }


def _movable(stmt: gast.stmt, ctx: Context) -> bool:
    """A reverse-sweep assignment of pure operations: it may change places with a neighbour."""
    if not isinstance(stmt, (gast.Assign, gast.AugAssign)) or not _is_pure(stmt, ctx):
        return False
    return writes_of(stmt) <= ctx.sweep_names  # forward statements keep their order


def _may_swap(first: gast.stmt, second: gast.stmt, effects: dict, movable: "set[int]") -> bool:
    if id(first) not in movable or id(second) not in movable:
        return False
    if getattr(first, "lineno", None) != getattr(second, "lineno", None):
        return False
    (reads_first, writes_first), (reads_second, writes_second) = effects[id(first)], effects[id(second)]
    return not (writes_first & writes_second or writes_first & reads_second or writes_second & reads_first)


def _is_pure(stmt: gast.stmt, ctx: Context) -> bool:
    for node in walk(stmt.value):
        if isinstance(node, gast.Call):
            func = ctx.resolve(node.func)
            if func not in ctx.rules and getattr(func, "__module__", None) != runtime.__name__:
                return False
    return True
