"""Rules for ``scipy.stats`` distributions' methods (``scipy.stats.norm.pdf`` and so on).

Like scipy_special, registered only once the program has imported ``scipy.stats``.
A distribution's method is a bound method made anew at each attribute read; the
rule table keys it by its distribution and its function (rules.table). Each rule
covers the location and scale; shape parameters (t's df, gamma's a) are not
differentiated, so passing an active one is an error at the call. Dirichlet's
density, at the end, is differentiated in its point and its concentrations.

With z = (x - loc) / scale, every density here is f(z) / scale, so
d/dloc = -d/dx and d/dscale = -(z d/dx + f / scale) for the density (for a log
density, -(z d/dx + 1 / scale)), and for a cumulative F(z): d/dscale = z d/dloc.
"""

import math
from typing import Any, Tuple

import numpy
import scipy.linalg
import scipy.special
import scipy.stats

from ..runtime import float_dtype, result_dtype, unbroadcast, zeros_like
from .notation import adjoint, d, t, tangent


@adjoint(scipy.stats.norm.pdf, result="elementwise")
def norm_pdf(y, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    d[x] -= unbroadcast(d[y] * z * y / scale, x)
    d[loc] += unbroadcast(d[y] * z * y / scale, loc)
    d[scale] += unbroadcast(d[y] * y * (z * z - 1.0) / scale, scale)
    t[y] = ((t[loc] - t[x]) * z + t[scale] * (z * z - 1.0)) * y / scale


@adjoint(scipy.stats.norm.logpdf, result="elementwise")
def norm_logpdf(y, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    d[x] -= unbroadcast(d[y] * z / scale, x)
    d[loc] += unbroadcast(d[y] * z / scale, loc)
    d[scale] += unbroadcast(d[y] * (z * z - 1.0) / scale, scale)
    t[y] = ((t[loc] - t[x]) * z + t[scale] * (z * z - 1.0)) / scale


@adjoint(scipy.stats.norm.cdf, result="elementwise")
def norm_cdf(y, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    density = numpy.exp(-0.5 * z * z) / (math.sqrt(2.0 * math.pi) * scale)
    d[x] += unbroadcast(d[y] * density, x)
    d[loc] -= unbroadcast(d[y] * density, loc)
    d[scale] -= unbroadcast(d[y] * density * z, scale)
    t[y] = (t[x] - t[loc] - t[scale] * z) * density


@adjoint(scipy.stats.norm.sf, result="elementwise")
def norm_sf(y, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    density = numpy.exp(-0.5 * z * z) / (math.sqrt(2.0 * math.pi) * scale)
    d[x] -= unbroadcast(d[y] * density, x)
    d[loc] += unbroadcast(d[y] * density, loc)
    d[scale] += unbroadcast(d[y] * density * z, scale)
    t[y] = (t[loc] - t[x] + t[scale] * z) * density


@adjoint(scipy.stats.norm.logcdf, result="elementwise")
def norm_logcdf(y, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    ratio = numpy.exp(scipy.stats.norm.logpdf(z) - y) / scale  # the density over the cdf, without underflow
    d[x] += unbroadcast(d[y] * ratio, x)
    d[loc] -= unbroadcast(d[y] * ratio, loc)
    d[scale] -= unbroadcast(d[y] * ratio * z, scale)
    t[y] = (t[x] - t[loc] - t[scale] * z) * ratio


@adjoint(scipy.stats.norm.logsf, result="elementwise")
def norm_logsf(y, x, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    ratio = numpy.exp(scipy.stats.norm.logpdf(z) - y) / scale
    d[x] -= unbroadcast(d[y] * ratio, x)
    d[loc] += unbroadcast(d[y] * ratio, loc)
    d[scale] += unbroadcast(d[y] * ratio * z, scale)
    t[y] = (t[loc] - t[x] + t[scale] * z) * ratio


# ----- Student's t, in x, df, loc and scale (cdfs in x and loc) -----
# log f = gammaln((df+1)/2) - gammaln(df/2) - log(df pi)/2 - log(scale) - (df+1)/2 log(1 + z^2/df)


@adjoint(scipy.stats.t.logpdf, result="elementwise")
def t_logpdf(y, x, df, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    along_x = -(df + 1.0) * z / ((df + z * z) * scale)
    along_df = 0.5 * (
        scipy.special.digamma(0.5 * df + 0.5)
        - scipy.special.digamma(0.5 * df)
        - 1.0 / df
        - numpy.log1p(z * z / df)
        + (df + 1.0) * z * z / (df * (df + z * z))
    )
    d[x] += unbroadcast(d[y] * along_x, x)
    d[df] += unbroadcast(d[y] * along_df, df)
    d[loc] -= unbroadcast(d[y] * along_x, loc)
    d[scale] -= unbroadcast(d[y] * (z * along_x + 1.0 / scale), scale)
    t[y] = (t[x] - t[loc]) * along_x + t[df] * along_df - t[scale] * (z * along_x + 1.0 / scale)


@adjoint(scipy.stats.t.pdf, result="elementwise")
def t_pdf(y, x, df, loc=0.0, scale=1.0):
    z = (x - loc) / scale
    along_x = -(df + 1.0) * z / ((df + z * z) * scale)
    along_df = 0.5 * (
        scipy.special.digamma(0.5 * df + 0.5)
        - scipy.special.digamma(0.5 * df)
        - 1.0 / df
        - numpy.log1p(z * z / df)
        + (df + 1.0) * z * z / (df * (df + z * z))
    )
    d[x] += unbroadcast(d[y] * y * along_x, x)
    d[df] += unbroadcast(d[y] * y * along_df, df)
    d[loc] -= unbroadcast(d[y] * y * along_x, loc)
    d[scale] -= unbroadcast(d[y] * y * (z * along_x + 1.0 / scale), scale)
    t[y] = ((t[x] - t[loc]) * along_x + t[df] * along_df - t[scale] * (z * along_x + 1.0 / scale)) * y


@adjoint(scipy.stats.t.cdf, result="elementwise")
def t_cdf(y, x, df, loc=0.0, scale=1.0):
    density = scipy.stats.t.pdf(x, df, loc, scale)
    d[x] += unbroadcast(d[y] * density, x)
    d[loc] -= unbroadcast(d[y] * density, loc)
    d[scale] -= unbroadcast(d[y] * density * (x - loc) / scale, scale)
    t[y] = (t[x] - t[loc] - t[scale] * (x - loc) / scale) * density


@adjoint(scipy.stats.t.logcdf, result="elementwise")
def t_logcdf(y, x, df, loc=0.0, scale=1.0):
    ratio = numpy.exp(scipy.stats.t.logpdf(x, df, loc, scale) - y)
    d[x] += unbroadcast(d[y] * ratio, x)
    d[loc] -= unbroadcast(d[y] * ratio, loc)
    d[scale] -= unbroadcast(d[y] * ratio * (x - loc) / scale, scale)
    t[y] = (t[x] - t[loc] - t[scale] * (x - loc) / scale) * ratio


# ----- gamma (shape a), beta (shapes a, b) and chi-squared (df): in x and the shapes; cdfs in x -----


@adjoint(scipy.stats.gamma.logpdf, result="elementwise")
def gamma_logpdf(y, x, a):  # (a - 1) log x - x - gammaln(a)
    d[x] += unbroadcast(d[y] * ((a - 1.0) / x - 1.0), x)
    d[a] += unbroadcast(d[y] * (numpy.log(x) - scipy.special.digamma(a)), a)
    t[y] = t[x] * ((a - 1.0) / x - 1.0) + t[a] * (numpy.log(x) - scipy.special.digamma(a))


@adjoint(scipy.stats.gamma.pdf, result="elementwise")
def gamma_pdf(y, x, a):
    d[x] += unbroadcast(d[y] * y * ((a - 1.0) / x - 1.0), x)
    d[a] += unbroadcast(d[y] * y * (numpy.log(x) - scipy.special.digamma(a)), a)
    t[y] = (t[x] * ((a - 1.0) / x - 1.0) + t[a] * (numpy.log(x) - scipy.special.digamma(a))) * y


@adjoint(scipy.stats.beta.logpdf, result="elementwise")
def beta_logpdf(y, x, a, b):  # (a - 1) log x + (b - 1) log(1 - x) - betaln(a, b)
    along_a = numpy.log(x) - scipy.special.digamma(a) + scipy.special.digamma(a + b)
    along_b = numpy.log1p(-x) - scipy.special.digamma(b) + scipy.special.digamma(a + b)
    d[x] += unbroadcast(d[y] * ((a - 1.0) / x - (b - 1.0) / (1.0 - x)), x)
    d[a] += unbroadcast(d[y] * along_a, a)
    d[b] += unbroadcast(d[y] * along_b, b)
    t[y] = t[x] * ((a - 1.0) / x - (b - 1.0) / (1.0 - x)) + t[a] * along_a + t[b] * along_b


@adjoint(scipy.stats.beta.pdf, result="elementwise")
def beta_pdf(y, x, a, b):
    along_a = numpy.log(x) - scipy.special.digamma(a) + scipy.special.digamma(a + b)
    along_b = numpy.log1p(-x) - scipy.special.digamma(b) + scipy.special.digamma(a + b)
    d[x] += unbroadcast(d[y] * y * ((a - 1.0) / x - (b - 1.0) / (1.0 - x)), x)
    d[a] += unbroadcast(d[y] * y * along_a, a)
    d[b] += unbroadcast(d[y] * y * along_b, b)
    t[y] = (t[x] * ((a - 1.0) / x - (b - 1.0) / (1.0 - x)) + t[a] * along_a + t[b] * along_b) * y


@adjoint(scipy.stats.chi2.logpdf, result="elementwise")
def chi2_logpdf(y, x, df):  # (df/2 - 1) log x - x/2 - ...
    d[x] += unbroadcast(d[y] * ((0.5 * df - 1.0) / x - 0.5), x)
    t[y] = t[x] * ((0.5 * df - 1.0) / x - 0.5)


@adjoint(scipy.stats.chi2.pdf, result="elementwise")
def chi2_pdf(y, x, df):
    d[x] += unbroadcast(d[y] * y * ((0.5 * df - 1.0) / x - 0.5), x)
    t[y] = t[x] * y * ((0.5 * df - 1.0) / x - 0.5)


@adjoint(scipy.stats.gamma.cdf, result="elementwise")
def gamma_cdf(y, x, a):
    d[x] += unbroadcast(d[y] * scipy.stats.gamma.pdf(x, a), x)
    t[y] = t[x] * scipy.stats.gamma.pdf(x, a)


@adjoint(scipy.stats.beta.cdf, result="elementwise")
def beta_cdf(y, x, a, b):
    d[x] += unbroadcast(d[y] * scipy.stats.beta.pdf(x, a, b), x)
    t[y] = t[x] * scipy.stats.beta.pdf(x, a, b)


@adjoint(scipy.stats.chi2.cdf, result="elementwise")
def chi2_cdf(y, x, df):
    d[x] += unbroadcast(d[y] * scipy.stats.chi2.pdf(x, df), x)
    t[y] = t[x] * scipy.stats.chi2.pdf(x, df)


# ----- Poisson, in its mean mu (k is a count) -----


@adjoint(scipy.stats.poisson.logpmf, result="elementwise")
def poisson_logpmf(y, k, mu):  # k log mu - mu - gammaln(k + 1)
    d[mu] += unbroadcast(d[y] * (numpy.divide(k, mu) - 1.0), mu)
    t[y] = t[mu] * (numpy.divide(k, mu) - 1.0)


@adjoint(scipy.stats.poisson.pmf, result="elementwise")
def poisson_pmf(y, k, mu):
    d[mu] += unbroadcast(d[y] * y * (numpy.divide(k, mu) - 1.0), mu)
    t[y] = t[mu] * y * (numpy.divide(k, mu) - 1.0)


@adjoint(scipy.stats.poisson.cdf, result="elementwise")
def poisson_cdf(y, k, mu):  # d/dmu P(K <= k) = -P(K = floor(k))
    d[mu] -= unbroadcast(d[y] * scipy.stats.poisson.pmf(numpy.floor(k), mu), mu)
    t[y] = -t[mu] * scipy.stats.poisson.pmf(numpy.floor(k), mu)


# ----- Dirichlet, in the point x and the concentrations alpha -----
# log f = sum_i (alpha_i - 1) log x_i + gammaln(sum alpha) - sum_i gammaln(alpha_i), with K concentrations and
# x of shape (K,) or (K, N) (N points, one log density each). x may give K - 1 coordinates: the last is then
# 1 - sum(x), and moves with the others. x is a point of the simplex, so its derivative is only defined along
# the simplex; the rule gives the derivative of the formula above, which agrees with it there.


def _as_column(values: Any, x: Any) -> Any:
    """``values`` (one per coordinate) along the first axis of ``x``, whose other axis, if any, counts points."""
    return numpy.reshape(values, numpy.shape(values) + (1,) * (numpy.ndim(x) - 1))


def dirichlet_x_slope(x: Any, alpha: Any) -> Any:
    """d log f / d x, in x's shape: ``(alpha - 1) / x``, minus the last coordinate's where x omits it."""
    a = _as_column(alpha, x)
    if numpy.shape(x)[0] == numpy.shape(alpha)[0]:
        return (a - 1.0) / x
    last = 1.0 - numpy.sum(x, axis=0)
    return (a[:-1] - 1.0) / x - (a[-1] - 1.0) / last


def dirichlet_alpha_slope(x: Any, alpha: Any) -> Any:
    """d log f / d alpha, in the shape of the full x (K rows): ``log x + digamma(sum alpha) - digamma(alpha)``.

    Its terms cancel near the most likely alpha: they are summed in float64, then given the arguments' dtype.
    """
    dtype = result_dtype(float_dtype(x), float_dtype(alpha))
    x, alpha = numpy.asarray(x, dtype=numpy.float64), numpy.asarray(alpha, dtype=numpy.float64)
    if numpy.shape(x)[0] < numpy.shape(alpha)[0]:
        x = numpy.concatenate([x, 1.0 - numpy.sum(x, axis=0, keepdims=True)])
    along = scipy.special.digamma(numpy.sum(alpha)) - scipy.special.digamma(alpha)
    return (numpy.log(x) + _as_column(along, x)).astype(dtype)


def dirichlet_alpha_adjoint(g: Any, x: Any, alpha: Any) -> Any:
    """The adjoint of alpha, from the adjoint ``g`` of the densities (one per point of x)."""
    terms = g * dirichlet_alpha_slope(x, alpha)
    return numpy.reshape(terms, (numpy.shape(alpha)[0], -1)).sum(axis=1)


def dirichlet_alpha_tangent(t_alpha: Any, x: Any, alpha: Any) -> Any:
    return numpy.sum(_as_column(t_alpha, x) * dirichlet_alpha_slope(x, alpha), axis=0)


@adjoint(scipy.stats.dirichlet.logpdf)
def dirichlet_logpdf(y, x, alpha):
    d[x] += d[y] * dirichlet_x_slope(x, alpha)
    d[alpha] += dirichlet_alpha_adjoint(d[y], x, alpha)
    t[y] = numpy.sum(t[x] * dirichlet_x_slope(x, alpha), axis=0) + dirichlet_alpha_tangent(t[alpha], x, alpha)


@adjoint(scipy.stats.dirichlet.pdf)
def dirichlet_pdf(y, x, alpha):
    d[x] += d[y] * y * dirichlet_x_slope(x, alpha)
    d[alpha] += dirichlet_alpha_adjoint(d[y] * y, x, alpha)
    t[y] = numpy.sum(t[x] * dirichlet_x_slope(x, alpha), axis=0) * y + dirichlet_alpha_tangent(t[alpha], x, alpha) * y


# ----- multivariate normal, in x, mean and cov -----
# log f = -(k log(2 pi) + log det C + r^T C^-1 r) / 2 per point, r = x - mean; with S = C^-1 and u = S r:
# d/dx = -u, d/dmean = u, d/dC = (u u^T - S) / 2 and the entropy's d/dC = S / 2. SciPy factorizes cov with
# eigh, which reads its lower triangle only: the matrix it uses is tril(cov) + tril(cov, -1)^T, so the
# derivative in cov lives on that triangle, the lower off-diagonal entries gaining the upper ones' share.
# A scalar cov means cov * I and a vector its diagonal, as in SciPy. x holds one point per row, as (k,) or
# (n, k) (or, when k = 1, one point per element); a singular cov (allow_singular) uses the pseudo-inverse.


def _mvn_dim(mean: Any, cov: Any) -> int:
    """The dimension k, as SciPy finds it: mean's size, else cov's rows."""
    if mean is not None:
        return int(numpy.size(mean))
    return 1 if numpy.ndim(cov) < 2 else int(numpy.shape(cov)[0])


def mvn_cov_matrix(cov: Any, dim: int) -> Any:
    """The symmetric k-by-k matrix SciPy's density uses for ``cov`` (also maps a tangent of cov to its own)."""
    cov = numpy.asarray(cov, dtype=float)
    if cov.ndim == 0:
        return cov * numpy.eye(dim)
    if cov.ndim == 1:
        return numpy.diag(cov)
    return numpy.tril(cov) + numpy.tril(cov, -1).T


def mvn_cov_adjoint(g_matrix: Any, cov: Any) -> Any:
    """The adjoint of ``cov`` from ``g_matrix``, a symmetric adjoint of the matrix ``mvn_cov_matrix`` gives."""
    if numpy.ndim(cov) == 0:
        return numpy.trace(g_matrix)
    if numpy.ndim(cov) == 1:
        return numpy.diagonal(g_matrix).copy()
    return 2.0 * numpy.tril(g_matrix, -1) + numpy.diag(numpy.diagonal(g_matrix))


def _mvn_parts(x: Any, mean: Any, cov: Any) -> Tuple[Any, Any]:
    """``u = C^-1 (x - mean)``, one row per point, and ``C^-1`` (a pseudo-inverse where C is singular)."""
    dim = _mvn_dim(mean, cov)
    rows = numpy.reshape(numpy.asarray(x, dtype=float), (-1, dim))
    inverse = scipy.linalg.pinvh(mvn_cov_matrix(cov, dim))
    centre = numpy.zeros(dim) if mean is None else numpy.ravel(mean)
    return (rows - centre) @ inverse, inverse


def mvn_adjoints(g: Any, x: Any, mean: Any, cov: Any) -> Tuple[Any, Any, Any]:
    """The adjoints of x, mean and cov in ``y = multivariate_normal.logpdf(x, mean, cov)``, from y's adjoint g."""
    u, inverse = _mvn_parts(x, mean, cov)
    g = numpy.reshape(g, (-1, 1))
    along_x = -numpy.reshape(g * u, numpy.shape(x))
    along_mean = numpy.sum(g * u, axis=0)
    along_mean = numpy.sum(along_mean) if numpy.ndim(mean) == 0 else numpy.reshape(along_mean, numpy.shape(mean))
    g_matrix = 0.5 * (u.T @ (g * u) - numpy.sum(g) * inverse)
    return along_x, along_mean, mvn_cov_adjoint(g_matrix, cov)


def mvn_tangent(t_x: Any, t_mean: Any, t_cov: Any, y: Any, x: Any, mean: Any, cov: Any) -> Any:
    """The tangent of ``y = multivariate_normal.logpdf(x, mean, cov)`` (a tangent not given may be 0.0)."""
    u, inverse = _mvn_parts(x, mean, cov)
    dim = u.shape[1]
    moved = numpy.reshape(numpy.broadcast_to(t_x, numpy.shape(x)), (-1, dim)) - numpy.broadcast_to(t_mean, (dim,))
    t_matrix = mvn_cov_matrix(numpy.broadcast_to(t_cov, numpy.shape(cov)), dim)
    along = -numpy.sum(moved * u, axis=1) - 0.5 * (
        numpy.sum(inverse * t_matrix) - numpy.sum((u @ t_matrix) * u, axis=1)
    )
    return numpy.reshape(along, numpy.shape(y))


@adjoint(scipy.stats.multivariate_normal.logpdf)
def multivariate_normal_logpdf(y, x, mean=None, cov=1, allow_singular=False):
    d[(x, mean, cov)] += mvn_adjoints(d[y], x, mean, cov)
    t[y] = mvn_tangent(t[x], t[mean], t[cov], y, x, mean, cov)


@adjoint(scipy.stats.multivariate_normal.pdf)
def multivariate_normal_pdf(y, x, mean=None, cov=1, allow_singular=False):
    d[(x, mean, cov)] += mvn_adjoints(d[y] * y, x, mean, cov)
    t[y] = mvn_tangent(t[x], t[mean], t[cov], y, x, mean, cov) * y


def mvn_entropy_slope(mean: Any, cov: Any) -> Any:
    """d entropy / dC for the matrix SciPy uses, ``C^-1 / 2`` (the entropy is log det(2 pi e C) / 2)."""
    return 0.5 * scipy.linalg.pinvh(mvn_cov_matrix(cov, _mvn_dim(mean, cov)))


@adjoint(scipy.stats.multivariate_normal.entropy)
def multivariate_normal_entropy(y, mean=None, cov=1):
    d[mean] += zeros_like(mean)  # mean gives the dimension only
    d[cov] += mvn_cov_adjoint(d[y] * mvn_entropy_slope(mean, cov), cov)


@tangent(scipy.stats.multivariate_normal.entropy, shape_only=("mean",))
def multivariate_normal_entropy_(y, mean=None, cov=1):
    t[y] = numpy.sum(mvn_entropy_slope(mean, cov) * mvn_cov_matrix(t[cov], _mvn_dim(mean, cov)))
