"""Benchmark s2sgrad's generated gradients against hand-written ones and other AD tools.

Run from the repository root::

    python benchmarks/run.py          # the full run (about a minute on two cores)
    python benchmarks/run.py --quick  # a few seconds: a smoke test, the numbers are noisy
    OPENBLAS_NUM_THREADS=2 python benchmarks/run.py  # BLAS is single-threaded unless told otherwise

The workloads come in two groups, each with its own table: straight-line code, and
control flow (Python loops and branches: Horner's rule, an Euler integration, a
Rosenbrock chain, a piecewise robust loss, a Newton solve, Kepler's equation solved
at 8 points of an orbit, through the iterations and with ``s2sgrad.custom_root``, an RNN). For each workload
the script times, in one process:

* ``f``: the function itself (the unit every ratio is expressed in),
* ``hand``: a gradient written by hand, as a numerical person would write it,
* ``s2sgrad``: ``s2sgrad.grad(f, wrt=...)``, after one warm-up call, and the
  generated function it wraps called directly (``unwrapped``), which splits
  s2sgrad's cost into generated code and per-call dispatch,
* ``s2sgrad+numba``: ``s2sgrad.grad(f, wrt=..., backend="numba")``, only when numba
  is installed; its first call (the transform and numba's compilation) is timed
  once apart from the table and reported in a note, as is a fallback to Python,
* ``autograd``: ``autograd.grad`` of the same function written with ``autograd.numpy``,
* ``torch`` and ``jax``: the same, only when they can be imported.

Before anything is timed, every hand-written gradient is checked against central
finite differences and every tool's gradient against the hand-written one; the
script aborts on a mismatch rather than time a wrong answer. Code s2sgrad declines to
transform (``TransformError`` or ``NotImplementedError``, e.g. a construct it does not
support yet) is not an abort: its s2sgrad cells read "unsupported", a note under the
table gives the first line of the message, and the other columns are timed as usual.

How the timing works: every implementation gets an inner loop long enough that
one measurement takes ``target`` seconds (well above the timer's resolution and
the loop's own cost), then the implementations are measured round-robin, one
measurement each per round, for many rounds; the table shows the median.
Interleaving spreads slow drifts (frequency scaling, a noisy neighbour) evenly
over all implementations instead of charging them to whichever ran last.

After the time tables, a table of peak memory: the bytes one gradient call allocates
at its peak above what was allocated before it (the returned gradients included),
traced by ``tracemalloc`` after the timing, for ``f``, ``hand``, ``s2sgrad`` (wrapped
and unwrapped) and ``autograd``, with s2sgrad's peak over hand's against issue 11's
bound of 1.5x. tracemalloc sees Python objects and NumPy's buffers only, so
``s2sgrad+numba``, ``torch`` and ``jax`` are not measured.

Three more measurements are printed after the tables: the one-time cost of the
first call of a fresh ``s2sgrad.grad`` wrapper (the source transform), what
the cached wrapper adds to each call compared with calling the generated
function directly, and forward mode: the cost of a ``jvp`` and of a
Hessian-vector product ``jvp(grad(f), args, v)`` relative to ``f`` and to one
gradient.
"""

import argparse
import contextlib
import gc
import importlib.util
import inspect
import itertools
import math
import os
import platform
import statistics
import sys
import time
import tracemalloc
import types
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

# One BLAS thread unless the caller says otherwise, set before NumPy loads its BLAS:
# every implementation calls the same matmuls, and on a small or shared machine a
# multi-threaded BLAS measures thread scheduling (spinning threads fighting over
# two cores made the MLP rows 10x slower and erratic) rather than the code.
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
for _variable in BLAS_THREAD_VARIABLES:
    os.environ.setdefault(_variable, "1")

import numpy as np  # noqa: E402

import s2sgrad  # noqa: E402
from s2sgrad.kinds import kind_of  # noqa: E402
from s2sgrad.pipeline import compile_reverse  # noqa: E402
from s2sgrad.transform.reverse import ReverseOptions  # noqa: E402

Wrt = Union[int, Tuple[int, ...]]

SQRT2 = math.sqrt(2.0)
SQRT_2PI = math.sqrt(2.0 * math.pi)
LOG_2PI = math.log(2.0 * math.pi)
LJ_EPS = 0.8  # Lennard-Jones well depth
LJ_SIGMA2 = 1.1**2  # Lennard-Jones radius, squared: the formula only needs sigma^2


# =====================================================================================
# The workloads, as s2sgrad sees them: straight-line Python on floats or NumPy arrays.
# =====================================================================================


def bs_call(spot, strike, tau, rate, vol):
    """Black-Scholes price of a European call (the normal CDF written with erf)."""
    sqrt_tau = math.sqrt(tau)
    vol_sqrt_tau = vol * sqrt_tau
    d1 = (math.log(spot / strike) + (rate + 0.5 * vol * vol) * tau) / vol_sqrt_tau
    d2 = d1 - vol_sqrt_tau
    cdf1 = 0.5 * (1.0 + math.erf(d1 / SQRT2))
    cdf2 = 0.5 * (1.0 + math.erf(d2 / SQRT2))
    discount = math.exp(-rate * tau)
    return spot * cdf1 - strike * discount * cdf2


def lj_trimer(x1, y1, z1, x2, y2, z2, x3, y3, z3):
    """Lennard-Jones energy of three atoms in 3-D, one float per coordinate."""
    r2_12 = (x1 - x2) ** 2 + (y1 - y2) ** 2 + (z1 - z2) ** 2
    r2_13 = (x1 - x3) ** 2 + (y1 - y3) ** 2 + (z1 - z3) ** 2
    r2_23 = (x2 - x3) ** 2 + (y2 - y3) ** 2 + (z2 - z3) ** 2
    s6_12 = (LJ_SIGMA2 / r2_12) ** 3
    s6_13 = (LJ_SIGMA2 / r2_13) ** 3
    s6_23 = (LJ_SIGMA2 / r2_23) ** 3
    return 4.0 * LJ_EPS * (s6_12 * s6_12 - s6_12 + s6_13 * s6_13 - s6_13 + s6_23 * s6_23 - s6_23)


def binormal_loglik(x, y, mx, my, sx, sy, rho):
    """Log-density of one point (x, y) under a correlated bivariate normal."""
    zx = (x - mx) / sx
    zy = (y - my) / sy
    one_minus_rho2 = 1.0 - rho * rho
    q = zx * zx - 2.0 * rho * zx * zy + zy * zy
    return -LOG_2PI - math.log(sx) - math.log(sy) - 0.5 * math.log(one_minus_rho2) - 0.5 * q / one_minus_rho2


def logistic_loss(w, X, y, lam):
    """L2-regularized logistic regression loss, the log-partition written with logaddexp."""
    z = X @ w
    return np.mean(np.logaddexp(0.0, z) - y * z) + 0.5 * lam * np.sum(w * w)


def mlp_loss(W1, b1, W2, b2, X, Y):
    """Squared error of a two-layer tanh network, averaged over the batch."""
    H = np.tanh(X @ W1 + b1)
    err = H @ W2 + b2 - Y
    return 0.5 * np.sum(err * err) / X.shape[0]


def softmax_xent(Z, Y):
    """Mean softmax cross-entropy of logits Z against targets Y (max-shifted for stability)."""
    shifted = Z - np.max(Z, axis=1, keepdims=True)
    log_norm = np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.sum(Y * (shifted - log_norm)) / Z.shape[0]


def kernel_energy(X, W):
    """Pairwise energy sum_ij W_ij |x_i - x_j|^2 of n points, through the (n, n, d) differences."""
    D = X[:, None, :] - X[None, :, :]
    return np.sum(W[:, :, None] * D * D)


def attention_loss(Wq, Wk, Wv, X):
    """Squared norm of one head of softmax attention over the rows of X (max-shifted softmax)."""
    Q, K, V = X @ Wq, X @ Wk, X @ Wv
    S = Q @ K.T / np.sqrt(Q.shape[1])
    P = np.exp(S - np.max(S, axis=1, keepdims=True))
    P = P / np.sum(P, axis=1, keepdims=True)
    out = P @ V
    return np.sum(out * out)


