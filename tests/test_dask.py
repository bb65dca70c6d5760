"""Gradients of array programs on Dask arrays: lazy, of Dask's type, equal to NumPy's.

NumPy's own gradients are checked against finite differences by the rest of the
suite; here the Dask gradient must equal the NumPy one computed from the same
values, and one case is also checked directly against finite differences.
Skipped when Dask is not installed (it is an optional extra: ``pip install s2sgrad[dask]``).
"""

import numpy as np
import pytest
from gradcheck import numeric_difference

import s2sgrad

da = pytest.importorskip("dask.array")

import dask  # noqa: E402

# Dask warns (FutureWarning) when a NumPy function it lacks falls back to computing the array: an error here
pytestmark = pytest.mark.filterwarnings("error::FutureWarning")

RNG = np.random.default_rng(7)
N = 40  # rows, in chunks of CHUNK: every reduction over them combines several chunks
CHUNK = 7


def logistic_loss(w, b, X, y):
    z = X @ w + b
    return np.mean(np.logaddexp(0.0, z) - y * z)


def tanh_layer(W, b, X):
    h = np.tanh(X @ W + b)
    return np.sum(h * h) / X.shape[0]


def cross_entropy(Z, labels):
    top = np.max(Z, axis=1, keepdims=True)
    log_total = np.log(np.sum(np.exp(Z - top), axis=1, keepdims=True)) + top
    return -np.mean(np.sum(labels * (Z - log_total), axis=1))


def column_moments(X):
    centered = X - np.mean(X, axis=0)
    return np.sum(np.mean(centered**2, axis=0) * np.arange(1.0, 4.0)) + np.sum(np.std(X, axis=1))


def sliced(X):
    return np.sum(X[1:, :2] ** 2) + np.sum(X[0] * X[-1]) + np.sum(X[::3, 2])


def broadcast(X, row, column):
    return np.sum((X * row - column) ** 2)


def no_computing(*args, **kwargs):
    raise AssertionError("the gradient computed a Dask array while it was being built: it must stay lazy")


def lazily(gradient, *args):
    """``gradient(*args)`` with every Dask computation forbidden while it runs."""
    with dask.config.set(scheduler=no_computing):
        return gradient(*args)


def picked_rows(X):
    return np.sum(X[np.array([3, 0, -1])] ** 2)  # distinct rows: assigning the adjoint adds it


def neighbours(X):
    total = 0.0
    for i in range(3):
        total = total + np.sum(X[i] * X[i + 1])
    return total


def reshaped(X):
    stacked = np.concatenate([X.T, 2.0 * X.T], axis=1)
    return np.sum(stacked**2) + np.sum(np.reshape(X, (-1,)) * np.arange(3.0 * N)) + np.sum(np.where(X > 0, X, 0.5 * X))


def shared_adjoint(X, Y):
    a = X[1] ** 2  # its adjoint is added into d_X in place, after d_X and d_Y were both d_Z
    Z = X + Y
    return np.sum(Z * Z) + np.sum(a)


def written(X):
    Y = X * 1.0
    Y[0] = 2.0 * X[1]
    return np.sum(Y**2) + np.sum(np.max(X, axis=0) ** 2) + np.sum(np.maximum(X, 0.0))


def assorted(X):
    products = np.sum(np.prod(X[:6], axis=1)) + np.einsum("ij,ij->", X, X) + np.linalg.norm(X)
    shapes = np.sum(np.cumsum(X, axis=0) ** 2) + np.sum(np.pad(X, 1) ** 2) + np.sum(np.stack([X, 2.0 * X]) ** 3)
    return products + shapes + np.sum(np.take(X, np.array([0, 2]), axis=0) ** 2) + np.sum(np.clip(X, -0.5, 0.5))


def casts(X):
    return np.sum(X.astype(np.float32) ** 2) + np.sum(np.ptp(X, axis=0) ** 2)


def recurrent(W, b, X):
    """The reverse sweep keeps shapes for ``W @ h`` and ``W @ h + X[i]`` (runtime.shape_of: a Dask array as it is)."""
    h = np.zeros(3)
    for i in range(4):
        h = np.tanh(W @ h + X[i] + b)
    return np.sum(h * h)


def data(*shape):
    return RNG.standard_normal(shape)


def chunked(value):
    """``value`` as a Dask array in chunks of CHUNK rows (a float stays a float)."""
    if np.ndim(value) == 0:
        return value
    return da.from_array(value, chunks=(CHUNK, *value.shape[1:]))


def one_hot(count, classes):
    return np.eye(classes)[RNG.integers(0, classes, count)]


