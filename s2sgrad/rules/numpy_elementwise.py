"""Rules for NumPy's elementwise functions (ufuncs and friends).

Where a derivative divides by something the function's argument can make 0.0,
the rule divides with ``ieee_divide``: the function used NumPy, which gives
inf or nan there (``numpy.log(0.0)`` is ``-inf``), so its gradient does too,
also for a Python float, where ``/`` would raise ZeroDivisionError. For the same
reason ``numpy.divide`` and ``numpy.power`` have rules of their own, apart from
the operators ``/`` and ``**``, which keep Python's semantics on Python floats.
"""

import numpy

from .. import runtime
from ..runtime import cast_like, greater_share, ieee_divide, item_adjoint, item_of, unbroadcast
from .notation import adjoint, d, nondifferentiable, t

# ----- exponential and logarithmic -----


@adjoint(numpy.exp)
def exp(y, x):
    d[x] += d[y] * y
    t[y] = t[x] * y


@adjoint(numpy.expm1)
def expm1(y, x):
    d[x] += d[y] * (y + 1.0)
    t[y] = t[x] * (y + 1.0)


@adjoint(numpy.exp2)
def exp2(y, x):
    d[x] += d[y] * y * numpy.log(2.0)
    t[y] = t[x] * y * numpy.log(2.0)


@adjoint(numpy.log)
def log(y, x):
    d[x] += ieee_divide(d[y], x)
    t[y] = ieee_divide(t[x], x)


@adjoint(numpy.log1p)
def log1p(y, x):
    d[x] += ieee_divide(d[y], 1.0 + x)
    t[y] = ieee_divide(t[x], 1.0 + x)


@adjoint(numpy.log2)
def log2(y, x):
    d[x] += ieee_divide(d[y], x * numpy.log(2.0))
    t[y] = ieee_divide(t[x], x * numpy.log(2.0))


@adjoint(numpy.log10)
def log10(y, x):
    d[x] += ieee_divide(d[y], x * numpy.log(10.0))
    t[y] = ieee_divide(t[x], x * numpy.log(10.0))


@adjoint(numpy.divide, numpy.true_divide)
def divide(z, x, y):
    d[x] += unbroadcast(ieee_divide(d[z], y), x)
    d[y] -= unbroadcast(ieee_divide(d[z] * z, y), y)
    t[z] = ieee_divide(t[x], y) - ieee_divide(t[y] * z, y)


@adjoint(numpy.power)
def power(z, x, y):
    # numpy.power(0.0, -0.5) is inf, not an error. At x = 0 the limits hold where the function is constant:
    # x ** 0 is 1 for every x (d/dx 0, not 0 * inf), 0 ** y is 0 for every y > 0 (d/dy 0, not 0 * log 0)
    d[x] += unbroadcast(d[z] * numpy.where(y == 0, 0.0, y * numpy.power(x, y - 1)), x)
    d[y] += unbroadcast(d[z] * numpy.where(x == 0, 0.0, z * numpy.log(x)), y)
    t[z] = t[x] * numpy.where(y == 0, 0.0, y * numpy.power(x, y - 1)) + t[y] * numpy.where(
        x == 0, 0.0, z * numpy.log(x)
    )


@adjoint(numpy.sqrt)
def sqrt(y, x):
    d[x] += d[y] / (2.0 * y)
    t[y] = t[x] / (2.0 * y)


@adjoint(numpy.cbrt)
def cbrt(y, x):
    d[x] += d[y] / (3.0 * y * y)
    t[y] = t[x] / (3.0 * y * y)


@adjoint(numpy.square)
def square(y, x):
    d[x] += d[y] * (2.0 * x)
    t[y] = t[x] * (2.0 * x)


@adjoint(numpy.reciprocal)
def reciprocal(y, x):
    d[x] -= d[y] * y * y
    t[y] = -t[x] * y * y


@adjoint(numpy.logaddexp)
def logaddexp(z, x, y):
    d[x] += unbroadcast(d[z] * numpy.exp(x - z), x)
    d[y] += unbroadcast(d[z] * numpy.exp(y - z), y)
    t[z] = t[x] * numpy.exp(x - z) + t[y] * numpy.exp(y - z)


