"""Tangent rules for the helpers that generated reverse-mode code calls.

With them, a generated gradient is itself input to forward mode: the Hessian
is the Jacobian of the gradient, one forward pass of ``grad_f`` per direction
(forward-over-reverse). Most helpers are linear in the adjoint ``g`` they
spread or sum, so their tangent is the helper applied to ``g``'s tangent; the
products' helpers are bilinear in ``g`` and the other operand.
"""

import numpy

from ..runtime import (
    add_structured,
    along_axis_index,
    array_adjoint,
    chosen_adjoint,
    chosen_tangent,
    copied_mapping,
    default_adjoint,
    dot_lhs,
    dot_rhs,
    einsum_adjoints,
    einsum_adjoints_tangent,
    extremum_share,
    fresh_copy,
    get_adjoint,
    greater_share,
    ieee_divide,
    ieee_power,
    inner_adjoints,
    items_adjoint,
    like_sequence,
    matmul_lhs,
    matmul_rhs,
    mean_divisor,
    missing_adjoint,
    moments_adjoint,
    nan_divisor_ratio,
    nan_extremum_share,
    nan_filled,
    nanmean_share,
    nanquantile_adjoint,
    norm_adjoint,
    norm_adjoint_tangent,
    outer_sum,
    popped,
    prod_adjoint,
    prod_adjoint_tangent,
    quantile_adjoint,
    range_share,
    reshape_like,
    rollaxis_destination,
    same_items,
    shape_of,
    sign,
    solve_adjoints,
    solve_adjoints_tangent,
    split_like,
    structured_like,
    sum_adjoint,
    sum_to_shape,
    take_index,
    tensordot_adjoints,
    trace_adjoint,
    unbroadcast,
    uncolumn_stack,
    uncumsum,
    undiag,
    undiagonal,
    undiff,
    unhstack,
    unindex,
    unpad,
    unreduce,
    unrepeat,
    unsorted,
    unstack,
    untile,
    untrace,
    untranspose,
    unvstack,
    writable_copy,
    zeros_like,
)
from .notation import nondifferentiable, t, tangent


@tangent(unbroadcast, result="unknown", shape_only=("like",))
def unbroadcast_(y, g, like):
    t[y] = unbroadcast(t[g], like)


@tangent(unreduce, result="unknown", shape_only=("x",))
def unreduce_(y, g, x, axis=None, keepdims=False):
    t[y] = unreduce(t[g], x, axis, keepdims)


@tangent(unindex, result="unknown", shape_only=("x",))
def unindex_(y, g, x, index):
    t[y] = unindex(t[g], x, index)


@tangent(reshape_like, result="unknown", shape_only=("x",))
def reshape_like_(y, g, x, order="C"):
    t[y] = reshape_like(t[g], x, order)


@tangent(array_adjoint, result="unknown", shape_only=("x",))
def array_adjoint_(y, g, x):
    t[y] = array_adjoint(t[g], x)


@tangent(sum_adjoint, result="unknown", shape_only=("items",))
def sum_adjoint_(y, g, items):
    t[y] = sum_adjoint(t[g], items)


# Builtin max/min, list/tuple and dict.get: linear in the adjoint; which item is chosen is piecewise constant.
@tangent(chosen_adjoint, result="unknown", shape_only=("items",))
def chosen_adjoint_(y, g, items, pick, key=None):
    t[y] = chosen_adjoint(t[g], items, pick, key)


@tangent(chosen_tangent, result="unknown", shape_only=("items",))
def chosen_tangent_(y, tangents, default, items, pick, key=None):
    t[y] = chosen_tangent(t[tangents], t[default], items, pick, key)


@tangent(default_adjoint, result="unknown", shape_only=("items",))
def default_adjoint_(y, g, items):
    t[y] = default_adjoint(t[g], items)


@tangent(items_adjoint, result="unknown", shape_only=("items",))
def items_adjoint_(y, g, items):
    t[y] = items_adjoint(t[g], items)


@tangent(like_sequence, result="unknown", shape_only=("like",))
def like_sequence_(y, tangents, like):
    t[y] = like_sequence(t[tangents], like)


@tangent(get_adjoint, result="unknown", shape_only=("mapping",))
def get_adjoint_(y, g, mapping, key):
    t[y] = get_adjoint(t[g], mapping, key)


@tangent(missing_adjoint, result="unknown", shape_only=("mapping",))
def missing_adjoint_(y, g, mapping, key):
    t[y] = missing_adjoint(t[g], mapping, key)


