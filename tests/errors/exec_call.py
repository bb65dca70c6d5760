# args: (1.0,)
def f(x):
    exec("x = x * 2.0")  # error: exec() reads or writes variables the compiler cannot see
    return x * x
