# golden: scaled_if_present wrt=x args=(0.7, {"scale": 1.5})
import contextlib

import numpy as np


def scaled_if_present(x, options):
    """The body stops at a missing key: the forward sweep records whether it ran to its end."""
    y = np.sin(x)
    with contextlib.suppress(KeyError):
        y = y * options["scale"]
    return y * x
