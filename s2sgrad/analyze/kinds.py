"""Kind inference: which values are scalars, integers or arrays of known rank.

Kinds start from the parameters' kinds (the first call's arguments, or
annotations) and flow forward through each operation by its rule's ``result``
declaration. Unknown is always a safe answer: it only keeps a broadcasting
reduction that a precise kind would have shown to be unneeded. A name
assigned in several places (in branches, around a loop) has the join of its
kinds, found at a fixpoint.
"""

import builtins
import operator
from typing import Dict, Iterator, List

import gast
import numpy

from .. import kinds as K
from .. import runtime
from ..context import Context
from ..nodes import constant_value, is_element_write
from ..parse.resolve import MISSING
from .calls import argument_kinds, bound_arguments, is_user_function
from .ops import Operation, operation_of

# Operations whose result is an integer when every operand is one.
INTEGER_CLOSED = {
    operator.add,
    operator.sub,
    operator.mul,
    operator.floordiv,
    operator.mod,
    operator.pow,  # a float for a negative exponent, but a constant all the same: never differentiated
    operator.neg,
    operator.pos,
    builtins.abs,
    builtins.min,
    builtins.max,
}
CREATORS = {numpy.zeros, numpy.ones, numpy.empty, numpy.full}
AXES_PERMUTED = {numpy.transpose, numpy.swapaxes, numpy.moveaxis}  # an array of the same rank
# Operations whose result's kind follows from a list's elements.
OF_ELEMENTS = {
    runtime.append,
    runtime.popped,
    builtins.sum,
    builtins.max,
    builtins.min,
    builtins.list,
    builtins.tuple,
    builtins.sorted,
    builtins.dict,
}


def infer_kinds(tree: gast.FunctionDef, ctx: Context) -> Dict[str, K.Kind]:
    kinds: Dict[str, K.Kind] = dict(ctx.param_kinds)
    while True:
        before = dict(kinds)
        for stmt in assignments(tree.body):
            if is_element_write(stmt):  # an array keeps its kind; a list or dict holds one more kind of element
                _add_element(stmt, kinds, ctx)
                continue
            target = stmt.targets[0].id if isinstance(stmt, gast.Assign) else stmt.target.id
            kind = K.INTEGER if isinstance(stmt, gast.For) else _kind_of_value(stmt.value, kinds, ctx)
            kinds[target] = K.join(kinds[target], kind) if target in kinds else kind
        if kinds == before:
            return kinds


def _add_element(stmt: gast.Assign, kinds: Dict[str, K.Kind], ctx: Context) -> None:
    container = stmt.targets[0].value.id
    kind = kinds.get(container, K.UNKNOWN)
    if kind.is_container and kind.element is not None:
        kinds[container] = K.join(kind, K.container(kind.tag, [kind_of_atom(stmt.value, kinds, ctx)]))


def assignments(stmts: List[gast.stmt]) -> Iterator[gast.stmt]:
    """Every assignment and loop (which assigns its index) in a block, nested ones included."""
    for stmt in stmts:
        if isinstance(stmt, (gast.Assign, gast.For)):
            yield stmt
        if isinstance(stmt, (gast.If, gast.For, gast.While)):
            yield from assignments(stmt.body)
            yield from assignments(stmt.orelse)


def kind_of_atom(node: gast.expr, kinds: Dict[str, K.Kind], ctx: Context) -> K.Kind:
    if isinstance(node, gast.Name) and node.id in kinds:
        return kinds[node.id]
    value = constant_value(node, MISSING)
    if value is MISSING and isinstance(node, gast.Tuple):  # max(a, b) read as max((a, b)) (analyze.ops)
        # (a list display stays unknown: a helper passed [] may append to it, which only a list can show)
        return K.container("sequence", [kind_of_atom(e, kinds, ctx) for e in node.elts])
    if value is MISSING:
        value = ctx.resolve(node)
    return K.UNKNOWN if value is MISSING else K.kind_of(value)