# =====================================================================================
# Hand-written gradients: same signature as the function, gradients in wrt's order.
# =====================================================================================


def bs_call_grad(spot, strike, tau, rate, vol):
    """The Greeks, by the textbook formulas (theta here is d/d tau, so it has the opposite sign)."""
    sqrt_tau = math.sqrt(tau)
    vol_sqrt_tau = vol * sqrt_tau
    d1 = (math.log(spot / strike) + (rate + 0.5 * vol * vol) * tau) / vol_sqrt_tau
    cdf2 = 0.5 * (1.0 + math.erf((d1 - vol_sqrt_tau) / SQRT2))
    discount = math.exp(-rate * tau)
    # spot * pdf(d1) == strike * discount * pdf(d2): one density serves vega and theta.
    spot_pdf = spot * math.exp(-0.5 * d1 * d1) / SQRT_2PI
    strike_discount_cdf2 = strike * discount * cdf2
    delta = 0.5 * (1.0 + math.erf(d1 / SQRT2))
    dual_delta = -discount * cdf2
    theta = spot_pdf * vol / (2.0 * sqrt_tau) + rate * strike_discount_cdf2
    rho = tau * strike_discount_cdf2
    vega = spot_pdf * sqrt_tau
    return delta, dual_delta, theta, rho, vega


def lj_trimer_grad(x1, y1, z1, x2, y2, z2, x3, y3, z3):
    """Minus the forces: one pair coefficient per pair, applied to the separation vector."""
    dx12, dy12, dz12 = x1 - x2, y1 - y2, z1 - z2
    dx13, dy13, dz13 = x1 - x3, y1 - y3, z1 - z3
    dx23, dy23, dz23 = x2 - x3, y2 - y3, z2 - z3
    c12 = _lj_pair_coefficient(dx12 * dx12 + dy12 * dy12 + dz12 * dz12)
    c13 = _lj_pair_coefficient(dx13 * dx13 + dy13 * dy13 + dz13 * dz13)
    c23 = _lj_pair_coefficient(dx23 * dx23 + dy23 * dy23 + dz23 * dz23)
    # Newton's third law: what a pair pushes onto one atom it takes from the other.
    return (
        c12 * dx12 + c13 * dx13,
        c12 * dy12 + c13 * dy13,
        c12 * dz12 + c13 * dz13,
        -c12 * dx12 + c23 * dx23,
        -c12 * dy12 + c23 * dy23,
        -c12 * dz12 + c23 * dz23,
        -c13 * dx13 - c23 * dx23,
        -c13 * dy13 - c23 * dy23,
        -c13 * dz13 - c23 * dz23,
    )


def _lj_pair_coefficient(r2):
    """d E_pair / d (separation), per unit separation: 2 dE/d(r^2)."""
    s6 = (LJ_SIGMA2 / r2) ** 3
    return -24.0 * LJ_EPS * s6 * (2.0 * s6 - 1.0) / r2


def binormal_loglik_grad(x, y, mx, my, sx, sy, rho):
    """Gradient with respect to (mx, my, sx, sy, rho), through the standardized residuals."""
    zx = (x - mx) / sx
    zy = (y - my) / sy
    inv_omr = 1.0 / (1.0 - rho * rho)
    q = zx * zx - 2.0 * rho * zx * zy + zy * zy
    g_zx = (rho * zy - zx) * inv_omr  # dL/dzx
    g_zy = (rho * zx - zy) * inv_omr
    d_rho = (rho + zx * zy - q * rho * inv_omr) * inv_omr
    return -g_zx / sx, -g_zy / sy, -(1.0 + g_zx * zx) / sx, -(1.0 + g_zy * zy) / sy, d_rho


def logistic_loss_grad(w, X, y, lam):
    """X^T (sigmoid(Xw) - y) / n + lam w, with the sigmoid written through tanh so it cannot overflow."""
    p = 0.5 * (1.0 + np.tanh(0.5 * (X @ w)))
    return X.T @ (p - y) / len(y) + lam * w


def mlp_loss_grad(W1, b1, W2, b2, X, Y):
    """Backpropagation, keeping only the activations the backward pass needs."""
    H = np.tanh(X @ W1 + b1)
    d_out = (H @ W2 + b2 - Y) / X.shape[0]
    d_pre = (d_out @ W2.T) * (1.0 - H * H)
    return X.T @ d_pre, d_pre.sum(axis=0), H.T @ d_out, d_out.sum(axis=0)


def softmax_xent_grad(Z, Y):
    """(softmax(Z) - Y) / n: the rows of Y are one-hot (sum to 1), which is what lets the terms cancel."""
    e = np.exp(Z - Z.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True) - Y) / Z.shape[0]


def kernel_energy_grad(X, W):
    """2 ((row sums + column sums of W) x_i - (W X)_i - (W^T X)_i): no (n, n, d) array at all."""
    degree = W.sum(axis=1) + W.sum(axis=0)
    return 2.0 * (degree[:, None] * X - W @ X - W.T @ X)


def attention_loss_grad(Wq, Wk, Wv, X):
    """Backpropagation through the head; the softmax's Jacobian applied as P * (dP - rowsum(dP * P))."""
    scale = 1.0 / np.sqrt(Wq.shape[1])
    Q, K, V = X @ Wq, X @ Wk, X @ Wv
    S = Q @ K.T * scale
    P = np.exp(S - S.max(axis=1, keepdims=True))
    P /= P.sum(axis=1, keepdims=True)
    d_O = 2.0 * (P @ V)
    d_P = d_O @ V.T
    d_S = P * (d_P - np.sum(d_P * P, axis=1, keepdims=True)) * scale
    return X.T @ (d_S @ K), X.T @ (d_S.T @ Q), X.T @ (P.T @ d_O)


# =====================================================================================
# The same functions written against a small table of operations, so that one text
# serves autograd, JAX and PyTorch (which spell reductions and special functions differently).
# =====================================================================================


def generic_bs_call(ops: Any) -> Callable:
    """``bs_call`` on ``ops``."""

    def f(spot, strike, tau, rate, vol):
        sqrt_tau = ops.sqrt(tau)
        vol_sqrt_tau = vol * sqrt_tau
        d1 = (ops.log(spot / strike) + (rate + 0.5 * vol * vol) * tau) / vol_sqrt_tau
        d2 = d1 - vol_sqrt_tau
        cdf1 = 0.5 * (1.0 + ops.erf(d1 / SQRT2))
        cdf2 = 0.5 * (1.0 + ops.erf(d2 / SQRT2))
        return spot * cdf1 - strike * ops.exp(-rate * tau) * cdf2

    return f


def generic_lj_trimer(ops: Any) -> Callable:
    """``lj_trimer`` on ``ops`` (only arithmetic, so ``ops`` is unused)."""
    del ops
    return lj_trimer


def generic_binormal_loglik(ops: Any) -> Callable:
    """``binormal_loglik`` on ``ops``."""

    def f(x, y, mx, my, sx, sy, rho):
        zx = (x - mx) / sx
        zy = (y - my) / sy
        one_minus_rho2 = 1.0 - rho * rho
        q = zx * zx - 2.0 * rho * zx * zy + zy * zy
        return -LOG_2PI - ops.log(sx) - ops.log(sy) - 0.5 * ops.log(one_minus_rho2) - 0.5 * q / one_minus_rho2

    return f


def generic_logistic_loss(ops: Any) -> Callable:
    """``logistic_loss`` on ``ops``."""

    def f(w, X, y, lam):
        z = X @ w
        return ops.mean(ops.softplus(z) - y * z) + 0.5 * lam * ops.sum(w * w)

    return f


def generic_mlp_loss(ops: Any) -> Callable:
    """``mlp_loss`` on ``ops``."""

    def f(W1, b1, W2, b2, X, Y):
        H = ops.tanh(X @ W1 + b1)
        err = H @ W2 + b2 - Y
        return 0.5 * ops.sum(err * err) / X.shape[0]

    return f


def generic_softmax_xent(ops: Any) -> Callable:
    """``softmax_xent`` on ``ops``."""

    def f(Z, Y):
        shifted = Z - ops.row_max(Z)
        log_norm = ops.log(ops.row_sum(ops.exp(shifted)))
        return -ops.sum(Y * (shifted - log_norm)) / Z.shape[0]

    return f


