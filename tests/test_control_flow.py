"""Realistic programs with control flow, checked against finite differences.

Organized like ``test_programs.py``: each program is an ordinary function a user
might write, and ``PROGRAMS`` pairs it with arguments and the parameters to
differentiate. A program that is not smooth everywhere (a branch on a
differentiated value, an iteration count that depends on data) is called away
from the points where the branch or the count changes, so central differences
are well conditioned there. Further tests check what loops promise beyond the
gradient: exact zeros from loops that never run, a reverse loop that recomputes
its index instead of saving it, and repeated calls that share no state.
"""

import ast
import math
import re

import numpy
import pytest
from gradcheck import check_arguments_unchanged, check_grad, check_structured_grad, check_zero_grad

import s2sgrad

RNG = numpy.random.default_rng(2718)
W4 = RNG.uniform(0.5, 1.5, 4)
W7 = RNG.uniform(0.5, 1.5, 7)
W32 = RNG.uniform(0.5, 1.5, (3, 2))
W34 = RNG.uniform(0.5, 1.5, (3, 4))

GAUSS_LEGENDRE_3 = (
    (-0.7745966692414834, 0.5555555555555556),
    (0.0, 0.8888888888888888),
    (0.7745966692414834, 0.5555555555555556),
)


def uniform(*shape, low=-1.0, high=1.0):
    return RNG.uniform(low, high, shape)


# ----- branches -----


def piecewise_loss(r):
    if r < -1.0:
        loss = -2.0 * r - 1.0
    elif r < 1.0:
        loss = r * r
    else:
        loss = 2.0 * r - 1.0
    return 3.0 * loss


def tax_owed(income, rate):
    if income > 10.0:
        if income > 50.0:  # noqa: SIM108 - the nested if statement is what is tested
            tax = 12.0 * rate + 0.45 * (income - 50.0)
        else:
            tax = 0.3 * rate * (income - 10.0)
    else:
        tax = 0.0
    return tax


def activation(x, kind):
    if kind == 0:
        y = numpy.tanh(x)
    elif kind == 1:
        y = numpy.log1p(numpy.exp(x))
    else:
        y = x / (1.0 + numpy.exp(-x))
    return numpy.sum(y * W34)


def interval_barrier(t, lo, hi, soft):
    if lo < t < hi and not soft:
        return -math.log(t - lo) - math.log(hi - t)
    if t <= lo or t >= hi:
        return 50.0 * (t - lo) * (t - hi) + 10.0
    return 4.0 * (t - lo) * (hi - t)


def signed_power(x, p, mode):
    magnitude = x if x > 0.0 else -x
    sign = 1.0 if x > 0.0 else -1.0
    exponent = p if mode == 1 else 2.0 * p
    return sign * magnitude**exponent


def branch_locals(x, y):
    a = x * 2.0
    b = y + 1.0
    if x > y:
        t = math.sin(x)
        a = a * t
    else:
        u = math.exp(-y)
        b = b * u + x
    return a * b


def capped_growth(x, cap):
    y = x * x
    if y > cap:
        y = cap + math.log1p(y - cap)
    return y


# ----- for loops over ranges -----


def horner_by_index(x, n):
    s = 0.0
    for i in range(n):
        s = s * x + i
    return s


def chebyshev_clenshaw(coeffs, x):
    b1 = 0.0
    b2 = 0.0
    for k in reversed(range(len(coeffs))):
        b0 = coeffs[k] + 2.0 * x * b1 - b2
        b2 = b1
        b1 = b0
    return b1 - x * b2


def damped_oscillator(stiffness, damping, x0, steps):
    x = x0
    v = 0.0
    dt = 0.05
    for _ in range(steps):
        a = -stiffness * x - damping * v
        x = x + dt * v
        v = v + dt * a
    return x * x + v


