"""Realistic straight-line programs, checked against finite differences.

Each program is an ordinary function a user might write; ``PROGRAMS`` pairs it
with arguments and the parameters to differentiate. Further tests cover how
``grad`` is called (wrt by name, keyword arguments) and what it promises about
its results (their types, and leaving the user's arrays alone).
"""

import math

import numpy
import pytest
from gradcheck import check_arguments_unchanged, check_grad, numeric_directional

import s2sgrad

RNG = numpy.random.default_rng(31)
W2 = RNG.uniform(0.5, 1.5, 2)
W6 = RNG.uniform(0.5, 1.5, 6)
W8 = RNG.uniform(0.5, 1.5, 8)
W24 = RNG.uniform(0.5, 1.5, (2, 4))
W32 = RNG.uniform(0.5, 1.5, (3, 2))
W34 = RNG.uniform(0.5, 1.5, (3, 4))


COVARIANCE = numpy.eye(3) + 0.3 * numpy.ones((3, 3))


def uniform(*shape, low=-1.0, high=1.0):
    return RNG.uniform(low, high, shape)


def one_hot(n, k):
    return numpy.eye(k)[RNG.integers(0, k, n)]


# ----- models and losses -----


def logistic_loss(w, b, X, y):
    margins = y * (X @ w + b)
    return numpy.mean(numpy.log1p(numpy.exp(-margins)))


def mlp_layer(W1, b1, w2, x):
    hidden = numpy.tanh(x @ W1 + b1)
    out = hidden @ w2
    return 0.5 * numpy.sum(out**2)


def softmax_cross_entropy(logits, labels):
    shifted = logits - numpy.max(logits, axis=1, keepdims=True)
    log_probs = shifted - numpy.log(numpy.sum(numpy.exp(shifted), axis=1, keepdims=True))
    return -numpy.mean(numpy.sum(labels * log_probs, axis=1))


def gaussian_log_likelihood(mu, log_sigma, data):
    sigma = math.exp(log_sigma)
    z = (data - mu) / sigma
    n = len(data)
    return -0.5 * numpy.sum(z**2) - n * log_sigma - 0.5 * n * math.log(2.0 * math.pi)


def layer_norm(x, gamma, beta):
    mean = numpy.mean(x, axis=-1, keepdims=True)
    var = numpy.var(x, axis=-1, keepdims=True)
    normed = (x - mean) / numpy.sqrt(var + 1e-5)
    return numpy.sum((normed * gamma + beta) * W34)


def attention(q, k, v):
    scores = q @ k.T / math.sqrt(q.shape[1])
    scores = scores - numpy.max(scores, axis=1, keepdims=True)
    weights = numpy.exp(scores)
    weights = weights / numpy.sum(weights, axis=1, keepdims=True)
    return numpy.sum((weights @ v) * W34)


def leaky_relu(x):
    return numpy.sum(numpy.where(x > 0, x, 0.1 * x) * W34)


def huber_loss(pred, target):
    residual = pred - target
    size = numpy.abs(residual)
    return numpy.mean(numpy.where(size < 1.0, 0.5 * residual**2, size - 0.5))


def gated_recurrent_step(Wh, Wx, b, h, x):
    pre = h @ Wh + x @ Wx + b
    candidate = numpy.tanh(pre)
    gate = 1.0 / (1.0 + numpy.exp(-pre))
    h_new = gate * candidate + (1.0 - gate) * h
    return numpy.sum(h_new**2)


def mixture_log_likelihood(means, log_scales, logits, data):
    z = (data[:, None] - means[None, :]) / numpy.exp(log_scales)
    log_pdf = -0.5 * z**2 - log_scales - 0.5 * math.log(2.0 * math.pi)
    joint = log_pdf + logits - numpy.log(numpy.sum(numpy.exp(logits)))
    top = numpy.max(joint, axis=1, keepdims=True)
    return numpy.sum(top[:, 0] + numpy.log(numpy.sum(numpy.exp(joint - top), axis=1)))


# ----- scalar formulas -----


