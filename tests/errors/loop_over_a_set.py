# args: (1.5,)
def f(x):
    chosen = {0, 2}
    return sum(x * i for i in chosen)  # error: cannot loop over a set or another value that is not a sequence