@tangent(untranspose, result="unknown")
def untranspose_(y, g, axes=None):
    t[y] = untranspose(t[g], axes)


@tangent(uncumsum, result="unknown", shape_only=("x",))
def uncumsum_(y, g, x, axis=None):
    t[y] = uncumsum(t[g], x, axis)


@tangent(undiff, result="unknown")
def undiff_(y, g, n=1, axis=-1):
    t[y] = undiff(t[g], n, axis)


@tangent(untrace, result="unknown", shape_only=("x",))
def untrace_(y, g, x, offset=0):
    t[y] = untrace(t[g], x, offset)


@tangent(trace_adjoint, result="unknown", shape_only=("x",))
def trace_adjoint_(y, g, x, offset=0, axis1=0, axis2=1):
    t[y] = trace_adjoint(t[g], x, offset, axis1, axis2)


@tangent(unstack, result="unknown", shape_only=("arrays",))
def unstack_(y, g, arrays, axis=0):
    t[y] = unstack(t[g], arrays, axis)


@tangent(unhstack, result="unknown", shape_only=("arrays",))
def unhstack_(y, g, arrays):
    t[y] = unhstack(t[g], arrays)


@tangent(unvstack, result="unknown", shape_only=("arrays",))
def unvstack_(y, g, arrays):
    t[y] = unvstack(t[g], arrays)


@tangent(sum_to_shape, result="unknown", shape_only=("like",))
def sum_to_shape_(y, g, like):
    t[y] = sum_to_shape(t[g], like)


@tangent(split_like, result="unknown", shape_only=("arrays",))
def split_like_(y, g, arrays, axis=0):
    t[y] = split_like(t[g], arrays, axis)


@tangent(uncolumn_stack, result="unknown", shape_only=("arrays",))
def uncolumn_stack_(y, g, arrays):
    t[y] = uncolumn_stack(t[g], arrays)


@tangent(undiagonal, result="unknown", shape_only=("x",))
def undiagonal_(y, g, x, offset=0, axis1=0, axis2=1):
    t[y] = undiagonal(t[g], x, offset, axis1, axis2)


@tangent(undiag, result="unknown", shape_only=("v",))
def undiag_(y, g, v, k=0):
    t[y] = undiag(t[g], v, k)


@tangent(unrepeat, result="unknown", shape_only=("x",))
def unrepeat_(y, g, x, repeats, axis=None):
    t[y] = unrepeat(t[g], x, repeats, axis)


@tangent(untile, result="unknown", shape_only=("x",))
def untile_(y, g, x, reps):
    t[y] = untile(t[g], x, reps)


@tangent(unpad, result="unknown", shape_only=("x",))
def unpad_(y, g, x, pad_width, mode="constant"):
    t[y] = unpad(t[g], x, pad_width, mode)


@tangent(quantile_adjoint, result="unknown", shape_only=("x",))
def quantile_adjoint_(y, g, x, q, axis=None, keepdims=False, method="linear", overwrite=False):
    t[y] = quantile_adjoint(t[g], x, q, axis, keepdims, method, overwrite)  # x only orders: piecewise constant


@tangent(unsorted, result="unknown", shape_only=("items",))
def unsorted_(y, g, items, key=None, reverse=False):
    t[y] = unsorted(t[g], items, key, reverse)  # the items only order: piecewise constant


@tangent(nanquantile_adjoint, result="unknown", shape_only=("x",))
def nanquantile_adjoint_(y, g, x, q, axis=None, keepdims=False, method="linear", overwrite=False):
    t[y] = nanquantile_adjoint(t[g], x, q, axis, keepdims, method, overwrite)  # x only orders and masks


@tangent(nan_filled, result="same")
def nan_filled_(y, x, axis=None):
    t[y] = nan_filled(numpy.where(numpy.isnan(x), numpy.nan, t[x]), axis)  # a filled element: the numbers' mean


@tangent(copied_mapping, result="same", shape_only=("mapping",))
def copied_mapping_(y, g, mapping):
    t[y] = copied_mapping(t[g], mapping)


@tangent(same_items, result="same", shape_only=("x",))
def same_items_(y, g, x):
    t[y] = same_items(t[g], x)


@tangent(fresh_copy, result="same")
def fresh_copy_(y, x):
    t[y] = fresh_copy(t[x])


@tangent(writable_copy, result="same")
def writable_copy_(y, x):
    t[y] = writable_copy(t[x])