def generic_kernel_energy(ops: Any) -> Callable:
    """``kernel_energy`` on ``ops``."""

    def f(X, W):
        D = X[:, None, :] - X[None, :, :]
        return ops.sum(W[:, :, None] * D * D)

    return f


def generic_attention_loss(ops: Any) -> Callable:
    """``attention_loss`` on ``ops``."""

    def f(Wq, Wk, Wv, X):
        Q, K, V = X @ Wq, X @ Wk, X @ Wv
        S = Q @ K.T / math.sqrt(Q.shape[1])
        P = ops.exp(S - ops.row_max(S))
        P = P / ops.row_sum(P)
        out = P @ V
        return ops.sum(out * out)

    return f


# =====================================================================================
# Control-flow workloads: the same, with Python loops and branches, written as users
# write them. Each has its hand-written gradient and its version on ops right after it.
# =====================================================================================


def horner(x, c):
    """The polynomial with coefficients ``c`` (highest degree first) at ``x``, by Horner's rule."""
    s = 0.0
    for a in c:
        s = s * x + a
    return s


def horner_grad(x, c):
    """p'(x) by the same recurrence run alongside p(x): d(s*x + a) = ds*x + s."""
    s = 0.0
    ds = 0.0
    for a in c:
        ds = ds * x + s
        s = s * x + a
    return ds


def generic_horner(ops: Any) -> Callable:
    """``horner`` on ``ops`` (only arithmetic, so ``ops`` is unused)."""
    del ops
    return horner


def pendulum_euler(k, damping, theta, omega, dt, n_steps):
    """Squared final state of a damped pendulum, integrated by ``n_steps`` explicit Euler steps."""
    for _ in range(n_steps):
        accel = -k * math.sin(theta) - damping * omega
        theta = theta + dt * omega
        omega = omega + dt * accel
    return theta**2 + omega**2


def pendulum_euler_grad(k, damping, theta, omega, dt, n_steps):
    """Gradient with respect to (k, damping): the discrete adjoint, run backward over the stored states."""
    thetas = []
    omegas = []
    for _ in range(n_steps):
        thetas.append(theta)
        omegas.append(omega)
        accel = -k * math.sin(theta) - damping * omega
        theta = theta + dt * omega
        omega = omega + dt * accel
    g_theta = 2.0 * theta
    g_omega = 2.0 * omega
    g_k = 0.0
    g_damping = 0.0
    keep = 1.0 - dt * damping
    for theta, omega in zip(reversed(thetas), reversed(omegas)):
        g_accel = dt * g_omega
        g_k -= g_accel * math.sin(theta)
        g_damping -= g_accel * omega
        g_theta, g_omega = g_theta - g_accel * k * math.cos(theta), dt * g_theta + keep * g_omega
    return g_k, g_damping


def generic_pendulum_euler(ops: Any) -> Callable:
    """``pendulum_euler`` on ``ops``."""

    def f(k, damping, theta, omega, dt, n_steps):
        for _ in range(n_steps):
            accel = -k * ops.sin(theta) - damping * omega
            theta = theta + dt * omega
            omega = omega + dt * accel
        return theta**2 + omega**2

    return f


def acceleration(theta, omega, k, damping):
    """The pendulum's angular acceleration: the helper of ``pendulum_euler_calls``."""
    return -k * math.sin(theta) - damping * omega


def pendulum_euler_calls(k, damping, theta, omega, dt, n_steps):
    """``pendulum_euler`` with the acceleration in a helper function: what a call costs."""
    for _ in range(n_steps):
        accel = acceleration(theta, omega, k, damping)
        theta = theta + dt * omega
        omega = omega + dt * accel
    return theta**2 + omega**2


def rosenbrock(x):
    """The n-dimensional Rosenbrock function (the chained form), one term per neighbouring pair."""
    s = 0.0
    for i in range(len(x) - 1):
        s += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return s


def rosenbrock_grad(x):
    """The same loop, each term's two partial derivatives added where they belong.

    (A vectorized rewrite, as scipy.optimize.rosen_der, is about 8x faster than any
    Python loop; that is a different algorithm, not a cheaper gradient of this one.)
    """
    g = np.zeros_like(x)
    for i in range(len(x) - 1):
        a = x[i]
        d = x[i + 1] - a * a
        g[i] += -400.0 * a * d - 2.0 * (1.0 - a)
        g[i + 1] += 200.0 * d
    return g


def generic_rosenbrock(ops: Any) -> Callable:
    """``rosenbrock`` on ``ops`` (only arithmetic and indexing, so ``ops`` is unused)."""
    del ops
    return rosenbrock


def robust_fit(w, t, y, delta):
    """Robust loss of the line y = w t: quadratic core, linear band, half the slope beyond 2 delta (continuous)."""
    loss = 0.0
    for i in range(len(y)):
        r = y[i] - w * t[i]
        a = abs(r)
        if a <= delta:
            loss += 0.5 * r * r
        elif a <= 2.0 * delta:
            loss += delta * (a - 0.5 * delta)
        else:
            loss += 0.5 * delta * (a + delta)
    return loss


def robust_fit_grad(w, t, y, delta):
    """The same loop: -sum(psi(r) t), with psi = d loss / d r: r, then delta sign(r), then delta/2 sign(r)."""
    g = 0.0
    for i in range(len(y)):
        r = y[i] - w * t[i]
        a = abs(r)
        if a <= delta:
            psi = r
        elif a <= 2.0 * delta:
            psi = delta if r > 0 else -delta
        else:
            psi = 0.5 * delta if r > 0 else -0.5 * delta
        g -= psi * t[i]
    return g


def generic_robust_fit(ops: Any) -> Callable:
    """``robust_fit`` on ``ops`` (only arithmetic and abs, so ``ops`` is unused)."""
    del ops
    return robust_fit


def newton_root(a, b):
    """The real root of z**3 + a z - b (a > 0: there is one), by Newton's method from z = 1."""
    z = 1.0
    step = 1.0
    n = 0
    while abs(step) > 1e-12 and n < 50:
        step = (z**3 + a * z - b) / (3.0 * z * z + a)
        z = z - step
        n += 1
    return z


def newton_root_grad(a, b):
    """Reverse through the iterations, as any tool that differentiates the loop must: store z, run back.

    (Knowing the loop converges, the implicit function theorem gives the gradient at the root
    in one step: dz/da = -z / (3 z**2 + a), dz/db = 1 / (3 z**2 + a). That is a different
    algorithm, available to s2sgrad users as a registered rule for the solver.)
    """
    z = 1.0
    step = 1.0
    n = 0
    zs = []
    while abs(step) > 1e-12 and n < 50:
        zs.append(z)
        slope = 3.0 * z * z + a
        step = (z**3 + a * z - b) / slope
        z = z - step
        n += 1
    g_z, g_a, g_b = 1.0, 0.0, 0.0
    for z in reversed(zs):  # z_new = z - g(z)/g'(z)
        slope = 3.0 * z * z + a
        value = z**3 + a * z - b
        g_step = -g_z
        g_value = g_step / slope
        g_slope = -g_step * value / (slope * slope)
        g_a += g_value * z + g_slope
        g_b -= g_value
        g_z += g_value * slope + g_slope * 6.0 * z
    return g_a, g_b


def generic_newton_root(ops: Any) -> Callable:
    """``newton_root`` on ``ops`` (only arithmetic and abs, so ``ops`` is unused)."""
    del ops
    return newton_root


