# args: (0.5,)
def f(x):
    s = x * 2.0
    return sum(sorted([x, 2.0 * x], key=lambda v: v * s))  # error: a key function that reads the variable 's'
