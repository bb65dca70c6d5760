# golden: solve wrt=y0 args=(GROWTH, 0.3, 0.1, 10)
GROWTH = lambda y: y * (1.0 - y)  # noqa: E731 - the right-hand side, passed to the solver


def solve(rhs, y0, h, n):
    """The midpoint method; the gradient is specialized on the function passed as rhs."""
    y = y0
    for _ in range(n):
        y = y + h * rhs(y + 0.5 * h * rhs(y))
    return y
