# args: (0.5,)
def total(pair):
    return pair[0] * pair[1]


def f(x):
    return total((x, x * 2.0))  # error: passing a list or tuple of differentiated values is not supported yet
