# golden: f wrt=w args=(0.8, np.array([0.1, -1.0, 2.0, 0.3]), np.array([0.2, 0.5, -3.0, 1.0]), 0.5)
import numpy as np  # noqa: F401 (the golden header uses it)


def f(w, t, y, delta):
    """A Huber-like loss: if/elif/else on data inside a loop."""
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
