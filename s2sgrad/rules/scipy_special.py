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
from .notation import adjoint, d, nondifferentiable, t


def polygamma_of(n: Any, x: Any) -> Any:
    """``polygamma(n, x)`` in ``x``'s floating dtype (SciPy computes it in float64)."""
    return numpy.asarray(scipy.special.polygamma(n, x), dtype=float_dtype(x))[()]


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
    d[x] += d[y] * polygamma_of(1, x)
    t[y] = t[x] * polygamma_of(1, x)


# polygamma is a Python function over ufuncs (its source ends in SciPy's private zeta): a rule of its own. The
# order n is an integer, not differentiated: an active n is an error at the call.
@adjoint(scipy.special.polygamma, result="elementwise")
def polygamma(y, n, x):
    d[x] += unbroadcast(d[y] * polygamma_of(numpy.add(n, 1), x), x)
    t[y] = t[x] * polygamma_of(numpy.add(n, 1), x)


def multidigamma(a: Any, dim: int) -> Any:
    """``d multigammaln(a, dim) / d a``: the sum of digamma(a - j / 2) over j < dim, in a's floating dtype."""
    return sum(polygamma_of(0, numpy.subtract(a, j / 2.0)) for j in range(dim))


# multigammaln is a Python function of gammaln; its dimension (named d in SciPy) is an integer
@adjoint(scipy.special.multigammaln, result="elementwise")
def multigammaln(y, a, dim):
    d[a] += d[y] * multidigamma(a, dim)
    t[y] = t[a] * multidigamma(a, dim)


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


# ----- gamma and beta functions -----


@adjoint(scipy.special.gamma)
def gamma(y, x):
    d[x] += d[y] * y * scipy.special.digamma(x)
    t[y] = t[x] * y * scipy.special.digamma(x)


@adjoint(scipy.special.rgamma)
def rgamma(y, x):  # 1 / gamma(x)
    d[x] -= d[y] * y * scipy.special.digamma(x)
    t[y] = -t[x] * y * scipy.special.digamma(x)


@adjoint(scipy.special.betaln)
def betaln(z, a, b):
    d[a] += unbroadcast(d[z] * (scipy.special.digamma(a) - scipy.special.digamma(a + b)), a)
    d[b] += unbroadcast(d[z] * (scipy.special.digamma(b) - scipy.special.digamma(a + b)), b)
    t[z] = t[a] * (scipy.special.digamma(a) - scipy.special.digamma(a + b)) + t[b] * (
        scipy.special.digamma(b) - scipy.special.digamma(a + b)
    )


@adjoint(scipy.special.beta)
def beta(z, a, b):
    d[a] += unbroadcast(d[z] * z * (scipy.special.digamma(a) - scipy.special.digamma(a + b)), a)
    d[b] += unbroadcast(d[z] * z * (scipy.special.digamma(b) - scipy.special.digamma(a + b)), b)
    t[z] = z * (
        t[a] * (scipy.special.digamma(a) - scipy.special.digamma(a + b))
        + t[b] * (scipy.special.digamma(b) - scipy.special.digamma(a + b))
    )


# The regularized incomplete gamma and beta functions, in their last argument (the shape
# parameters' derivatives have no closed form: differentiating them is an error at the call).
@adjoint(scipy.special.gammainc)
def gammainc(y, a, x):
    d[x] += unbroadcast(d[y] * numpy.exp((a - 1.0) * numpy.log(x) - x - scipy.special.gammaln(a)), x)
    t[y] = t[x] * numpy.exp((a - 1.0) * numpy.log(x) - x - scipy.special.gammaln(a))


@adjoint(scipy.special.gammaincc)
def gammaincc(y, a, x):
    d[x] -= unbroadcast(d[y] * numpy.exp((a - 1.0) * numpy.log(x) - x - scipy.special.gammaln(a)), x)
    t[y] = -t[x] * numpy.exp((a - 1.0) * numpy.log(x) - x - scipy.special.gammaln(a))


