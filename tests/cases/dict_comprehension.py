# golden: trained_loss wrt=params,lr args=(PARAMS, np.array([1.0, -0.5, 2.0]), np.array([0.3, -0.1]), 0.1)
import numpy as np

PARAMS = {"W": np.array([[0.2, -0.1, 0.4], [0.0, 0.3, -0.2]]), "b": np.array([0.1, -0.1])}


def trained_loss(params, x, y, lr):
    """Two steps of gradient descent (gradients written out), then the loss: d/d the first parameters and lr."""
    for _step in range(2):
        r = params["W"] @ x + params["b"] - y
        grads = {"W": np.outer(r, x), "b": r}
        params = {k: params[k] - lr * grads[k] for k in params}
    r = params["W"] @ x + params["b"] - y
    return 0.5 * np.sum(r**2)