@tangent(structured_like, result="same", shape_only=("x",))  # a list or dict stays one
def structured_like_(y, g, x):
    t[y] = structured_like(t[g], x)


@tangent(add_structured, result="same")  # the structure of its operands
def add_structured_(y, a, b):
    t[y] = add_structured(t[a], t[b])


@tangent(ieee_divide, result="elementwise")
def ieee_divide_(z, a, b):
    t[z] = ieee_divide(t[a], b) - ieee_divide(t[b] * z, b)


@tangent(ieee_power, result="elementwise")
def ieee_power_(z, a, b):
    t[z] = t[a] * (b * ieee_power(a, b - 1)) + t[b] * (z * numpy.log(a))


@tangent(matmul_lhs, result="unknown", shape_only=("x",))
def matmul_lhs_(z, g, x, y):
    t[z] = matmul_lhs(t[g], x, y) + matmul_lhs(g, x, t[y])


@tangent(outer_sum, result="unknown")  # bilinear, as the products it sums
def outer_sum_(y, columns, rows):
    t[y] = outer_sum(t[columns], rows) + outer_sum(columns, t[rows])


@tangent(matmul_rhs, result="unknown", shape_only=("y",))
def matmul_rhs_(z, g, x, y):
    t[z] = matmul_rhs(t[g], x, y) + matmul_rhs(g, t[x], y)


@tangent(dot_lhs, result="unknown", shape_only=("x",))
def dot_lhs_(z, g, x, y):
    t[z] = dot_lhs(t[g], x, y) + dot_lhs(g, x, t[y])


@tangent(dot_rhs, result="unknown", shape_only=("y",))
def dot_rhs_(z, g, x, y):
    t[z] = dot_rhs(t[g], x, y) + dot_rhs(g, t[x], y)


@tangent(moments_adjoint, result="unknown")
def moments_adjoint_(z, g, x, axis=None, ddof=0, keepdims=False):
    t[z] = moments_adjoint(t[g], x, axis, ddof, keepdims) + moments_adjoint(g, t[x], axis, ddof, keepdims)


@tangent(einsum_adjoints, result="unknown")
def einsum_adjoints_(adjoints, subscripts, g, operands):
    t[adjoints] = einsum_adjoints_tangent(subscripts, g, t[g], operands, t[operands])


@tangent(prod_adjoint, result="unknown")
def prod_adjoint_(z, g, x, axis=None, keepdims=False):
    t[z] = prod_adjoint_tangent(g, t[g], x, t[x], axis, keepdims)


@tangent(inner_adjoints, result="unknown")
def inner_adjoints_(pair, g, x, y):  # bilinear: (g with y, x with g)
    t[pair] = add_structured(inner_adjoints(t[g], x, y), inner_adjoints(g, t[x], t[y]))


@tangent(tensordot_adjoints, result="unknown")
def tensordot_adjoints_(pair, g, x, y, axes=2):
    t[pair] = add_structured(tensordot_adjoints(t[g], x, y, axes), tensordot_adjoints(g, t[x], t[y], axes))


@tangent(norm_adjoint, result="unknown")
def norm_adjoint_(z, g, x, y, ord=None, axis=None, keepdims=False):
    t[z] = norm_adjoint_tangent(z, g, t[g], x, t[x], y, t[y], ord, axis, keepdims)


@tangent(solve_adjoints, result="unknown", shape_only=("b",))  # b moves the pair only through x
def solve_adjoints_(pair, g, a, b, x):
    t[pair] = solve_adjoints_tangent(pair, g, t[g], a, t[a], x, t[x])


@tangent(popped, result="unknown")
def popped_(value, items):
    t[value] = popped(t[items])  # the tangents' stack, popped in step


PIECEWISE_CONSTANT = nondifferentiable(
    sign,
    extremum_share,
    greater_share,
    range_share,
    nan_extremum_share,
    nanmean_share,
    nan_divisor_ratio,
    result="unknown",
)
INDEXES = nondifferentiable(rollaxis_destination, take_index, along_axis_index, result="unknown")
SHAPED_LIKE = nondifferentiable(zeros_like, shape_of, result="same")
COUNTS = nondifferentiable(mean_divisor, result="integer")

# What this file registers: checked through the Hessians of tests/test_forward.py, not by rule specs
# (a spec checks a rule's reverse direction, and these have only the forward one).
HELPERS = tuple(
    func
    for value in list(globals().values())
    for func in getattr(getattr(value, "__s2sgrad_rule__", value), "callables", ())
)
