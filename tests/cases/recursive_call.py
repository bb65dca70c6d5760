# golden: power wrt=x args=(1.5, 3)
def power(x, n):
    """x ** n by recursion; the depth comes from an integer argument."""
    if n == 0:
        return 1.0
    return x * power(x, n - 1)
