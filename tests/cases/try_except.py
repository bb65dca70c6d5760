# golden: safe_log wrt=x args=(-1.5,)
import numpy as np


def safe_log(x):
    """The handler's path on negative inputs, recorded in the forward sweep."""
    with np.errstate(invalid="raise"):
        try:
            y = np.log(x) * x
        except FloatingPointError:
            y = x * x
    return y + x
