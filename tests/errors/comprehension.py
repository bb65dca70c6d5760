# args: (1.0,)
def f(x):
    return sum({x * i for i in range(3)})  # error: a set of differentiated values has no derivative
