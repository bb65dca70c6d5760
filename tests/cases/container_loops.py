# golden: f wrt=x,y args=(0.7, -1.1)
def f(x, y):
    """Loops over a tuple, zip of lists, reversed and a dict's items: each indexes what it runs over."""
    s = 0.0
    for v in (x, y * y):
        s = s * 0.5 + v
    for a, b in zip([x, y], (1.0, -2.0)):
        s = s + a * b
    for v in reversed([x, x * y]):
        s = s * 1.5 + v
    d = {"a": x, "b": 2.0 * y}
    for _k, v in d.items():
        s = s + v * v
    return s
