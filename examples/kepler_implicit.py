"""Kepler's equation E - e sin E = M, solved by Newton's method, differentiated two ways.

A planet's position along its orbit at mean anomaly M needs the eccentric anomaly E,
the root of Kepler's equation, which has no closed form: a Newton loop finds it.
s2sgrad differentiates the loop as it runs by default, through every iteration.
Declared with its residual by ``s2sgrad.custom_root``, the same solver is
differentiated by the implicit function theorem instead, at the root it returned:
dE/de = sin E / (1 - e cos E) and dE/dM = 1 / (1 - e cos E), read from s2sgrad's own
derivative of the residual, never from the iterations. Both gradients are checked
against central finite differences of the plain solver.
"""

# golden: orbit_x wrt=e,M0 args=(0.3, 0.2)
import math

import s2sgrad


def kepler_residual(E, e, M):
    """Zero at the eccentric anomaly E of mean anomaly M on an orbit of eccentricity e."""
    return E - e * math.sin(E) - M


def kepler(e, M):
    """E with kepler_residual(E, e, M) = 0, by Newton's method from E = M."""
    E = M
    step = 1.0
    n = 0
    while abs(step) > 1e-13 and n < 50:
        step = (E - e * math.sin(E) - M) / (1.0 - e * math.cos(E))
        E = E - step
        n += 1
    return E


kepler_implicit = s2sgrad.custom_root(kepler_residual, kepler)  # the same solver, differentiated at its root


def orbit_x(e, M0, solve=kepler_implicit):
    """The sum of x / a over 8 points of the orbit, a quarter radian of mean anomaly apart.

    The gradient is specialized on ``solve``: ``kepler_implicit`` by default, or the
    plain ``kepler``, whose gradient goes through every Newton step.
    """
    total = 0.0
    for i in range(8):
        E = solve(e, M0 + 0.25 * i)
        total += math.cos(E) - e
    return total


def central_differences(func, e, M0, h=1e-5):
    """d func / d (e, M0) by central differences of the function itself."""
    return (
        (func(e + h, M0) - func(e - h, M0)) / (2 * h),
        (func(e, M0 + h) - func(e, M0 - h)) / (2 * h),
    )


if __name__ == "__main__":
    e, M0 = 0.3, 0.2
    implicit = s2sgrad.grad(orbit_x, wrt=("e", "M0"))(e, M0)
    iterations = s2sgrad.grad(orbit_x, wrt=("e", "M0"))(e, M0, kepler)
    numeric = central_differences(lambda e, M0: orbit_x(e, M0, kepler), e, M0)
    print("implicit function theorem:", implicit)
    print("through the iterations:   ", iterations)
    print("central differences:      ", numeric)
    for a, b, c in zip(implicit, iterations, numeric):
        assert math.isclose(a, c, rel_tol=1e-7) and math.isclose(b, c, rel_tol=1e-7)
    print()
    print(s2sgrad.source(orbit_x, wrt=("e", "M0"), args=(e, M0)))
