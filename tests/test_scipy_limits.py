"""Stated limits of the SciPy rules: an error that says so, never a wrong number."""

import numpy
import pytest

import s2sgrad

scipy_linalg = pytest.importorskip("scipy.linalg")

TRIDIAGONAL = numpy.array([[0.0, 1.0, 1.0, 1.0], [4.0, 4.0, 4.0, 4.0], [1.0, 1.0, 1.0, 0.0]])


def solve_tridiagonal_in_place(ab, b):
    """SciPy's tridiagonal path overwrites ``ab`` when allowed to, and the derivatives read it."""
    return numpy.sum(scipy_linalg.solve_banded((1, 1), ab, b, overwrite_ab=True))


def test_solve_banded_allowed_to_overwrite_its_diagonals_raises():
    b = numpy.array([1.0, 2.0, 3.0, 4.0])
    with pytest.raises(NotImplementedError, match="solve_banded with overwrite_ab=False only"):
        s2sgrad.grad(solve_tridiagonal_in_place, wrt=(0, 1))(TRIDIAGONAL.copy(), b)
    with pytest.raises(NotImplementedError, match="solve_banded with overwrite_ab=False only"):
        s2sgrad.jvp(solve_tridiagonal_in_place, (TRIDIAGONAL.copy(), b), (numpy.ones((3, 4)), None))


def weighted_square_root(a):
    return numpy.sum(scipy_linalg.sqrtm(a) * numpy.arange(1.0, 5.0).reshape(2, 2))


def test_sqrtm_of_a_matrix_whose_root_is_complex_raises():
    """A negative eigenvalue makes SciPy's square root complex: its derivative is not given."""
    a = numpy.array([[-2.0, 0.3], [0.1, 1.0]])
    with pytest.raises(NotImplementedError, match="sqrtm where the square root is real"):
        s2sgrad.grad(weighted_square_root)(a)
    with pytest.raises(NotImplementedError, match="sqrtm where the square root is real"):
        s2sgrad.jvp(weighted_square_root, (a,), (numpy.ones((2, 2)),))