def lotka_volterra_rk4(alpha, beta, x0, y0, t_end, steps):
    h = t_end / steps
    x = x0
    y = y0
    for _ in range(steps):
        k1x = alpha * x - beta * x * y
        k1y = beta * x * y - y
        xs = x + 0.5 * h * k1x
        ys = y + 0.5 * h * k1y
        k2x = alpha * xs - beta * xs * ys
        k2y = beta * xs * ys - ys
        xs = x + 0.5 * h * k2x
        ys = y + 0.5 * h * k2y
        k3x = alpha * xs - beta * xs * ys
        k3y = beta * xs * ys - ys
        xs = x + h * k3x
        ys = y + h * k3y
        k4x = alpha * xs - beta * xs * ys
        k4y = beta * xs * ys - ys
        x = x + h / 6.0 * (k1x + 2.0 * k2x + 2.0 * k3x + k4x)
        y = y + h / 6.0 * (k1y + 2.0 * k2y + 2.0 * k3y + k4y)
    return x + 2.0 * y


def geometric_mean(x):
    product = 1.0
    for i in range(x.shape[0]):
        product = product * x[i]
    return product ** (1.0 / x.shape[0])


def survival_between(hazard, start, stop):
    alive = 1.0
    for t in range(start, stop):
        alive = alive * (1.0 - hazard[t])
    return alive


def every_other_from_the_end(x):
    total = 0.0
    weight = 1.0
    for i in range(len(x) - 1, -1, -2):
        total = total + weight * numpy.sin(x[i])
        weight = weight * 0.5
    return total


def advantage_loss(rewards, values, gamma, lam):
    advantage = 0.0
    total = 0.0
    for t in range(len(rewards) - 1, -1, -1):
        next_value = values[t + 1] if t + 1 < len(values) else 0.0
        delta = rewards[t] + gamma * next_value - values[t]
        advantage = delta + gamma * lam * advantage
        total = total + advantage * advantage
    return total


def fourier_features(x, n_terms):
    acc = numpy.zeros_like(x)
    for i in range(1, n_terms + 1):
        acc = acc + numpy.sin(x * i) / i
    return numpy.sum(acc * W34)


def rnn_loss(Wh, Wx, b, h0, xs):
    h = h0
    loss = 0.0
    for t in range(xs.shape[0]):
        h = numpy.tanh(Wh @ h + Wx @ xs[t] + b)
        loss = loss + numpy.sum(h * W4) / (t + 1)
    return loss + numpy.sum(h * h)


def layer_stack(x, w, depth):
    for _ in range(depth):
        x = x * w
        x = numpy.tanh(x)
        x = x + 0.1 * x * x
    return numpy.sum(x * W34)


def alternating_squares(x):
    total = 0.0
    for i in range(len(x)):
        if i % 2 == 0:
            total += x[i] ** 2
        else:
            total -= numpy.cos(x[i])
    return total


def dirichlet_energy(u, left, right):
    n = len(u)
    energy = 0.0
    for i in range(n + 1):
        lo = left if i == 0 else u[i - 1]
        hi = right if i == n else u[i]
        energy = energy + (hi - lo) ** 2
    return energy


def unrolled_gradient_descent(lr, w0, X, y, steps):
    w = w0
    for _ in range(steps):
        residual = X @ w - y
        w = w - lr * (X.T @ residual) / X.shape[0]
    return numpy.sum((X @ w - y) ** 2)


def trapezoid_gaussian(a, b, n):
    h = b / n
    total = 0.5 * (1.0 + math.exp(-a * b * b))
    for i in range(1, n):
        t = i * h
        total = total + math.exp(-a * t * t)
    return h * total


# ----- for loops over arrays, sequences, enumerate, zip, reversed -----


def horner(coeffs, x):
    value = 0.0
    for c in reversed(coeffs):
        value = value * x + c
    return value


def fourier_series(coeffs, t):
    signal = numpy.zeros_like(t)
    for k, a in enumerate(coeffs, 1):
        signal = signal + a * numpy.sin(k * t)
    return numpy.sum(signal * W7)


