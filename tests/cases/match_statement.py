# golden: by_mode wrt=x args=(0.7, "cube") python=3.10
import numpy as np


def by_mode(x, mode):
    """Each case an if/elif test of the subject; a capture bound at the start of its case."""
    match mode:
        case "fast":
            y = x * 2.0
        case None | "slow":
            y = x * x
        case other if other == "cube":
            y = x**3
        case _:
            y = np.sin(x)
    return y * x