def _kind_of_value(value: gast.expr, kinds: Dict[str, K.Kind], ctx: Context) -> K.Kind:
    op = operation_of(value, ctx)
    if op.form == "copy":
        return kind_of_atom(value, kinds, ctx)
    if op.form == "subscript":
        return kind_of_subscript(value, kinds, ctx)
    if op.form == "display":
        tag = "dict" if isinstance(value, gast.Dict) else "sequence"
        return K.container(tag, [kind_of_atom(a, kinds, ctx) for a in op.args])
    if op.form == "logic":  # a truth value (an integer), or an f-string's str
        return K.OTHER if isinstance(value, gast.JoinedStr) else K.Kind("integer", None)
    if op.func in (builtins.set, builtins.frozenset):  # no order to index by: a loop over it is rejected
        return K.OTHER
    if op.func is builtins.slice:  # an index that makes a view (normalize.memory), never an index array
        return K.OTHER
    rule = ctx.rules.lookup(op.func)
    arg_kinds = [kind_of_atom(a, kinds, ctx) for a in op.args]
    if op.func in INTEGER_CLOSED and arg_kinds and all(k == K.INTEGER for k in arg_kinds):
        return K.INTEGER  # index arithmetic: i + 1 is an integer, not a float
    if op.func in (operator.matmul, numpy.matmul):
        return _kind_of_matmul(arg_kinds)
    if op.func in AXES_PERMUTED and arg_kinds and arg_kinds[0].tag == "array":
        return arg_kinds[0]  # of an array, an array of its rank (of a number, a 0-d array)
    if op.func in CREATORS:
        return _kind_of_created(op, arg_kinds, ctx)
    if op.func in OF_ELEMENTS and arg_kinds:
        return _kind_of_element_operation(op, arg_kinds)
    if is_user_function(op.func, ctx):
        nodes = bound_arguments(op.func, op.args, op.keywords, ctx, value)
        return ctx.callee_result_kind(op.func, argument_kinds(op.func, nodes, lambda n: kind_of_atom(n, kinds, ctx)))
    result = rule.result if rule else "unknown"
    if result == "elementwise":
        return K.broadcast(arg_kinds)
    if result == "scalar":
        return K.SCALAR
    if result == "integer":
        return K.INTEGER
    if result == "shape":
        return K.SHAPE
    if result == "same" and arg_kinds:
        return arg_kinds[0]
    if result == "reduction" and arg_kinds:
        return _kind_of_reduction(arg_kinds[0], op.args[1:], op.keywords)
    return K.UNKNOWN


def _kind_of_element_operation(op: Operation, arg_kinds: List[K.Kind]) -> K.Kind:
    """``items.append(v)`` holds ``v``'s kind too; ``items.pop()``, builtin sum, max and min give an element's."""
    items = arg_kinds[0]
    if op.func in (builtins.list, builtins.tuple, builtins.sorted):
        return items if items.tag == "sequence" else K.SEQUENCE
    if op.func is builtins.dict:  # a copy of a dict (keywords add items of kinds of their own)
        return items if items.tag == "dict" and len(op.args) == 1 and not op.keywords else K.UNKNOWN
    if op.func is runtime.popped:  # a stack's item: a value saved by a reverse sweep
        return items.element_kind if items.tag == "sequence" else K.UNKNOWN
    if op.func is runtime.append:
        grown = K.container("sequence", [arg_kinds[1]])
        return K.join(items, grown) if items.tag == "sequence" and items.element is not None else K.SEQUENCE
    if items.tag == "sequence" and items.element_kind.tag in ("scalar", "array", "integer"):
        return items.element_kind if op.func is not builtins.sum or len(op.args) == 1 else K.UNKNOWN
    return K.UNKNOWN