def _example(name: str) -> types.ModuleType:
    """A module of examples/ (not a package), loaded from its file."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "examples", f"{name}.py")
    spec = importlib.util.spec_from_file_location(f"example_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Kepler's equation E - e sin E = M solved by Newton's method at 8 points of an orbit: the example's
# orbit_x(e, M0, solve), with solve the plain solver (differentiated through its iterations) or the
# same solver made by s2sgrad.custom_root (differentiated at its root).
KEPLER = _example("kepler_implicit")


def kepler_orbit_grad(e, M0, solve=None):
    """By the implicit function theorem at each root: dE/de = sin E / (1 - e cos E), dE/dM = 1 / (1 - e cos E)."""
    g_e = 0.0
    g_M0 = 0.0
    for i in range(8):
        E = KEPLER.kepler(e, M0 + 0.25 * i)
        s = math.sin(E)
        k = s / (1.0 - e * math.cos(E))  # sin E dE/dM
        g_e -= s * k + 1.0
        g_M0 -= k
    return g_e, g_M0


def generic_kepler_orbit(ops: Any) -> Callable:
    """``orbit_x`` on ``ops``: the tools differentiate the Newton loop as it runs."""

    def solve(e, M):
        E = M
        step = 1.0
        while abs(step) > 1e-13:
            step = (E - e * ops.sin(E) - M) / (1.0 - e * ops.cos(E))
            E = E - step
        return E

    return lambda e, M0, solve_=None: sum(ops.cos(solve(e, M0 + 0.25 * i)) - e for i in range(8))


def rnn_loss(W, U, b, xs):
    """Squared norm of the last state of a tanh RNN run over the rows of ``xs``."""
    h = np.zeros(W.shape[0])
    for t in range(len(xs)):
        h = np.tanh(W @ h + U @ xs[t] + b)
    return np.sum(h**2)


def rnn_loss_grad(W, U, b, xs):
    """Backpropagation through time, the weight gradients as one matmul each over all steps."""
    n_steps = len(xs)
    inputs = xs @ U.T + b  # every step's input term at once
    hs = np.zeros((n_steps + 1, W.shape[0]))  # hs[t]: the state entering step t
    for t in range(n_steps):
        hs[t + 1] = np.tanh(W @ hs[t] + inputs[t])
    d_pre = np.empty((n_steps, W.shape[0]))  # d loss / d (step t's argument of tanh)
    d_h = 2.0 * hs[n_steps]
    for t in range(n_steps - 1, -1, -1):
        d_pre[t] = d_h * (1.0 - hs[t + 1] * hs[t + 1])
        d_h = d_pre[t] @ W
    return d_pre.T @ hs[:n_steps], d_pre.T @ xs, d_pre.sum(axis=0)


def generic_rnn_loss(ops: Any) -> Callable:
    """``rnn_loss`` on ``ops``."""

    def f(W, U, b, xs):
        h = ops.zeros(W.shape[0])
        for t in range(len(xs)):
            h = ops.tanh(W @ h + U @ xs[t] + b)
        return ops.sum(h**2)

    return f


# =====================================================================================
# Workload table
# =====================================================================================


@dataclass
class Workload:
    """One function to differentiate, with its arguments and every implementation of its gradient."""

    name: str
    func: Callable  # what s2sgrad differentiates and what "f" times
    wrt: Wrt  # as passed to s2sgrad.grad; a tuple makes every gradient a tuple
    args: Tuple[Any, ...]
    hand: Callable  # hand-written gradient, returning the gradients in wrt's order
    generic: Callable[[Any], Callable]  # ops -> the function written on ops

    @property
    def indices(self) -> Tuple[int, ...]:
        """The differentiated argument positions, always as a tuple."""
        return self.wrt if isinstance(self.wrt, tuple) else (self.wrt,)


def make_workloads() -> List[Workload]:
    """The benchmark's workloads, on fixed pseudo-random data."""
    rng = np.random.default_rng(20240601)
    X_lr = rng.standard_normal((1000, 20))
    y_lr = (rng.random(1000) < 1.0 / (1.0 + np.exp(-X_lr @ rng.standard_normal(20)))).astype(float)
    X_mlp = rng.standard_normal((256, 64))
    mlp_params = (
        rng.standard_normal((64, 128)) / 8.0,  # 1/sqrt(fan-in) keeps tanh out of saturation
        0.1 * rng.standard_normal(128),
        rng.standard_normal((128, 10)) / math.sqrt(128),
        0.1 * rng.standard_normal(10),
    )
    Z = 3.0 * rng.standard_normal((512, 100))
    Y_onehot = np.eye(100)[rng.integers(0, 100, 512)]
    # Three atoms near (not at) the equilateral minimum, so every force is non-zero.
    atoms = (0.0, 0.0, 0.0, 1.25, 0.05, -0.03, 0.6, 1.1, 0.08)
    return [
        Workload(
            "black_scholes", bs_call, (0, 1, 2, 3, 4), (100.0, 95.0, 0.5, 0.02, 0.25), bs_call_grad, generic_bs_call
        ),
        Workload("lennard_jones_3", lj_trimer, tuple(range(9)), atoms, lj_trimer_grad, generic_lj_trimer),
        Workload(
            "binormal_loglik",
            binormal_loglik,
            (2, 3, 4, 5, 6),
            (0.7, -0.4, 0.1, 0.2, 1.3, 0.8, 0.35),
            binormal_loglik_grad,
            generic_binormal_loglik,
        ),
        Workload(
            "logistic_1000x20",
            logistic_loss,
            0,
            (rng.standard_normal(20), X_lr, y_lr, 0.01),
            logistic_loss_grad,
            generic_logistic_loss,
        ),
        Workload(
            "mlp_tanh_256",
            mlp_loss,
            (0, 1, 2, 3),
            (*mlp_params, X_mlp, rng.standard_normal((256, 10))),
            mlp_loss_grad,
            generic_mlp_loss,
        ),
        Workload("softmax_xent_512x100", softmax_xent, 0, (Z, Y_onehot), softmax_xent_grad, generic_softmax_xent),
        Workload(
            "kernel_energy_500x3",
            kernel_energy,
            0,
            (rng.standard_normal((500, 3)), rng.random((500, 500))),
            kernel_energy_grad,
            generic_kernel_energy,
        ),
        Workload(
            "attention_64x32",
            attention_loss,
            (0, 1, 2),
            (*(rng.standard_normal((32, 16)) / math.sqrt(32) for _ in range(3)), rng.standard_normal((64, 32))),
            attention_loss_grad,
            generic_attention_loss,
        ),
    ]


def make_control_flow_workloads() -> List[Workload]:
    """The workloads with loops and branches, on fixed pseudo-random data of their own."""
    rng = np.random.default_rng(20240602)
    t_fit = np.linspace(-2.0, 2.0, 200)
    noise = 0.4 * rng.standard_normal(200)
    noise[::8] += 3.0 * rng.standard_normal(25)  # outliers: every branch of the robust loss is taken
    hidden, inputs, steps = 32, 16, 50
    rnn_args = (
        0.9 * rng.standard_normal((hidden, hidden)) / math.sqrt(hidden),  # spectral radius below 1
        rng.standard_normal((hidden, inputs)) / math.sqrt(inputs),
        0.1 * rng.standard_normal(hidden),
        rng.standard_normal((steps, inputs)),
    )
    return [
        Workload("horner_30", horner, 0, (0.9, rng.standard_normal(30)), horner_grad, generic_horner),
        Workload(
            "euler_pendulum_1000",
            pendulum_euler,
            (0, 1),
            (4.0, 0.3, 1.0, 0.0, 0.01, 1000),
            pendulum_euler_grad,
            generic_pendulum_euler,
        ),
        Workload(
            "euler_helper_calls_1000",
            pendulum_euler_calls,
            (0, 1),
            (4.0, 0.3, 1.0, 0.0, 0.01, 1000),
            pendulum_euler_grad,
            generic_pendulum_euler,
        ),
        Workload(
            "rosenbrock_100",
            rosenbrock,
            0,
            (1.0 + 0.5 * rng.standard_normal(100),),
            rosenbrock_grad,
            generic_rosenbrock,
        ),
        Workload(
            "robust_fit_200",
            robust_fit,
            0,
            (1.2, t_fit, 1.5 * t_fit + noise, 0.5),
            robust_fit_grad,
            generic_robust_fit,
        ),
        Workload("newton_cubic", newton_root, (0, 1), (2.0, 5.0), newton_root_grad, generic_newton_root),
        Workload(
            "kepler_8", KEPLER.orbit_x, (0, 1), (0.3, 0.2, KEPLER.kepler), kepler_orbit_grad, generic_kepler_orbit
        ),
        Workload(
            "kepler_8_custom_root",
            KEPLER.orbit_x,
            (0, 1),
            (0.3, 0.2, KEPLER.kepler_implicit),  # passed, not defaulted: the grad wrapper then binds nothing
            kepler_orbit_grad,
            generic_kepler_orbit,
        ),
        Workload("rnn_tanh_50x32", rnn_loss, (0, 1, 2), rnn_args, rnn_loss_grad, generic_rnn_loss),
    ]


