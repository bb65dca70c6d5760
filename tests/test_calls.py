"""Calls to the user's own functions: each callee gets a gradient of its own, checked by finite differences."""

import math
import re
import sys

import layers
import numpy as np
import pytest
from gradcheck import check_arguments_unchanged, check_grad

import s2sgrad

RNG = np.random.default_rng(7)


# ----- helpers in this module -----


def l2(w, strength=0.01):
    return strength * np.sum(w * w)


def polynomial(x, coefficients):
    s = 0.0
    for c in coefficients:
        s = s * x + c
    return s


def power(x, n):
    if n == 0:
        return 1.0
    return x * power(x, n - 1)


def even_chain(x, n):
    if n == 0:
        return x
    return math.sin(odd_chain(x, n - 1))


def odd_chain(x, n):
    if n == 0:
        return x * x
    return math.cos(even_chain(x, n - 1)) * x


def polar(x, y):
    return math.hypot(x, y), math.atan2(y, x)


class Geometry:
    @staticmethod
    def area(a, b):
        return a * b


softplus = lambda z: np.log1p(np.exp(z))  # noqa: E731 - a lambda bound to a name, as users write them


# ----- programs -----


def two_layer_model(W1, b1, W2, b2, x, y):
    h = layers.leaky_relu(layers.dense(W1, b1, x))
    return layers.mse(layers.dense(W2, b2, h), y) + l2(W1) + l2(W2, strength=0.001)


def polynomial_twice(x, c):
    return polynomial(x, c) * polynomial(2.0 * x, c)


def recursive_power(x):
    return power(x, 5) + power(x, 0)


def mutual_recursion(x):
    return even_chain(x, 4)


def polar_radius_times_angle(x, y):
    r, theta = polar(x, y)
    return r * theta


def rectangle(a, b):
    return Geometry.area(a, b) + Geometry.area(b, 1.0)


def softplus_sum(z):
    return np.sum(softplus(z))


def helper_in_a_loop(x, n):
    s = 0.0
    for i in range(n):
        s = s + l2(x * i, strength=0.5)
    return s


def euler_with_helper(k, steps):
    y = 1.0
    for _ in range(steps):
        y = y + 0.01 * decay(y, k)
    return y


def decay(y, k):
    return -k * y * y


def rk2(rhs, y0, h, n):
    """An ODE solver taking the right-hand side as an argument."""
    y = y0
    for _ in range(n):
        k1 = rhs(y)
        k2 = rhs(y + h * k1)
        y = y + 0.5 * h * (k1 + k2)
    return y


def logistic_growth(y):
    return y * (1.0 - y)


cubic_decay = lambda y: -(y**3)  # noqa: E731 - passed to the solver below


def fit_of_the_solution(y0):
    return (rk2(logistic_growth, y0, 0.1, 30) - 0.9) ** 2


def nested_helpers(x, scale):
    """A nested def and a lambda bound to a name, both reading a differentiated variable."""

    def squash(v):
        return np.tanh(v * scale)

    shift = lambda v: v + scale * scale  # noqa: E731

    return np.sum(squash(x) + squash(shift(x)))


def ode_with_a_local_right_hand_side(k, y0):
    rhs = lambda y: -k * y * y  # noqa: E731 - reads k: its gradient reaches k through every call
    y = y0
    for _ in range(20):
        y = y + 0.05 * rhs(y)
    return y


# ----- the split: each call runs the callee's forward function once, its record waits for the reverse sweep -----


def _sine_of_a_view(a):
    v = a[0:2]  # the record holds a view of the caller's array
    return np.sum(np.sin(v))


def caller_writes_after_the_call(x):
    y = x * 2.0
    s = _sine_of_a_view(y)
    y[0] = 5.0  # changes the buffer the record's view shares: the reverse sweep must see the old values
    return s + np.sum(y * y)


def _branchy(x, k):
    if k > 1:
        t = np.exp(x)  # in the record on this path only
        return t * x
    return x * x


