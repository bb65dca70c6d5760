# golden: f wrt=x args=(np.array([0.3, -1.7, 2.4, 0.9, -0.2]), 1.0)
import numpy as np  # noqa: F401 (the golden header uses it)


def f(x, limit):
    """A soft clipping penalty: if/elif/else on data inside a loop."""
    total = 0.0
    for v in x:
        if v > limit:
            total += limit * (2.0 * v - limit)
        elif v < -limit:
            total -= limit * (2.0 * v + limit)
        else:
            total += v * v
    return total
