# args: (1.0, 1)
def f(x, k):
    pair = x * 2.0, x + 1.0
    a = pair[k]  # error: indexing a tuple or list of differentiated values by a variable
    return a * x
