"""Rules for numpy.linalg's factorizations and the functions built on them.

Several of these return tuples (``w, v = eigh(a)``): the adjoint of such a
result is a list with one adjoint per part (zeros for a part not used), and
its tangent is a tuple. The derivatives hold where the factorization is
smooth: distinct eigenvalues or singular values, a rank that does not change
nearby. ``eig`` is differentiated where a real matrix's eigenvalues are real
(complex ones are an error at run time). ``cholesky`` and ``eigh`` read one
triangle of their argument only, so the other triangle gets no derivative,
exactly as finite differences see.
"""

import numpy

from ..runtime import (
    cholesky_adjoint,
    cholesky_tangent,
    eig_adjoint,
    eig_tangent,
    eigh_adjoint,
    eigh_tangent,
    lstsq_adjoints,
    lstsq_tangent,
    pinv_adjoint,
    pinv_tangent,
    qr_adjoint,
    qr_tangent,
    slogdet_adjoint,
    slogdet_tangent,
    svd_adjoint,
    svd_tangent,
)
from .notation import adjoint, d, t


@adjoint(numpy.linalg.cholesky)
def cholesky(low, a):
    d[a] += cholesky_adjoint(d[low], low)
    t[low] = cholesky_tangent(t[a], low)


@adjoint(numpy.linalg.slogdet)
def slogdet(result, a):
    d[a] += slogdet_adjoint(d[result], a)
    t[result] = slogdet_tangent(t[a], a, result)


@adjoint(numpy.linalg.eigh)
def eigh(result, a, UPLO="L"):
    d[a] += eigh_adjoint(d[result], result, UPLO)
    t[result] = eigh_tangent(t[a], result, UPLO)


@adjoint(numpy.linalg.eig)
def eig(result, a):
    d[a] += eig_adjoint(d[result], result)
    t[result] = eig_tangent(t[a], result)


@adjoint(numpy.linalg.pinv)
def pinv(p, a, rcond=None, hermitian=False, *, rtol=None):
    d[a] += pinv_adjoint(d[p], a, p)
    t[p] = pinv_tangent(t[a], a, p)


@adjoint(numpy.linalg.qr)
def qr(result, a, mode="reduced"):
    d[a] += qr_adjoint(d[result], a, result, mode)
    t[result] = qr_tangent(t[a], a, result, mode)


@adjoint(numpy.linalg.svd)
def svd(result, a, full_matrices=True, compute_uv=True, hermitian=False):
    d[a] += svd_adjoint(d[result], a, result, full_matrices, compute_uv, hermitian)
    t[result] = svd_tangent(t[a], a, result, full_matrices, compute_uv, hermitian)


@adjoint(numpy.linalg.lstsq)
def lstsq(result, a, b, rcond=None):
    d[(a, b)] += lstsq_adjoints(d[result], a, b, result)
    t[result] = lstsq_tangent(t[a], t[b], a, b, result)
