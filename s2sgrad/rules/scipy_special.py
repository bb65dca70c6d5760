"""Rules for common ``scipy.special`` functions.

SciPy is an optional extra, never a dependency: this file is imported (and
its rules registered) only once the program has imported ``scipy.special``
itself (see ``rules.default_rules``), so importing s2sgrad never imports SciPy.
"""

import math
from typing import Any

import numpy
import scipy.special

from ..runtime import float_dtype, ieee_divide, unbroadcast, unreduce
from .notation import adjoint, d, t


def trigamma(x: Any) -> Any:
    """``polygamma(1, x)`` in ``x``'s floating dtype (SciPy computes it in float64)."""
    return numpy.asarray(scipy.special.polygamma(1, x), dtype=float_dtype(x))[()]


@adjoint(scipy.special.expit)
def expit(y, x):
    d[x] += d[y] * (y * (1.0 - y))
    t[y] = t[x] * (y * (1.0 - y))


@adjoint(scipy.special.logit)
def logit(y, x):
    d[x] += ieee_divide(d[y], x * (1.0 - x))
    t[y] = ieee_divide(t[x], x * (1.0 - x))


@adjoint(scipy.special.erf)
def erf(y, x):
    d[x] += d[y] * (2.0 / math.sqrt(math.pi)) * numpy.exp(-x * x)
    t[y] = t[x] * (2.0 / math.sqrt(math.pi)) * numpy.exp(-x * x)


@adjoint(scipy.special.erfc)
def erfc(y, x):
    d[x] -= d[y] * (2.0 / math.sqrt(math.pi)) * numpy.exp(-x * x)
    t[y] = -t[x] * (2.0 / math.sqrt(math.pi)) * numpy.exp(-x * x)


@adjoint(scipy.special.gammaln)
def gammaln(y, x):
    d[x] += d[y] * scipy.special.digamma(x)
    t[y] = t[x] * scipy.special.digamma(x)


@adjoint(scipy.special.digamma)
def digamma(y, x):
    d[x] += d[y] * trigamma(x)
    t[y] = t[x] * trigamma(x)


@adjoint(scipy.special.xlogy)
def xlogy(z, x, y):
    d[x] += unbroadcast(d[z] * numpy.log(y), x)
    d[y] += unbroadcast(d[z] * ieee_divide(x, y), y)
    t[z] = t[x] * numpy.log(y) + t[y] * ieee_divide(x, y)


@adjoint(scipy.special.logsumexp, result="reduction")
def logsumexp(y, a, axis=None, b=None, keepdims=False):
    # y = log(sum(b exp(a))): d y / d a = b exp(a - y), d y / d b = exp(a - y); return_sign is not covered
    share = numpy.exp(a - unreduce(y, a, axis, keepdims))
    d[a] += unbroadcast(unreduce(d[y], a, axis, keepdims) * share * (1.0 if b is None else b), a)
    d[b] += unbroadcast(unreduce(d[y], a, axis, keepdims) * share, b)
    t[y] = numpy.sum(t[a] * share * (1.0 if b is None else b), axis=axis, keepdims=keepdims) + numpy.sum(
        t[b] * share, axis=axis, keepdims=keepdims
    )


@adjoint(scipy.special.softmax)
def softmax(y, x, axis=None):
    d[x] += y * (d[y] - numpy.sum(d[y] * y, axis=axis, keepdims=True))
    t[y] = y * (t[x] - numpy.sum(t[x] * y, axis=axis, keepdims=True))


@adjoint(scipy.special.log_softmax)
def log_softmax(y, x, axis=None):
    d[x] += d[y] - numpy.exp(y) * numpy.sum(d[y], axis=axis, keepdims=True)
    t[y] = t[x] - numpy.sum(numpy.exp(y) * t[x], axis=axis, keepdims=True)