# =====================================================================================
# Other AD tools, each optional
# =====================================================================================


@dataclass
class Tool:
    """An AD tool: how to build a gradient function for a workload and how to feed it."""

    name: str
    build: Callable[[Workload], Callable]  # the gradient function, taking convert(args)
    convert: Callable[[Workload], Tuple[Any, ...]] = lambda w: w.args
    to_numpy: Callable[[Any], Any] = np.asarray


def numpy_like_ops(np_module: Any, erf: Callable) -> types.SimpleNamespace:
    """The operations the generic workloads use, from a module with NumPy's interface."""
    return types.SimpleNamespace(
        sqrt=np_module.sqrt,
        sin=np_module.sin,
        cos=np_module.cos,
        log=np_module.log,
        exp=np_module.exp,
        tanh=np_module.tanh,
        erf=erf,
        softplus=lambda z: np_module.logaddexp(0.0, z),
        sum=np_module.sum,
        mean=np_module.mean,
        row_max=lambda a: np_module.max(a, axis=1, keepdims=True),
        row_sum=lambda a: np_module.sum(a, axis=1, keepdims=True),
        zeros=np_module.zeros,
    )


def autograd_tool() -> Optional[Tool]:
    """autograd, or None when it is not installed."""
    try:
        import autograd
        import autograd.numpy as anp
        from autograd.scipy.special import erf
    except ImportError:
        return None
    ops = numpy_like_ops(anp, erf)
    return Tool("autograd", lambda w: autograd.grad(w.generic(ops), argnum=w.wrt))


def jax_tools() -> List[Tool]:
    """JAX's grad, jit-compiled ("jax") and eager ("jax-eager"), in float64; none when it is not installed."""
    try:
        import jax
        import jax.numpy as jnp
        from jax.scipy.special import erf
    except ImportError:
        return []
    jax.config.update("jax_enable_x64", True)  # the comparison with NumPy needs float64
    ops = numpy_like_ops(jnp, erf)

    def builder(jit: bool) -> Callable[[Workload], Callable]:
        def build(w: Workload) -> Callable:
            gradient = jax.grad(w.generic(ops), argnums=w.wrt)
            # an integer argument (a step count) is a constant of the trace: a loop over it unrolls
            static = tuple(i for i, a in enumerate(w.args) if isinstance(a, int))
            compiled = jax.jit(gradient, static_argnums=static) if jit else gradient
            # JAX dispatches asynchronously: without blocking we would time the dispatch only.
            return lambda *args: jax.block_until_ready(compiled(*args))

        return build

    def convert(w: Workload) -> Tuple[Any, ...]:
        return tuple(jnp.asarray(a) if isinstance(a, np.ndarray) else a for a in w.args)

    return [Tool("jax", builder(True), convert), Tool("jax-eager", builder(False), convert)]


def torch_tool() -> Optional[Tool]:
    """PyTorch (eager autograd, float64 tensors), or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    ops = types.SimpleNamespace(
        sqrt=torch.sqrt,
        # torch.sin takes tensors only, and a loop's state starts as a Python float
        sin=lambda a: torch.sin(torch.as_tensor(a, dtype=torch.float64)),
        cos=lambda a: torch.cos(torch.as_tensor(a, dtype=torch.float64)),
        log=torch.log,
        exp=torch.exp,
        tanh=torch.tanh,
        erf=torch.erf,
        softplus=lambda z: torch.logaddexp(z, torch.zeros_like(z)),  # F.softplus linearizes above 20
        sum=torch.sum,
        mean=torch.mean,
        row_max=lambda a: torch.amax(a, dim=1, keepdim=True),
        row_sum=lambda a: torch.sum(a, dim=1, keepdim=True),
        zeros=lambda n: torch.zeros(n, dtype=torch.float64),
    )

    def build(w: Workload) -> Callable:
        f = w.generic(ops)

        def gradient(*args: Any) -> Any:
            args = list(args)
            inputs = [args[i].detach().requires_grad_() for i in w.indices]
            for i, leaf in zip(w.indices, inputs):
                args[i] = leaf
            grads = torch.autograd.grad(f(*args), inputs)
            return grads if isinstance(w.wrt, tuple) else grads[0]

        return gradient

    def convert(w: Workload) -> Tuple[Any, ...]:
        def one(i: int, a: Any) -> Any:
            if isinstance(a, np.ndarray):
                return torch.from_numpy(a)
            # Differentiated floats must be tensors to carry a gradient; data floats stay Python floats.
            return torch.tensor(a, dtype=torch.float64) if i in w.indices else a

        return tuple(one(i, a) for i, a in enumerate(w.args))

    return Tool("torch", build, convert, lambda t: t.detach().numpy())


# =====================================================================================
# Checking gradients
# =====================================================================================


def as_tuple(gradient: Any, wrt: Wrt) -> Tuple[Any, ...]:
    """Gradients as a tuple whether wrt was one position or several."""
    return tuple(gradient) if isinstance(wrt, tuple) else (gradient,)


def check_hand_against_finite_differences(w: Workload, directions: int = 4, eps: float = 1e-6) -> None:
    """Abort unless the hand-written gradient matches central differences along random directions.

    Random directions over all differentiated arguments at once cost two function
    evaluations each, however many parameters there are, and still exercise every
    gradient entry.
    """
    rng = np.random.default_rng(7)
    grads = as_tuple(w.hand(*w.args), w.wrt)
    for _ in range(directions):
        step = {i: rng.standard_normal(np.shape(w.args[i])) for i in w.indices}
        step = {i: float(v) if isinstance(w.args[i], float) else v for i, v in step.items()}
        moved = [_moved(w.args, step, sign * eps) for sign in (1.0, -1.0)]
        numeric = (float(w.func(*moved[0])) - float(w.func(*moved[1]))) / (2.0 * eps)
        exact = sum(float(np.sum(g * step[i])) for i, g in zip(w.indices, grads))
        if abs(numeric - exact) > 1e-6 * max(1.0, abs(numeric), abs(exact)):
            sys.exit(f"{w.name}: the hand-written gradient is wrong: {exact!r} vs finite differences {numeric!r}")


def _moved(args: Sequence[Any], step: Dict[int, Any], scale: float) -> List[Any]:
    return [a + scale * step[i] if i in step else a for i, a in enumerate(args)]


def gradients_match(actual: Sequence[Any], expected: Sequence[Any]) -> bool:
    """Elementwise agreement to about 1e-8, the absolute tolerance scaled by the gradient's size.

    (A fixed atol would be meaningless across workloads whose gradients differ by orders of magnitude.)
    """
    if len(actual) != len(expected):
        return False
    for a, e in zip(actual, expected):
        scale = max(1.0, float(np.max(np.abs(e))))
        if np.shape(a) != np.shape(e) or not np.allclose(a, e, rtol=1e-8, atol=1e-10 * scale):
            return False
    return True


# =====================================================================================
# Timing
# =====================================================================================


Impls = Dict[str, Tuple[Callable, Sequence[Any]]]  # name -> (function, its arguments)


@dataclass
class Settings:
    """How long to measure: rounds of interleaved measurements, each of about ``target`` seconds."""

    rounds: int
    target: float
    transform_repeats: int


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off for the block, as it was after it.

    As timeit does: a collection landing inside one measurement is noise, not the code's cost
    (in time, or in memory: it frees other code's cycles in the middle of a call).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def per_call(fn: Callable, args: Sequence[Any], number: int) -> float:
    """Seconds per call of ``fn(*args)``, averaged over ``number`` back-to-back calls."""
    loop = itertools.repeat(None, number)
    with collector_paused():
        start = time.perf_counter()
        for _ in loop:
            fn(*args)
        elapsed = time.perf_counter() - start
    return elapsed / number


def calibrate(fn: Callable, args: Sequence[Any], target: float) -> int:
    """The smallest-ish number of calls that takes at least ``target`` seconds."""
    number = 1
    while True:
        elapsed = per_call(fn, args, number) * number
        if elapsed >= target:
            return number
        # Jump close to the target in one step, but at most tenfold: first calls are often slow.
        number = min(number * 10, max(number + 1, int(number * 1.2 * target / max(elapsed, 1e-9))))


def time_interleaved(impls: Impls, settings: Settings) -> Dict[str, float]:
    """Median seconds per call of each implementation, measured round-robin."""
    numbers = {name: calibrate(fn, args, settings.target) for name, (fn, args) in impls.items()}
    samples: Dict[str, List[float]] = {name: [] for name in impls}
    names = list(impls)
    for r in range(settings.rounds):
        # Rotate the order so that no implementation is always first after another's cache pollution.
        for name in names[r % len(names) :] + names[: r % len(names)]:
            fn, args = impls[name]
            samples[name].append(per_call(fn, args, numbers[name]))
    return {name: statistics.median(times) for name, times in samples.items()}


def fresh_copy(func: Callable) -> Callable:
    """A new function object with ``func``'s code: s2sgrad's cache, keyed by function object, misses it."""
    return types.FunctionType(func.__code__, func.__globals__, func.__name__, func.__defaults__, func.__closure__)


def transform_time(w: Workload, steady: float, repeats: int) -> float:
    """Median one-time cost of a fresh wrapper's first call: its time minus a steady-state call's.

    With the disk cache off for the measurement: a first call would otherwise load the code the
    earlier runs stored (``benchmarks/disk_cache_time.py`` times that).
    """
    costs = []
    kept = s2sgrad.cache_dir()
    s2sgrad.set_cache_dir(None)
    try:
        for _ in range(repeats):
            gradient = s2sgrad.grad(fresh_copy(w.func), wrt=w.wrt)
            start = time.perf_counter()
            gradient(*w.args)
            costs.append(time.perf_counter() - start - steady)
    finally:
        s2sgrad.set_cache_dir(None if kept is None else str(kept))
    return statistics.median(costs)


# =====================================================================================
# Peak memory
# =====================================================================================

# The implementations whose allocations tracemalloc sees: Python objects and NumPy's array
# buffers (NumPy reports its buffers to tracemalloc), which is all that hand, s2sgrad and
# autograd allocate. PyTorch's and JAX's buffers, and the arrays numba-compiled code makes,
# come from allocators tracemalloc does not see: their numbers would count only Python
# wrappers and mislead, so they are not measured.
MEMORY_CONTENDERS = ("f", "hand", "s2sgrad", "generated", "autograd")
MEMORY_UNSEEN = ("s2sgrad+numba", "torch", "jax", "jax-eager")
MEMORY_RATIO_BOUND = 1.5  # issue 11: peak memory of stored values <= 1.5x hand-written
SMALL_PEAK = 1024  # bytes: a hand-written peak below this is a few Python objects, no ratio


def restart_peak() -> int:
    """Make tracemalloc's peak the current traced size from now on; return that size in bytes."""
    if hasattr(tracemalloc, "reset_peak"):  # Python 3.9+
        tracemalloc.reset_peak()
    else:  # 3.8: a restart forgets everything traced so far, so the traced size starts from 0
        tracemalloc.stop()
        tracemalloc.start()
    return tracemalloc.get_traced_memory()[0]


