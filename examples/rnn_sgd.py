"""A small recurrent network learns to output the mean of a sequence, trained by plain SGD.

The loss runs the network over the sequence with a Python loop; s2sgrad's gradient
runs that loop backwards, keeping one hidden state per step.
"""

# golden: loss wrt=Wx,Wh,b,v args=(*init(0), SEQUENCES[0], TARGETS[0])
import numpy as np

import s2sgrad

HIDDEN = 8
rng = np.random.default_rng(2)
SEQUENCES = rng.uniform(-1.0, 1.0, (400, 6))
TARGETS = SEQUENCES.mean(axis=1)


def init(seed: int):
    r = np.random.default_rng(seed)
    return (
        0.5 * r.standard_normal(HIDDEN),
        0.3 * r.standard_normal((HIDDEN, HIDDEN)),
        np.zeros(HIDDEN),
        np.zeros(HIDDEN),
    )


def loss(Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray, v: np.ndarray, xs: np.ndarray, target: float) -> float:
    h = np.zeros(HIDDEN)
    for x in xs:
        h = np.tanh(Wx * x + Wh @ h + b)
    return (v @ h - target) ** 2


def mean_loss(params, sequences, targets) -> float:
    return float(np.mean([loss(*params, xs, t) for xs, t in zip(sequences, targets)]))


def train(epochs: int = 3, rate: float = 0.05):
    params = init(0)
    step = s2sgrad.grad(loss, wrt=("Wx", "Wh", "b", "v"))
    train_x, train_y = SEQUENCES[:300], TARGETS[:300]
    for epoch in range(epochs):
        for xs, target in zip(train_x, train_y):
            params = tuple(p - rate * g for p, g in zip(params, step(*params, xs, target)))
        print(f"epoch {epoch}  held-out loss {mean_loss(params, SEQUENCES[300:], TARGETS[300:]):.5f}")
    return params


if __name__ == "__main__":
    print(f"held-out loss of the untrained network: {mean_loss(init(0), SEQUENCES[300:], TARGETS[300:]):.5f}")
    print(f"held-out loss of always answering 0:    {np.mean(TARGETS[300:] ** 2):.5f}")
    train()
