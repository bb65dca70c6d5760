# args: (0.5, "a")
def f(x, key):
    d = dict([(key, x)])  # error: a dict with keys that are not literal strings or numbers is not supported yet
    return d["a"] * 2.0
