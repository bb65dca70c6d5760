# golden: f wrt=x args=(np.array([0.5, 1.5, 3.0, 0.2]), 2.0)
import numpy as np  # noqa: F401 (the golden header uses it)


def f(x, limit):
    """Accumulate until the running sum passes a limit; the reverse sweep replays the iterations that ran."""
    s = 0.0
    for i in range(len(x)):
        s = s + x[i] * x[i]
        if s > limit:
            break
    return s
