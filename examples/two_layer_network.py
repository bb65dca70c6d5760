"""A two-layer network fit to a sine curve: every parameter's gradient from one generated function."""

# golden: loss wrt=W1,b1,W2,b2 args=init(4) + (XS, YS)
import numpy as np

import s2sgrad

XS = np.linspace(-3.0, 3.0, 64).reshape(-1, 1)
YS = np.sin(XS)


def init(hidden: int):
    rng = np.random.default_rng(1)
    return (rng.standard_normal((1, hidden)), np.zeros(hidden), rng.standard_normal((hidden, 1)) / hidden, np.zeros(1))


def loss(W1, b1, W2, b2, x, y):
    h = np.tanh(x @ W1 + b1)
    prediction = h @ W2 + b2
    return np.mean((prediction - y) ** 2)


if __name__ == "__main__":
    params = list(init(16))
    step = s2sgrad.value_and_grad(loss, wrt=(0, 1, 2, 3))
    for i in range(2001):
        value, grads = step(*params, XS, YS)
        params = [p - 0.1 * g for p, g in zip(params, grads)]
        if i % 500 == 0:
            print(f"step {i:4d}  mean squared error {value:.5f}")
