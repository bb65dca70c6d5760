"""Rules for lists: appending to one, and the builtin sum over one.

The adjoint of a list is a list of adjoints; ``append`` is how
``items.append(v)`` reads in the core language (normalize.anf), so the
common pattern "append arrays in a loop, then stack them" reverses as: the
stack's adjoint gives one adjoint per item, and each append, run backwards,
takes the last one.
"""

import builtins

from ..runtime import append, in_sorted_order, keys_of, sum_adjoint, unbroadcast, unsorted
from .notation import adjoint, d, nondifferentiable, t


@adjoint(append, result="same")
def append_(longer, items, value):
    d[items] += d[longer][:-1]
    d[value] += d[longer][-1]
    t[longer] = append(t[items], t[value])


@adjoint(builtins.sum, result="unknown")
def sum_(y, items, start=0):
    d[items] += sum_adjoint(d[y], items)
    d[start] += unbroadcast(d[y], start)
    t[y] = sum(t[items], t[start])


@adjoint(builtins.sorted, result="unknown")
def sorted_(y, iterable, *, key=None, reverse=False):
    d[iterable] += unsorted(d[y], iterable, key, reverse)
    t[y] = in_sorted_order(t[iterable], iterable, key, reverse)


KEYS = nondifferentiable(keys_of, result="unknown")  # keys are never differentiated
