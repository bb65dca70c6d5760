# args: (0.5,)
def f(x):
    pair = ("a", x)
    d = dict([pair])  # error: dict() of a pair that is not written out as (key, value) is not supported yet
    return d["a"] * 2.0
