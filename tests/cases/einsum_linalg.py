# golden: f wrt=A,B args=(np.eye(3) * 2.0 + 0.1, np.arange(6.0).reshape(3, 2))
import numpy as np


def f(A, B):
    C = np.einsum("ij,jk->ik", A, B)
    X = np.linalg.solve(A, B)
    return np.sum(C * X) + np.log(np.linalg.det(A)) + np.linalg.norm(B)