def discounted_return(rewards, gamma):
    total = 0.0
    for t, r in enumerate(rewards):
        total = total + gamma**t * r
    return total


def relative_squared_error(pred, target):
    total = 0.0
    for p, t in zip(pred, target):
        total = total + (p - t) ** 2 / (t * t + 1.0)
    return total


def logistic_loss_by_rows(w, b, X):
    loss = 0.0
    for row in X:
        loss = loss + numpy.log1p(numpy.exp(-(row @ w + b)))
    return loss / X.shape[0]


def row_norm_product(X):
    total = 1.0
    for row in X:
        total = total * numpy.sqrt(numpy.sum(row * row) + 1.0)
    return total


def multiscale_smoothness(x):
    total = 0.0
    for scale in [0.5, 1.0, 2.0]:
        total = total + numpy.sum(numpy.exp(-scale * numpy.diff(x) ** 2))
    return total


def gauss_legendre(a, b, k):
    total = 0.0
    for node, weight in GAUSS_LEGENDRE_3:
        t = 0.5 * (b - a) * node + 0.5 * (a + b)
        total = total + weight * math.exp(-k * t * t)
    return 0.5 * (b - a) * total


def minibatch_loss(w, batches):
    total = 0.0
    for X, y in batches:
        residual = X @ w - y
        total = total + numpy.mean(residual**2)
    return total / len(batches)


def welford_variance(x):
    mean = 0.0
    m2 = 0.0
    n = 0
    for v in x:
        n += 1
        delta = v - mean
        mean = mean + delta / n
        m2 = m2 + delta * (v - mean)
    return m2 / (n - 1)


# ----- branches inside loops: running maxima and minima -----


def streaming_logsumexp(x):
    m = x[0]
    s = 1.0
    for v in x[1:]:
        if v > m:
            s = s * numpy.exp(m - v) + 1.0
            m = v
        else:
            s = s + numpy.exp(v - m)
    return m + numpy.log(s)


def max_drawdown(prices):
    peak = prices[0]
    worst = 0.0
    for price in prices:
        if price > peak:
            peak = price
        drawdown = (peak - price) / peak
        if drawdown > worst:
            worst = drawdown
    return worst


def running_min_weighted(x):
    low = x[0]
    total = 0.0
    for i in range(1, len(x)):
        if x[i] < low:
            low = x[i]
        total = total + low * x[i]
    return total


# ----- nested loops -----


def pairwise_energy(positions):
    n = positions.shape[0]
    energy = 0.0
    for i in range(n):
        for j in range(i + 1, n):
            d = positions[i] - positions[j]
            inv6 = 1.0 / numpy.sum(d * d) ** 3
            energy = energy + 4.0 * (inv6 * inv6 - inv6)
    return energy


def weighted_matmul_loops(A, B):
    total = 0.0
    for i in range(A.shape[0]):
        for j in range(B.shape[1]):
            entry = 0.0
            for k in range(A.shape[1]):
                entry = entry + A[i, k] * B[k, j]
            total = total + W32[i, j] * entry * entry
    return total


def pairwise_ranking_loss(scores, relevance):
    loss = 0.0
    for i in range(len(scores)):
        for j in range(len(scores)):
            if relevance[i] > relevance[j]:
                margin = 1.0 - (scores[i] - scores[j])
                if margin > 0.0:
                    loss = loss + margin * margin
    return loss


# ----- while loops and iterations to a tolerance -----


def newton_sqrt(a):
    x = a
    iterations = 0
    while abs(x * x - a) > 1e-12 * a and iterations < 50:
        x = 0.5 * (x + a / x)
        iterations += 1
    return x


def kepler_anomaly(mean_anomaly, eccentricity):
    anomaly = mean_anomaly
    for _ in range(50):
        residual = anomaly - eccentricity * math.sin(anomaly) - mean_anomaly
        step = residual / (1.0 - eccentricity * math.cos(anomaly))
        anomaly = anomaly - step
        if abs(step) < 1e-12:
            break
    return math.sqrt(1.0 - eccentricity**2) * math.sin(anomaly)


