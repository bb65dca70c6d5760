"""Implicit differentiation of solvers: ``s2sgrad.custom_root``.

A solver loop (Newton's method, a fixed-point iteration) computes ``x`` with
``F(x, p) = 0``. By default s2sgrad differentiates it as it runs, through every
iteration. Declared with the residual ``F``, it is differentiated by the
implicit function theorem instead: ``dx/dp = -(dF/dx)^-1 dF/dp`` at the
solution the solver returned, with ``dF/dx`` and ``dF/dp`` from s2sgrad's own
derivatives of ``F`` — never through the iterations::

    def kepler_residual(E, e, M):
        return E - e * math.sin(E) - M

    @s2sgrad.custom_root(kepler_residual)
    def kepler(e, M):
        E = M
        for _ in range(20):
            E = E - kepler_residual(E, e, M) / (1.0 - e * math.cos(E))
        return E

The residual takes the solution first, then the solver's parameters it depends
on, by the same names; the solver's other parameters (an initial guess, a
tolerance, an iteration count) do not change the root, so their derivative is
zero. How a call is differentiated is in ``transform/implicit.py``; the two
functions below are the runtime helpers its code calls for array solutions
(and numbers whose kind the compiler does not know).
"""

import inspect
import itertools
import keyword
import linecache
import types
from dataclasses import dataclass
from typing import Any, Callable, Optional, Tuple

import numpy

from . import source_map
from .errors import TransformError

IMPLICIT = "__s2sgrad_implicit__"  # on a solver custom_root made: its Root


@dataclass(frozen=True)
class Root:
    """What ``custom_root`` declares: the solver returns ``x`` with ``residual(x, *parameters) = 0``."""

    residual: types.FunctionType
    solution: str  # the residual's first parameter
    parameters: Tuple[str, ...]  # its others: parameters of the solver, by name


def custom_root(residual: Callable, solver: Optional[Callable] = None) -> Callable:
    """Differentiate ``solver`` by the implicit function theorem on ``residual(x, ...) = 0``.

    ``@s2sgrad.custom_root(residual)`` over ``def solver(...)``, or
    ``custom_root(residual, solver)``. The result calls ``solver`` as it is;
    every s2sgrad derivative of it, or of a function calling it (``grad``,
    ``jvp``, ``hessian`` where the solution is a number), uses the residual's
    derivatives at the solution instead of the solver's iterations.

    Raises:
        TransformError: the residual's parameters are not the solution and some of the solver's.
        TypeError: the residual or the solver is not a Python function of plain parameters.
    """
    if solver is None:
        return lambda s: custom_root(residual, s)
    root = _root_of(residual, solver)
    iterations = types.FunctionType(
        solver.__code__, solver.__globals__, solver.__name__, solver.__defaults__, solver.__closure__
    )
    setattr(iterations, IMPLICIT, root)
    made = _calling(iterations, solver)
    setattr(made, IMPLICIT, root)
    return made


def implicit_root(func: Any) -> Optional[Root]:
    """The Root of a solver ``custom_root`` made, else None."""
    return getattr(func, IMPLICIT, None) if isinstance(func, types.FunctionType) else None


def _root_of(residual: Callable, solver: Callable) -> Root:
    """Check that ``residual(x, *some of solver's parameters)`` fits ``solver``."""
    for func, role in ((residual, "residual"), (solver, "solver")):
        if not isinstance(func, types.FunctionType):
            raise TypeError(f"custom_root needs the {role} as a Python function, not {type(func).__name__}")
        kinds = {p.kind for p in inspect.signature(func).parameters.values()}
        if kinds - {inspect.Parameter.POSITIONAL_OR_KEYWORD}:
            raise _error(
                func,
                f"custom_root: the {role} {func.__name__!r} has *args, **kwargs, keyword-only or positional-only "
                "parameters",
                "give it plain parameters (def f(x, a, b)).",
            )
    names = list(inspect.signature(residual).parameters)
    solver_names = list(inspect.signature(solver).parameters)
    expected = f"def {residual.__name__}(x, {', '.join(solver_names)})"
    if not names:
        raise _error(
            residual, "custom_root: the residual takes no parameter", f"it takes the solution first: {expected}"
        )
    for name in names[1:]:
        if name not in solver_names:
            raise _error(
                residual,
                f"custom_root: the residual's parameter {name!r} is not a parameter of the solver "
                f"{solver.__name__}({', '.join(solver_names)})",
                f"the residual takes the solution, then the solver's parameters it depends on, by name: {expected}",
            )
    return Root(residual, names[0], tuple(names[1:]))


