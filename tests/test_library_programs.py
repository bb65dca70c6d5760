"""Realistic programs built on the NumPy functions of the library rules, against finite differences.

Each is checked in reverse mode (check_grad) and forward mode (check_jvp); some also through their
Hessian (forward mode over the generated gradient), against central differences of the gradient.
"""

import numpy
import pytest
from gradcheck import check_grad, check_jvp
from test_forward import numeric_hessian

import s2sgrad

RNG = numpy.random.default_rng(11)


def trimmed_mean(x, trim):
    """The mean of x without its `trim` smallest and largest values (a robust location)."""
    ranked = numpy.sort(x)
    return numpy.mean(ranked[trim : len(x) - trim])


def robust_scale(x):
    """Median absolute deviation, with the median taken twice."""
    center = numpy.median(x)
    return numpy.median(numpy.abs(x - center)) + 0.1 * numpy.percentile(x, 75.0)


def gaussian_process_evidence(log_length, log_noise, points, targets):
    """The log marginal likelihood of a GP with a squared exponential kernel: cholesky and slogdet."""
    gaps = points[:, None] - points[None, :]
    kernel = numpy.exp(-0.5 * gaps**2 / numpy.exp(2.0 * log_length))
    covariance = kernel + numpy.exp(2.0 * log_noise) * numpy.eye(len(points))
    low = numpy.linalg.cholesky(covariance)
    alpha = numpy.linalg.solve(low.T, numpy.linalg.solve(low, targets))
    _, logdet = numpy.linalg.slogdet(covariance)
    return -0.5 * numpy.dot(targets, alpha) - 0.5 * logdet - 0.5 * len(points) * numpy.log(2.0 * numpy.pi)


def pca_explained(data):
    """The share of variance along the top two principal axes, by eigh of the covariance."""
    centered = data - numpy.mean(data, axis=0)
    covariance = centered.T @ centered / (len(data) - 1)
    values, vectors = numpy.linalg.eigh(covariance)
    top = vectors[:, -2:]
    projected = centered @ top
    return numpy.sum(values[-2:]) / numpy.trace(covariance) + 0.01 * numpy.sum(projected**2)


def pca_reconstruction(data):
    """The squared error of a rank-2 reconstruction, by a thin SVD."""
    centered = data - numpy.mean(data, axis=0)
    u, s, vh = numpy.linalg.svd(centered, full_matrices=False)
    approx = (u[:, :2] * s[:2]) @ vh[:2]
    return numpy.sum((centered - approx) ** 2)


def periodic_features(x, weights):
    """Tiling, rolling and padding a signal, then a least-squares fit."""
    tiled = numpy.tile(x, 2)
    shifted = numpy.roll(tiled, 1) - tiled
    padded = numpy.pad(shifted, 1)
    design = numpy.column_stack([padded[:-2], padded[1:-1], padded[2:]])
    coefficients = numpy.linalg.lstsq(design, weights, rcond=None)[0]
    return numpy.sum(coefficients**2) + numpy.sum(numpy.diag(numpy.outer(x, x)))


def cumulative_growth(rates):
    """The product of growth factors, cumulative, averaged with weights."""
    factors = numpy.cumprod(1.0 + rates)
    return numpy.average(factors, weights=numpy.linspace(1.0, 2.0, len(rates)))


POINTS = numpy.linspace(-1.0, 1.0, 6)
TARGETS = numpy.sin(3.0 * POINTS)
DATA = RNG.normal(size=(8, 4)) * numpy.array([2.0, 1.0, 0.5, 0.2])
PROGRAMS = [
    pytest.param(trimmed_mean, (RNG.normal(size=9), 2), 0, id="trimmed_mean"),
    pytest.param(robust_scale, (RNG.normal(size=7),), 0, id="robust_scale"),
    pytest.param(gaussian_process_evidence, (-0.3, -1.0, POINTS, TARGETS), (0, 1), id="gp_evidence"),
    pytest.param(gaussian_process_evidence, (-0.3, -1.0, POINTS, TARGETS), 3, id="gp_evidence_targets"),
    pytest.param(pca_explained, (DATA,), 0, id="pca_eigh"),
    pytest.param(pca_reconstruction, (DATA,), 0, id="pca_svd"),
    pytest.param(periodic_features, (RNG.normal(size=4), RNG.normal(size=8)), (0, 1), id="periodic_features"),
    pytest.param(cumulative_growth, (RNG.uniform(-0.2, 0.3, 6),), 0, id="cumulative_growth"),
]


@pytest.mark.parametrize(("func", "args", "wrt"), PROGRAMS)
def test_gradient(func, args, wrt):
    check_grad(func, args, wrt=wrt)


@pytest.mark.parametrize(("func", "args", "wrt"), PROGRAMS)
def test_tangent(func, args, wrt):
    check_jvp(func, args, wrt=wrt)


def rearranged(x):
    return numpy.sum(numpy.tile(numpy.diag(x), (2, 1)) ** 3) + numpy.sum(numpy.take(x, [0, 2, 2]) ** 2 * x[1])


def sorted_cubes(x):
    return numpy.sum(numpy.sort(x) ** 3 * numpy.arange(1.0, 6.0)) + numpy.sum(numpy.pad(x, 1) ** 4)


@pytest.mark.parametrize("func", [rearranged, sorted_cubes])
def test_hessian_through_the_adjoint_helpers(func):
    """The adjoints' helpers (undiag, untile, unindex, unpad) have tangents: forward over reverse works."""
    args = (RNG.uniform(0.5, 1.5, 5) * numpy.array([1.0, -1.0, 1.0, -1.0, 1.0]),)
    hessian = s2sgrad.hessian(func)(*args)
    expected, error = numeric_hessian(func, args, 0)
    assert numpy.all(numpy.abs(hessian - expected) <= error)


def rank_two_part(a):
    u, _, vt = numpy.linalg.svd(a)  # full_matrices=True by default: u is 4 x 4 for a 4 x 3 matrix
    return numpy.sum(u[:, :2] @ vt[:2])


def test_svd_with_full_matrices_of_a_tall_matrix_says_what_it_needs():
    """U's last column is arbitrary there: an error naming full_matrices=False, never a number."""
    with pytest.raises(NotImplementedError, match="full_matrices=False"):
        s2sgrad.grad(rank_two_part)(numpy.random.default_rng(3).normal(size=(4, 3)))
