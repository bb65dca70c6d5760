"""Rules for NumPy reductions, linear algebra and shape functions."""

import numpy

from ..runtime import (
    along_axis_index,
    array_adjoint,
    average_adjoints,
    average_weights_tangent,
    cast_like,
    column_of,
    cumprod_adjoint,
    cumprod_tangent,
    dot_lhs,
    dot_rhs,
    einsum_adjoints,
    einsum_subscripts,
    einsum_tangent,
    extremum_share,
    gradient_adjoint,
    gradient_of,
    inner_adjoints,
    interp_slope,
    interp_values_adjoint,
    interp_values_tangent,
    kron_adjoints,
    linspace_adjoints,
    matching_order,
    mean_divisor,
    moments_adjoint,
    nan_divisor_ratio,
    nan_extremum_share,
    nan_filled,
    nanmean_share,
    nanquantile_adjoint,
    nanquantile_tangent,
    norm_adjoint,
    prod_adjoint,
    quantile_adjoint,
    quantile_tangent,
    range_share,
    reshape_like,
    rollaxis_destination,
    select_adjoints,
    select_default_adjoint,
    solve_adjoints,
    split_like,
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
    undstack,
    unhstack,
    unindex,
    unpad,
    unreduce,
    unrepeat,
    unstack,
    untile,
    untranspose,
    unvstack,
    zeros_like,
)
from .notation import adjoint, d, nondifferentiable, t, tangent

# ----- reductions -----


@adjoint(numpy.sum, result="reduction")
def sum(y, x, axis=None, dtype=None, out=None, keepdims=False):
    d[x] += unreduce(d[y], x, axis, keepdims)
    t[y] = numpy.sum(t[x], axis=axis, dtype=dtype, keepdims=keepdims)


@adjoint(numpy.mean, result="reduction")
def mean(y, x, axis=None, dtype=None, out=None, keepdims=False):
    d[x] += unreduce(d[y] / mean_divisor(x, axis), x, axis, keepdims)  # divide before spreading: fewer elements
    t[y] = numpy.mean(t[x], axis=axis, dtype=dtype, keepdims=keepdims)


@adjoint(numpy.prod, result="reduction")
def prod(y, x, axis=None, dtype=None, out=None, keepdims=False):
    d[x] += prod_adjoint(d[y], x, axis, keepdims)
    t[y] = numpy.sum(prod_adjoint(numpy.ones_like(y), x, axis, keepdims) * t[x], axis=axis, keepdims=keepdims)


@adjoint(numpy.max, numpy.amax, numpy.min, numpy.amin, result="reduction")
def extremum(y, x, axis=None, out=None, keepdims=False):
    d[x] += unreduce(d[y], x, axis, keepdims) * extremum_share(x, y, axis, keepdims)
    t[y] = numpy.sum(t[x] * extremum_share(x, y, axis, keepdims), axis=axis, keepdims=keepdims)


