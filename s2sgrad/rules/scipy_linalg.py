"""Rules for ``scipy.linalg`` solvers and the matrix square root (real matrices).

Like scipy_special, registered only once the program has imported ``scipy.linalg``.

Both solve a linear equation ``L(x) = q`` in x, L linear and depending on the
other arguments: moving them, ``L(dx) = dq - dL(x)``, so the tangent is one more
solve; the adjoint solves ``L*(lam) = g`` with L's adjoint, and then ``d q = lam``
and each matrix's adjoint is ``-lam`` paired with x the way L pairs them.
The square root x of a is the solution of x x = a, so it is differentiated the
same way: x dx + dx x = da.
"""

from typing import Any, Sequence, Tuple

import numpy
import scipy.linalg

from .notation import adjoint, d, t

# ----- solve_sylvester: a x + x b = q, so L*(lam) = a^T lam + lam b^T, d a = -lam x^T, d b = -x^T lam -----


@adjoint(scipy.linalg.solve_sylvester)
def solve_sylvester(x, a, b, q):
    lam = scipy.linalg.solve_sylvester(a.T, b.T, d[x])
    d[a] -= lam @ x.T
    d[b] -= x.T @ lam
    d[q] += lam
    t[x] = scipy.linalg.solve_sylvester(a, b, t[q] - t[a] @ x - x @ t[b])


# ----- sqrtm: x x = a, so x dx + dx x = da (a Sylvester equation), and the adjoint solves x^T lam + lam x^T = g -----


def _each_matrix(x: Any, rhs: Any) -> Any:
    """The solution s of ``x s + s x = rhs``, matrix by matrix along x's leading axes, in x's dtype."""
    if numpy.iscomplexobj(x):
        raise NotImplementedError(
            "s2sgrad differentiates scipy.linalg.sqrtm where the square root is real: this one is complex "
            "(the matrix has a negative real eigenvalue)"
        )
    rhs = numpy.broadcast_to(rhs, numpy.shape(x))
    solution = numpy.empty(numpy.shape(x), dtype=x.dtype)
    for index in numpy.ndindex(*numpy.shape(x)[:-2]):
        solution[index] = scipy.linalg.solve_sylvester(x[index], x[index], rhs[index])
    return solution


@adjoint(scipy.linalg.sqrtm)
def sqrtm(x, a, disp=True, blocksize=64):
    d[a] += _each_matrix(numpy.swapaxes(x, -1, -2), d[x])
    t[x] = _each_matrix(x, t[a])


# ----- solve_banded: a x = b, with a given by its diagonals, ab[u + i - j, j] = a[i, j] -----


def _band(l_and_u: Sequence[int], n: int) -> Tuple[Any, Any, Any]:
    """Where the band of an n-by-n matrix sits: the rows of ``ab``, and the rows and columns of the matrix."""
    lower, upper = l_and_u
    rows, columns = numpy.indices((n, n))
    diagonals = upper + rows - columns
    inside = (diagonals >= 0) & (diagonals <= lower + upper)
    return diagonals[inside], rows[inside], columns[inside]


def banded_matrix(l_and_u: Sequence[int], ab: Any) -> Any:
    """The square matrix whose diagonals ``ab`` holds (its entries outside the matrix are not read)."""
    n = numpy.shape(ab)[-1]
    diagonals, rows, columns = _band(l_and_u, n)
    matrix = numpy.zeros((n, n), dtype=ab.dtype)
    matrix[rows, columns] = ab[diagonals, columns]
    return matrix


def _kept(overwrite_ab: bool) -> None:
    """The derivatives read ``ab`` after the call: SciPy may have overwritten it (it does for l = u = 1)."""
    if overwrite_ab:
        raise NotImplementedError(
            "s2sgrad differentiates scipy.linalg.solve_banded with overwrite_ab=False only: its derivatives read ab"
        )


def banded_adjoints(g: Any, l_and_u: Sequence[int], ab: Any, x: Any, overwrite_ab: bool) -> Tuple[Any, Any]:
    """The adjoints of ``ab`` and ``b`` in ``x = solve_banded(l_and_u, ab, b)``."""
    _kept(overwrite_ab)
    lower, upper = l_and_u
    n = numpy.shape(ab)[-1]
    transposed = numpy.zeros((lower + upper + 1, n), dtype=ab.dtype)  # a^T's diagonals: l and u swap
    diagonals, rows, columns = _band((upper, lower), n)
    transposed[diagonals, columns] = banded_matrix(l_and_u, ab)[columns, rows]
    lam = scipy.linalg.solve_banded((upper, lower), transposed, g)
    d_matrix = -numpy.reshape(lam, (n, -1)) @ numpy.reshape(x, (n, -1)).T
    d_ab = numpy.zeros_like(ab)
    diagonals, rows, columns = _band(l_and_u, n)
    d_ab[diagonals, columns] = d_matrix[rows, columns]
    return d_ab, lam


def banded_tangent(t_ab: Any, t_b: Any, l_and_u: Sequence[int], ab: Any, x: Any, overwrite_ab: bool) -> Any:
    """The tangent of ``x = solve_banded(l_and_u, ab, b)``: ``a^-1 (t_b - t_a x)``."""
    _kept(overwrite_ab)
    return scipy.linalg.solve_banded(l_and_u, ab, t_b - banded_matrix(l_and_u, t_ab) @ x)


@adjoint(scipy.linalg.solve_banded)
def solve_banded(x, l_and_u, ab, b, overwrite_ab=False, overwrite_b=False, check_finite=True):
    d[(ab, b)] += banded_adjoints(d[x], l_and_u, ab, x, overwrite_ab)
    t[x] = banded_tangent(t[ab], t[b], l_and_u, ab, x, overwrite_ab)
