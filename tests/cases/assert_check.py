# golden: checked_sqrt wrt=x args=(2.25,)
import math


def checked_sqrt(x):
    """An assert runs in the forward sweep, as in the function; it has no derivative."""
    assert x > 0, f"x must be positive, got {x}"
    y = math.sqrt(x)
    assert math.isfinite(y)
    return y * x
