"""Rules for Python's arithmetic operators and their NumPy ufunc twins.

``a + b`` is looked up as ``operator.add``; ``numpy.add(a, b)`` finds the same
rule. Broadcasting operands reduce their adjoint with ``unbroadcast``, which the
transformer leaves out when the argument kinds show that it cannot be needed.
"""

import operator

import numpy

from ..runtime import ieee_power, matmul_lhs, matmul_rhs, sign, unbroadcast
from .notation import adjoint, d, nondifferentiable, t

# ----- binary, broadcasting -----


@adjoint(operator.add, numpy.add)
def add(z, x, y):
    d[x] += unbroadcast(d[z], x)
    d[y] += unbroadcast(d[z], y)
    t[z] = t[x] + t[y]


@adjoint(operator.sub, numpy.subtract)
def sub(z, x, y):
    d[x] += unbroadcast(d[z], x)
    d[y] -= unbroadcast(d[z], y)
    t[z] = t[x] - t[y]


@adjoint(operator.mul, numpy.multiply)
def mul(z, x, y):
    d[x] += unbroadcast(d[z] * y, x)
    d[y] += unbroadcast(x * d[z], y)
    t[z] = t[x] * y + x * t[y]


@adjoint(operator.truediv)
def truediv(z, x, y):  # ``/`` on Python floats is Python's: f itself raises at y == 0.0 (numpy.divide has its own rule)
    d[x] += unbroadcast(d[z] / y, x)
    d[y] -= unbroadcast(d[z] * z / y, y)
    t[z] = t[x] / y - t[y] * z / y


@adjoint(operator.pow)
def pow(z, x, y):
    # x ** (y - 1) by NumPy's rules: at the Python float 0.0, x ** 0.5 has the derivative inf, not a
    # ZeroDivisionError (optimize.fold writes it x ** c again for a constant c >= 0, where it cannot raise)
    d[x] += unbroadcast(d[z] * (y * ieee_power(x, y - 1)), x)
    d[y] += unbroadcast(d[z] * (z * numpy.log(x)), y)
    t[z] = t[x] * (y * ieee_power(x, y - 1)) + t[y] * (z * numpy.log(x))


@adjoint(operator.mod, numpy.mod, numpy.remainder)
def mod(z, x, y):
    d[x] += unbroadcast(d[z], x)
    d[y] -= unbroadcast(d[z] * numpy.floor_divide(x, y), y)
    t[z] = t[x] - t[y] * numpy.floor_divide(x, y)


@adjoint(operator.matmul, numpy.matmul, result="unknown")
def matmul(z, x, y):
    d[x] += matmul_lhs(d[z], x, y)
    d[y] += matmul_rhs(d[z], x, y)
    t[z] = t[x] @ y + x @ t[y]


# ----- unary -----


@adjoint(operator.neg, numpy.negative)
def neg(y, x):
    d[x] -= d[y]
    t[y] = -t[x]


@adjoint(operator.pos, numpy.positive)
def pos(y, x):
    d[x] += d[y]
    t[y] = t[x]


@adjoint(abs, operator.abs, numpy.absolute, numpy.fabs, result="elementwise")
def absolute(y, x):
    d[x] += d[y] * sign(x)
    t[y] = t[x] * sign(x)


ZERO_DERIVATIVE = nondifferentiable(operator.floordiv, numpy.floor_divide, result="elementwise")
