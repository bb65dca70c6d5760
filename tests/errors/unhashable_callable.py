# args: (1.5,)


class Scaler:
    def __init__(self, k):
        self.k = k

    def __eq__(self, other):  # without __hash__: its objects are unhashable
        return isinstance(other, Scaler) and other.k == self.k

    def __call__(self, x):
        return self.k * x


SCALE = Scaler(2.0)


def f(x):
    return SCALE(x) * x  # error: cannot differentiate through Scaler objects
