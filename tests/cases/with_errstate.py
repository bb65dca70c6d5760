# golden: entropy wrt=p args=(np.array([0.1, 0.25, 0.75]),)
import numpy as np


def entropy(p):
    """np.where evaluates p * log(p) at p = 0 too: the errstate keeps that quiet."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(p), 0.0)
    return -np.sum(terms)