def fixed_point(a, b):
    x = 0.0
    delta = 1.0
    iterations = 0
    while delta > 1e-13 and iterations < 200:
        x_next = a * math.cos(x) + b
        delta = abs(x_next - x)
        x = x_next
        iterations += 1
    return x


def compound_interest(principal, rate, years):
    balance = principal
    year = 0
    while year < years:
        balance = balance * (1.0 + rate)
        year += 1
    return balance


def halve_until_below(x, limit):
    halvings = 0
    while x > limit:
        x = x * 0.5
        halvings += 1
    return x * x + 0.1 * halvings


def descend_until_converged(x0, a):
    x = x0
    converged = False
    iterations = 0
    while not converged:
        step = 0.5 * (math.sinh(x) - a)
        x = x - step
        iterations += 1
        if abs(step) < 1e-12 or iterations >= 100:
            converged = True
    return math.cosh(x) - a * x


def power_iteration(A):
    v = numpy.ones(A.shape[0])
    k = 0
    while k < 30:
        w = A @ v
        v = w / numpy.linalg.norm(w)
        k = k + 1
    return v @ A @ v


def newton_implicit_layer(A, b):
    z = numpy.zeros_like(b)
    for _ in range(20):
        t = numpy.tanh(A @ z)
        residual = z + 0.5 * t - b
        if numpy.max(numpy.abs(residual)) < 1e-12:
            break
        jacobian = numpy.eye(b.shape[0]) + 0.5 * (1.0 - t * t)[:, None] * A
        z = z - numpy.linalg.solve(jacobian, residual)
    return numpy.sum(z * W4)


# ----- break, continue, else clauses, early returns -----


def first_crossing(x, threshold):
    for v in x:
        if v > threshold:
            value = v * v
            break
    else:
        value = 0.5 * threshold
    return value


def bounded_growth(x, rate, limit):
    year = 0
    while year < 10:
        x = x * (1.0 + rate)
        if x > limit:
            x = limit + math.log(x - limit + 1.0)
            break
        year += 1
    else:
        x = 0.5 * x
    return x


def masked_cubes(x, mask):
    total = 0.0
    count = 0
    for i in range(len(x)):
        if not mask[i]:
            continue
        if x[i] < 0.0:
            continue
        total = total + x[i] ** 3
        count += 1
    return total / (count + 1)


def first_passage(x0, drift, barrier):
    x = x0
    for step in range(200):
        x = x + drift * (1.0 + 0.5 * math.sin(x))
        if x > barrier:
            return (x - barrier) + 0.01 * step
    return -x


def interpolate(knots_x, knots_y, t):
    for i in range(len(knots_x) - 1):
        if knots_x[i] <= t < knots_x[i + 1]:
            w = (t - knots_x[i]) / (knots_x[i + 1] - knots_x[i])
            return (1.0 - w) * knots_y[i] + w * knots_y[i + 1]
    return knots_y[-1]


# ----- arguments -----

SPD4 = numpy.diag([4.0, 2.0, 1.0, 0.5]) + 0.1 * numpy.ones((4, 4))
GRID5 = numpy.array([[0.0, 0.0], [1.1, 0.0], [0.0, 1.1], [1.1, 1.1], [2.2, 0.55]]) + uniform(5, 2, low=-0.05, high=0.05)
KNOTS_X = numpy.array([0.0, 0.7, 1.5, 2.1, 3.0])
PRICES = numpy.array([10.0, 10.8, 10.3, 11.5, 9.9, 10.6, 9.2, 10.1])
STREAM = numpy.array([0.3, -0.5, 1.2, 0.8, 2.1, -1.0, 1.7])
SCORES = numpy.array([0.9, 0.25, 0.6, -0.3, 0.45])
RELEVANCE = numpy.array([2, 0, 1, 0, 1])
MASK = numpy.array([True, True, False, True, True, False, True])
SIGNED = numpy.array([0.8, -0.4, 1.3, 0.6, -0.9, 1.1, 0.5])
BATCHES = [(uniform(4, 3), uniform(4)), (uniform(2, 3), uniform(2)), (uniform(5, 3), uniform(5))]
RNN = (0.5 * uniform(4, 4), uniform(4, 3), uniform(4), uniform(4))  # Wh, Wx, b, h0


