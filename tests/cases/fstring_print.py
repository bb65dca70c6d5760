# golden: logged_energy wrt=x args=(1.3, 2)
import numpy as np


def logged_energy(x, step):
    """An f-string of differentiated values, printed: the gradient prints it too, once; the text has no derivative."""
    energy = 0.5 * x * x
    trend = "rising" if x > 0 else "falling"
    print(f"step {step:3d}: energy={energy:.4f} ({trend}) log={np.log(energy)!r}")
    return energy * np.sin(x)
