# args: (numpy.array([1.0, 2.0, 3.0]), numpy.array([0.5, -1.5, 2.0]))
import numpy


def f(a, b):
    d = {"a": a * 2.0, "b": b}
    e = d.copy()
    e["a"] *= b  # error: which also changes 'd'
    return numpy.sum(d["a"] * e["a"])