def projectile_range(speed, angle, height):
    g = 9.81
    vx = speed * math.cos(angle)
    vy = speed * math.sin(angle)
    flight_time = (vy + math.sqrt(vy**2 + 2.0 * g * height)) / g
    return vx * flight_time


def black_scholes_call(spot, strike, rate, vol, maturity):
    sqrt_t = math.sqrt(maturity)
    d1 = (math.log(spot / strike) + (rate + 0.5 * vol**2) * maturity) / (vol * sqrt_t)
    d2 = d1 - vol * sqrt_t
    n1 = 0.5 * (1.0 + math.erf(d1 / math.sqrt(2.0)))
    n2 = 0.5 * (1.0 + math.erf(d2 / math.sqrt(2.0)))
    return spot * n1 - strike * math.exp(-rate * maturity) * n2


def polynomial(x, c0, c1, c2, c3):
    return numpy.sum(c0 + c1 * x + c2 * x * x + c3 * x * x * x)


def rotated(theta, v):
    rotation = numpy.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    return numpy.sum((rotation @ v) * W2)


# ----- assignment forms -----


def reassigned(x):
    x = x * 2.0
    x = x + 1.0
    x = numpy.sin(x) * x
    return numpy.sum(x * W34)


def augmented(x, s):
    h = x * 2.0
    h += s
    h *= x
    total = numpy.sum(h * W34)
    total -= s**2
    total /= 3.0
    total **= 2
    return total


def tuple_unpacking(x):
    a, b = x * 2.0, x + 1.0
    return numpy.sum(a * b * W34)


def unpack_a_named_tuple(x):
    pair = x * 2.0, x + 1.0
    a, b = pair
    return numpy.sum(a * b * W34)


def swapped(x, y):
    a, b = x, y * 3.0
    a, b = b, a
    return numpy.sum(a * W34) + numpy.sum(b**3)


def with_defaults(x, scale=2.0, shift=0.5):
    return numpy.sum(numpy.tanh(scale * x + shift) * W34)


def unused_parameters(x, unused_array, unused_float):
    return numpy.sum(x**2)


def used_only_through_integers(x, y):
    return y * len(x) + y**2 * numpy.shape(x)[1]


# ----- indexing and methods -----


def reversed_and_interior(x):
    last = len(x) - 1
    return numpy.sum(x[::-1] * W6) + numpy.sum(x[1:-1] ** 2) + x[last] * x[0]


def column_and_strided(x):
    return numpy.sum(x[:, 0] ** 2) + numpy.sum(x[::-1, ::2] * W32) + numpy.sum(x[1:, :-1])


def repeated_indices(x):
    picked = x[numpy.array([0, 0, 2])]
    return numpy.sum(picked * numpy.array([1.0, 2.0, 3.0]))


def methods(x, y):
    gram = x.T.dot(y)
    flat = gram.reshape(2, -1)
    return numpy.sum(flat * W24)


def moments(x):
    centered = x - x.mean(axis=0)
    return (centered**2).sum() / x.shape[0] + x.max() - x.min(axis=1).sum() + x.std()


# ----- linear algebra and array building -----


def normalized_projection(x, w):
    unit = x / numpy.linalg.norm(x)
    return numpy.dot(unit, w) + numpy.linalg.norm(x - w, 1)


def ridge_regression(A, b, lam):
    gram = A.T @ A + lam * numpy.eye(A.shape[1])
    coef = numpy.linalg.solve(gram, A.T @ b)
    return numpy.sum((A @ coef - b) ** 2) + lam * numpy.sum(coef**2)


def log_det(A):
    spd = A @ A.T + numpy.eye(3)
    return numpy.log(numpy.linalg.det(spd))


def kalman_covariance_update(P, H, R):
    S = H @ P @ H.T + R
    gain = P @ H.T @ numpy.linalg.inv(S)
    return numpy.trace(P - gain @ H @ P)


def cosine_similarity(x, y):
    return numpy.dot(x, y) / (numpy.linalg.norm(x) * numpy.linalg.norm(y))