def _kind_of_created(op: Operation, arg_kinds: List[K.Kind], ctx: Context) -> K.Kind:
    """``numpy.zeros(n)``, ``numpy.ones((n, m), dtype=int)``: an array of the shape's length and the dtype's kind."""
    shape = op.args[0] if op.args else None
    if arg_kinds and arg_kinds[0] == K.INTEGER:
        ndim = 1
    elif isinstance(shape, (gast.Tuple, gast.List)):
        ndim = len(shape.elts)
    else:
        ndim = None
    dtype = [k.value for k in op.keywords if k.arg == "dtype"]
    dtype_args = {numpy.zeros: 1, numpy.ones: 1, numpy.empty: 1, numpy.full: 2}
    if len(op.args) > dtype_args[op.func]:
        dtype = [op.args[dtype_args[op.func]]]
    if not dtype:
        return K.array(ndim)  # float64
    try:
        kind = numpy.dtype(_dtype_object(dtype[0], ctx)).kind
    except TypeError:
        return K.UNKNOWN  # a dtype the compiler cannot see
    if kind in "iub":
        return K.Kind("integer", ndim)  # a value written into it is cut to an integer: no derivative
    return K.array(ndim) if kind == "f" else K.OTHER


def _dtype_object(node: gast.expr, ctx: Context) -> object:
    value = constant_value(node, MISSING)
    return ctx.resolve(node) if value is MISSING else value


def _kind_of_matmul(arg_kinds: List[K.Kind]) -> K.Kind:
    ranks = [k.ndim if k.tag == "array" else None for k in arg_kinds]
    if len(ranks) != 2 or None in ranks or 0 in ranks:
        return K.UNKNOWN
    if ranks == [1, 1]:
        return K.SCALAR
    if 1 in ranks:
        return K.array(max(ranks) - 1)
    return K.array(max(ranks))


def _kind_of_reduction(operand: K.Kind, extra_args: list, keywords: list) -> K.Kind:
    """A reduction over all axes without keepdims gives a scalar."""
    if operand.is_scalar:
        return K.SCALAR
    settings = {k.arg: constant_value(k.value, MISSING) for k in keywords}
    axis = constant_value(extra_args[0], MISSING) if extra_args else settings.get("axis")
    keepdims = settings.get("keepdims", False)
    if axis is None and not keepdims and len(extra_args) <= 1:
        return K.SCALAR
    ndim = operand.ndim if operand.tag == "array" and len(extra_args) <= 1 else None
    if ndim is None or keepdims not in (True, False):
        return K.array()
    if keepdims:
        return K.array(ndim)
    axes = axis if isinstance(axis, tuple) else (axis,)
    if not all(type(a) is int and -ndim <= a < ndim for a in axes) or len({a % ndim for a in axes}) != len(axes):
        return K.array()
    left = ndim - len(axes)  # one axis fewer per axis reduced over: none left is a NumPy scalar
    return K.SCALAR if left == 0 else K.array(left)


def kind_of_subscript(value: gast.Subscript, kinds: Dict[str, K.Kind], ctx: Context) -> K.Kind:
    """``x[i, j]`` drops one axis of an array per integer index; slices keep theirs."""
    base = kind_of_atom(value.value, kinds, ctx)
    if base == K.SHAPE:
        return K.Kind("integer", None if isinstance(value.slice, gast.Slice) else 0)
    if base.is_container:  # a slice of what *args gathers: its elements' kinds, not its items
        return (
            base._replace(items=None)
            if isinstance(value.slice, gast.Slice)
            else base.item_kind(constant_value(value.slice, MISSING))
        )
    index = value.slice.elts if isinstance(value.slice, gast.Tuple) else [value.slice]
    integers = [not isinstance(i, gast.Slice) and kind_of_atom(i, kinds, ctx) == K.INTEGER for i in index]
    basic = all(flag or isinstance(i, gast.Slice) for flag, i in zip(integers, index))
    if base.tag != "array" or base.ndim is None or not basic or len(index) > base.ndim:
        return K.UNKNOWN
    left = base.ndim - sum(integers)
    return K.SCALAR if left == 0 else K.array(left)
