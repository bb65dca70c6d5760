# args: (1.0,)
def f(x):
    return sum([x * i for i in range(3)])  # error: a list comprehension is not supported yet
