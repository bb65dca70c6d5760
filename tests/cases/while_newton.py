# golden: f wrt=a args=(2.0,)
def f(a):
    """sqrt(a) by Newton's method, until the step is small (a data-dependent while)."""
    z = a
    step = 1.0
    while abs(step) > 1e-10:
        step = (z * z - a) / (2.0 * z)
        z = z - step
    return z
