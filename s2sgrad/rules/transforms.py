"""Rules of s2sgrad's own transforms called in differentiated code.

``s2sgrad.jvp(h, primals, tangents)`` inside a function being differentiated:
its value and tangent are differentiated as what computes them, ``h``'s
generated forward function, in reverse mode (a VJP of a JVP) or forward mode
(forward over forward). ``s2sgrad.grad(h)`` carries its own rule instead (see
``api._rule_of_gradient``): each one made is a new function.
"""

from ..api import jvp, jvp_pullback, jvp_tangent
from .notation import adjoint, d, t


@adjoint(jvp, result="unknown")
def jvp_of_function(y, func, primals, tangents):
    adjoints = jvp_pullback(d[y], func, primals, tangents)
    d[primals] += adjoints[0]
    d[tangents] += adjoints[1]
    t[y] = jvp_tangent(func, primals, tangents, t[primals], t[tangents])
