"""Fit a pendulum's stiffness and damping to an observed swing, through 400 Euler steps.

The loss integrates the ODE with a plain Python loop and compares the angle with
observations every 20 steps (a branch inside the loop); s2sgrad's gradient runs that
loop backwards, storing only the two states each step needs (see the printed report).
"""

# golden: loss wrt=k,damping args=(3.0, 0.1, OBSERVED)
import math

import numpy as np

import s2sgrad

DT = 0.01
STEPS = 400
EVERY = 20


def simulate(k: float, damping: float) -> np.ndarray:
    theta, omega = 1.0, 0.0
    angles = []
    for i in range(STEPS):
        accel = -k * math.sin(theta) - damping * omega
        theta, omega = theta + DT * omega, omega + DT * accel
        if (i + 1) % EVERY == 0:
            angles.append(theta)
    return np.array(angles)


OBSERVED = simulate(4.0, 0.3)


def loss(k: float, damping: float, observed: np.ndarray) -> float:
    theta, omega = 1.0, 0.0
    error = 0.0
    for i in range(STEPS):
        accel = -k * math.sin(theta) - damping * omega
        theta, omega = theta + DT * omega, omega + DT * accel
        if (i + 1) % EVERY == 0:
            error += (theta - observed[(i + 1) // EVERY - 1]) ** 2
    return error


def fit(steps: int = 200, rate: float = 0.1):
    k, damping = 3.0, 0.1
    step = s2sgrad.value_and_grad(loss, wrt=("k", "damping"))
    for i in range(steps):
        value, (d_k, d_damping) = step(k, damping, OBSERVED)
        k, damping = k - rate * d_k, damping - rate * d_damping
        if i % 50 == 0:
            print(f"step {i:3d}  loss {value:.6f}  k {k:.4f}  damping {damping:.4f}")
    return k, damping


if __name__ == "__main__":
    k, damping = fit()
    print(f"fitted k = {k:.3f}, damping = {damping:.3f} (true: 4.0, 0.3)")
    print(s2sgrad.source(loss, wrt=("k", "damping"), args=(k, damping, OBSERVED), report=True))
