"""Spell accumulation as a person would: ``d_x += …``, one update per target in a row.

``d_x = d_x + e`` becomes ``d_x += e`` only for adjoints of Python scalars:
they are immutable, so ``+=`` rebinds the name exactly as the assignment does
(on an array ``+=`` writes into the buffer, which the transform does only where
it owns the buffer). ``t += -e`` becomes ``t -= e``, and consecutive updates of
one target from one source line become one (the terms are added first: the
same sum, rounded in another order; ``a * b + b * a`` is ``2 * (a * b)``).

    before                      after
    d_x = d_x + s * d_t0        d_x += s * d_t0
    d_x[i] += -(2.0 * a)        d_x[i] += d_t - 2.0 * a
    d_x[i] += d_t
"""

from typing import List, Optional, Tuple

import gast

from ..context import Context
from ..emit.unparse import unparse_tree
from ..nodes import blocks_of, located, names_read, negation_of
from .fold import like_terms


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    tree.body = _block(tree.body, ctx.scalar_adjoints)
    return tree


def _block(stmts: List[gast.stmt], scalars: "set[str]") -> List[gast.stmt]:
    out: List[gast.stmt] = []
    for stmt in stmts:
        for block in blocks_of(stmt):
            block[:] = _block(block, scalars)
        stmt = _without_negation(_augmented(stmt, scalars))
        same_line = bool(out) and getattr(out[-1], "lineno", None) == getattr(stmt, "lineno", None)
        if same_line and _same_target(out[-1], stmt):  # one line, one comment: merge within it only
            out[-1] = _merged(out[-1], stmt)
        elif same_line and _assigned_then_updated(out[-1], stmt):
            out[-1] = _first_sum(out[-1], stmt)
        else:
            out.append(stmt)
    return out


def _assigned_then_updated(first: gast.stmt, second: gast.stmt) -> bool:
    """``t = a`` then ``t += b`` (``b`` not reading ``t``): one assignment ``t = a + b``."""
    if not (isinstance(first, gast.Assign) and isinstance(first.targets[0], gast.Name)):
        return False
    target = first.targets[0].id
    update = _update_of(second, target)
    return update is not None and target not in names_read(update[1])


def _update_of(stmt: gast.stmt, target: str) -> Optional[Tuple[gast.operator, gast.expr]]:
    """``(op, b)`` for ``target += b`` or ``target = target + b`` (``-`` too), else None."""
    if isinstance(stmt, gast.AugAssign) and isinstance(stmt.op, (gast.Add, gast.Sub)):
        is_target = isinstance(stmt.target, gast.Name) and stmt.target.id == target
        return (stmt.op, stmt.value) if is_target else None
    value = getattr(stmt, "value", None)
    assigns_target = isinstance(stmt, gast.Assign) and getattr(stmt.targets[0], "id", None) == target
    sum_ = assigns_target and isinstance(value, gast.BinOp) and isinstance(value.op, (gast.Add, gast.Sub))
    if sum_ and isinstance(value.left, gast.Name) and value.left.id == target:
        return value.op, value.right
    return None


def _first_sum(first: gast.Assign, second: gast.stmt) -> gast.Assign:
    """``t = a; t += b`` as ``t = a + b``."""
    op, added = _update_of(second, first.targets[0].id)
    value = _sum(first.value, op, added)
    return located(gast.Assign(targets=first.targets, value=value, type_comment=None), first)


def _sum(a: gast.expr, op: gast.operator, b: gast.expr) -> gast.expr:
    """``a + b``; ``a * b + b * a`` is ``2 * (a * b)``: the same number, one multiplication less
    (and ``0.5 * r * g + 0.5 * (g * r)`` is ``r * g``, see fold.like_terms), also where ``a`` is a
    sum with such a term: ``c * d + a * b + b * a`` is ``c * d + 2 * (a * b)``."""
    return _one_term(a, op, b) or _merged_into_terms(a, op, b) or gast.BinOp(left=a, op=op, right=b)


def _one_term(a: gast.expr, op: gast.operator, b: gast.expr) -> Optional[gast.expr]:
    """``a op b`` as one term, if they are like terms."""
    merged = like_terms(gast.BinOp(left=a, op=op, right=b), lambda product: True)  # an adjoint: a float
    if merged is not None:
        return merged
    if isinstance(op, gast.Add) and _commuted(a, b):
        return gast.BinOp(left=gast.Constant(value=2, kind=None), op=gast.Mult(), right=a)
    return None


def _merged_into_terms(a: gast.expr, op: gast.operator, b: gast.expr) -> Optional[gast.expr]:
    """The sum ``a`` with ``op b`` merged into a like term of it, last terms first; None if it has none."""
    if not (isinstance(a, gast.BinOp) and isinstance(a.op, (gast.Add, gast.Sub))):
        return None
    # a = x - y: b added to a is -(y - b) in y's place
    inner = op if isinstance(a.op, gast.Add) else (gast.Sub() if isinstance(op, gast.Add) else gast.Add())
    right = _one_term(a.right, inner, b)
    if right is not None:
        return gast.BinOp(left=a.left, op=a.op, right=right)
    left = _one_term(a.left, op, b) or _merged_into_terms(a.left, op, b)
    return None if left is None else gast.BinOp(left=left, op=a.op, right=a.right)


def _commuted(a: gast.expr, b: gast.expr) -> bool:
    """``a`` and ``b`` are one product, its factors maybe swapped: ``x * y`` and ``y * x``."""
    if unparse_tree(a) == unparse_tree(b):
        return True
    products = all(isinstance(e, gast.BinOp) and isinstance(e.op, gast.Mult) for e in (a, b))
    return products and unparse_tree(a.left) == unparse_tree(b.right) and unparse_tree(a.right) == unparse_tree(b.left)


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
    # second went through _without_negation (and fold took --e to e): its value is no negation
    value = _sum(first.value, gast.Add() if same_sign else gast.Sub(), second.value)
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
