# golden: f wrt=x args=(np.array([0.5, 1.2, -0.3, 0.8]),)
import numpy as np  # noqa: F401 (the golden header uses it)


def f(x):
    """Nothing stored: every value the reverse sweep reads is recomputed from x and i."""
    s = 0.0
    for i in range(len(x) - 1):
        s += 100.0 * (x[i + 1] - x[i] ** 2) ** 2 + (1.0 - x[i]) ** 2
    return s
