"""Spell accumulation as a person would: ``d_x += …``, one update per target in a row.

``d_x = d_x + e`` becomes ``d_x += e`` only for adjoints of Python scalars:
they are immutable, so ``+=`` rebinds the name exactly as the assignment does
(on an array ``+=`` writes into the buffer, which the transform does only where
it owns the buffer). ``t += -e`` becomes ``t -= e``, and consecutive updates of
one target become one (the terms are added first: the same sum, rounded in
another order).

    before                      after
    d_x = d_x + s * d_t0        d_x += s * d_t0
    d_x[i] += -(2.0 * a)        d_x[i] += d_t - 2.0 * a
    d_x[i] += d_t
"""

from typing import List

import gast

from ..context import Context
from ..emit.unparse import unparse_tree
from ..nodes import blocks_of, located, names_read, negation_of


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    tree.body = _block(tree.body, ctx.scalar_adjoints)
    return tree


def _block(stmts: List[gast.stmt], scalars: "set[str]") -> List[gast.stmt]:
    out: List[gast.stmt] = []
    for stmt in stmts:
        for block in blocks_of(stmt):
            block[:] = _block(block, scalars)
        stmt = _without_negation(_augmented(stmt, scalars))
        if out and _same_target(out[-1], stmt):
            out[-1] = _merged(out[-1], stmt)
        else:
            out.append(stmt)
    return out


def _without_negation(stmt: gast.stmt) -> gast.stmt:
    """``t += -e`` is ``t -= e`` (and the other way round)."""
    positive = negation_of(stmt.value) if isinstance(stmt, gast.AugAssign) else None
    if positive is not None:
        stmt.op = gast.Sub() if isinstance(stmt.op, gast.Add) else gast.Add()
        stmt.value = positive
    return stmt


def _same_target(first: gast.stmt, second: gast.stmt) -> bool:
    """Two updates of one target in a row, the second not reading the target otherwise."""
    updates = all(isinstance(s, gast.AugAssign) and isinstance(s.op, (gast.Add, gast.Sub)) for s in (first, second))
    if not updates:
        return False
    target = unparse_tree(first.target)
    base = first.target.value if isinstance(first.target, gast.Subscript) else first.target
    reads_base = isinstance(base, gast.Name) and base.id in names_read(second.value)
    return target == unparse_tree(second.target) and not reads_base


def _merged(first: gast.AugAssign, second: gast.AugAssign) -> gast.AugAssign:
    """``t += a; t -= b`` as ``t += a - b`` (``t -= a; t -= b`` as ``t -= a + b``)."""
    same_sign = type(first.op) is type(second.op)
    right = second.value
    if negation_of(right) is not None:  # a - -b is a + b
        same_sign, right = not same_sign, negation_of(right)
    value = gast.BinOp(left=first.value, op=gast.Add() if same_sign else gast.Sub(), right=right)
    return located(gast.AugAssign(target=first.target, op=first.op, value=value), first)


def _augmented(stmt: gast.stmt, scalars: "set[str]") -> gast.stmt:
    if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)):
        return stmt
    target, value = stmt.targets[0].id, stmt.value
    accumulates = (
        target in scalars
        and isinstance(value, gast.BinOp)
        and isinstance(value.op, (gast.Add, gast.Sub))
        and isinstance(value.left, gast.Name)
        and value.left.id == target
    )
    if not accumulates:
        return stmt
    return located(gast.AugAssign(target=stmt.targets[0], op=value.op, value=value.right), stmt)
