"""Rules for NumPy reductions, linear algebra and shape functions."""

import numpy

from ..runtime import (
    array_adjoint,
    dot_lhs,
    dot_rhs,
    einsum_adjoints,
    einsum_tangent,
    extremum_share,
    inner_adjoints,
    moments_adjoint,
    norm_adjoint,
    prod_adjoint,
    reshape_like,
    solve_adjoints,
    split_like,
    tensordot_adjoints,
    unbroadcast,
    uncumsum,
    undiff,
    unhstack,
    unreduce,
    unstack,
    untrace,
    untranspose,
    unvstack,
)
from .notation import adjoint, d, nondifferentiable, t

# ----- reductions -----


@adjoint(numpy.sum, result="reduction")
def sum(y, x, axis=None, dtype=None, out=None, keepdims=False):
    d[x] += unreduce(d[y], x, axis, keepdims)
    t[y] = numpy.sum(t[x], axis=axis, dtype=dtype, keepdims=keepdims)


@adjoint(numpy.mean, result="reduction")
def mean(y, x, axis=None, dtype=None, out=None, keepdims=False):
    d[x] += unreduce(d[y], x, axis, keepdims) * (numpy.size(y) / numpy.size(x))
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


@adjoint(numpy.trace)
def trace(y, x, offset=0):
    d[x] += untrace(d[y], x, offset)
    t[y] = numpy.trace(t[x], offset=offset)


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
)