CASES = [
    (logistic_loss, (data(3), 0.2, data(N, 3), (RNG.random(N) > 0.5).astype(float)), (0, 1, 2)),
    (tanh_layer, (data(3, 4), data(4), data(N, 3)), (0, 1, 2)),
    (cross_entropy, (data(N, 5), one_hot(N, 5)), (0,)),
    (column_moments, (data(N, 3),), (0,)),
    (sliced, (data(N, 3),), (0,)),
    (broadcast, (data(N, 3), data(3), data(N, 1)), (0, 1, 2)),
    (picked_rows, (data(N, 3),), (0,)),
    (neighbours, (data(N, 3),), (0,)),
    (reshaped, (data(N, 3),), (0,)),
    (shared_adjoint, (data(N, 3), data(N, 3)), (0, 1)),
    (written, (data(N, 3),), (0,)),
    (assorted, (data(N, 3),), (0,)),
    (casts, (data(N, 3),), (0,)),
    (recurrent, (0.5 * data(3, 3), data(3), data(N, 3)), (0, 1, 2)),
]


@pytest.mark.parametrize("func, args, wrt", CASES, ids=[c[0].__name__ for c in CASES])
def test_dask_gradients_are_lazy_dask_arrays_equal_to_numpys(func, args, wrt):
    expected = s2sgrad.grad(func, wrt=wrt)(*args)
    lazy = lazily(s2sgrad.grad(func, wrt=wrt), *[chunked(a) for a in args])
    for position, got, want in zip(wrt, lazy, expected):
        assert isinstance(got, da.Array), type(got)  # a float's too (0-d): its value is not known yet
        assert got.shape == np.shape(args[position])
        np.testing.assert_allclose(got.compute(), want, rtol=1e-12, atol=1e-14)


def test_numpy_parameters_over_dask_data_get_a_lazy_gradient_checked_by_finite_differences():
    w, b, X, y = CASES[0][1]
    X_lazy, y_lazy = chunked(X), chunked(y)
    d_w, d_b = lazily(s2sgrad.grad(logistic_loss, wrt=(0, 1)), w, b, X_lazy, y_lazy)
    assert isinstance(d_w, da.Array) and isinstance(d_b, da.Array)  # the data's library, lazily
    d_w, d_b = dask.compute(d_w, d_b)
    for direction in np.eye(3):  # the computed gradient against the differences of the NumPy function
        difference = numeric_difference(logistic_loss, (w, b, X, y), 0, direction)
        assert abs(d_w @ direction - difference.value) <= difference.error
    difference = numeric_difference(logistic_loss, (w, b, X, y), 1, np.float64(1.0))
    assert abs(d_b - difference.value) <= difference.error


def test_an_index_that_repeats_an_element_is_a_clear_error():
    X = chunked(data(N, 3))
    with pytest.raises(NotImplementedError, match="an integer array that repeats an element needs a scatter-add"):
        lazily(s2sgrad.grad(repeated_rows), X)


def repeated_rows(X):
    return np.sum(X[np.array([1, 2, 1])] ** 2)


def masked(X):
    return np.sum(X[X[:, 0] > 0] ** 2)


def test_a_lazy_mask_is_a_clear_error_though_numpy_masks_work():
    X = data(N, 3)
    with pytest.raises(NotImplementedError, match="a lazy array"):
        lazily(s2sgrad.grad(masked), chunked(X))
    mask = X[:, 0] > 0
    expected = s2sgrad.grad(rows_of_mask)(X, mask)
    got = lazily(s2sgrad.grad(rows_of_mask), chunked(X), mask)
    assert isinstance(got, da.Array)
    np.testing.assert_allclose(got.compute(), expected, rtol=1e-12)


def rows_of_mask(X, mask):
    return np.sum(X[mask] ** 2)


def test_a_complex_dask_array_is_refused_as_a_complex_ndarray_is():
    with pytest.raises(TypeError, match="complex"):
        s2sgrad.grad(sliced)(chunked(data(N, 3) + 1j))


def picked_by_an_index_passed_in(X, where):
    return np.sum(X[where] ** 2)


def test_an_index_passed_in_as_a_tuple_of_slices_and_integers_scatters_lazily():
    X = data(N, 3)
    where = (slice(2, 9), 1)  # an argument: the compiler cannot see it is basic, so the adjoint calls unindex
    got = lazily(s2sgrad.grad(picked_by_an_index_passed_in), chunked(X), where)
    assert isinstance(got, da.Array)
    expected = np.zeros_like(X)
    expected[where] = 2.0 * X[where]  # d/dX of sum(X[where]**2), by hand
    np.testing.assert_allclose(got.compute(), expected, rtol=1e-12)


def pairs_times_data(x, D):
    return np.sum(x[np.array([0, 1]), np.array([1, 2])] * D)


def test_numpy_parameters_indexed_by_several_arrays_times_dask_data_is_a_clear_error():
    # Dask cannot index by several arrays, but NumPy can; the adjoint then is a Dask array and cannot be scattered
    with pytest.raises(NotImplementedError, match=r"by several arrays .* needs a scatter-add"):
        lazily(s2sgrad.grad(pairs_times_data), data(3, 4), chunked(data(2)))