def calls_in_a_while_loop_with_break(x):
    s = 0.0
    k = 0
    while True:
        k += 1
        s = s + _branchy(x, k)
        if k >= 3:
            break
    return s


def _scaled_state(x, w):
    for _ in range(3):
        x = np.tanh(w * x)  # a loop with its own stack, inside each record
    return x


def records_nested_in_loops(x, w):
    total = 0.0
    for i in range(2):
        for j in range(2):
            total = total + np.sum(_scaled_state(x, w + 0.1 * j) * (i + 1))
    return total


PROGRAMS = [
    (
        "two_layer_model",
        two_layer_model,
        (
            RNG.normal(size=(4, 3)),
            RNG.normal(size=4),
            RNG.normal(size=(2, 4)),
            RNG.normal(size=2),
            RNG.normal(size=3),
            RNG.normal(size=2),
        ),
        (0, 1, 2, 3),
    ),
    ("polynomial_twice", polynomial_twice, (0.7, np.array([1.0, -2.0, 0.5, 3.0])), (0, 1)),
    ("recursive_power", recursive_power, (1.3,), 0),
    ("mutual_recursion", mutual_recursion, (0.8,), 0),
    ("polar_radius_times_angle", polar_radius_times_angle, (1.2, 0.7), (0, 1)),
    ("rectangle", rectangle, (1.5, 2.5), (0, 1)),
    ("softplus_sum", softplus_sum, (RNG.normal(size=5),), 0),
    ("helper_in_a_loop", helper_in_a_loop, (RNG.normal(size=3), 4), 0),
    ("euler_with_helper", euler_with_helper, (0.8, 50), 0),
    ("solver_with_a_module_function", rk2, (logistic_growth, 0.2, 0.1, 30), 1),
    ("solver_with_a_lambda", rk2, (cubic_decay, 0.7, 0.05, 40), 1),
    ("solver_called_by_a_loss", fit_of_the_solution, (0.3,), 0),
    ("nested_helpers", nested_helpers, (np.array([0.3, -0.5, 1.1]), 0.7), (0, 1)),
    ("ode_with_a_local_right_hand_side", ode_with_a_local_right_hand_side, (0.8, 1.2), (0, 1)),
    ("caller_writes_after_the_call", caller_writes_after_the_call, (np.array([0.3, 0.7, 1.1]),), 0),
    ("calls_in_a_while_loop_with_break", calls_in_a_while_loop_with_break, (0.6,), 0),
    ("records_nested_in_loops", records_nested_in_loops, (RNG.normal(size=3), 0.8), (0, 1)),
]


@pytest.mark.parametrize(("func", "args", "wrt"), [pytest.param(f, a, w, id=n) for n, f, a, w in PROGRAMS])
def test_gradient(func, args, wrt):
    check_grad(func, args, wrt=wrt)


@pytest.mark.parametrize(("func", "args", "wrt"), [pytest.param(f, a, w, id=n) for n, f, a, w in PROGRAMS])
def test_inputs_are_not_modified(func, args, wrt):
    check_arguments_unchanged(func, args, wrt=wrt)


def test_each_callee_is_a_readable_function_of_its_own():
    text = s2sgrad.source(polynomial_twice, wrt=(0, 1), args=(0.7, np.ones(3)))
    assert text.count("def backward_polynomial(") == 1, "one gradient for both calls (same kinds)"
    assert text.count("def forward_polynomial(") == 1
    assert "backward_polynomial(polynomial_record, x, c, d_out=" in text
    assert "def grad_polynomial_twice(" in text


# ----- a record the reverse sweep computes again: no record at all -----


def _pendulum_acceleration(theta, omega, k, damping):
    return -k * math.sin(theta) - damping * omega


def pendulum_with_a_helper(k, damping, theta, omega):
    for _ in range(20):
        accel = _pendulum_acceleration(theta, omega, k, damping)
        theta = theta + 0.05 * omega
        omega = omega + 0.05 * accel
    return theta**2 + omega**2


def _rescaled_sine(x, a):
    x = x * a  # the parameter set again: what backward_h computes from is the argument, not this x
    return math.sin(x) * x