@adjoint(numpy.var, result="reduction")
def var(y, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    d[x] += moments_adjoint(d[y], x, axis, ddof, keepdims)
    t[y] = numpy.sum(moments_adjoint(numpy.ones_like(y), x, axis, ddof, keepdims) * t[x], axis=axis, keepdims=keepdims)


@adjoint(numpy.std, result="reduction")
def std(y, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    d[x] += moments_adjoint(d[y] / (2.0 * y), x, axis, ddof, keepdims)
    t[y] = numpy.sum(moments_adjoint(0.5 / y, x, axis, ddof, keepdims) * t[x], axis=axis, keepdims=keepdims)


@adjoint(numpy.linalg.norm, result="unknown")
def norm(y, x, ord=None, axis=None, keepdims=False):
    d[x] += norm_adjoint(d[y], x, y, ord, axis, keepdims)
    t[y] = numpy.sum(norm_adjoint(numpy.ones_like(y), x, y, ord, axis, keepdims) * t[x], axis=axis, keepdims=keepdims)


@adjoint(numpy.cumsum)
def cumsum(y, x, axis=None, dtype=None, out=None):
    d[x] += uncumsum(d[y], x, axis)
    t[y] = numpy.cumsum(t[x], axis=axis)


@adjoint(numpy.diff)
def diff(y, x, n=1, axis=-1):
    d[x] += undiff(d[y], n, axis)
    t[y] = numpy.diff(t[x], n=n, axis=axis)


@adjoint(numpy.gradient)
def gradient(y, f, *varargs, axis=None, edge_order=1):
    d[f] += gradient_adjoint(d[y], f, varargs, axis, edge_order)
    t[y] = gradient_of(t[f], varargs, axis, edge_order)


@adjoint(numpy.trace)
def trace(y, x, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    d[x] += trace_adjoint(d[y], x, offset, axis1, axis2)
    t[y] = numpy.trace(t[x], offset, axis1, axis2)


@adjoint(numpy.cumprod)
def cumprod(y, x, axis=None, dtype=None, out=None):
    d[x] += cumprod_adjoint(d[y], x, axis)
    t[y] = cumprod_tangent(t[x], x, axis)


@adjoint(numpy.average, result="reduction")
def average(y, a, axis=None, weights=None, *, keepdims=False):
    d[(a, weights)] += average_adjoints(d[y], a, weights, axis, keepdims)
    t[y] = numpy.average(t[a], axis, weights, keepdims=keepdims) + average_weights_tangent(
        t[weights], a, weights, axis, keepdims
    )


@adjoint(numpy.ptp, result="reduction")
def ptp(y, a, axis=None, out=None, keepdims=False):
    d[a] += unreduce(d[y], a, axis, keepdims) * range_share(a, axis)
    t[y] = numpy.sum(t[a] * range_share(a, axis), axis=axis, keepdims=keepdims)


# the nan functions: a nan is left out, so it gets no derivative


@adjoint(numpy.nansum, result="reduction")
def nansum(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[a] += numpy.where(numpy.isnan(a), 0.0, unreduce(d[y], a, axis, keepdims))
    t[y] = numpy.sum(numpy.where(numpy.isnan(a), 0.0, t[a]), axis=axis, keepdims=keepdims)


@adjoint(numpy.nanmean, result="reduction")
def nanmean(y, a, axis=None, dtype=None, out=None, keepdims=False):
    d[a] += unreduce(d[y], a, axis, keepdims) * nanmean_share(a, axis)
    t[y] = numpy.sum(t[a] * nanmean_share(a, axis), axis=axis, keepdims=keepdims)


@adjoint(numpy.nanmax, numpy.nanmin, result="reduction")
def nanextremum(y, a, axis=None, out=None, keepdims=False):
    d[a] += unreduce(d[y], a, axis, keepdims) * nan_extremum_share(a, y, axis, keepdims)
    t[y] = numpy.sum(t[a] * nan_extremum_share(a, y, axis, keepdims), axis=axis, keepdims=keepdims)


@adjoint(numpy.nanprod, result="reduction")
def nanprod(y, a, axis=None, dtype=None, out=None, keepdims=False):
    # a nan is a factor 1: each number's partial is the product of the other numbers
    d[a] += numpy.where(numpy.isnan(a), 0.0, prod_adjoint(d[y], numpy.where(numpy.isnan(a), 1.0, a), axis, keepdims))
    t[y] = numpy.sum(
        numpy.where(
            numpy.isnan(a), 0.0, prod_adjoint(numpy.ones_like(y), numpy.where(numpy.isnan(a), 1.0, a), axis, keepdims)
        )
        * numpy.where(numpy.isnan(a), 0.0, t[a]),
        axis=axis,
        keepdims=keepdims,
    )


@adjoint(numpy.nancumsum)
def nancumsum(y, a, axis=None, dtype=None, out=None):
    d[a] += numpy.where(numpy.isnan(a), 0.0, uncumsum(d[y], a, axis))
    t[y] = numpy.cumsum(numpy.where(numpy.isnan(a), 0.0, t[a]), axis=axis)


@adjoint(numpy.nancumprod)
def nancumprod(y, a, axis=None, dtype=None, out=None):
    d[a] += numpy.where(numpy.isnan(a), 0.0, cumprod_adjoint(d[y], numpy.where(numpy.isnan(a), 1.0, a), axis))
    t[y] = cumprod_tangent(numpy.where(numpy.isnan(a), 0.0, t[a]), numpy.where(numpy.isnan(a), 1.0, a), axis)


# var's adjoint of a with each nan filled with its slice's mean (a filled element then gets none), times
# var's divisor over nanvar's


@adjoint(numpy.nanvar, result="reduction")
def nanvar(y, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    d[a] += moments_adjoint(
        d[y] * nan_divisor_ratio(a, axis, ddof, keepdims), nan_filled(a, axis), axis, ddof, keepdims
    )
    t[y] = numpy.sum(
        moments_adjoint(nan_divisor_ratio(a, axis, ddof, keepdims), nan_filled(a, axis), axis, ddof, keepdims)
        * numpy.where(numpy.isnan(a), 0.0, t[a]),
        axis=axis,
        keepdims=keepdims,
    )


@adjoint(numpy.nanstd, result="reduction")
def nanstd(y, a, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    d[a] += moments_adjoint(
        d[y] / (2.0 * y) * nan_divisor_ratio(a, axis, ddof, keepdims), nan_filled(a, axis), axis, ddof, keepdims
    )
    t[y] = numpy.sum(
        moments_adjoint(0.5 / y * nan_divisor_ratio(a, axis, ddof, keepdims), nan_filled(a, axis), axis, ddof, keepdims)
        * numpy.where(numpy.isnan(a), 0.0, t[a]),
        axis=axis,
        keepdims=keepdims,
    )


@adjoint(numpy.nanquantile, result="reduction")
def nanquantile(y, a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False):
    d[a] += nanquantile_adjoint(d[y], a, q, axis, keepdims, method, overwrite_input)
    t[y] = nanquantile_tangent(t[a], a, q, axis, keepdims, method, overwrite_input)


@adjoint(numpy.nanpercentile, result="reduction")
def nanpercentile(y, a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False):
    d[a] += nanquantile_adjoint(d[y], a, numpy.true_divide(q, 100.0), axis, keepdims, method, overwrite_input)
    t[y] = nanquantile_tangent(t[a], a, numpy.true_divide(q, 100.0), axis, keepdims, method, overwrite_input)


@adjoint(numpy.nanmedian, result="reduction")
def nanmedian(y, a, axis=None, out=None, overwrite_input=False, keepdims=False):
    d[a] += nanquantile_adjoint(d[y], a, 0.5, axis, keepdims, "linear", overwrite_input)
    t[y] = nanquantile_tangent(t[a], a, 0.5, axis, keepdims, "linear", overwrite_input)


# ----- order statistics: the derivative follows the element that sorting puts at each position -----


@adjoint(numpy.sort)
def sort(y, a, axis=-1, kind=None, order=None):
    # a tie gives its position's whole derivative to the one element argsort puts there (autograd and JAX too)
    d[a] += unindex(d[y], a, along_axis_index(a, numpy.argsort(a, axis, kind="stable"), axis))
    t[y] = numpy.take_along_axis(t[a], numpy.argsort(a, axis, kind="stable"), axis)


@adjoint(numpy.partition)
def partition(y, a, kth, axis=-1, kind="introselect", order=None):
    # y permutes a; which element went where is read off the values (NumPy gives no permutation)
    d[a] += unindex(d[y], a, along_axis_index(a, matching_order(a, y, axis), axis))
    t[y] = numpy.take_along_axis(t[a], matching_order(a, y, axis), axis)


@adjoint(numpy.quantile, result="reduction")
def quantile(y, a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False):
    d[a] += quantile_adjoint(d[y], a, q, axis, keepdims, method, overwrite_input)
    t[y] = quantile_tangent(t[a], a, q, axis, keepdims, method, overwrite_input)


@adjoint(numpy.percentile, result="reduction")
def percentile(y, a, q, axis=None, out=None, overwrite_input=False, method="linear", keepdims=False):
    d[a] += quantile_adjoint(d[y], a, numpy.true_divide(q, 100.0), axis, keepdims, method, overwrite_input)
    t[y] = quantile_tangent(t[a], a, numpy.true_divide(q, 100.0), axis, keepdims, method, overwrite_input)


@adjoint(numpy.median, result="reduction")
def median(y, a, axis=None, out=None, overwrite_input=False, keepdims=False):
    # the mean of the middle elements: quantile 0.5, linear
    d[a] += quantile_adjoint(d[y], a, 0.5, axis, keepdims, "linear", overwrite_input)
    t[y] = quantile_tangent(t[a], a, 0.5, axis, keepdims, "linear", overwrite_input)


# ----- products -----


@adjoint(numpy.dot)
def dot(z, x, y):
    d[x] += dot_lhs(d[z], x, y)
    d[y] += dot_rhs(d[z], x, y)
    t[z] = numpy.dot(t[x], y) + numpy.dot(x, t[y])


@adjoint(numpy.inner)
def inner(z, x, y):
    d[(x, y)] += inner_adjoints(d[z], x, y)
    t[z] = numpy.inner(t[x], y) + numpy.inner(x, t[y])


@adjoint(numpy.outer)
def outer(z, x, y):
    d[x] += numpy.reshape(numpy.dot(d[z], numpy.ravel(y)), numpy.shape(x))
    d[y] += numpy.reshape(numpy.dot(numpy.ravel(x), d[z]), numpy.shape(y))
    t[z] = numpy.outer(t[x], y) + numpy.outer(x, t[y])


@adjoint(numpy.tensordot)
def tensordot(z, x, y, axes=2):
    d[(x, y)] += tensordot_adjoints(d[z], x, y, axes)
    t[z] = numpy.tensordot(t[x], y, axes) + numpy.tensordot(x, t[y], axes)


@adjoint(numpy.einsum)
def einsum(y, subscripts, *operands):
    d[operands] += einsum_adjoints(subscripts, d[y], operands)
    t[y] = einsum_tangent(subscripts, operands, t[operands])


@adjoint(numpy.kron)
def kron(z, a, b):
    d[(a, b)] += kron_adjoints(d[z], a, b)
    t[z] = numpy.kron(t[a], b) + numpy.kron(a, t[b])


@adjoint(numpy.cross)
def cross(c, a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    # g . (a x b) = a . (b x g) = b . (g x a); each adjoint's vectors lie along its operand's axis
    d[a] += unbroadcast(numpy.cross(b, d[c], axisb, axisc, axisa, axis), a)
    d[b] += unbroadcast(numpy.cross(d[c], a, axisc, axisa, axisb, axis), b)
    t[c] = numpy.cross(t[a], b, axisa, axisb, axisc, axis) + numpy.cross(a, t[b], axisa, axisb, axisc, axis)


@adjoint(numpy.vdot)
def vdot(z, a, b):
    d[a] += reshape_like(d[z] * numpy.ravel(b), a)
    d[b] += reshape_like(d[z] * numpy.ravel(a), b)
    t[z] = numpy.vdot(t[a], b) + numpy.vdot(a, t[b])


# ----- linear algebra -----


@adjoint(numpy.linalg.det)
def det(y, a):
    d[a] += (d[y] * y)[..., None, None] * numpy.swapaxes(numpy.linalg.inv(a), -1, -2)
    t[y] = y * numpy.trace(numpy.linalg.solve(a, t[a]), axis1=-2, axis2=-1)


@adjoint(numpy.linalg.inv)
def inv(y, a):
    d[a] -= numpy.swapaxes(y, -1, -2) @ d[y] @ numpy.swapaxes(y, -1, -2)
    t[y] = -(y @ t[a] @ y)


@adjoint(numpy.linalg.solve)
def solve(x, a, b):
    d[(a, b)] += solve_adjoints(d[x], a, b, x)
    t[x] = numpy.linalg.solve(a, t[b]) - numpy.linalg.solve(a, t[a] @ x)


# ----- shape -----


@adjoint(numpy.reshape)
def reshape(y, x, shape=None, order="C"):
    d[x] += reshape_like(d[y], x, order)
    t[y] = numpy.reshape(t[x], numpy.shape(y), order=order)


@adjoint(numpy.ravel)
def ravel(y, x, order="C"):
    d[x] += reshape_like(d[y], x, order)
    t[y] = numpy.ravel(t[x], order=order)


@adjoint(numpy.squeeze, numpy.expand_dims)
def squeeze(y, x, axis=None):
    d[x] += reshape_like(d[y], x)
    t[y] = numpy.reshape(t[x], numpy.shape(y))


@adjoint(numpy.atleast_1d, numpy.atleast_2d)
def atleast(y, x):
    d[x] += reshape_like(d[y], x)
    t[y] = numpy.reshape(t[x], numpy.shape(y))


@adjoint(numpy.transpose)
def transpose(y, x, axes=None):
    d[x] += untranspose(d[y], axes)
    t[y] = numpy.transpose(t[x], axes=axes)


@adjoint(numpy.swapaxes)
def swapaxes(y, x, axis1, axis2):
    d[x] += numpy.swapaxes(d[y], axis1, axis2)
    t[y] = numpy.swapaxes(t[x], axis1, axis2)


@adjoint(numpy.moveaxis)
def moveaxis(y, x, source, destination):
    d[x] += numpy.moveaxis(d[y], destination, source)
    t[y] = numpy.moveaxis(t[x], source, destination)


@adjoint(numpy.broadcast_to)
def broadcast_to(y, x, shape):
    d[x] += unbroadcast(d[y], x)
    t[y] = numpy.broadcast_to(t[x], shape)


@adjoint(numpy.copy, result="same")
def copy(y, x, *args):
    d[x] += d[y]
    t[y] = numpy.copy(t[x])


@adjoint(numpy.array, numpy.asarray)
def array(y, x, *args):
    d[x] += array_adjoint(d[y], x)
    t[y] = numpy.array(t[x], dtype=float)


@adjoint(numpy.concatenate)
def concatenate(y, arrays, axis=0):
    d[arrays] += split_like(d[y], arrays, axis)
    t[y] = numpy.concatenate(t[arrays], axis=axis)


@adjoint(numpy.stack)
def stack(y, arrays, axis=0):
    d[arrays] += unstack(d[y], arrays, axis)
    t[y] = numpy.stack(t[arrays], axis=axis)


@adjoint(numpy.hstack)
def hstack(y, arrays):
    d[arrays] += unhstack(d[y], arrays)
    t[y] = numpy.hstack(t[arrays])


@adjoint(numpy.vstack)
def vstack(y, arrays):
    d[arrays] += unvstack(d[y], arrays)
    t[y] = numpy.vstack(t[arrays])


@adjoint(column_of)  # numpy.c_[...]'s items (normalize.anf)
def column_of_(y, x):
    d[x] += reshape_like(d[y], x)
    t[y] = column_of(t[x])


@adjoint(numpy.dstack)
def dstack(y, arrays):
    d[arrays] += undstack(d[y], arrays)
    t[y] = numpy.dstack(t[arrays])


@adjoint(numpy.column_stack)
def column_stack(y, arrays):
    d[arrays] += uncolumn_stack(d[y], arrays)
    t[y] = numpy.column_stack(t[arrays])


@adjoint(getattr(numpy, "row_stack", numpy.vstack))  # vstack's deprecated alias (NumPy 2)
def row_stack(y, arrays):
    d[arrays] += unvstack(d[y], arrays)
    t[y] = numpy.vstack(t[arrays])


@adjoint(numpy.append)
def append(y, arr, values, axis=None):
    d[(arr, values)] += split_like(d[y], (arr, values), axis)
    t[y] = numpy.append(t[arr], t[values], axis)


@adjoint(numpy.atleast_3d)
def atleast_3d(y, x):
    d[x] += reshape_like(d[y], x)
    t[y] = numpy.reshape(t[x], numpy.shape(y))


# ----- rearranging -----


@adjoint(numpy.diag)
def diag(y, v, k=0):
    d[v] += undiag(d[y], v, k)
    t[y] = numpy.diag(t[v], k)


@adjoint(numpy.diagonal)
def diagonal(y, a, offset=0, axis1=0, axis2=1):
    d[a] += undiagonal(d[y], a, offset, axis1, axis2)
    t[y] = numpy.diagonal(t[a], offset, axis1, axis2)


@adjoint(numpy.tril)
def tril(y, m, k=0):
    d[m] += sum_to_shape(numpy.tril(d[y], k), m)  # a vector m is broadcast to a square matrix first
    t[y] = numpy.tril(t[m], k)


@adjoint(numpy.triu)
def triu(y, m, k=0):
    d[m] += sum_to_shape(numpy.triu(d[y], k), m)
    t[y] = numpy.triu(t[m], k)


@adjoint(numpy.repeat)
def repeat(y, a, repeats, axis=None):
    d[a] += unrepeat(d[y], a, repeats, axis)
    t[y] = numpy.repeat(t[a], repeats, axis)


@adjoint(numpy.tile)
def tile(y, a, reps):
    d[a] += untile(d[y], a, reps)
    t[y] = numpy.tile(t[a], reps)


@adjoint(numpy.roll)
def roll(y, a, shift, axis=None):
    d[a] += numpy.roll(d[y], numpy.negative(shift), axis)
    t[y] = numpy.roll(t[a], shift, axis)


@adjoint(numpy.rollaxis)
def rollaxis(y, a, axis, start=0):
    d[a] += numpy.moveaxis(d[y], rollaxis_destination(numpy.ndim(a), axis, start), axis)
    t[y] = numpy.rollaxis(t[a], axis, start)


@adjoint(numpy.flip)
def flip(y, m, axis=None):
    d[m] += numpy.flip(d[y], axis)
    t[y] = numpy.flip(t[m], axis)


@adjoint(numpy.fliplr)
def fliplr(y, m):
    d[m] += numpy.fliplr(d[y])
    t[y] = numpy.fliplr(t[m])


@adjoint(numpy.flipud)
def flipud(y, m):
    d[m] += numpy.flipud(d[y])
    t[y] = numpy.flipud(t[m])


@adjoint(numpy.rot90)
def rot90(y, m, k=1, axes=(0, 1)):
    d[m] += numpy.rot90(d[y], -k, axes)
    t[y] = numpy.rot90(t[m], k, axes)


@adjoint(numpy.pad)
def pad(y, array, pad_width, mode="constant", constant_values=0):
    # only 'constant' (unpad raises for the others); constant_values is a constant: a rule error if active
    d[array] += unpad(d[y], array, pad_width, mode)
    t[y] = numpy.pad(t[array], pad_width, mode)


# ----- selecting -----


@adjoint(numpy.take)
def take(y, a, indices, axis=None, out=None, mode="raise"):
    d[a] += unindex(d[y], a, take_index(a, indices, axis, mode))
    t[y] = numpy.take(t[a], indices, axis, mode=mode)


@adjoint(numpy.take_along_axis)
def take_along_axis(y, arr, indices, axis=-1):
    d[arr] += unindex(d[y], arr, along_axis_index(arr, indices, axis))
    t[y] = numpy.take_along_axis(t[arr], indices, axis)


# The pieces of a split are a list; its adjoint is a list with zeros for the pieces not used.
@adjoint(numpy.split)
def split(pieces, ary, indices_or_sections, axis=0):
    d[ary] += numpy.concatenate(d[pieces], axis)
    t[pieces] = numpy.split(t[ary], indices_or_sections, axis)


@adjoint(numpy.array_split)
def array_split(pieces, ary, indices_or_sections, axis=0):
    d[ary] += numpy.concatenate(d[pieces], axis)
    t[pieces] = numpy.array_split(t[ary], indices_or_sections, axis)


@adjoint(numpy.hsplit)
def hsplit(pieces, ary, indices_or_sections):
    d[ary] += numpy.hstack(d[pieces])
    t[pieces] = numpy.hsplit(t[ary], indices_or_sections)


@adjoint(numpy.vsplit)
def vsplit(pieces, ary, indices_or_sections):
    d[ary] += numpy.vstack(d[pieces])
    t[pieces] = numpy.vsplit(t[ary], indices_or_sections)


@adjoint(numpy.dsplit)
def dsplit(pieces, ary, indices_or_sections):
    d[ary] += numpy.dstack(d[pieces])
    t[pieces] = numpy.dsplit(t[ary], indices_or_sections)


@adjoint(numpy.select)
def select(y, condlist, choicelist, default=0):
    d[choicelist] += select_adjoints(d[y], condlist, choicelist)
    d[default] += select_default_adjoint(d[y], condlist, choicelist, default)
    t[y] = numpy.select(condlist, t[choicelist], t[default])


@adjoint(numpy.interp)
def interp(y, x, xp, fp, left=None, right=None, period=None):
    # piecewise linear: at a knot of xp the slope jumps; xp, left and right are constants (rule errors if active)
    d[x] += d[y] * interp_slope(x, xp, fp, period)
    d[fp] += interp_values_adjoint(d[y], x, xp, fp, left, right, period)
    t[y] = t[x] * interp_slope(x, xp, fp, period) + interp_values_tangent(t[fp], x, xp, left, right, period)


# ----- filled arrays: differentiable in the fill value and the ends -----


@adjoint(numpy.full)
def full(y, shape, fill_value, dtype=None, order="C"):
    d[fill_value] += unbroadcast(cast_like(d[y], y, y), fill_value)  # zero for an integer dtype
    t[y] = numpy.full_like(y, t[fill_value])


@adjoint(numpy.full_like)
def full_like(y, a, fill_value, dtype=None, order="K", subok=True, shape=None):
    d[a] += zeros_like(a)  # a gives the shape and dtype only
    d[fill_value] += unbroadcast(cast_like(d[y], y, y), fill_value)


@tangent(numpy.full_like, shape_only=("a",))
def full_like_(y, a, fill_value, dtype=None, order="K", subok=True, shape=None):
    t[y] = numpy.full_like(y, t[fill_value])


@adjoint(numpy.linspace)
def linspace(y, start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0):
    d[(start, stop)] += linspace_adjoints(d[y], start, stop, num, endpoint, retstep, dtype, axis)
    t[y] = numpy.linspace(t[start], t[stop], num, endpoint, retstep, dtype, axis)


SHAPES = nondifferentiable(numpy.shape, result="shape")
SIZES = nondifferentiable(numpy.ndim, numpy.size, result="integer")
SHAPED_LIKE = nondifferentiable(numpy.zeros_like, numpy.ones_like, numpy.empty_like, result="same")
ZERO_DERIVATIVE = nondifferentiable(
    numpy.argmax,
    numpy.argmin,
    numpy.argsort,
    numpy.zeros,
    numpy.ones,
    numpy.empty,
    numpy.eye,
    numpy.identity,
    numpy.arange,
    numpy.count_nonzero,
    numpy.all,
    numpy.any,
    numpy.allclose,
    numpy.array_equal,
)
SUBSCRIPTS = nondifferentiable(einsum_subscripts, result="unknown")  # a string from integer sublists
# casts to integers (numpy.int64(x) of an array is an integer array): nothing flows through them
INTEGER_CASTS = nondifferentiable(
    numpy.int8, numpy.int16, numpy.int32, numpy.int64, numpy.uint8, numpy.uint16, numpy.uint32, numpy.uint64
)