@adjoint(numpy.logaddexp2)
def logaddexp2(z, x, y):
    d[x] += unbroadcast(d[z] * numpy.exp2(x - z), x)
    d[y] += unbroadcast(d[z] * numpy.exp2(y - z), y)
    t[z] = t[x] * numpy.exp2(x - z) + t[y] * numpy.exp2(y - z)


@adjoint(numpy.fmod)
def fmod(z, x, y):
    # z = x - n * y with n = x / y rounded toward 0; x - z is n * y up to rounding, so rint recovers n
    d[x] += unbroadcast(d[z], x)
    d[y] -= unbroadcast(d[z] * numpy.rint(numpy.divide(x - z, y)), y)
    t[z] = t[x] - t[y] * numpy.rint(numpy.divide(x - z, y))


# ----- trigonometric -----


@adjoint(numpy.sin)
def sin(y, x):
    d[x] += d[y] * numpy.cos(x)
    t[y] = t[x] * numpy.cos(x)


@adjoint(numpy.cos)
def cos(y, x):
    d[x] -= d[y] * numpy.sin(x)
    t[y] = -t[x] * numpy.sin(x)


@adjoint(numpy.tan)
def tan(y, x):
    d[x] += d[y] * (1.0 + y * y)
    t[y] = t[x] * (1.0 + y * y)


@adjoint(numpy.arcsin)
def arcsin(y, x):
    d[x] += d[y] / numpy.sqrt(1.0 - x * x)
    t[y] = t[x] / numpy.sqrt(1.0 - x * x)


@adjoint(numpy.arccos)
def arccos(y, x):
    d[x] -= d[y] / numpy.sqrt(1.0 - x * x)
    t[y] = -t[x] / numpy.sqrt(1.0 - x * x)


@adjoint(numpy.arctan)
def arctan(y, x):
    d[x] += d[y] / (1.0 + x * x)
    t[y] = t[x] / (1.0 + x * x)


@adjoint(numpy.arctan2)
def arctan2(z, y, x):
    d[y] += unbroadcast(ieee_divide(d[z] * x, x * x + y * y), y)
    d[x] -= unbroadcast(ieee_divide(d[z] * y, x * x + y * y), x)
    t[z] = ieee_divide(t[y] * x, x * x + y * y) - ieee_divide(t[x] * y, x * x + y * y)


@adjoint(numpy.hypot)
def hypot(z, x, y):
    d[x] += unbroadcast(d[z] * x / z, x)
    d[y] += unbroadcast(d[z] * y / z, y)
    t[z] = t[x] * x / z + t[y] * y / z


@adjoint(numpy.sinc)
def sinc(y, x):
    # (cos(pi x) - sinc(x)) / x, which is 0 at x = 0 (sinc is even); the where keeps 0 / 0 out
    slope = (numpy.cos(numpy.pi * x) - y) / numpy.where(x == 0.0, 1.0, x)
    d[x] += d[y] * slope
    t[y] = t[x] * slope


@adjoint(numpy.degrees, numpy.rad2deg)
def degrees(y, x):
    d[x] += d[y] * (180.0 / numpy.pi)
    t[y] = t[x] * (180.0 / numpy.pi)


@adjoint(numpy.radians, numpy.deg2rad)
def radians(y, x):
    d[x] += d[y] * (numpy.pi / 180.0)
    t[y] = t[x] * (numpy.pi / 180.0)


# ----- hyperbolic -----


@adjoint(numpy.sinh)
def sinh(y, x):
    d[x] += d[y] * numpy.cosh(x)
    t[y] = t[x] * numpy.cosh(x)


@adjoint(numpy.cosh)
def cosh(y, x):
    d[x] += d[y] * numpy.sinh(x)
    t[y] = t[x] * numpy.sinh(x)


@adjoint(numpy.tanh)
def tanh(y, x):
    d[x] += d[y] * (1.0 - y * y)
    t[y] = t[x] * (1.0 - y * y)


@adjoint(numpy.arcsinh)
def arcsinh(y, x):
    d[x] += d[y] / numpy.sqrt(x * x + 1.0)
    t[y] = t[x] / numpy.sqrt(x * x + 1.0)


@adjoint(numpy.arccosh)
def arccosh(y, x):
    d[x] += d[y] / numpy.sqrt(x * x - 1.0)
    t[y] = t[x] / numpy.sqrt(x * x - 1.0)


