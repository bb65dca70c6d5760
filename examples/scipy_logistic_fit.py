"""Logistic regression fitted by SciPy's BFGS, the gradient from s2sgrad (``minimize(..., jac=True)``).

The weights and the bias are one vector, as SciPy wants; ``value_and_grad`` gives the
loss and its gradient in one call, which is what ``jac=True`` asks for.
"""

# golden: loss wrt=theta args=(np.zeros(4), X, Y)
import numpy as np

import s2sgrad

rng = np.random.default_rng(1)
X = rng.standard_normal((300, 3))
TRUE_THETA = np.array([2.0, -1.0, 0.5, 0.3])  # three weights, then the bias
Y = (X @ TRUE_THETA[:3] + TRUE_THETA[3] + 0.5 * rng.standard_normal(300) > 0).astype(float)


def loss(theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    """Mean cross-entropy plus a small ridge penalty on the weights (so the optimum is unique)."""
    z = X @ theta[:3] + theta[3]
    nll = np.mean(np.logaddexp(0.0, z) - y * z)  # -log p(y | z), without overflow
    return nll + 0.01 * np.sum(theta[:3] ** 2)


def fit(jac: bool = True):
    from scipy.optimize import minimize  # SciPy is only needed to run the example

    if jac:
        return minimize(s2sgrad.value_and_grad(loss), np.zeros(4), args=(X, Y), jac=True, method="BFGS")
    return minimize(loss, np.zeros(4), args=(X, Y), method="BFGS")  # SciPy's own finite differences


if __name__ == "__main__":
    with_gradient, without = fit(jac=True), fit(jac=False)
    print(f"with s2sgrad's gradient: {with_gradient.nit} iterations, {with_gradient.nfev} evaluations")
    print(f"with finite differences: {without.nit} iterations, {without.nfev} evaluations")
    print("theta:", np.round(with_gradient.x, 4), " (data drawn with", TRUE_THETA, ")")