def pairwise_inverse_distances(points):
    diff = points[:, None, :] - points[None, :, :]
    squared = numpy.sum(diff**2, axis=-1) + numpy.eye(points.shape[0])
    return numpy.sum(1.0 / numpy.sqrt(squared))


def bilinear(x, M, y):
    return numpy.sum(numpy.einsum("ij,jk->ik", x, M) * y)


def features(x):
    stacked = numpy.stack([x, x**2, numpy.sin(x)])
    joined = numpy.concatenate([x * 2.0, numpy.exp(x)])
    return numpy.sum(stacked * W34) + numpy.sum(joined * W8)


PROGRAMS = [
    (logistic_loss, (uniform(5), 0.3, uniform(8, 5), numpy.sign(uniform(8))), (0, 1, 2)),
    (mlp_layer, (uniform(4, 6), uniform(6), uniform(6), uniform(5, 4)), (0, 1, 2, 3)),
    (softmax_cross_entropy, (3.0 * uniform(5, 3), one_hot(5, 3)), 0),
    (gaussian_log_likelihood, (0.2, -0.3, uniform(10)), (0, 1, 2)),
    (layer_norm, (uniform(3, 4), uniform(4), uniform(4)), (0, 1, 2)),
    (attention, (uniform(3, 4), uniform(5, 4), uniform(5, 4)), (0, 1, 2)),
    (leaky_relu, (uniform(3, 4),), 0),
    (huber_loss, (uniform(8, low=-3.0, high=3.0), uniform(8, low=-3.0, high=3.0)), (0, 1)),
    (gated_recurrent_step, (uniform(4, 4), uniform(3, 4), uniform(4), uniform(2, 4), uniform(2, 3)), (0, 1, 2, 3, 4)),
    (mixture_log_likelihood, (uniform(3), 0.5 * uniform(3), uniform(3), uniform(7, low=-2.0, high=2.0)), (0, 1, 2, 3)),
    (projectile_range, (12.0, 0.7, 3.0), (0, 1, 2)),
    (black_scholes_call, (100.0, 95.0, 0.03, 0.25, 1.5), (0, 1, 2, 3, 4)),
    (polynomial, (uniform(7), 0.5, -1.0, 2.0, 0.3), (0, 1, 2, 3, 4)),
    (rotated, (0.4, uniform(2)), (0, 1)),
    (reassigned, (uniform(3, 4),), 0),
    (augmented, (uniform(3, 4), 0.7), (0, 1)),
    (tuple_unpacking, (uniform(3, 4),), 0),
    (unpack_a_named_tuple, (uniform(3, 4),), 0),
    (swapped, (uniform(3, 4), uniform(3, 4)), (0, 1)),
    (with_defaults, (uniform(3, 4),), 0),
    (with_defaults, (uniform(3, 4), 0.8), (0, 1)),
    (unused_parameters, (uniform(3), uniform(2, 2), 1.5), (0, 1, 2)),
    (used_only_through_integers, (uniform(3, 4), 1.3), (0, 1)),
    (reversed_and_interior, (uniform(6),), 0),
    (column_and_strided, (uniform(3, 4),), 0),
    (repeated_indices, (uniform(4),), 0),
    (methods, (uniform(3, 4), uniform(3, 2)), (0, 1)),
    (moments, (uniform(3, 4),), 0),
    (normalized_projection, (uniform(4), uniform(4)), (0, 1)),
    (ridge_regression, (uniform(6, 3), uniform(6), 0.5), (0, 1, 2)),
    (log_det, (uniform(3, 3),), 0),
    (kalman_covariance_update, (COVARIANCE, uniform(2, 3), numpy.eye(2)), (0, 1, 2)),
    (cosine_similarity, (uniform(4), uniform(4)), (0, 1)),
    (pairwise_inverse_distances, (uniform(4, 2),), 0),
    (bilinear, (uniform(3, 5), uniform(5, 4), uniform(3, 4)), (0, 1, 2)),
    (features, (uniform(4),), 0),
]

# program id -> why s2sgrad cannot do it yet (strict: a test that starts passing must leave this list)
KNOWN_BUGS = {}