def case(func, args, wrt=0, label=None):
    """One program at one point: ``label`` tells apart several points of one program."""
    return (func.__name__ if label is None else f"{func.__name__}-{label}", func, args, wrt)


def sum_then_scale(x, n):
    """An else clause with no break in the loop: it always runs."""
    s = 0.0
    for i in range(n):
        s = s + x * i
    else:
        s = s * x
    return s


PROGRAMS = [
    # branches
    case(piecewise_loss, (-2.3,), label="left"),
    case(piecewise_loss, (0.4,), label="middle"),
    case(piecewise_loss, (1.7,), label="right"),
    # tax_owed's exempt branch is constant: test_a_constant_branch_has_an_exact_zero_gradient
    case(tax_owed, (30.0, 0.9), (0, 1), label="lower"),
    case(tax_owed, (70.0, 0.9), (0, 1), label="upper"),
    case(activation, (uniform(3, 4), 0), label="tanh"),
    case(activation, (uniform(3, 4), 1), label="softplus"),
    case(activation, (uniform(3, 4), 2), label="swish"),
    case(interval_barrier, (0.3, 0.0, 1.0, False), (0, 1, 2), label="inside"),
    case(interval_barrier, (1.4, 0.0, 1.0, False), (0, 1, 2), label="outside"),
    case(interval_barrier, (0.3, 0.0, 1.0, True), (0, 1, 2), label="soft"),
    case(signed_power, (1.3, 0.7, 1), (0, 1), label="positive"),
    case(signed_power, (-0.8, 0.7, 2), (0, 1), label="negative"),
    case(branch_locals, (1.2, 0.3), (0, 1), label="then"),
    case(branch_locals, (0.2, 0.9), (0, 1), label="else"),
    case(capped_growth, (0.8, 2.0), (0, 1), label="below"),
    case(capped_growth, (2.5, 2.0), (0, 1), label="capped"),
    # for loops over ranges
    case(horner_by_index, (1.5, 5)),  # zero trips: test_zero_trip_loop_gives_exact_zeros (no sign to check)
    case(chebyshev_clenshaw, (uniform(6), 0.35), (0, 1)),
    case(damped_oscillator, (4.0, 0.3, 1.2, 40), (0, 1, 2)),
    case(damped_oscillator, (4.0, 0.3, 1.2, 0), (0, 1, 2), label="zero_trip"),
    case(lotka_volterra_rk4, (1.1, 0.4, 1.0, 2.0, 2.0, 20), (0, 1, 2, 3, 4)),
    case(geometric_mean, (uniform(6, low=0.5, high=2.0),)),
    case(survival_between, (uniform(8, low=0.05, high=0.3), 2, 7)),
    case(every_other_from_the_end, (uniform(7),)),
    case(advantage_loss, (uniform(6), uniform(6), 0.95, 0.9), (0, 1, 2, 3)),
    case(fourier_features, (uniform(3, 4), 4)),
    case(rnn_loss, (*RNN, uniform(10, 3)), (0, 1, 2, 3, 4)),
    case(rnn_loss, (*RNN, numpy.zeros((0, 3))), (0, 1, 2, 3, 4), label="zero_trip"),
    case(layer_stack, (uniform(3, 4), uniform(4), 3), (0, 1)),
    case(alternating_squares, (uniform(7),)),
    case(dirichlet_energy, (uniform(5), 0.2, -0.4), (0, 1, 2)),
    case(unrolled_gradient_descent, (0.3, uniform(3), uniform(8, 3), uniform(8), 5), (0, 1, 2, 3)),
    case(trapezoid_gaussian, (0.7, 1.8, 12), (0, 1)),
    # for loops over arrays, sequences, enumerate, zip, reversed
    case(horner, (uniform(6), 0.7), (0, 1)),
    case(fourier_series, (uniform(4), uniform(7, low=-3.0, high=3.0)), (0, 1)),
    case(discounted_return, (uniform(8), 0.9), (0, 1)),
    case(relative_squared_error, (uniform(6), uniform(6)), (0, 1)),
    case(logistic_loss_by_rows, (uniform(3), 0.2, uniform(6, 3)), (0, 1)),
    case(row_norm_product, (uniform(4, 3),)),
    case(multiscale_smoothness, (uniform(6),)),
    case(gauss_legendre, (-0.4, 1.3, 0.8), (0, 1, 2)),
    case(minibatch_loss, (uniform(3), BATCHES)),
    case(welford_variance, (uniform(7),)),
    # branches inside loops: running maxima and minima
    case(streaming_logsumexp, (STREAM,)),
    case(max_drawdown, (PRICES,)),
    case(running_min_weighted, (SIGNED,)),
    # nested loops
    case(pairwise_energy, (GRID5,)),
    case(weighted_matmul_loops, (uniform(3, 4), uniform(4, 2)), (0, 1)),
    case(pairwise_ranking_loss, (SCORES, RELEVANCE)),
    # while loops and iterations to a tolerance
    case(newton_sqrt, (2.0,), label="two"),
    case(newton_sqrt, (7.5,), label="seven_and_a_half"),
    case(kepler_anomaly, (1.1, 0.4), (0, 1)),
    case(fixed_point, (0.5, 0.3), (0, 1)),
    case(compound_interest, (100.0, 0.05, 7), (0, 1)),
    case(compound_interest, (100.0, 0.05, 0), (0, 1), label="zero_trip"),
    case(halve_until_below, (5.3, 1.0), (0, 1)),
    case(halve_until_below, (0.3, 1.0), (0, 1), label="zero_trip"),
    case(descend_until_converged, (1.5, 0.8), (0, 1)),
    case(power_iteration, (SPD4,)),
    case(newton_implicit_layer, (0.5 * uniform(4, 4), uniform(4)), (0, 1)),
    # break, continue, else clauses, early returns
    case(first_crossing, (STREAM, 0.1), (0, 1), label="first_iteration"),
    case(first_crossing, (STREAM, 1.5), (0, 1), label="later"),
    case(first_crossing, (STREAM, 2.5), (0, 1), label="else"),
    case(bounded_growth, (1.0, 0.1, 2.0), (0, 1, 2), label="break"),
    case(bounded_growth, (1.0, 0.1, 5.0), (0, 1, 2), label="else"),
    case(sum_then_scale, (0.8, 4)),
    case(masked_cubes, (SIGNED, MASK)),
    case(first_passage, (0.2, 0.15, 2.0), (0, 1, 2), label="crossed"),
    case(first_passage, (0.2, -0.01, 2.0), (0, 1, 2), label="never"),
    case(interpolate, (KNOTS_X, uniform(5), 1.2), (0, 1, 2), label="inside"),
    case(interpolate, (KNOTS_X, uniform(5), 3.4), (0, 1, 2), label="past_the_end"),
]

