# args: (1.0,)
def apply(func, v):
    return func(v)


def f(x):
    def square(v):
        return v * v

    return apply(square, x)  # error: the nested function 'square' can only be called here
