# args: (1.0,)
def f(x, *rest):  # error: *args, **kwargs and keyword-only parameters are not supported yet
    return x
