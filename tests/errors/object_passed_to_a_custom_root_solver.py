# args: (0.5,)
import math

import s2sgrad


def residual(r, orbit):
    return r * r - orbit.e


def steps(orbit):  # plain Python, run as written: it needs the object, not the dict of its attributes
    return math.sqrt(orbit.e)


root = s2sgrad.custom_root(residual, steps)


class Orbit:
    def __init__(self):
        self.e = 0.3

    def radius(self):
        return 1.0 + self.e

    def scaled(self, x):  # it calls a method: self is viewed by its attributes
        return root(self) * self.radius() * x  # error: passing the object 'self' on to a function is not supported yet


f = Orbit().scaled
