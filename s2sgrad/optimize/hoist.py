"""Loop-invariant code motion: compute once, before a loop, what every iteration computes alike.

An assignment moves out of a loop when its value is arithmetic that cannot
raise (``+ - *``, unary minus) on literals and names the loop never assigns,
and its target is assigned nowhere else (nor a parameter). It cannot raise when
at most one of those names may be an array: two arrays may not broadcast
together, and a loop that never runs (over an empty batch) never multiplied them. It may come from a branch inside the
loop: running such arithmetic once more, unconditionally, changes nothing.

    before                          after
    for i in reversed(range(n)):    t7 = 2.0 * delta
        t7 = 2.0 * delta            for i in reversed(range(n)):
        d_a = d_t * t7                  d_a = d_t * t7
"""

from collections import Counter
from typing import List

import gast

from ..context import Context
from ..nodes import SCOPE, assigned_names, blocks_of, names_read, walk, writes_of

SAFE = (gast.Add, gast.Sub, gast.Mult, gast.USub, gast.UAdd)


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    definitions = Counter(n for stmt in walk(tree) if isinstance(stmt, gast.stmt) for n in assigned_names(stmt))
    definitions.update(a.id for a in tree.args.args)  # a parameter has a value before the loop: kept if it never runs
    numbers = {n for n, kind in ctx.kinds.items() if kind.is_scalar} | ctx.scalar_adjoints
    tree.body = _block(tree.body, definitions, numbers)
    return tree


def _block(stmts: List[gast.stmt], definitions: Counter, numbers: "set[str]") -> List[gast.stmt]:
    out: List[gast.stmt] = []
    for stmt in stmts:
        for block in blocks_of(stmt):
            block[:] = _block(block, definitions, numbers)
        if isinstance(stmt, (gast.For, gast.While)):
            out += _invariants(stmt, definitions, numbers)
        out.append(stmt)
    return out


def _invariants(loop: gast.stmt, definitions: Counter, numbers: "set[str]") -> List[gast.stmt]:
    """Remove the loop's invariant assignments from its body, in order, and return them."""
    changed = writes_of(loop)
    moved: List[gast.stmt] = []

    def keep(stmt: gast.stmt) -> bool:
        if _is_invariant(stmt, changed - {s.targets[0].id for s in moved}, definitions, numbers):
            moved.append(stmt)
            return False
        return True

    def prune(stmts: List[gast.stmt]) -> List[gast.stmt]:
        kept = []
        for stmt in stmts:
            if isinstance(stmt, gast.If) and not hasattr(stmt, SCOPE):  # not out of a with (its errstate) or try
                stmt.body, stmt.orelse = prune(stmt.body), prune(stmt.orelse)
            if keep(stmt):
                kept.append(stmt)
        return kept

    loop.body = prune(loop.body)
    return moved


def _is_invariant(stmt: gast.stmt, changed: "set[str]", definitions: Counter, numbers: "set[str]") -> bool:
    if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)):
        return False
    if definitions[stmt.targets[0].id] != 1:
        return False
    value = stmt.value
    arithmetic = all(
        isinstance(n, (gast.BinOp, gast.UnaryOp, gast.Name, gast.Constant, gast.Load, *SAFE)) for n in walk(value)
    )
    operands = set(names_read(value))
    return arithmetic and not operands & changed and len(operands - numbers) <= 1