def argument_changed_after_the_call(x):
    y = _rescaled_sine(x, 1.5)
    x = x * 3.0  # the caller's storage hands backward_h the x of the call
    return y * x + _rescaled_sine(x, 0.5)


def _long_scalar_chain(x, y):
    a = x * y
    b = math.sin(a)
    c = b * b + y
    d = math.exp(-c)
    e = d * x
    return e * a


def chain_in_a_loop(x, y):
    s = 0.0
    for i in range(3):
        s = s + _long_scalar_chain(x + 0.1 * i, y)
    return s


def _scaled_norm(v, s):
    return np.sum(np.sin(v) * s)  # an array's record: kept, never recomputed


def array_record(v, s):
    return _scaled_norm(v, s) * s


@pytest.mark.parametrize(
    ("func", "args", "wrt"),
    [
        (pendulum_with_a_helper, (2.0, 0.1, 0.5, 0.0), (0, 1, 2, 3)),
        (argument_changed_after_the_call, (0.7,), 0),
        (chain_in_a_loop, (0.4, 1.1), (0, 1)),
        (array_record, (np.array([0.2, -0.7, 1.3]), 0.6), (0, 1)),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_records_computed_again_or_kept(func, args, wrt):
    check_grad(func, args, wrt=wrt)
    value, _ = s2sgrad.value_and_grad(func, wrt=wrt)(*args)
    assert value == pytest.approx(func(*args))


def test_a_callee_without_record_under_numba():
    pytest.importorskip("numba")
    check_grad(pendulum_with_a_helper, (2.0, 0.1, 0.5, 0.0), wrt=(0, 1, 2, 3), backend="numba")


def test_a_cheap_record_is_computed_again_by_the_reverse_sweep():
    """A few pure operations on numbers of unchanged parameters: backward_h recomputes them, no record is made."""
    text = s2sgrad.source(pendulum_with_a_helper, wrt=(0, 1), args=(2.0, 0.1, 0.5, 0.0))
    assert "record" not in text
    assert "accel = forward__pendulum_acceleration(theta, omega, k, damping)" in text
    assert "def backward__pendulum_acceleration(theta, omega, k, damping, d_out=1.0):" in text
    kept = s2sgrad.source(chain_in_a_loop, wrt=(0, 1), args=(0.4, 1.1))  # five statements: dearer than a record
    assert "backward__long_scalar_chain(_long_scalar_chain_record, " in kept
    assert "_scaled_norm_record" in s2sgrad.source(array_record, wrt=(0, 1), args=(np.ones(3), 0.6))


def test_hessian_through_a_callee_without_record():
    x = 0.7
    second = s2sgrad.grad(s2sgrad.grad(argument_changed_after_the_call))(x)
    step = 1e-5
    first = s2sgrad.grad(argument_changed_after_the_call)
    assert second == pytest.approx((first(x + step) - first(x - step)) / (2 * step), rel=1e-6)


def test_a_recursive_call_keeps_the_record_protocol():
    """A call of a function still being compiled was written against forward_h's (value, record):
    that compilation keeps it, whatever its own record would be."""
    from s2sgrad import pipeline

    seen = []

    def build():
        inner = pipeline._built(power, ("key",), lambda: "stand-in", lambda: "built again")
        seen.append((inner, pipeline._deferred(power)))
        return "built"

    assert pipeline._built(power, ("key",), lambda: "stand-in", build) == "built"
    assert seen == [("stand-in", True)] and not pipeline._deferred(power)


def _scaled_sine():
    def helper(x):
        return np.sin(x) * 2.0

    return helper


def _scaled_cosine():
    def helper(x):
        return np.cos(x) * 3.0

    return helper


SINE, COSINE = _scaled_sine(), _scaled_cosine()


def two_helpers_of_one_name(x):
    return SINE(x) * COSINE(x)


def test_two_callees_of_one_name_are_listed_under_the_names_called():
    x = 0.3
    check_grad(two_helpers_of_one_name, (x,))
    text = s2sgrad.source(two_helpers_of_one_name, args=(x,))
    defined = re.findall(r"^def (\w+)\(", text, re.MULTILINE)
    called = set(re.findall(r"\b((?:forward|backward)_\w+)\(", text)) - set(defined)
    assert len(defined) == len(set(defined)) == 5, defined
    assert not called, f"called but not listed: {called}"


def test_recursion_compiles_once_and_calls_itself():
    text = s2sgrad.source(power, args=(1.5, 3))
    assert text.count("def backward_power(") == 1 and "backward_power(power_record, x, t1, d_out=" in text
    assert text.count("def forward_power(") == 1 and "forward_power(x, t1)" in text


def test_a_global_changed_after_the_first_call_is_seen():
    g = s2sgrad.grad(lambda z: np.sum(layers.leaky_relu(z)))
    z = np.array([-1.0, 2.0])
    first = g(z)
    layers.SLOPE, saved = 0.5, layers.SLOPE
    try:
        assert np.allclose(g(z), [0.5, 1.0]) and np.allclose(first, [0.1, 1.0])
    finally:
        layers.SLOPE = saved


def test_a_function_argument_specializes_the_gradient():
    g = s2sgrad.grad(rk2, wrt=1)
    assert g(logistic_growth, 0.2, 0.1, 1) != g(cubic_decay, 0.2, 0.1, 1)
    assert "backward_logistic_growth(" in s2sgrad.source(rk2, wrt=1, args=(logistic_growth, 0.2, 0.1, 3))


def reduced_by(x, reduction=np.sum):
    return reduction(np.exp(x) * x)


@pytest.mark.parametrize("reduction", [np.sum, np.max, np.mean, sum, max, np.linalg.norm], ids=lambda f: f.__name__)
def test_a_library_function_passed_or_defaulted_specializes_the_gradient(reduction):
    """NumPy's functions (dispatchers, not Python functions in NumPy 2), builtins: called as what they are."""
    x = np.array([0.3, -1.2, 0.8])
    check_grad(reduced_by, (x, reduction), wrt=0)
    if reduction is np.sum:
        check_grad(reduced_by, (x,))  # the default


def test_one_gradient_follows_the_library_function_it_is_given():
    g = s2sgrad.grad(reduced_by)
    x = np.array([0.3, -1.2, 0.8])
    by_sum, by_max = g(x, np.sum), g(x, np.max)
    assert np.count_nonzero(by_max) == 1 and np.count_nonzero(by_sum) == 3
    assert np.allclose(g(x, np.sum), by_sum)  # each kept apart: the first again


def scaled_math(x, f=math.sin):
    return f(x) * x


def test_a_math_function_passed_in():
    check_grad(scaled_math, (0.7,))
    check_grad(scaled_math, (0.7, math.tanh), wrt=0)


def half(c):
    return c * 0.5


def reassigned_by_a_call_of_constants(x):
    s = 0.0
    y = x
    for i in range(3):
        s = s + y * y
        y = half(float(i))  # y is differentiated, but this call's arguments are not: no backward call
    return s + y


def test_a_differentiated_name_reassigned_by_a_call_of_constants():
    check_grad(reassigned_by_a_call_of_constants, (0.7,))
    assert "backward_half" not in s2sgrad.source(reassigned_by_a_call_of_constants, args=(0.7,))


def test_the_standard_library_is_found_by_where_it_lives_before_python_3_10(monkeypatch):
    """Python 3.8 and 3.9 have no sys.stdlib_module_names: a module of the standard library is one
    whose file is in its directory, outside site-packages. Both ways give the same answers."""
    import json  # noqa: F401 (pure-Python modules whose functions a program may call)
    import statistics  # noqa: F401

    from s2sgrad.analyze.calls import is_library

    modules = ["json.decoder", "statistics", "functools", "os", "numpy.linalg", "gast", "pytest", __name__]
    listed = [is_library(m) for m in modules]
    assert listed == [True, True, True, True, True, False, False, False]
    monkeypatch.delattr(sys, "stdlib_module_names", raising=False)
    assert [is_library(m) for m in modules] == listed
