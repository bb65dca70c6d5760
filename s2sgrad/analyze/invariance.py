"""Offsets the result does not depend on: the max subtracted before a softmax or a log-sum-exp.

``m = np.max(x, axis=1, keepdims=True)`` is subtracted from ``x`` for numerical
range only: the log-softmax ``s - log(sum(exp(s)))``, the softmax
``e / sum(e)`` and the log-sum-exp ``m + log(sum(exp(x - m)))`` are the same
for every ``m``. Its total adjoint is zero, yet computed it costs most of the
gradient (the share of each row's maximum, over the whole array). Such an
``m`` is taken as a constant: neither sweep differentiates through it.

The proof follows ``m -> m + c``, with ``c`` constant along the axis ``m`` was
reduced over (every axis for a scalar ``m``), through every value made from
``m``: each is shifted by ``k c`` (``x - m`` by ``-c``) or scaled by
``exp(k c)`` (``exp(x - m)``), for a whole number ``k``; a difference or sum of
shifts adds their ``k``, as products and quotients of scalings do;
``log``/``exp`` turn one into the other; ``sum`` over that axis keeps a
scaling, and ``max``/``min``/``mean`` over it keep either. A value with
``k = 0`` no longer depends on ``c``. ``m`` is a constant when the returned
value does not depend on ``c``, and every value made from ``m`` is made and
read only by such operations in the function's straight-line top level.
"""

import math
from collections import Counter
from typing import Dict, Optional, Set, Tuple

import gast
import numpy

from ..context import Context
from ..kinds import Kind
from ..nodes import constant_value, is_constant, names_read

MISSING = object()
SHIFT, SCALE = "shift", "scale"  # x + k c, x * exp(k c)
Effect = Tuple[str, int]
EXP = {numpy.exp, math.exp}
LOG = {numpy.log, math.log}
SUMS = {numpy.sum}
EXTREMA = {numpy.max, numpy.min, numpy.amax, numpy.amin, numpy.mean}  # keep a shift and a scaling
REDUCTIONS = SUMS | EXTREMA


def invariant_offsets(tree: gast.FunctionDef, ctx: Context, kinds: Dict[str, Kind]) -> Set[str]:
    """The names of offsets (as above) whose adjoint is zero: to be treated as constants."""
    subtracted = {
        n.value.right.id
        for n in tree.body
        if isinstance(n, gast.Assign) and isinstance(n.value, gast.BinOp) and isinstance(n.value.op, gast.Sub)
        if isinstance(n.value.right, gast.Name)
    }
    found = set()
    for stmt in tree.body:
        target = stmt.targets[0].id if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) else ""
        if target in subtracted:
            axis, rank = _offset_axis(stmt.value, ctx, kinds, kinds.get(target))
            if axis is not MISSING and _Follow(tree, ctx, kinds, axis).cancels(target, rank):
                found.add(target)
    return found


def _offset_axis(
    value: gast.expr, ctx: Context, kinds: Dict[str, Kind], kind: Optional[Kind]
) -> Tuple[object, Optional[int]]:
    """The axis along which ``value`` is constant (None: every axis) and its rank; MISSING when not known."""
    if (kind is not None and kind.is_scalar) or _is_scalar_value(value, ctx):
        return None, 0
    if not isinstance(value, gast.Call) or ctx.resolve(value.func) not in REDUCTIONS:
        return MISSING, None
    axis, keepdims = _reduction_arguments(value)
    if keepdims is True and (axis is None or isinstance(axis, int)):
        return axis, _rank(value.args[0], {}, kinds)
    return MISSING, None


def _is_scalar_value(value: gast.expr, ctx: Context) -> bool:
    """A reduction over every axis, without keepdims: a scalar."""
    if not isinstance(value, gast.Call) or ctx.resolve(value.func) not in REDUCTIONS:
        return False
    return _reduction_arguments(value) == (None, False)


def _reduction_arguments(call: gast.Call) -> Tuple[object, object]:
    """``(axis, keepdims)`` of a NumPy reduction call with literal settings (MISSING where not literal)."""
    settings = {k.arg: constant_value(k.value, MISSING) for k in call.keywords}
    axis = constant_value(call.args[1], MISSING) if len(call.args) > 1 else settings.pop("axis", None)
    keepdims = settings.pop("keepdims", False)
    if len(call.args) > 2 or settings:
        return MISSING, MISSING  # an out=, dtype=, where=: not followed
    return axis, keepdims


