# golden: f wrt=x args=(1.2,)
def f(x):
    """for ... else: the else clause runs when no break left the loop."""
    y = x
    for _ in range(5):
        y = y * 0.9
        if y < 0.5:
            break
    else:
        y = y + x
    return y
