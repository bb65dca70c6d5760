# golden: f wrt=x,y args=(0.9, 0.4)
def f(x, y):
    """Builtin max and min of several values and of a generator: the first of equal items wins, as in Python."""
    return max(x, y, 0.25) * 2.0 + min(x * i for i in (1.0, y, 3.0))
