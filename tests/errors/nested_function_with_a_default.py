# args: (1.0,)
def f(x):
    def scaled(v, k=2.0):  # error: a nested function with defaults, *args, **kwargs or decorators is not supported yet
        return k * v

    return scaled(x)
