"""The gradient checker itself: its differences are as accurate as it claims, and it fails small errors."""

import math

import numpy
import pytest
from gradcheck import check_grad, check_zero_grad, numeric_difference, planted
from rule_specs import SPECS

import s2sgrad

SAMPLE = SPECS[::8]  # compiled already by test_rules: cheap


@pytest.mark.parametrize(
    ("func", "x", "derivative"),
    [
        (math.sin, 0.7, math.cos(0.7)),
        (math.exp, 1.3, math.exp(1.3)),
        (lambda x: 1.0 / x, 0.6, -1.0 / 0.36),
        (lambda x: x**7, 1.4, 7 * 1.4**6),
    ],
    ids=["sin", "exp", "reciprocal", "seventh_power"],
)
def test_differences_are_within_their_error_estimate_and_it_is_small(func, x, derivative):
    difference = numeric_difference(func, [x], 0, 1.0)
    assert abs(difference.value - derivative) <= difference.error
    assert difference.error <= 1e-9 * abs(derivative)


@pytest.mark.parametrize("bug", ["scale", "offset"])
@pytest.mark.parametrize("spec", [pytest.param(s, id=s.id) for s in SAMPLE])
def test_a_planted_gradient_error_fails_the_check(spec, bug, monkeypatch):
    """A gradient scaled by 1 + 1e-6, or offset by 1e-7 of its largest element, fails (the whole suite:
    ``pytest --plant-gradient-bug=scale``)."""
    monkeypatch.setattr(s2sgrad, "value_and_grad", planted(s2sgrad.value_and_grad, bug))
    with pytest.raises(AssertionError):
        check_grad(spec.test, spec.arguments(), wrt=spec.wrt, signed_arguments=True)


def floor_sum(x):
    return numpy.sum(numpy.floor(x) * x)


def test_a_check_at_a_zero_derivative_fails():
    """A point where the gradient is 0 cannot tell a gradient from its negation: the check says so."""
    with pytest.raises(AssertionError, match="too close to 0"):
        check_grad(floor_sum, (numpy.array([0.2, 0.7, 0.4]),))


def test_a_constant_check_fails_next_to_a_jump():
    with pytest.raises(AssertionError, match="not constant"):
        check_zero_grad(lambda x: numpy.sum(numpy.floor(x)), (numpy.array([0.99999, 0.5]),))