def call_peak(fn: Callable, args: Sequence[Any]) -> int:
    """Bytes allocated by ``fn(*args)`` at its peak, above what was allocated before the call.

    The returned gradient is kept alive until the peak is read, so it is counted: every
    contender returns gradients of the same shapes, so each pays for them alike, and what
    differs is what the call keeps besides (stored forward values, temporaries).
    """
    before = restart_peak()
    result = fn(*args)
    peak = tracemalloc.get_traced_memory()[1]
    del result
    return peak - before


def peak_memory(impls: Impls, calls: int = 3) -> Dict[str, int]:
    """The smallest of ``calls`` calls' peaks (``call_peak``) of each implementation, in bytes.

    Run after the timing, never inside it: tracing slows every allocation. The smallest
    peak is the steady state, should a first call still fill a cache of its own.
    """
    was_tracing = tracemalloc.is_tracing()
    if not was_tracing:
        tracemalloc.start()
    try:
        with collector_paused():
            return {name: min(call_peak(fn, args) for _ in range(calls)) for name, (fn, args) in impls.items()}
    finally:
        if not was_tracing:
            tracemalloc.stop()


# =====================================================================================
# Running one workload
# =====================================================================================


@dataclass
class Result:
    """Median seconds per call of each implementation of one workload (missing: not run), and peak bytes."""

    name: str
    seconds: Dict[str, float]
    transform: float = float("nan")
    notes: List[str] = field(default_factory=list)
    peaks: Dict[str, int] = field(default_factory=dict)  # bytes, see peak_memory


def gradient_implementations(w: Workload, tools: Sequence[Tool], notes: List[str]) -> Impls:
    """Every checked gradient implementation of ``w`` as (function, arguments), hand-written first.

    Aborts when s2sgrad or autograd disagrees with the hand-written gradient; code
    s2sgrad declines to transform is left out with a note (its table cells read
    "unsupported"), and a failing optional tool (torch, jax) is only dropped, with a note.
    """
    check_hand_against_finite_differences(w)
    expected = as_tuple(w.hand(*w.args), w.wrt)
    impls = {"hand": (w.hand, w.args), **s2sgrad_implementations(w, expected, notes)}
    for tool in tools:
        try:
            args = tool.convert(w)
            fn = tool.build(w)
            got = tuple(tool.to_numpy(g) for g in as_tuple(fn(*args), w.wrt))
            ok = gradients_match(got, expected)
        except Exception as error:
            if tool.name == "autograd":
                raise
            first_line = next(iter(str(error).splitlines()), "")
            notes.append(f"{tool.name} skipped on {w.name}: {type(error).__name__}: {first_line}")
            continue
        if not ok:
            if tool.name == "autograd":
                sys.exit(f"{w.name}: autograd's gradient differs from the hand-written one")
            notes.append(f"{tool.name} skipped on {w.name}: its gradient differs from the hand-written one")
            continue
        impls[tool.name] = (fn, args)
    return impls


# What s2sgrad raises for code it does not handle yet (as opposed to a crash or a wrong gradient).
UNSUPPORTED = (s2sgrad.TransformError, NotImplementedError)


def s2sgrad_implementations(w: Workload, expected: Sequence[Any], notes: List[str]) -> Impls:
    """s2sgrad's ``grad`` wrapper and the generated function it wraps, both checked; none when unsupported."""
    try:
        s2s = s2sgrad.grad(w.func, wrt=w.wrt)
        actual = as_tuple(s2s(*w.args), w.wrt)  # also the warm-up call that builds the cached code
    except UNSUPPORTED as error:
        first_line = next(iter(str(error).splitlines()), type(error).__name__)
        notes.append(f"{w.name}: s2sgrad: unsupported ({first_line})")
        return {}
    except Exception as error:
        sys.exit(f"{w.name}: s2sgrad.grad failed: {type(error).__name__}: {error}")
    if not gradients_match(actual, expected):
        sys.exit(f"{w.name}: s2sgrad's gradient differs from the hand-written one:\n  {actual}\n  {expected}")
    generated = generated_gradient(w)
    if not gradients_match(as_tuple(generated(*w.args), w.wrt), expected):
        sys.exit(f"{w.name}: the generated function, called directly, differs from the hand-written gradient")
    return {"s2sgrad": (s2s, w.args), "generated": (generated, w.args), **numba_implementation(w, expected, notes)}


def numba_implementation(w: Workload, expected: Sequence[Any], notes: List[str]) -> Impls:
    """``s2sgrad.grad(..., backend="numba")``, checked, when numba is installed; its compile time goes in a note.

    The first call compiles (numba's JIT, after s2sgrad's transform): timed once, apart
    from the table. A gradient numba cannot compile runs as Python: the note says why.
    """
    if importlib.util.find_spec("numba") is None:
        return {}
    compiled = s2sgrad.grad(w.func, wrt=w.wrt, backend="numba")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start = time.perf_counter()
        actual = as_tuple(compiled(*w.args), w.wrt)
        first_call = time.perf_counter() - start
    if not gradients_match(actual, expected):
        sys.exit(f"{w.name}: s2sgrad's numba gradient differs from the hand-written one")
    fallback = [str(c.message) for c in caught if "numba" in str(c.message)]
    if fallback:
        notes.append(
            f"{w.name}: s2sgrad+numba runs as Python: {fallback[0].split('cannot compile it ')[-1].strip('()')}"
        )
    else:
        notes.append(f"{w.name}: s2sgrad+numba first call (transform + numba compile) {first_call:.2f} s, not timed")
    return {"s2sgrad+numba": (compiled, w.args)}


