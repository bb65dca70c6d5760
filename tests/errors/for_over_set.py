# args: (1.0, {"a": 1.0, "b": 2.0})
def f(x, weights):
    s = 0.0
    for key in {"a", "b"}:  # error: cannot loop over a set
        s = s + x * weights[key]
    return s