class _Follow:
    """The effects of ``offset + c`` through one function's top-level statements."""

    def __init__(self, tree: gast.FunctionDef, ctx: Context, kinds: Dict[str, Kind], axis: object) -> None:
        self.tree, self.ctx, self.kinds, self.axis = tree, ctx, kinds, axis
        self.assigned = Counter(t.id for n in gast.walk(tree) for t in _targets(n))

    def cancels(self, offset: str, rank: Optional[int]) -> bool:
        """Whether the result is the same for every ``c``."""
        effects: Dict[str, Effect] = {offset: (SHIFT, 1)}
        ranks: Dict[str, Optional[int]] = {offset: rank}
        if self.assigned[offset] != 1:
            return False
        for stmt in self.tree.body:
            touched = {n for n in names_read(stmt) if n in effects}
            if not touched:
                continue
            if isinstance(stmt, gast.Return):
                return all(effects[n][1] == 0 for n in touched) and isinstance(stmt.value, (gast.Name, gast.Tuple))
            if not (isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name)):
                return False  # read by a loop, a branch, an element write...
            target = stmt.targets[0].id
            effect = _effect(stmt.value, effects, self.axis, self.ctx)
            if effect is None or self.assigned[target] != 1:
                return False
            ranks[target] = _rank(stmt.value, ranks, self.kinds)
            if effect[1] != 0 and self.axis is not None and (rank is None or ranks[target] != rank):
                return False  # broadcasting prepended an axis: the axis number means another one
            effects[target] = effect
        return False  # no return reached


def _rank(node: gast.expr, ranks: Dict[str, Optional[int]], kinds: Dict[str, Kind]) -> Optional[int]:
    """The number of axes of ``node`` (one of the operations followed), None when not known."""
    if isinstance(node, gast.Name):
        if node.id in ranks:
            return ranks[node.id]
        kind = kinds.get(node.id)
        return None if kind is None else 0 if kind.is_scalar else kind.ndim if kind.tag == "array" else None
    if isinstance(node, gast.BinOp):
        left, right = _rank(node.left, ranks, kinds), _rank(node.right, ranks, kinds)
        return None if left is None or right is None else max(left, right)
    if isinstance(node, gast.UnaryOp):
        return _rank(node.operand, ranks, kinds)
    if isinstance(node, gast.Call) and node.args:
        return _rank(node.args[0], ranks, kinds)  # exp, log, a reduction keeping its axes
    return 0 if is_constant(node) else None


def _targets(node: gast.AST):
    if isinstance(node, (gast.Assign, gast.AugAssign, gast.For)):
        for target in node.targets if isinstance(node, gast.Assign) else [node.target]:
            yield from (n for n in gast.walk(target) if isinstance(n, gast.Name))


def _effect(value: gast.expr, effects: Dict[str, Effect], axis: object, ctx: Context) -> Optional[Effect]:
    """What ``value`` does to ``c``, or None when it is not one of the operations followed."""
    if all(effects[n][1] == 0 for n in names_read(value) if n in effects):
        return SHIFT, 0  # anything made of values that do not depend on c does not either
    if isinstance(value, gast.BinOp):
        return _combined(_operand(value.left, effects), value.op, _operand(value.right, effects))
    if isinstance(value, gast.UnaryOp) and isinstance(value.op, gast.USub):
        operand = _operand(value.operand, effects)
        return None if operand[0] != SHIFT else (SHIFT, -operand[1])
    if not (isinstance(value, gast.Call) and value.args and isinstance(value.args[0], gast.Name)):
        return None
    func, operand = ctx.resolve(value.func), effects.get(value.args[0].id)
    if operand is None or any(isinstance(a, gast.Name) and a.id in effects for a in value.args[1:]):
        return None
    if len(value.args) == 1 and not value.keywords and (func in EXP or func in LOG):
        wanted, made = (SHIFT, SCALE) if func in EXP else (SCALE, SHIFT)
        return (made, operand[1]) if operand[0] == wanted or operand[1] == 0 else None
    if func in REDUCTIONS and _reduction_keeps(value, axis):
        return operand if func in EXTREMA or operand[0] == SCALE else None
    return None


def _reduction_keeps(call: gast.Call, axis: object) -> bool:
    """A reduction over ``axis`` (any, for a scalar offset) keeps ``c`` unchanged along what remains."""
    reduced, keepdims = _reduction_arguments(call)
    if axis is None:
        return reduced is not MISSING and keepdims is not MISSING
    return reduced == axis and keepdims is True


def _operand(node: gast.expr, effects: Dict[str, Effect]) -> Effect:
    """An operand's effect: a name made from the offset, or anything else (no effect).

    Operands are atoms (the tree is normalized: normalize.anf): a name, a
    constant, or an attribute of a module, which reads no local variable.
    """
    if isinstance(node, gast.Name):
        return effects.get(node.id, (SHIFT, 0))
    return SHIFT, 0


def _combined(left: Effect, op: gast.operator, right: Effect) -> Optional[Effect]:
    signs = {gast.Add: 1, gast.Sub: -1, gast.Mult: 1, gast.Div: -1}
    sign = signs.get(type(op))
    varying = {effect[0] for effect in (left, right) if effect[1] != 0}
    if sign is None or len(varying) != 1:
        return None
    kind = varying.pop()
    if (kind == SHIFT) != isinstance(op, (gast.Add, gast.Sub)):
        return None  # a shift scaled, a scaling added to: not followed
    return kind, left[1] + sign * right[1]