def _params():
    params = []
    seen = set()
    for func, args, wrt in PROGRAMS:
        name = func.__name__ if func.__name__ not in seen else f"{func.__name__}-{len(args)}args"
        seen.add(func.__name__)
        marks = [pytest.mark.xfail(reason=KNOWN_BUGS[name], strict=True)] if name in KNOWN_BUGS else []
        params.append(pytest.param(func, args, wrt, id=name, marks=marks))
    return params


@pytest.mark.parametrize(("func", "args", "wrt"), _params())
def test_gradient(func, args, wrt):
    check_grad(func, args, wrt=wrt)


@pytest.mark.parametrize(("func", "args", "wrt"), _params())
def test_inputs_are_not_modified(func, args, wrt):
    check_arguments_unchanged(func, args, wrt=wrt)


def test_gradient_of_a_float_is_a_float():
    gradient = s2sgrad.grad(projectile_range, wrt=(0, 1))(12.0, 0.7, 3.0)
    assert all(isinstance(g, float) for g in gradient)


def test_gradient_of_an_array_is_an_array_of_its_shape():
    x, gamma, beta = uniform(3, 4), uniform(4), uniform(4)
    gradient = s2sgrad.grad(layer_norm, wrt=(0, 1))(x, gamma, beta)
    assert [type(g) for g in gradient] == [numpy.ndarray, numpy.ndarray]
    assert [g.shape for g in gradient] == [(3, 4), (4,)]


@pytest.mark.parametrize(
    ("func", "args", "zero"),
    [
        (unused_parameters, (uniform(3), uniform(2, 2), 1.5), (1, 2)),
        (used_only_through_integers, (uniform(3, 4), 1.3), (0,)),
    ],
)
def test_parameters_without_influence_get_exact_zeros(func, args, zero):
    gradient = s2sgrad.grad(func, wrt=tuple(range(len(args))))(*args)
    for index in zero:
        g, arg = gradient[index], args[index]
        assert isinstance(g, type(arg)) and numpy.shape(g) == numpy.shape(arg) and not numpy.any(g)


def test_gradient_of_a_0d_array_is_a_0d_array():
    gradient = s2sgrad.grad(lambda x: numpy.sum(numpy.sin(x) * 2.0))(numpy.array(0.7))
    assert type(gradient) is numpy.ndarray and gradient.shape == ()


@pytest.mark.parametrize("wrt", ["vol", ("vol", "spot"), ("maturity", 1)])
def test_wrt_by_name(wrt):
    args = (100.0, 95.0, 0.03, 0.25, 1.5)
    names = ("spot", "strike", "rate", "vol", "maturity")
    gradient = s2sgrad.grad(black_scholes_call, wrt=wrt)(*args)
    wanted = wrt if isinstance(wrt, tuple) else (wrt,)
    gradient = gradient if isinstance(wrt, tuple) else (gradient,)
    for which, g in zip(wanted, gradient):
        index = which if isinstance(which, int) else names.index(which)
        assert g == pytest.approx(numeric_directional(black_scholes_call, args, index, 1.0), rel=1e-6)


def test_keyword_arguments():
    x = uniform(3, 4)
    gradient = s2sgrad.grad(with_defaults, wrt="scale")(x, shift=-0.2, scale=1.5)
    expected = numeric_directional(lambda s: with_defaults(x, scale=s, shift=-0.2), [1.5], 0, 1.0)
    assert gradient == pytest.approx(expected, rel=1e-6)


def test_lambda_alone_on_its_line_in_a_longer_call():
    """The layout ``ruff format`` gives a call whose arguments fit on one line of their own."""
    gradient = s2sgrad.grad(
        lambda speed, angle: speed * speed * math.sin(2.0 * angle) / 9.81 + speed * math.cos(angle), wrt=(0, 1)
    )(12.0, 0.7)
    assert gradient[1] == pytest.approx(2.0 * 144.0 * math.cos(1.4) / 9.81 - 12.0 * math.sin(0.7))