@adjoint(numpy.arctanh)
def arctanh(y, x):
    d[x] += ieee_divide(d[y], 1.0 - x * x)
    t[y] = ieee_divide(t[x], 1.0 - x * x)


# ----- selection -----


@adjoint(numpy.maximum, numpy.fmax, result="elementwise")
def maximum(z, x, y):
    d[x] += unbroadcast(d[z] * greater_share(x, y), x)
    d[y] += unbroadcast(d[z] * greater_share(y, x), y)
    t[z] = t[x] * greater_share(x, y) + t[y] * greater_share(y, x)


@adjoint(numpy.minimum, numpy.fmin, result="elementwise")
def minimum(z, x, y):
    d[x] += unbroadcast(d[z] * greater_share(y, x), x)
    d[y] += unbroadcast(d[z] * greater_share(x, y), y)
    t[z] = t[x] * greater_share(y, x) + t[y] * greater_share(x, y)


@adjoint(numpy.where, result="unknown")
def where(z, condition, x, y):
    d[x] += unbroadcast(numpy.where(condition, d[z], 0.0), x)
    d[y] += unbroadcast(numpy.where(condition, 0.0, d[z]), y)
    t[z] = numpy.where(condition, t[x], t[y])


@adjoint(numpy.clip, result="elementwise")
def clip(y, x, a_min=None, a_max=None):
    d[x] += unbroadcast(d[y] * (y == x), x)
    t[y] = t[x] * (y == x)


@adjoint(numpy.nan_to_num)
def nan_to_num(y, x, copy=True, nan=0.0, posinf=None, neginf=None):
    # the replaced nan and infinities are constants (the replacement values are rule errors if active);
    # copy=False writes into x, but only where x is not finite, where no derivative flows
    d[x] += d[y] * numpy.isfinite(x)
    t[y] = t[x] * numpy.isfinite(x)


@adjoint(numpy.copysign)
def copysign(z, x, y):
    d[x] += unbroadcast(d[z] * (numpy.copysign(1.0, x) * numpy.copysign(1.0, y)), x)
    d[y] += unbroadcast(0.0 * d[z], y)  # only y's sign counts
    t[z] = t[x] * (numpy.copysign(1.0, x) * numpy.copysign(1.0, y)) + t[y] * 0.0


# ----- real arrays as complex ones: s2sgrad differentiates real values only -----


@adjoint(numpy.real, numpy.real_if_close, result="same")
def real(y, val, *tol):
    d[val] += d[y]
    t[y] = numpy.real(t[val])


@adjoint(numpy.conjugate)
def conjugate(y, x):
    d[x] += d[y]
    t[y] = numpy.conjugate(t[x])


# ----- casts -----


# numpy.float32(x) of a float64 x rounds: its derivative is taken to be 1 (the rounding's steps are not a
# derivative anyone wants), in x's dtype
@adjoint(numpy.float64, numpy.float32, result="same")
def float_cast(y, x):
    d[x] += cast_like(d[y], x, y)
    t[y] = cast_like(t[x], y, y)


@adjoint(runtime.astype, result="same")
def astype(y, x, dtype, order="K", casting="unsafe", subok=True, *, copy=True):
    d[x] += cast_like(d[y], x, y)  # zero for a cast to integers
    t[y] = cast_like(t[x], y, y)


@adjoint(runtime.item, result="scalar")
def item(y, x, *args):
    d[x] += item_adjoint(d[y], x, args)
    t[y] = item_of(t[x], args)


IMAGINARY_PART = nondifferentiable(numpy.imag, result="same")  # of a real array: zeros
ANGLE = nondifferentiable(numpy.angle, result="elementwise")  # of a real array: 0 or pi, piecewise constant

ZERO_DERIVATIVE = nondifferentiable(
    numpy.sign,
    numpy.floor,
    numpy.ceil,
    numpy.round,
    numpy.rint,
    numpy.trunc,
    numpy.isnan,
    numpy.isinf,
    numpy.isfinite,
    numpy.greater,
    numpy.greater_equal,
    numpy.less,
    numpy.less_equal,
    numpy.equal,
    numpy.not_equal,
    numpy.heaviside,
    numpy.isclose,
    result="elementwise",
)
