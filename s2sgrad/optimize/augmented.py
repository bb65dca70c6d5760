"""Spell accumulation into a scalar adjoint as ``d_x += …``, as a person would.

Only for adjoints of Python scalars: they are immutable, so ``+=`` rebinds
the name exactly as ``d_x = d_x + …`` does. (On an array ``+=`` writes into
the buffer, which the transform does only where it owns the buffer.)

    before                      after
    d_x = d_x + s * d_t0        d_x += s * d_t0
"""

from typing import List

import gast

from ..context import Context
from ..nodes import blocks_of, located


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    tree.body = _block(tree.body, ctx.scalar_adjoints)
    return tree


def _block(stmts: List[gast.stmt], scalars: "set[str]") -> List[gast.stmt]:
    out: List[gast.stmt] = []
    for stmt in stmts:
        for block in blocks_of(stmt):
            block[:] = _block(block, scalars)
        out.append(_augmented(stmt, scalars))
    return out


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
