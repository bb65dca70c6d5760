# args: (1.0, 3)
def f(x, n):
    def power(v, k):  # error: a nested function that calls itself is not supported yet
        return v if k <= 1 else v * power(v, k - 1)

    return power(x, n)