def generated_gradient(w: Workload) -> Callable:
    """s2sgrad's generated gradient function itself, without the ``grad`` wrapper around it."""
    params = list(inspect.signature(w.func).parameters)
    options = ReverseOptions(tuple_wrt=isinstance(w.wrt, tuple))
    kinds = {p: kind_of(a) for p, a in zip(params, w.args)}
    return compile_reverse(w.func, tuple(params[i] for i in w.indices), kinds, options).function


def run_workload(w: Workload, tools: Sequence[Tool], settings: Settings) -> Result:
    """Check, then time, every implementation of one workload; then measure the peak memory of some."""
    notes: List[str] = []
    impls = {"f": (w.func, w.args), **gradient_implementations(w, tools, notes)}
    seconds = time_interleaved(impls, settings)
    peaks = peak_memory({name: impls[name] for name in MEMORY_CONTENDERS if name in impls})
    result = Result(w.name, seconds, notes=notes, peaks=peaks)
    if "s2sgrad" in seconds:
        result.transform = transform_time(w, seconds["s2sgrad"], settings.transform_repeats)
    return result


# =====================================================================================
# Forward mode and second order
# =====================================================================================


def random_tangents(w: Workload) -> List[Any]:
    """A fixed random direction in each differentiated argument, None for the others."""
    rng = np.random.default_rng(20240603)
    return [
        (rng.standard_normal(np.shape(a)) if np.ndim(a) else float(rng.standard_normal())) if i in w.indices else None
        for i, a in enumerate(w.args)
    ]


def dot(tangents: Sequence[Any], gradients: Sequence[Any], w: Workload) -> float:
    return float(sum(np.sum(np.asarray(g) * tangents[i]) for i, g in zip(w.indices, gradients)))


def check_forward(w: Workload, tangents: Sequence[Any], gradient: Callable) -> None:
    """jvp against <hand gradient, v>; the Hessian-vector product against differences of the hand gradient."""
    expected = dot(tangents, as_tuple(w.hand(*w.args), w.wrt), w)
    _, tangent = s2sgrad.jvp(w.func, w.args, tangents)
    if not math.isclose(float(tangent), expected, rel_tol=1e-8, abs_tol=1e-10):
        sys.exit(f"{w.name}: jvp {float(tangent)} differs from <hand gradient, v> {expected}")
    step = 1e-6

    def moved(sign: float) -> Tuple[Any, ...]:
        return tuple(a if v is None else a + sign * step * v for a, v in zip(w.args, tangents))

    ahead, behind = as_tuple(w.hand(*moved(1.0)), w.wrt), as_tuple(w.hand(*moved(-1.0)), w.wrt)
    hvp = as_tuple(s2sgrad.jvp(gradient, w.args, tangents)[1], w.wrt)
    for got, a, b in zip(hvp, ahead, behind):
        numeric = (np.asarray(a) - np.asarray(b)) / (2 * step)
        if not np.allclose(got, numeric, rtol=1e-4, atol=1e-4 * (1.0 + float(np.max(np.abs(numeric))))):
            sys.exit(f"{w.name}: the Hessian-vector product differs from differences of the hand gradient")


def forward_costs(w: Workload, settings: Settings) -> Tuple[Dict[str, float], str]:
    """Seconds per call of f, its gradient, a jvp and a Hessian-vector product (jvp of the gradient)."""
    tangents = random_tangents(w)
    gradient = s2sgrad.grad(w.func, wrt=w.wrt)
    try:
        check_forward(w, tangents, gradient)
    except UNSUPPORTED as error:
        return {}, f"{w.name}: {next(iter(str(error).splitlines()), type(error).__name__)}"
    impls = {
        "f": (w.func, w.args),
        "grad": (gradient, w.args),
        "jvp": (lambda *args: s2sgrad.jvp(w.func, args, tangents), w.args),
        "hvp": (lambda *args: s2sgrad.jvp(gradient, args, tangents), w.args),
    }
    return time_interleaved(impls, settings), ""


def forward_table(workloads: Sequence[Workload], settings: Settings) -> str:
    rows, notes = [], []
    for w in workloads:
        seconds, note = forward_costs(w, settings)
        if note:
            notes.append(f"  unsupported: {note}")
            continue
        f, g = seconds["f"], seconds["grad"]
        rows.append(
            [w.name, us(f), ratio(g, f), ratio(seconds["jvp"], f), ratio(seconds["hvp"], f), ratio(seconds["hvp"], g)]
        )
    header = ["workload", "f µs", "grad / f", "jvp / f", "hvp / f", "hvp / grad"]
    return "\n".join([format_table(header, rows), *notes])


# =====================================================================================
# Wrapper overhead
# =====================================================================================


def tiny(x, y):
    """A function so cheap that a gradient call is mostly call overhead."""
    return x * math.sin(y) + y * y


def wrapper_overhead(settings: Settings) -> Dict[str, float]:
    """Seconds per call of ``tiny``, its generated gradient called directly, and through s2sgrad.grad."""
    x, y = 0.3, 1.7
    wrapper = s2sgrad.grad(tiny, wrt=0)
    direct = compile_reverse(tiny, ("x",), {"x": kind_of(x), "y": kind_of(y)}, ReverseOptions()).function
    if wrapper(x, y) != direct(x, y):
        sys.exit("the wrapper and the directly compiled gradient of tiny disagree")
    impls = {
        "f": (tiny, (x, y)),
        "direct": (direct, (x, y)),
        "wrapper": (wrapper, (x, y)),
        # A keyword argument sends the wrapper through inspect.Signature.bind.
        "wrapper_kw": (lambda a, b: wrapper(a, y=b), (x, y)),
        "lambda_only": (lambda a, b: direct(a, b), (x, y)),  # what the keyword row's lambda itself costs
    }
    return time_interleaved(impls, settings)


# =====================================================================================
# Report
# =====================================================================================

TOOL_NAMES = ("autograd", "torch", "jax", "jax-eager")


def figures(value: float) -> str:
    """Three significant figures, or all the integer digits from 1000 on (never an exponent there)."""
    return f"{value:.3g}" if value < 1000 else f"{value:.0f}"


def us(seconds: Optional[float]) -> str:
    """Microseconds to three significant figures, or a dash."""
    if seconds is None or math.isnan(seconds):
        return "-"
    return figures(seconds * 1e6)


def kib(size: Optional[int]) -> str:
    """Bytes in KiB to three significant figures (so a few hundred bytes show as such), or a dash."""
    return "-" if size is None else figures(size / 1024)


def ratio(numerator: Optional[float], denominator: Optional[float]) -> str:
    """``numerator / denominator`` to three significant figures or so, or a dash when either is missing."""
    if numerator is None or denominator is None:
        return "-"
    value = numerator / denominator
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table with right-aligned numbers (the first column left-aligned)."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        padded = [c.ljust(widths[0]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(cells)]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join(("-" * (w + 1)) + ("-" if i == 0 else ":") for i, w in enumerate(widths)) + "|"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])


def main_table(results: Sequence[Result], available: Sequence[str]) -> str:
    """The gradient-cost table: absolute times in µs and ratios."""
    header = ["workload", "f (µs)", "hand (µs)", "s2sgrad (µs)", "unwrapped (µs)", "+numba (µs)", "autograd (µs)"]
    header += ["s2sgrad/f", "s2sgrad/hand", "+numba/hand"]
    header += [f"{t}/f" for t in TOOL_NAMES]
    rows = []
    for r in results:
        s = r.seconds
        s2s = us(s["s2sgrad"]) if "s2sgrad" in s else "unsupported"
        row = [r.name, us(s["f"]), us(s["hand"]), s2s, us(s.get("generated")), us(s.get("s2sgrad+numba"))]
        row += [us(s.get("autograd")), ratio(s.get("s2sgrad"), s["f"]), ratio(s.get("s2sgrad"), s["hand"])]
        row += [ratio(s.get("s2sgrad+numba"), s["hand"])]
        row += [ratio(s.get(t), s["f"]) for t in TOOL_NAMES]
        rows.append(row)
    lines = [format_table(header, rows)]
    missing = [t for t in TOOL_NAMES if t not in available]
    if missing:
        lines.append(f"  ('-' in {', '.join(t + '/f' for t in missing)}: not installed, skipped)")
    return "\n".join(lines)


