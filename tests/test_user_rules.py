"""Rules users register: templates and plain VJP functions, and their precedence over source."""

import math

import numpy as np
import pytest
from gradcheck import check_grad

import s2sgrad
from s2sgrad import d, register_adjoint


def log1pexp(x):
    """log(1 + exp(x)); its own source would overflow in exp for large x."""
    return np.log(1.0 + np.exp(x))


@register_adjoint(log1pexp, result="elementwise")
def log1pexp_rule(y, x):
    d[x] += d[y] / (1.0 + np.exp(-x))  # the logistic function, stable for large x


def softplus_loss(w):
    return np.sum(log1pexp(w * 3.0))


def clipped_power(x, p):
    """A function whose derivative we supply as plain Python (it has no template)."""
    return abs(x) ** p


def clipped_power_vjp(g, x, p):
    return g * p * abs(x) ** (p - 1.0) * math.copysign(1.0, x), g * abs(x) ** p * math.log(abs(x))


register_adjoint(clipped_power, vjp=clipped_power_vjp, result="scalar")


def uses_clipped_power(x, p):
    return clipped_power(x, p) * 2.0 + x


@pytest.mark.filterwarnings("ignore:overflow encountered in exp")  # the function itself overflows; its rule does not
def test_a_registered_template_wins_over_the_source():
    text = s2sgrad.source(softplus_loss, args=(np.ones(2),))
    assert "grad_log1pexp" not in text and "np.exp(" in text
    w = np.array([0.5, -2.0, 400.0])
    g = s2sgrad.grad(softplus_loss)(w)
    assert np.all(np.isfinite(g)) and np.allclose(g, 3.0 / (1.0 + np.exp(-3.0 * w)))


def test_template_rule_matches_finite_differences():
    check_grad(softplus_loss, (np.array([0.3, -1.2, 2.0]),))


def test_a_plain_vjp_function_is_a_rule():
    check_grad(uses_clipped_power, (-1.7, 2.5), wrt=(0, 1))
    text = s2sgrad.source(uses_clipped_power, wrt=(0, 1), args=(1.5, 2.0))
    assert "clipped_power_vjp(" in text and "grad_clipped_power" not in text


def test_a_vjp_for_one_argument_returns_the_adjoint_itself():
    def cube(x):
        return x * x * x

    register_adjoint(cube, vjp=lambda g, x: g * 3.0 * x * x)
    assert s2sgrad.grad(lambda x: cube(x) + 1.0)(2.0) == 12.0
