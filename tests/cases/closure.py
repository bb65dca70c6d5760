# golden: penalty wrt=w args=(np.array([0.5, -1.5, 2.0]),)
import numpy as np


def make_penalty(strength, center):
    def penalty(w):
        """Reads strength and center from the enclosing function's cells, live."""
        return strength * np.sum((w - center) ** 2)

    return penalty


penalty = make_penalty(0.5, 1.0)
