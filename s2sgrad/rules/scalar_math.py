"""Rules for the ``math`` module: scalars in, scalars out, no broadcasting."""

import math

from ..runtime import sum_adjoint
from .notation import adjoint, d, nondifferentiable, t

# ----- trigonometric -----


@adjoint(math.sin)
def sin(y, x):
    d[x] += d[y] * math.cos(x)
    t[y] = t[x] * math.cos(x)


@adjoint(math.cos)
def cos(y, x):
    d[x] -= d[y] * math.sin(x)
    t[y] = -t[x] * math.sin(x)


@adjoint(math.tan)
def tan(y, x):
    d[x] += d[y] * (1.0 + y * y)
    t[y] = t[x] * (1.0 + y * y)


@adjoint(math.asin)
def asin(y, x):
    d[x] += d[y] / math.sqrt(1.0 - x * x)
    t[y] = t[x] / math.sqrt(1.0 - x * x)


@adjoint(math.acos)
def acos(y, x):
    d[x] -= d[y] / math.sqrt(1.0 - x * x)
    t[y] = -t[x] / math.sqrt(1.0 - x * x)


@adjoint(math.atan)
def atan(y, x):
    d[x] += d[y] / (1.0 + x * x)
    t[y] = t[x] / (1.0 + x * x)


@adjoint(math.atan2)
def atan2(z, y, x):
    d[y] += d[z] * x / (x * x + y * y)
    d[x] -= d[z] * y / (x * x + y * y)
    t[z] = t[y] * x / (x * x + y * y) - t[x] * y / (x * x + y * y)


@adjoint(math.hypot)
def hypot(z, x, y):
    d[x] += d[z] * x / z
    d[y] += d[z] * y / z
    t[z] = t[x] * x / z + t[y] * y / z


# ----- hyperbolic -----


@adjoint(math.sinh)
def sinh(y, x):
    d[x] += d[y] * math.cosh(x)
    t[y] = t[x] * math.cosh(x)


@adjoint(math.cosh)
def cosh(y, x):
    d[x] += d[y] * math.sinh(x)
    t[y] = t[x] * math.sinh(x)


@adjoint(math.tanh)
def tanh(y, x):
    d[x] += d[y] * (1.0 - y * y)
    t[y] = t[x] * (1.0 - y * y)


# ----- exponential and logarithmic -----


@adjoint(math.exp)
def exp(y, x):
    d[x] += d[y] * y
    t[y] = t[x] * y


@adjoint(math.expm1)
def expm1(y, x):
    d[x] += d[y] * (y + 1.0)
    t[y] = t[x] * (y + 1.0)


@adjoint(math.log)
def log(y, x, base=math.e):
    d[x] += d[y] / (x * math.log(base))
    d[base] -= d[y] * y / (base * math.log(base))
    t[y] = t[x] / (x * math.log(base)) - t[base] * y / (base * math.log(base))


@adjoint(math.log1p)
def log1p(y, x):
    d[x] += d[y] / (1.0 + x)
    t[y] = t[x] / (1.0 + x)


@adjoint(math.log2)
def log2(y, x):
    d[x] += d[y] / (x * math.log(2.0))
    t[y] = t[x] / (x * math.log(2.0))


@adjoint(math.log10)
def log10(y, x):
    d[x] += d[y] / (x * math.log(10.0))
    t[y] = t[x] / (x * math.log(10.0))


@adjoint(math.sqrt)
def sqrt(y, x):
    d[x] += d[y] / (2.0 * y)
    t[y] = t[x] / (2.0 * y)


@adjoint(math.pow)
def pow(z, x, y):
    d[x] += d[z] * (y * math.pow(x, y - 1.0))
    d[y] += d[z] * (z * math.log(x))
    t[z] = t[x] * (y * math.pow(x, y - 1.0)) + t[y] * (z * math.log(x))


# ----- others -----


@adjoint(math.fabs)
def fabs(y, x):
    d[x] += d[y] * math.copysign(1.0, x)
    t[y] = t[x] * math.copysign(1.0, x)


@adjoint(math.copysign)
def copysign(z, x, y):
    d[x] += d[z] * (math.copysign(1.0, x) * math.copysign(1.0, y))
    d[y] += 0.0 * d[z]  # only y's sign counts
    t[z] = t[x] * (math.copysign(1.0, x) * math.copysign(1.0, y)) + t[y] * 0.0


@adjoint(math.fsum, result="scalar")
def fsum(y, seq):
    d[seq] += sum_adjoint(d[y], seq)
    t[y] = math.fsum(t[seq])


@adjoint(math.erf)
def erf(y, x):
    d[x] += d[y] * (2.0 / math.sqrt(math.pi)) * math.exp(-x * x)
    t[y] = t[x] * (2.0 / math.sqrt(math.pi)) * math.exp(-x * x)


@adjoint(math.erfc)
def erfc(y, x):
    d[x] -= d[y] * (2.0 / math.sqrt(math.pi)) * math.exp(-x * x)
    t[y] = -t[x] * (2.0 / math.sqrt(math.pi)) * math.exp(-x * x)


@adjoint(float, result="scalar")
def to_float(y, x):
    d[x] += d[y]
    t[y] = float(t[x])


ZERO_DERIVATIVE = nondifferentiable(
    math.floor, math.ceil, math.trunc, math.isnan, math.isinf, math.isfinite, round, int, len, result="integer"
)
