# golden: leaky_relu_loss wrt=x args=(np.array([-1.5, -0.2, 0.3, 2.0]),)
import numpy as np


def leaky_relu_loss(x):
    y = np.where(x > 0, x, 0.1 * x)
    return np.sum(np.clip(y, -1.0, 1.0) ** 2)