# program id -> why s2sgrad cannot do it yet (strict: a test that starts passing must leave this list)
KNOWN_BUGS = {}


def _params():
    params = []
    for name, func, args, wrt in PROGRAMS:
        marks = [pytest.mark.xfail(reason=KNOWN_BUGS[name], strict=True)] if name in KNOWN_BUGS else []
        params.append(pytest.param(func, args, wrt, id=name, marks=marks))
    return params


def test_program_ids_are_unique():
    names = [name for name, *_ in PROGRAMS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(("func", "args", "wrt"), _params())
def test_gradient(func, args, wrt):
    check_grad(func, args, wrt=wrt)


@pytest.mark.parametrize(("func", "args", "wrt"), _params())
def test_inputs_are_not_modified(func, args, wrt):
    check_arguments_unchanged(func, args, wrt=wrt)


# ----- what loops promise beyond the gradient -----


@pytest.mark.parametrize(
    ("func", "args", "zero"),
    [
        (horner_by_index, (1.5, 0), 0),
        (fourier_features, (uniform(3, 4), 0), 0),
        (survival_between, (uniform(8, low=0.05, high=0.3), 3, 3), 0),
        (compound_interest, (100.0, 0.05, 0), 1),
        (rnn_loss, (*RNN, numpy.zeros((0, 3))), 1),
    ],
    ids=["float_range_0", "array_range_1_to_1", "array_range_3_to_3", "while_false_at_entry", "rnn_without_steps"],
)
def test_zero_trip_loop_gives_exact_zeros(func, args, zero):
    """An argument used only inside a loop that never runs gets an exact zero of its own type and shape."""
    gradient = s2sgrad.grad(func, wrt=zero)(*args)
    arg = args[zero]
    if isinstance(arg, float):
        assert isinstance(gradient, float)
    else:
        assert type(gradient) is numpy.ndarray
    assert numpy.shape(gradient) == numpy.shape(arg)
    assert not numpy.any(gradient)


def test_a_constant_branch_has_an_exact_zero_gradient():
    check_zero_grad(tax_owed, (5.0, 0.9), wrt=(0, 1))


def test_reverse_loop_recomputes_its_index():
    """``for i in range(n)`` runs backwards as ``reversed(range(...))``: the index is recomputed, never pushed."""
    generated = s2sgrad.source(horner_by_index, args=(1.5, 4))
    assert "reversed(range(" in generated
    assert not re.search(r"\.append\(\s*i(_\d+)?\s*\)", generated)
    index_names = re.compile(r"i(_\d+)?$")
    for node in ast.walk(ast.parse(generated)):
        if isinstance(node, ast.Call):
            callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if "append" in callee or "push" in callee:
                pushed = [a.id for a in node.args if isinstance(a, ast.Name)]
                assert not any(index_names.match(name) for name in pushed), ast.dump(node)


@pytest.mark.parametrize(
    ("func", "wrt", "first", "second"),
    [
        (horner_by_index, (0,), (1.5, 5), (0.7, 3)),
        (first_crossing, (0, 1), (STREAM, 1.5), (STREAM, 0.1)),
        (newton_sqrt, (0,), (2.0,), (7.5,)),
        (rnn_loss, (0, 1, 2, 3, 4), (*RNN, uniform(10, 3)), (*RNN, uniform(4, 3))),
    ],
    ids=["range", "break", "while", "rnn"],
)
def test_repeated_calls_give_the_same_gradient(func, wrt, first, second):
    """A loop's saved values are not left over from one call to the next: the same call, the same gradient."""
    gradient = s2sgrad.grad(func, wrt=wrt)
    once = gradient(*first)
    twice = gradient(*first)
    gradient(*second)
    thrice = gradient(*first)
    for a, b, c in zip(once, twice, thrice):
        assert numpy.array_equal(a, b) and numpy.array_equal(a, c)


def grid_weighted_sum(values, scale):
    """A dict keyed by grid points, its keys unpacked in the loop header."""
    s = 0.0
    for (i, j), v in values.items():
        s = s + (i + 2 * j) * v * v * scale
    return s


def test_a_dict_keyed_by_pairs_unpacked_in_the_loop_header():
    grid = {(0, 1): 0.7, (2, 3): -1.3, (1, 1): 0.4}
    check_structured_grad(grid_weighted_sum, (grid, 1.5))
    check_grad(grid_weighted_sum, (grid, 1.5), wrt=1)
