# args: (1.0, 2.0)
import numpy as np


def f(x, y):
    pair = [x]
    pair.append(y)  # the list may grow: its length is not known where it is unpacked
    return np.hypot(*pair)  # error: unpacking with * a value whose length the compiler cannot tell