@adjoint(scipy.special.betainc)
def betainc(y, a, b, x):
    d[x] += unbroadcast(
        d[y] * numpy.exp((a - 1.0) * numpy.log(x) + (b - 1.0) * numpy.log1p(-x) - scipy.special.betaln(a, b)), x
    )
    t[y] = t[x] * numpy.exp((a - 1.0) * numpy.log(x) + (b - 1.0) * numpy.log1p(-x) - scipy.special.betaln(a, b))


# ----- inverse error functions -----


@adjoint(scipy.special.erfinv)
def erfinv(y, x):
    d[x] += d[y] * (math.sqrt(math.pi) / 2.0) * numpy.exp(y * y)
    t[y] = t[x] * (math.sqrt(math.pi) / 2.0) * numpy.exp(y * y)


@adjoint(scipy.special.erfcinv)
def erfcinv(y, x):
    d[x] -= d[y] * (math.sqrt(math.pi) / 2.0) * numpy.exp(y * y)
    t[y] = -t[x] * (math.sqrt(math.pi) / 2.0) * numpy.exp(y * y)


# ----- Bessel functions, in their argument x (the order is not differentiated) -----


@adjoint(scipy.special.j0)
def j0(y, x):
    d[x] -= d[y] * scipy.special.j1(x)
    t[y] = -t[x] * scipy.special.j1(x)


@adjoint(scipy.special.y0)
def y0(y, x):
    d[x] -= d[y] * scipy.special.y1(x)
    t[y] = -t[x] * scipy.special.y1(x)


@adjoint(scipy.special.i0)
def i0(y, x):
    d[x] += d[y] * scipy.special.i1(x)
    t[y] = t[x] * scipy.special.i1(x)


@adjoint(scipy.special.j1)
def j1(y, x):  # J1' = (J0 - J2) / 2
    d[x] += d[y] * (scipy.special.j0(x) - scipy.special.jv(2, x)) / 2.0
    t[y] = t[x] * (scipy.special.j0(x) - scipy.special.jv(2, x)) / 2.0


@adjoint(scipy.special.y1)
def y1(y, x):
    d[x] += d[y] * (scipy.special.y0(x) - scipy.special.yv(2.0, x)) / 2.0
    t[y] = t[x] * (scipy.special.y0(x) - scipy.special.yv(2.0, x)) / 2.0


@adjoint(scipy.special.i1)
def i1(y, x):
    d[x] += d[y] * (scipy.special.i0(x) + scipy.special.iv(2, x)) / 2.0
    t[y] = t[x] * (scipy.special.i0(x) + scipy.special.iv(2, x)) / 2.0


@adjoint(scipy.special.jv)
def jv(y, v, x):  # J_v' = (J_{v-1} - J_{v+1}) / 2
    d[x] += unbroadcast(d[y] * (scipy.special.jv(v - 1, x) - scipy.special.jv(v + 1, x)) / 2.0, x)
    t[y] = t[x] * (scipy.special.jv(v - 1, x) - scipy.special.jv(v + 1, x)) / 2.0


@adjoint(scipy.special.yn)
def yn(y, n, x):
    d[x] += unbroadcast(d[y] * (scipy.special.yn(n - 1, x) - scipy.special.yn(n + 1, x)) / 2.0, x)
    t[y] = t[x] * (scipy.special.yn(n - 1, x) - scipy.special.yn(n + 1, x)) / 2.0


@adjoint(scipy.special.iv)
def iv(y, v, x):  # I_v' = (I_{v-1} + I_{v+1}) / 2
    d[x] += unbroadcast(d[y] * (scipy.special.iv(v - 1, x) + scipy.special.iv(v + 1, x)) / 2.0, x)
    t[y] = t[x] * (scipy.special.iv(v - 1, x) + scipy.special.iv(v + 1, x)) / 2.0


@adjoint(scipy.special.ive)
def ive(y, v, x):  # iv(v, x) exp(-|x|)
    d[x] += unbroadcast(
        d[y] * ((scipy.special.ive(v - 1, x) + scipy.special.ive(v + 1, x)) / 2.0 - numpy.sign(x) * y), x
    )
    t[y] = t[x] * ((scipy.special.ive(v - 1, x) + scipy.special.ive(v + 1, x)) / 2.0 - numpy.sign(x) * y)


GAMMA_SIGN = nondifferentiable(scipy.special.gammasgn, result="elementwise")  # +1 or -1: piecewise constant
