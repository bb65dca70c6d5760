"""Inputs at the edge of the math: infinite derivatives of NumPy functions, einsum diagonals, matrix norms."""

import numpy
import pytest
from gradcheck import check_grad

import s2sgrad

RNG = numpy.random.default_rng(7)


@pytest.mark.parametrize(
    ("func", "at", "expected"),
    [
        (lambda x: numpy.log(x), 0.0, numpy.inf),
        (lambda x: numpy.log2(x), 0.0, numpy.inf),
        (lambda x: numpy.log10(x), 0.0, numpy.inf),
        (lambda x: numpy.log1p(x), -1.0, numpy.inf),
        (lambda x: numpy.arctanh(x), 1.0, numpy.inf),
        (lambda x: numpy.sqrt(x), 0.0, numpy.inf),
        (lambda x: numpy.power(x, 0.5), 0.0, numpy.inf),
        (lambda x: numpy.divide(1.0, x), 0.0, -numpy.inf),
    ],
    ids=["log", "log2", "log10", "log1p", "arctanh", "sqrt", "power", "divide"],
)
def test_numpy_functions_at_a_python_float_give_ieee_values_not_exceptions(func, at, expected):
    with pytest.warns(RuntimeWarning):  # NumPy warns in the function itself too
        assert s2sgrad.grad(func)(at) == expected


def test_a_power_at_a_python_zero_has_an_infinite_derivative_not_an_exception():
    """``f(0.0) = 0.0 ** 0.5`` is 0.0; its derivative ``0.5 * 0.0 ** -0.5`` is inf, as NumPy gives it,
    for a Python float as for a NumPy one (Python's own ``0.0 ** -0.5`` would raise)."""
    for zero in (0.0, numpy.float64(0.0)):
        with pytest.warns(RuntimeWarning):
            assert s2sgrad.grad(lambda x: x**0.5)(zero) == numpy.inf
    assert s2sgrad.grad(lambda x: x**0.5)(4.0) == 0.25


def test_arctan2_at_the_origin_is_nan_as_in_numpy():
    with pytest.warns(RuntimeWarning):
        gradient = s2sgrad.grad(lambda y, x: numpy.arctan2(y, x), wrt=(0, 1))(0.0, 0.0)
    assert all(numpy.isnan(g) for g in gradient)


def trace(a):
    return numpy.einsum("ii->", a)


def implicit_trace(a):
    return 2.0 * numpy.einsum("ii", a)


def diagonal_squares(a):
    return numpy.sum(numpy.einsum("ii->i", a) ** 2)


def diagonal_product(a, b):
    return numpy.einsum("iij,jk->", a, b)


@pytest.mark.parametrize("func", [trace, implicit_trace, diagonal_squares])
def test_einsum_with_a_repeated_index(func):
    check_grad(func, (RNG.standard_normal((3, 3)),))


def test_einsum_with_a_repeated_index_and_another_operand():
    check_grad(diagonal_product, (RNG.standard_normal((3, 3, 2)), RNG.standard_normal((2, 4))), wrt=(0, 1))


MATRIX_ORDS = [2, -2, "nuc", 1, -1, numpy.inf, -numpy.inf]


@pytest.mark.parametrize("ord", MATRIX_ORDS, ids=str)
def test_matrix_norms(ord):
    def norm(a):
        return numpy.linalg.norm(a, ord=ord)

    check_grad(norm, (RNG.standard_normal((3, 4)),))


@pytest.mark.parametrize("ord", MATRIX_ORDS, ids=str)
def test_matrix_norms_over_two_axes_of_a_stack(ord):
    weights = numpy.arange(1.0, 4.0)[:, None, None]

    def kept(b):
        return numpy.sum(numpy.linalg.norm(b, ord=ord, axis=(2, 0), keepdims=True) * weights)

    def dropped(b):
        return numpy.sum(numpy.linalg.norm(b, ord=ord, axis=(-1, 1)) * numpy.arange(1.0, 3.0))

    stack = RNG.standard_normal((2, 3, 4))
    check_grad(kept, (stack,))
    check_grad(dropped, (stack,))


def spread_and_middle(x):
    return numpy.var(x) + numpy.std(x) + numpy.median(x) + numpy.nanvar(x) + numpy.nanmedian(x)


def spread_of_rows(x):
    return numpy.sum(numpy.var(x, axis=1) + numpy.median(x, axis=1))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # NumPy's own: the mean and variance of nothing are nan
@pytest.mark.parametrize(("func", "shape"), [(spread_and_middle, (0,)), (spread_of_rows, (2, 0))])
def test_statistics_of_an_empty_array_have_an_empty_gradient(func, shape):
    """The value is nan, as NumPy gives it; no element receives a derivative (it crashed dividing by 0)."""
    x = numpy.zeros(shape)
    gradient = s2sgrad.grad(func)(x)
    assert gradient.shape == shape
    assert numpy.isnan(s2sgrad.jvp(func, (x,), (x,))[1])
