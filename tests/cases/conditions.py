# golden: f wrt=x,y args=(0.4, 1.3)
def f(x, y):
    """A conditional expression, and/or and a chained comparison in conditions."""
    z = x * y if x < y else x + y
    if 0.0 < x < 1.0 and not y > 2.0:
        z = z * z
    elif x > 3.0 or y < -1.0:
        z = -z
    return z
