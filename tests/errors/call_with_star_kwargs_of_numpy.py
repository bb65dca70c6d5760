# args: (1.0,)
import numpy as np


def f(x):
    options = {}
    if x > 0.0:
        options = {"where": True}  # keys that depend on the path taken: not known where it is unpacked
    return np.sin(x, **options)  # error: unpacking with ** a dict whose keys the compiler cannot tell