def transform_table(results: Sequence[Result]) -> str:
    """First-call transform cost per workload, also in units of a steady-state gradient call."""
    rows = [
        [r.name, f"{r.transform * 1e3:.2f}", f"{r.transform / r.seconds['s2sgrad']:.0f}"]
        if "s2sgrad" in r.seconds
        else [r.name, "unsupported", "-"]
        for r in results
    ]
    return format_table(["workload", "transform (ms)", "= steady calls"], rows)


def memory_row(r: Result) -> List[str]:
    """One workload's peaks in KiB, s2sgrad's over hand's, and whether it is within the bound."""
    p = r.peaks
    s2s = kib(p["s2sgrad"]) if "s2sgrad" in p else "unsupported"
    row = [r.name, kib(p["f"]), kib(p["hand"]), s2s, kib(p.get("generated")), kib(p.get("autograd"))]
    if "s2sgrad" not in p or p["hand"] < SMALL_PEAK:
        return [*row, "-", "-"]
    within = p["s2sgrad"] <= MEMORY_RATIO_BOUND * p["hand"]
    return [*row, ratio(p["s2sgrad"], p["hand"]), "yes" if within else "NO"]


def memory_table(results: Sequence[Result]) -> str:
    """Peak memory of one gradient call per workload, s2sgrad's against the hand-written gradient's."""
    header = ["workload", "f (KiB)", "hand (KiB)", "s2sgrad (KiB)", "unwrapped (KiB)", "autograd (KiB)"]
    header += ["s2sgrad/hand", f"<= {MEMORY_RATIO_BOUND:g}x hand"]
    lines = [format_table(header, [memory_row(r) for r in results])]
    if any(r.peaks["hand"] < SMALL_PEAK for r in results):
        lines.append(
            f"  ('-' in s2sgrad/hand: the hand-written peak is under {SMALL_PEAK // 1024} KiB, a few Python numbers"
            " and tuples; a ratio of those compares object overheads, not stored values)"
        )
    lines.append(
        f"  (not measured: {', '.join(MEMORY_UNSEEN)}; their buffers come from allocators tracemalloc does not see)"
    )
    return "\n".join(lines)


def overhead_report(t: Dict[str, float]) -> str:
    """The wrapper-overhead measurements and the differences that matter."""
    rows = [
        ["tiny(x, y) itself", us(t["f"])],
        ["generated gradient, called directly", us(t["direct"])],
        ["s2sgrad.grad wrapper, positional args", us(t["wrapper"])],
        ["s2sgrad.grad wrapper, y=... keyword", us(t["wrapper_kw"] - t["lambda_only"] + t["direct"])],
        ["=> wrapper overhead per call (positional)", us(t["wrapper"] - t["direct"])],
        ["=> wrapper overhead per call (keyword)", us(t["wrapper_kw"] - t["lambda_only"])],
    ]
    return format_table(["per call", "µs"], rows)


def plot_ratios(results: Sequence[Result], path: str) -> None:
    """A PNG of every contender's gradient time over the hand-written gradient's, per workload (log scale)."""
    import matplotlib

    matplotlib.use("Agg")  # no screen needed
    import matplotlib.pyplot as plt

    contenders = ["s2sgrad", "s2sgrad+numba", *TOOL_NAMES]
    shown = [c for c in contenders if any(c in r.seconds for r in results)]
    width = 0.8 / len(shown)
    figure, axes = plt.subplots(figsize=(max(8.0, 0.9 * len(results)), 4.5))
    for i, contender in enumerate(shown):
        xs = [k + (i - (len(shown) - 1) / 2) * width for k, r in enumerate(results) if contender in r.seconds]
        ys = [r.seconds[contender] / r.seconds["hand"] for r in results if contender in r.seconds]
        axes.bar(xs, ys, width, label=contender)
    axes.axhline(1.0, color="black", linewidth=0.8)
    axes.set_yscale("log")
    axes.set_ylabel("gradient time / hand-written gradient time")
    axes.set_xticks(range(len(results)))
    axes.set_xticklabels([r.name for r in results], rotation=40, ha="right")
    axes.legend(ncol=len(shown), fontsize="small", loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def environment(settings: Settings, quick: bool) -> str:
    """One line saying where and how the numbers were taken."""
    return (
        f"python {platform.python_version()}, numpy {np.__version__}, s2sgrad {s2sgrad.__version__}, "
        f"{os.cpu_count()} CPUs, OPENBLAS_NUM_THREADS={os.environ['OPENBLAS_NUM_THREADS']}; "
        f"{'--quick, ' if quick else ''}median of {settings.rounds} interleaved rounds, "
        f"each measurement >= {settings.target * 1e3:.0f} ms"
    )


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few short measurements: a smoke test")
    parser.add_argument(
        "--plot", metavar="PNG", help="also draw each gradient's time / hand-written (needs matplotlib)"
    )
    parser.add_argument("--only", metavar="TEXT", help="only the workloads whose name contains TEXT")
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    """Check every gradient, time everything, print the tables."""
    options = parse_args(argv)
    if options.quick:
        settings = Settings(rounds=5, target=1e-3, transform_repeats=2)
    else:
        settings = Settings(rounds=41, target=1e-2, transform_repeats=5)
    tools = [t for t in (autograd_tool(), torch_tool()) if t is not None] + jax_tools()
    available = [t.name for t in tools]
    print(environment(settings, options.quick))
    missing = [t for t in TOOL_NAMES if t not in available]
    print(f"tools: {', '.join(available) or 'none'}; not installed: {', '.join(missing) or 'none'}")
    print()

    sys.stdout.flush()  # the progress lines go to stderr: keep them after the header when both are piped
    groups = [
        ("Gradient cost (all gradients checked: hand vs finite differences, tools vs hand)", make_workloads()),
        (
            "Gradient cost, control flow: Python loops and branches (checked the same way)",
            make_control_flow_workloads(),
        ),
    ]
    groups = [(title, [w for w in workloads if (options.only or "") in w.name]) for title, workloads in groups]
    tables = []
    for title, workloads in groups:
        results = []
        for w in workloads:
            print(f"  {w.name} ...", end="", flush=True, file=sys.stderr)
            start = time.perf_counter()
            results.append(run_workload(w, tools, settings))
            print(f" {time.perf_counter() - start:.1f} s", file=sys.stderr)
        tables.append((title, results))

    for title, results in tables:
        print(title)
        print(main_table(results, available))
        for note in itertools.chain.from_iterable(r.notes for r in results):
            print(f"  note: {note}")
        print()
    print(
        "Peak memory of one gradient call: bytes allocated above those before it, the returned gradients"
        " included (tracemalloc, smallest of 3 calls, after the timing)"
    )
    print(memory_table([r for _, results in tables for r in results]))
    print()
    if options.plot:
        plot_ratios([r for _, results in tables for r in results], options.plot)
        print(f"plot: {options.plot}")
        print()
    print("(a) s2sgrad.grad first-call transform time (fresh function object; first call minus a steady call)")
    print(transform_table([r for _, results in tables for r in results]))
    print()
    print("(b) per-call overhead of the cached s2sgrad.grad wrapper, on tiny(x, y) = x*sin(y) + y*y")
    print(overhead_report(wrapper_overhead(settings)))
    print()
    print("(c) forward mode: a jvp along a random direction, and a Hessian-vector product jvp(grad(f), args, v)")
    print("    (both checked: jvp against <hand gradient, v>, hvp against differences of the hand gradient)")
    print(forward_table([w for _, workloads in groups for w in workloads], settings))


if __name__ == "__main__":
    main()
