"""Writes into arrays: y[i] = v, y[i] += v, rows and slices, in loops and branches."""

import numpy as np
import pytest
from gradcheck import check_arguments_unchanged, check_grad

import s2sgrad

RNG = np.random.default_rng(3)


def laplacian_energy(u, h):
    """Second differences filled element by element (a finite-difference stencil)."""
    n = len(u)
    lap = np.zeros(n)
    for i in range(1, n - 1):
        lap[i] = (u[i - 1] - 2.0 * u[i] + u[i + 1]) / (h * h)
    return np.sum(lap * lap)


def leaky_integrator(x, decay):
    y = np.empty_like(x)
    y[0] = x[0]
    for i in range(1, len(x)):
        y[i] = decay * y[i - 1] + x[i] * x[i]
    return np.sum(np.sin(y))


def scale_in_place(x, factor):
    """The old element is read by the reverse sweep: it is saved before each write."""
    y = x.copy()
    for i in range(len(y)):
        y[i] = y[i] * factor
        y[i] += np.sin(y[i])
    return np.sum(y * x)


def rows_and_slices(A, w):
    B = np.zeros((A.shape[0], A.shape[1] + 1))
    for i in range(A.shape[0]):
        B[i, :-1] = A[i] * w
        B[i, -1] = np.sum(A[i])
    B[0:2] = B[0:2] * 2.0
    return np.sum(B * B)


def clipped_copy(x, limit):
    y = np.copy(x)
    for i in range(len(y)):
        if y[i] > limit:
            y[i] = limit + 0.1 * (y[i] - limit)
    return np.sum(y**3)


def parameter_written(x):
    x[0] = x[1] * x[2]
    return np.sum(np.exp(x))


def broadcast_write(x, v):
    y = np.zeros(5)
    y[1:4] = v
    y[0] = x[0]
    return np.sum(y * np.arange(5.0)) * x[1]


PROGRAMS = [
    ("laplacian_energy", laplacian_energy, (np.sin(np.linspace(0.0, 3.0, 9)), 0.3), 0),
    ("leaky_integrator", leaky_integrator, (RNG.normal(size=6), 0.7), (0, 1)),
    ("scale_in_place", scale_in_place, (RNG.normal(size=5), 1.3), (0, 1)),
    ("rows_and_slices", rows_and_slices, (RNG.normal(size=(3, 4)), RNG.normal(size=4)), (0, 1)),
    ("clipped_copy", clipped_copy, (np.array([0.2, 1.7, -0.4, 2.5]), 1.0), 0),
    ("broadcast_write", broadcast_write, (RNG.normal(size=3), 0.8), (0, 1)),
]


@pytest.mark.parametrize(("func", "args", "wrt"), [pytest.param(f, a, w, id=n) for n, f, a, w in PROGRAMS])
def test_gradient(func, args, wrt):
    check_grad(func, args, wrt=wrt)


@pytest.mark.parametrize(("func", "args", "wrt"), [pytest.param(f, a, w, id=n) for n, f, a, w in PROGRAMS])
def test_the_gradient_leaves_the_arguments_alone(func, args, wrt):
    check_arguments_unchanged(func, args, wrt=wrt)


def test_a_fill_loop_stores_nothing():
    text = s2sgrad.source(laplacian_energy, args=(np.ones(5), 0.1))
    assert ".append(" not in text and "d_lap[i] = 0.0" in text


def test_an_element_read_by_the_reverse_sweep_is_saved_before_each_write():
    text = s2sgrad.source(scale_in_place, wrt=(0, 1), args=(np.ones(3), 2.0))
    assert "y_stack.append(fresh_copy(y[i]))" in text and "y[i] = y_stack.pop()" in text


def test_writing_a_parameter_writes_a_copy():
    x = np.array([0.5, -1.0, 2.0])
    g = s2sgrad.grad(parameter_written)(x)
    assert np.array_equal(x, [0.5, -1.0, 2.0]), "the gradient changed the caller's array"
    e = np.exp([-2.0, -1.0, 2.0])
    assert np.allclose(g, [0.0, e[0] * 2.0 + e[1], e[0] * -1.0 + e[2]])


def weights_rescaled_in_a_loop(x, c):
    w = np.ones(3)
    s = np.sum(w * x * x)
    for i in range(2):  # not reversed (it changes no differentiated value): w is put back around it as a whole
        w[i] = w[i + 1] * c
        w = w * 2.0  # written into and rebound in one loop: the copy put back rebinds w
    return s + np.sum(w * x * x)


def weights_rescaled_in_a_branch(x, c):
    w = np.ones(3)
    s = np.sum(w * x * x)
    if c > 0:
        w[0] = c
        w = w * 2.0
    return s + np.sum(w * x * x)


@pytest.mark.parametrize("func", [weights_rescaled_in_a_loop, weights_rescaled_in_a_branch])
def test_a_constant_array_written_into_and_rebound_by_a_loop_or_branch_not_reversed(func):
    check_grad(func, (np.array([0.5, -0.3, 0.8]), 1.5))
