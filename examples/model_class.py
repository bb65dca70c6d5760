"""A model as a class: the instance holds the parameters and fits them; s2sgrad differentiates its loss method.

``value_and_grad(model.loss)`` takes a bound method: the instance is not differentiated,
``wrt`` counts the parameters after ``self``. The parameters are a dict of arrays, and
the gradient is a dict of the same keys. The network itself is a static method, called
as ``TinyMLP.forward``, so that the loss and ``predict`` share it.
"""

# golden: none (the loss is a bound method; tests/test_examples.py checks its gradient)
import numpy as np

import s2sgrad

rng = np.random.default_rng(4)
X = rng.uniform(-1.0, 1.0, (200, 2))
Y = np.sin(2.0 * X[:, 0]) * X[:, 1]


class TinyMLP:
    """One hidden tanh layer, fitted by gradient descent on the mean squared error."""

    def __init__(self, n_in: int, n_hidden: int, seed: int = 0) -> None:
        r = np.random.default_rng(seed)
        self.params = {
            "W": r.standard_normal((n_in, n_hidden)) / np.sqrt(n_in),
            "b": np.zeros(n_hidden),
            "v": r.standard_normal(n_hidden) / np.sqrt(n_hidden),
        }

    @staticmethod
    def forward(params: dict, x: np.ndarray) -> np.ndarray:
        return np.tanh(x @ params["W"] + params["b"]) @ params["v"]

    def loss(self, params: dict, x: np.ndarray, y: np.ndarray) -> float:
        error = TinyMLP.forward(params, x) - y
        return np.mean(error * error)

    def predict(self, x: np.ndarray) -> np.ndarray:
        return TinyMLP.forward(self.params, x)

    def fit(self, x: np.ndarray, y: np.ndarray, steps: int = 2000, rate: float = 0.2) -> list:
        """Gradient descent on all the parameters; the loss every 500 steps."""
        step = s2sgrad.value_and_grad(self.loss)
        losses = []
        for i in range(steps):
            value, grads = step(self.params, x, y)
            self.params = {name: p - rate * grads[name] for name, p in self.params.items()}
            if i % 500 == 0:
                losses.append(float(value))
        return losses


if __name__ == "__main__":
    model = TinyMLP(2, 16)
    for i, value in enumerate(model.fit(X, Y)):
        print(f"step {500 * i:4d}  loss {value:.5f}")
    print(f"final training loss {np.mean((model.predict(X) - Y) ** 2):.5f} (variance of y: {np.var(Y):.5f})")
