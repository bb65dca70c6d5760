"""How the final population of logistic growth depends on its parameters: ODE sensitivities.

``population`` integrates x' = r x (1 - x / K) from x0 with 200 Runge-Kutta steps. Its
gradient with respect to (r, K, x0) comes from s2sgrad's reverse mode; forward mode
(``jvp``) gives the same sensitivities one direction at a time. The ODE has a closed
form, so the example compares both with the exact derivatives of that formula.
"""

# golden: population wrt=r,K,x0 args=(0.8, 10.0, 0.5)
import numpy as np

import s2sgrad

T = 10.0
STEPS = 200


def growth(x: float, r: float, K: float) -> float:
    return r * x * (1.0 - x / K)


def population(r: float, K: float, x0: float) -> float:
    dt = T / STEPS
    x = x0
    for _ in range(STEPS):
        k1 = growth(x, r, K)
        k2 = growth(x + 0.5 * dt * k1, r, K)
        k3 = growth(x + 0.5 * dt * k2, r, K)
        k4 = growth(x + dt * k3, r, K)
        x = x + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
    return x


def exact_sensitivities(r: float, K: float, x0: float) -> np.ndarray:
    """d x(T) / d (r, K, x0) of the closed form x(T) = K x0 e^(rT) / (K + x0 (e^(rT) - 1)), by hand."""
    e = np.exp(r * T)
    denominator = K + x0 * (e - 1.0)
    d_r = K * x0 * T * e * (K - x0) / denominator**2
    d_K = x0 * e * x0 * (e - 1.0) / denominator**2
    d_x0 = K**2 * e / denominator**2
    return np.array([d_r, d_K, d_x0])


def sensitivities(r: float, K: float, x0: float):
    reverse = np.array(s2sgrad.grad(population, wrt=("r", "K", "x0"))(r, K, x0))
    forward = np.array([s2sgrad.jvp(population, (r, K, x0), tuple(np.eye(3)[i]))[1] for i in range(3)])
    return reverse, forward


if __name__ == "__main__":
    reverse, forward = sensitivities(0.8, 10.0, 0.5)
    exact = exact_sensitivities(0.8, 10.0, 0.5)
    for name, rev, fwd, ex in zip(("r", "K", "x0"), reverse, forward, exact):
        print(f"d x(T) / d {name:2s}  reverse {rev:.8f}  forward {fwd:.8f}  exact {ex:.8f}")