def _error(func: types.FunctionType, message: str, hint: str) -> TransformError:
    code = func.__code__
    lines = linecache.getlines(code.co_filename)
    line = lines[code.co_firstlineno - 1] if len(lines) >= code.co_firstlineno else ""
    return TransformError(message, filename=code.co_filename, line=code.co_firstlineno, source_line=line, hint=hint)


_MADE = itertools.count(1)


def _calling(iterations: types.FunctionType, solver: types.FunctionType) -> types.FunctionType:
    """A function of ``solver``'s signature whose source is one call of ``iterations``.

    It is what ``custom_root`` returns: differentiating it (``s2sgrad.grad(kepler)``)
    reads that source, a call of a solver with a Root, and so uses the rule, where
    the solver's own source would be differentiated through its iterations.
    """
    params = list(inspect.signature(solver).parameters)
    name = solver.__name__ if solver.__name__.isidentifier() and not keyword.iskeyword(solver.__name__) else "solver"
    inner = f"{name}_iterations"
    while inner in params:
        inner += "_"
    arguments = ", ".join(params)
    text = f"def {name}({arguments}):\n    return {inner}({arguments})\n"
    filename = f"<custom_root {name} {next(_MADE)}>"  # never reused: linecache keeps a name's first text
    source_map.register(filename, text, solver.__code__.co_filename, name)  # kept in linecache, for its source
    namespace = {inner: iterations}
    exec(compile(text, filename, "exec"), namespace)
    made = namespace[name]
    made.__defaults__ = solver.__defaults__
    for attribute in ("__module__", "__qualname__", "__doc__"):
        setattr(made, attribute, getattr(solver, attribute))
    return made


# ----- the runtime helpers of array solutions (see transform/implicit.py) -----


def implicit_cotangent(jvp_solution: Callable, d_x: Any, x: Any, *parameters: Any) -> Any:
    """``lam`` with ``(dF/dx)^T lam = -d_x``: the residual's reverse sweep along ``lam`` gives the parameters' adjoints.

    ``jvp_solution(x, *parameters, t_x)`` is the residual's generated forward
    function along the solution; one call per element of ``x`` gives dF/dx.
    """
    jacobian = _jacobian(jvp_solution, (), x, parameters)
    if numpy.ndim(x) == 0:
        return -d_x / jacobian
    return _solved(jacobian.T, -numpy.ravel(d_x)).reshape(numpy.shape(x))


def implicit_tangent(jvp_residual: Callable, t_residual: Any, still: tuple, x: Any, *parameters: Any) -> Any:
    """``t_x = -(dF/dx)^-1 t_residual``, the solution's tangent from the residual's along the parameters.

    ``jvp_residual(x, *parameters, t_x, *still)`` is the residual's generated
    forward function along the solution and some parameters, whose tangents
    ``still`` holds at zero.
    """
    jacobian = _jacobian(jvp_residual, still, x, parameters)
    if numpy.ndim(x) == 0:
        return -t_residual / jacobian
    return _solved(jacobian, -numpy.ravel(t_residual)).reshape(numpy.shape(x))


def _jacobian(jvp_residual: Callable, still: tuple, x: Any, parameters: tuple) -> Any:
    """dF/dx at the solution: a number for a number, else an (n, n) matrix, a forward pass per column."""
    if numpy.ndim(x) == 0:
        return _checked(x, *jvp_residual(x, *parameters, 1.0, *still))
    n = numpy.size(x)
    columns = []
    for k in range(n):
        direction = numpy.zeros(n, numpy.result_type(x, numpy.float32))  # a float32 solution's: float32 derivatives
        direction[k] = 1.0
        column = _checked(x, *jvp_residual(x, *parameters, direction.reshape(numpy.shape(x)), *still))
        columns.append(numpy.ravel(column))
    return numpy.stack(columns, axis=1)


def _checked(x: Any, residual: Any, tangent: Any) -> Any:
    """The residual's tangent, once its value is known to have the solution's shape."""
    if numpy.shape(residual) != numpy.shape(x):
        raise ValueError(
            f"custom_root: the residual returned shape {numpy.shape(residual)} for a solution of shape "
            f"{numpy.shape(x)}; it must return one equation per element of the solution"
        )
    return tangent


def _solved(matrix: Any, rhs: Any) -> Any:
    try:
        return numpy.linalg.solve(matrix, rhs)
    except numpy.linalg.LinAlgError as exc:
        raise numpy.linalg.LinAlgError(
            "custom_root: the residual's Jacobian with respect to the solution is singular at the solution the "
            "solver returned, so the implicit function theorem gives no derivative there"
        ) from exc
