"""Rules for NumPy reductions, linear algebra and shape functions."""

import numpy

from ..runtime import (
    array_adjoint,
    dot_lhs,
    dot_rhs,
    einsum_adjoints,
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
from .notation import adjoint, d, nondifferentiable

# ----- reductions -----


@adjoint(numpy.sum, result="reduction")
def sum(y, x, axis=None, dtype=None, out=None, keepdims=False):
    d[x] += unreduce(d[y], x, axis, keepdims)


@adjoint(numpy.mean, result="reduction")
def mean(y, x, axis=None, dtype=None, out=None, keepdims=False):
    d[x] += unreduce(d[y], x, axis, keepdims) * (numpy.size(y) / numpy.size(x))


@adjoint(numpy.prod, result="reduction")
def prod(y, x, axis=None, dtype=None, out=None, keepdims=False):
    d[x] += prod_adjoint(d[y], x, axis, keepdims)


@adjoint(numpy.max, numpy.amax, numpy.min, numpy.amin, result="reduction")
def extremum(y, x, axis=None, out=None, keepdims=False):
    d[x] += unreduce(d[y], x, axis, keepdims) * extremum_share(x, y, axis, keepdims)


@adjoint(numpy.var, result="reduction")
def var(y, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    d[x] += moments_adjoint(d[y], x, axis, ddof, keepdims)


@adjoint(numpy.std, result="reduction")
def std(y, x, axis=None, dtype=None, out=None, ddof=0, keepdims=False):
    d[x] += moments_adjoint(d[y] / (2.0 * y), x, axis, ddof, keepdims)


@adjoint(numpy.linalg.norm, result="unknown")
def norm(y, x, ord=None, axis=None, keepdims=False):
    d[x] += norm_adjoint(d[y], x, y, ord, axis, keepdims)


@adjoint(numpy.cumsum)
def cumsum(y, x, axis=None, dtype=None, out=None):
    d[x] += uncumsum(d[y], x, axis)


@adjoint(numpy.diff)
def diff(y, x, n=1, axis=-1):
    d[x] += undiff(d[y], n, axis)


@adjoint(numpy.trace)
def trace(y, x, offset=0):
    d[x] += untrace(d[y], x, offset)


# ----- products -----


@adjoint(numpy.dot)
def dot(z, x, y):
    d[x] += dot_lhs(d[z], x, y)
    d[y] += dot_rhs(d[z], x, y)


@adjoint(numpy.inner)
def inner(z, x, y):
    d[(x, y)] += inner_adjoints(d[z], x, y)


@adjoint(numpy.outer)
def outer(z, x, y):
    d[x] += numpy.reshape(numpy.dot(d[z], numpy.ravel(y)), numpy.shape(x))
    d[y] += numpy.reshape(numpy.dot(numpy.ravel(x), d[z]), numpy.shape(y))


@adjoint(numpy.tensordot)
def tensordot(z, x, y, axes=2):
    d[(x, y)] += tensordot_adjoints(d[z], x, y, axes)


@adjoint(numpy.einsum)
def einsum(y, subscripts, *operands):
    d[operands] += einsum_adjoints(subscripts, d[y], operands)


# ----- linear algebra -----


@adjoint(numpy.linalg.det)
def det(y, a):
    d[a] += (d[y] * y)[..., None, None] * numpy.swapaxes(numpy.linalg.inv(a), -1, -2)


@adjoint(numpy.linalg.inv)
def inv(y, a):
    d[a] -= numpy.swapaxes(y, -1, -2) @ d[y] @ numpy.swapaxes(y, -1, -2)


@adjoint(numpy.linalg.solve)
def solve(x, a, b):
    d[(a, b)] += solve_adjoints(d[x], a, b, x)


# ----- shape -----


@adjoint(numpy.reshape)
def reshape(y, x, shape=None, order="C"):
    d[x] += reshape_like(d[y], x, order)


@adjoint(numpy.ravel)
def ravel(y, x, order="C"):
    d[x] += reshape_like(d[y], x, order)


@adjoint(numpy.squeeze, numpy.expand_dims)
def squeeze(y, x, axis=None):
    d[x] += reshape_like(d[y], x)


@adjoint(numpy.atleast_1d, numpy.atleast_2d)
def atleast(y, x):
    d[x] += reshape_like(d[y], x)


@adjoint(numpy.transpose)
def transpose(y, x, axes=None):
    d[x] += untranspose(d[y], axes)


@adjoint(numpy.swapaxes)
def swapaxes(y, x, axis1, axis2):
    d[x] += numpy.swapaxes(d[y], axis1, axis2)


@adjoint(numpy.moveaxis)
def moveaxis(y, x, source, destination):
    d[x] += numpy.moveaxis(d[y], destination, source)


@adjoint(numpy.broadcast_to)
def broadcast_to(y, x, shape):
    d[x] += unbroadcast(d[y], x)


@adjoint(numpy.copy, result="same")
def copy(y, x, *args):
    d[x] += d[y]


@adjoint(numpy.array, numpy.asarray)
def array(y, x, *args):
    d[x] += array_adjoint(d[y], x)


@adjoint(numpy.concatenate)
def concatenate(y, arrays, axis=0):
    d[arrays] += split_like(d[y], arrays, axis)


@adjoint(numpy.stack)
def stack(y, arrays, axis=0):
    d[arrays] += unstack(d[y], arrays, axis)


@adjoint(numpy.hstack)
def hstack(y, arrays):
    d[arrays] += unhstack(d[y], arrays)


@adjoint(numpy.vstack)
def vstack(y, arrays):
    d[arrays] += unvstack(d[y], arrays)


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
