"""The few helpers generated code calls. Imports nothing from the compiler.

Each helper undoes one shape effect of a NumPy primitive: broadcasting,
reduction, indexing, concatenation. They are plain functions so that a person
stepping through generated code with pdb can step into them too.
"""

from typing import Any, Optional, Sequence, Tuple

import numpy


def sign(x: Any) -> Any:
    """``numpy.sign``, without its cost on a Python float (-1.0, 0.0 or 1.0)."""
    if type(x) is float:
        return 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0 * x  # 0.0 * x keeps NaN a NaN
    return numpy.sign(x)


def ieee_divide(a: Any, b: Any) -> Any:
    """``a / b``, by NumPy's rules also for Python floats: ±inf or nan (and NumPy's warning), never ZeroDivisionError.

    For the rules of NumPy functions: ``numpy.log(0.0)`` gives ``-inf`` in the
    function, so its derivative at 0.0 is ``inf``, not an exception.
    """
    try:
        return a / b
    except ZeroDivisionError:
        return numpy.divide(a, b)


def ieee_power(a: Any, b: Any) -> Any:
    """``a ** b``, by NumPy's rules also for Python floats: ``0.0 ** -0.5`` is inf (and NumPy's warning)."""
    try:
        return a**b
    except ZeroDivisionError:
        return numpy.power(float(a), b)


def zeros_like(x: Any) -> Any:
    """A zero adjoint of ``x``'s type and shape (0.0 for a Python scalar, a list for a tuple or list)."""
    if isinstance(x, (list, tuple)):
        return [zeros_like(e) for e in x]
    if isinstance(x, dict):
        return {key: zeros_like(value) for key, value in x.items()}
    return numpy.zeros_like(x) if isinstance(x, numpy.ndarray) else 0.0


def zero_tangent(x: Any) -> Any:
    """A zero tangent of ``x``'s type and shape (tuples stay tuples: a tangent has its value's structure)."""
    if isinstance(x, tuple):
        return tuple(zero_tangent(e) for e in x)
    return zeros_like(x)


def broadcast_tangent(t: Any, like: Any) -> Any:
    """The tangent ``t`` of an operand, spread to the result ``like``'s shape (``x + c`` with ``c`` larger)."""
    shape = numpy.shape(like)
    if numpy.shape(t) == shape:
        return t
    return numpy.broadcast_to(t, shape).copy()


def unbroadcast(g: Any, like: Any) -> Any:
    """Sum ``g`` over the axes that broadcasting added or stretched in ``like``."""
    if type(g) is numpy.ndarray and type(like) is numpy.ndarray and g.shape == like.shape:
        return g  # the common case, first: called once per operand per step in loops
    shape = numpy.shape(like)
    if numpy.shape(g) == shape:
        return g
    g = numpy.asarray(g)
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if stretched:
        g = g.sum(axis=stretched, keepdims=True)
    if not isinstance(like, numpy.ndarray):
        return g[()] if g.ndim == 0 else g
    return numpy.broadcast_to(g, shape).copy() if g.shape != shape else g


def unreduce(g: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Spread the adjoint of a reduction over ``axis`` back to ``x``'s shape."""
    shape = numpy.shape(x)
    g = numpy.asarray(g, dtype=numpy.result_type(g, x))  # float32 in, float32 gradient out
    if not keepdims and axis is not None:
        axes = (axis,) if numpy.ndim(axis) == 0 else tuple(axis)
        g = numpy.expand_dims(g, tuple(a % len(shape) for a in axes))
    if not shape:
        return g[()]  # a scalar, never a 0-d array that a later `+=` would update in place
    return numpy.broadcast_to(g, shape).copy()


def unindex(g: Any, x: Any, index: Any) -> numpy.ndarray:
    """The adjoint of ``x[index]``: ``g`` scattered into zeros shaped like ``x``."""
    out = numpy.zeros(numpy.shape(x), dtype=numpy.result_type(x, g, 1.0))
    numpy.add.at(out, index, g)
    return out


def extremum_share(x: Any, y: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Where ``x`` attains the max/min ``y``: 1/count at each tie, 0 elsewhere."""
    level = unreduce(y, x, axis, keepdims)
    hits = x == level
    # counted in the float type of x and y: a bool divided by an int count would be a float64 share
    counts = numpy.sum(hits, axis=axis, keepdims=True, dtype=numpy.result_type(level, 1.0))
    return hits / counts


def greater_share(x: Any, y: Any) -> Any:
    """``x``'s share of ``max(x, y)``: 1 where ``x > y``, 0.5 at a tie, 0 elsewhere (and at a NaN).

    In the float type of ``x`` and ``y``: float32 in, float32 out (``numpy.where`` of 0.5 and a bool is float64).
    """
    return numpy.where(x == y, 0.5, x > y).astype(numpy.result_type(x, y, 1.0), copy=False)


def matmul_lhs(g: Any, x: Any, y: Any) -> Any:
    """The adjoint of ``x`` in ``x @ y`` for 1-D and N-D (batched) operands."""
    if numpy.ndim(y) == 1:
        return unbroadcast(numpy.multiply.outer(g, y) if numpy.ndim(x) > 1 else g * y, x)
    if numpy.ndim(x) == 1:
        return unbroadcast(numpy.matmul(y, numpy.expand_dims(g, -1))[..., 0], x)
    return unbroadcast(numpy.matmul(g, numpy.swapaxes(y, -1, -2)), x)


def matmul_rhs(g: Any, x: Any, y: Any) -> Any:
    """The adjoint of ``y`` in ``x @ y`` for 1-D and N-D (batched) operands."""
    if numpy.ndim(x) == 2 and numpy.ndim(y) == 1:
        return numpy.matmul(g, x)  # matrix @ vector, the common case: x.T @ g
    if numpy.ndim(x) == 1 and numpy.ndim(y) == 1:
        return g * x
    if numpy.ndim(x) == 1:  # y[..., i, j] meets x[i] in z[..., j]: x down the rows, g along them, per batch
        return unbroadcast(numpy.expand_dims(x, -1) * numpy.expand_dims(g, -2), y)
    if numpy.ndim(y) == 1:
        return unbroadcast(numpy.matmul(numpy.expand_dims(g, -2), x)[..., 0, :], y)
    return unbroadcast(numpy.matmul(numpy.swapaxes(x, -1, -2), g), y)


def dot_lhs(g: Any, x: Any, y: Any) -> Any:
    """The adjoint of ``x`` in ``numpy.dot(x, y)`` (scalars, vectors, matrices)."""
    if numpy.ndim(x) == 0 or numpy.ndim(y) == 0:
        return unbroadcast(g * y, x)
    _check_dot(x, y)
    return matmul_lhs(g, x, y)


def dot_rhs(g: Any, x: Any, y: Any) -> Any:
    """The adjoint of ``y`` in ``numpy.dot(x, y)`` (scalars, vectors, matrices)."""
    if numpy.ndim(x) == 0 or numpy.ndim(y) == 0:
        return unbroadcast(g * x, y)
    _check_dot(x, y)
    return matmul_rhs(g, x, y)


def _check_dot(x: Any, y: Any) -> None:
    if numpy.ndim(x) > 2 or numpy.ndim(y) > 2:
        raise NotImplementedError("s2sgrad differentiates numpy.dot on at most 2-D operands; use matmul or einsum")


def inner_adjoints(g: Any, x: Any, y: Any) -> Tuple[Any, Any]:
    """Adjoints of both operands of ``numpy.inner(x, y)``: a contraction over the last axes."""
    if numpy.ndim(x) == 0 or numpy.ndim(y) == 0:
        return unbroadcast(g * y, x), unbroadcast(g * x, y)
    return tensordot_adjoints(g, x, y, ([-1], [-1]))


def reshape_like(g: Any, x: Any, order: str = "C") -> Any:
    """``g`` in ``x``'s shape (a float for a Python scalar ``x``), read in ``order``."""
    if not isinstance(x, numpy.ndarray):
        return numpy.reshape(g, ())[()]
    return numpy.reshape(g, numpy.shape(x), order=order)


def tensordot_adjoints(g: Any, x: Any, y: Any, axes: Any = 2) -> Tuple[Any, Any]:
    """Adjoints of both operands of ``numpy.tensordot(x, y, axes)``."""
    nx, ny = numpy.ndim(x), numpy.ndim(y)
    if numpy.ndim(axes) == 0:
        x_axes, y_axes = list(range(nx - axes, nx)), list(range(axes))
    else:
        x_axes, y_axes = [list(numpy.atleast_1d(a) % n) for a, n in zip(axes, (nx, ny))]
    x_free = [a for a in range(nx) if a not in x_axes]
    y_free = [a for a in range(ny) if a not in y_axes]
    g_x, g_y = list(range(len(x_free))), list(range(len(x_free), numpy.ndim(g)))
    d_x = numpy.tensordot(g, y, (g_y, y_free))  # axes: x_free..., y contracted (in x_axes order)
    d_x = numpy.transpose(d_x, numpy.argsort(x_free + x_axes))
    d_y = numpy.tensordot(x, g, (x_free, g_x))  # axes: x contracted..., y_free...
    d_y = numpy.transpose(d_y, numpy.argsort(y_axes + y_free))
    return d_x, d_y


def einsum_adjoints(subscripts: str, g: Any, operands: Sequence[Any]) -> Tuple[Any, ...]:
    """Adjoints of every operand of ``numpy.einsum(subscripts, *operands)``."""
    inputs, output = _einsum_parts(subscripts, operands)
    adjoints = []
    for i, (spec, operand) in enumerate(zip(inputs, operands)):
        others = [s for j, s in enumerate(inputs) if j != i]
        known = set(output).union(*others)
        letters = "".join(dict.fromkeys(spec))  # each index once: "ii" (a diagonal) is "i"
        present = "".join(c for c in letters if c in known)
        terms = ",".join([output, *others])
        partial = numpy.einsum(f"{terms}->{present}", g, *[o for j, o in enumerate(operands) if j != i])
        sizes = [numpy.shape(operand)[spec.index(c)] for c in letters]
        partial = numpy.reshape(partial, [n if c in present else 1 for n, c in zip(sizes, letters)])
        adjoint = numpy.zeros(numpy.shape(operand), dtype=numpy.result_type(partial, operand))
        # einsum("ii->i", a) is a writable view of a's diagonal: the adjoint lives there, zero elsewhere
        numpy.einsum(f"{spec}->{letters}", adjoint)[...] = partial
        adjoints.append(adjoint)
    return tuple(adjoints)


def einsum_tangent(subscripts: str, operands: Sequence[Any], tangents: Sequence[Any]) -> Any:
    """The tangent of ``numpy.einsum(subscripts, *operands)``: one term per operand, linear in each."""
    terms = [
        numpy.einsum(subscripts, *operands[:i], tangent, *operands[i + 1 :])
        for i, tangent in enumerate(tangents)
        if numpy.any(tangent)  # an operand that is not differentiated has a zero tangent
    ]
    return sum(terms[1:], terms[0]) if terms else numpy.zeros_like(numpy.einsum(subscripts, *operands))


def _einsum_parts(subscripts: str, operands: Sequence[Any]) -> Tuple[list, str]:
    spec = subscripts.replace(" ", "")
    if "." in spec:
        raise NotImplementedError("einsum adjoint with '...' in the subscripts")
    inputs, _, output = spec.partition("->")
    inputs = inputs.split(",")
    if "->" not in spec:
        letters = "".join(inputs)
        output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    return inputs, output


def split_like(g: Any, arrays: Sequence[Any], axis: int = 0) -> Tuple[Any, ...]:
    """The adjoint of ``numpy.concatenate(arrays, axis)``: ``g`` cut back into pieces."""
    if axis is None:
        sizes = [numpy.size(a) for a in arrays]
        g = numpy.ravel(g)
        axis = 0
    else:
        sizes = [numpy.shape(a)[axis] for a in arrays]
    pieces = numpy.split(g, numpy.cumsum(sizes)[:-1], axis=axis)
    return tuple(numpy.reshape(p, numpy.shape(a)) for p, a in zip(pieces, arrays))


def unstack(g: Any, arrays: Sequence[Any], axis: int = 0) -> Tuple[Any, ...]:
    """The adjoint of ``numpy.stack(arrays, axis)`` (one piece per stacked array: ``g``'s length)."""
    return tuple(numpy.take(g, i, axis=axis) for i in range(numpy.shape(g)[axis]))


def append(items: list, value: Any) -> list:
    """``items.append(value)``, as an operation: the same list, one longer."""
    items.append(value)
    return items


def popped(items: list) -> Any:
    """``items.pop()`` as a function: the last item, taken off the list (see normalize.anf)."""
    return items.pop()


def sum_adjoint(g: Any, items: Any) -> Any:
    """The adjoint of the builtin ``sum(items)``: ``g`` for each item (each row of an array)."""
    if isinstance(items, numpy.ndarray):
        return numpy.broadcast_to(g, items.shape).copy()
    return [unbroadcast(g, item) for item in items]


def array_adjoint(g: Any, x: Any) -> Any:
    """The adjoint of ``numpy.array(x)``: one adjoint per element when ``x`` is a list."""
    if isinstance(x, (list, tuple)):
        return tuple(g[i] for i in range(len(x)))
    return g


def unhstack(g: Any, arrays: Sequence[Any]) -> Tuple[Any, ...]:
    """The adjoint of ``numpy.hstack(arrays)``."""
    axis = 0 if numpy.ndim(arrays[0]) <= 1 else 1
    return split_like(g, [numpy.atleast_1d(a) for a in arrays], axis)


def unvstack(g: Any, arrays: Sequence[Any]) -> Tuple[Any, ...]:
    """The adjoint of ``numpy.vstack(arrays)``."""
    pieces = split_like(g, [numpy.atleast_2d(a) for a in arrays], 0)
    return tuple(numpy.reshape(p, numpy.shape(a)) for p, a in zip(pieces, arrays))


def untranspose(g: Any, axes: Optional[Sequence[int]] = None) -> Any:
    """The adjoint of ``numpy.transpose(x, axes)``."""
    return numpy.transpose(g, None if axes is None else numpy.argsort(axes))


def uncumsum(g: Any, x: Any, axis: Optional[int] = None) -> Any:
    """The adjoint of ``numpy.cumsum(x, axis)``: a reversed cumulative sum."""
    if axis is None:
        return numpy.reshape(numpy.cumsum(g[::-1])[::-1], numpy.shape(x))
    return numpy.flip(numpy.cumsum(numpy.flip(g, axis), axis), axis)


def undiff(g: Any, n: int = 1, axis: int = -1) -> Any:
    """The adjoint of ``numpy.diff(x, n, axis)``."""
    for _ in range(n):
        widths = [(0, 0)] * numpy.ndim(g)
        widths[axis] = (1, 1)
        g = -numpy.diff(numpy.pad(g, widths), axis=axis)
    return g


def untrace(g: Any, x: Any, offset: int = 0) -> numpy.ndarray:
    """The adjoint of ``numpy.trace`` of a matrix."""
    rows, cols = numpy.shape(x)[:2]
    return g * numpy.eye(rows, cols, k=offset, dtype=numpy.result_type(g, x, 1.0))  # float32 stays float32


def prod_adjoint(g: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """The adjoint of ``numpy.prod`` over ``axis`` (one, several or all): the product of the other factors,
    zeros included."""
    x = numpy.asarray(x)
    x = x.astype(numpy.result_type(x, 1.0), copy=False)  # ints are multiplied as floats; float32 stays float32
    axes = tuple(range(x.ndim)) if axis is None else tuple(a % x.ndim for a in numpy.atleast_1d(axis))
    kept = x.ndim - len(axes)
    ends = tuple(range(kept, x.ndim))
    moved = numpy.moveaxis(x, axes, ends)  # the reduced axes last, then as one (of their total length)
    others = _others_along_last(numpy.reshape(moved, (*moved.shape[:kept], int(numpy.prod(moved.shape[kept:])))))
    others = numpy.moveaxis(numpy.reshape(others, moved.shape), ends, axes)
    return unreduce(g, x, axis, keepdims) * others


def _others_along_last(x: numpy.ndarray) -> numpy.ndarray:
    """At each ``k`` of the last axis, the product of the elements before ``k`` times those after it."""
    ones = numpy.ones_like(x[..., :1])
    before = numpy.cumprod(numpy.concatenate([ones, x[..., :-1]], -1), -1)
    after = numpy.flip(numpy.cumprod(numpy.concatenate([ones, numpy.flip(x[..., 1:], -1)], -1), -1), -1)
    return before * after


def moments_adjoint(g: Any, x: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Any:
    """The adjoint of ``numpy.var``."""
    x = numpy.asarray(x)
    count = x.size / numpy.size(numpy.mean(x, axis=axis))
    centered = x - numpy.mean(x, axis=axis, keepdims=True)
    return unreduce(g, x, axis, keepdims) * (2.0 / (count - ddof)) * centered


def norm_adjoint(g: Any, x: Any, y: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:
    """The adjoint of ``numpy.linalg.norm``: vector 2, 1 and inf norms, every matrix norm."""
    vector = (axis is not None and numpy.ndim(axis) == 0) or numpy.ndim(x) == 1
    if ord in (None, "fro") or (ord == 2 and vector):
        return unreduce(g, x, axis, keepdims) * x / unreduce(y, x, axis, keepdims)
    if ord == 1 and vector:
        return unreduce(g, x, axis, keepdims) * numpy.sign(x)
    if ord == numpy.inf and vector:
        return unreduce(g, x, axis, keepdims) * numpy.sign(x) * extremum_share(numpy.abs(x), y, axis, keepdims)
    if not vector and ord in (2, -2, "nuc", 1, -1, numpy.inf, -numpy.inf):
        return _matrix_norm_adjoint(g, x, ord, (-2, -1) if axis is None else axis, keepdims)
    raise NotImplementedError(f"s2sgrad has no derivative of numpy.linalg.norm with ord={ord!r} here")


def _matrix_norm_adjoint(g: Any, x: Any, ord: Any, axis: Tuple[int, int], keepdims: bool) -> Any:
    """Matrix norms over two axes: singular vectors for 2, -2 and "nuc"; the extreme column or row for 1 and inf."""
    axes = tuple(a % numpy.ndim(x) for a in axis)
    m = numpy.moveaxis(x, axes, (-2, -1))
    g = numpy.asarray(g)
    g = (numpy.squeeze(g, axis=axes) if keepdims else g)[..., None, None]
    if ord in (2, -2, "nuc"):
        u, _, vt = numpy.linalg.svd(m, full_matrices=False)  # singular values in decreasing order
        if ord != "nuc":
            k = 0 if ord == 2 else vt.shape[-2] - 1
            u, vt = u[..., :, k : k + 1], vt[..., k : k + 1, :]
        d = u @ vt
    else:  # 1: the largest column sum of |m|; inf: the largest row sum; -1, -inf: the smallest
        summed, across = (-2, -1) if abs(ord) == 1 else (-1, -2)
        sums = numpy.abs(m).sum(axis=summed, keepdims=True)
        chosen = sums == (sums.max if ord > 0 else sums.min)(axis=across, keepdims=True)
        d = numpy.sign(m) * chosen / chosen.sum(axis=across, keepdims=True)  # ties share
    return numpy.moveaxis(g * d, (-2, -1), axes)


def solve_adjoints(g: Any, a: Any, b: Any, x: Any) -> Tuple[Any, Any]:
    """Adjoints of ``a`` and ``b`` in ``x = numpy.linalg.solve(a, b)``."""
    d_b = numpy.linalg.solve(numpy.swapaxes(a, -1, -2), g)
    if numpy.ndim(b) == 1:
        return -numpy.outer(d_b, x), d_b
    return -numpy.matmul(d_b, numpy.swapaxes(x, -1, -2)), d_b


def add_structured(a: Any, b: Any) -> Any:
    """The sum of two adjoints of a list, tuple or dict: element by element (``+`` would concatenate)."""
    if isinstance(a, dict):
        return {key: add_structured(a[key], b[key]) for key in a}
    if isinstance(a, (list, tuple)):
        return [add_structured(x, y) for x, y in zip(a, b)]
    return a + b


def structured_like(g: Any, x: Any) -> Any:
    """A container gradient in the structure of its argument: a tuple for a tuple."""
    return tuple(g) if isinstance(x, tuple) else g


def last_written(g: numpy.ndarray, index: Any) -> numpy.ndarray:
    """The adjoint of the value in ``y[index] = v``: ``g[index]``, where an element that the index
    repeats counts only where it is written last (NumPy assigns repeated elements in order)."""
    positions = numpy.arange(numpy.size(g)).reshape(numpy.shape(g))[index]
    flat = numpy.ravel(positions)
    _, last_from_end = numpy.unique(flat[::-1], return_index=True)
    kept = numpy.zeros(flat.size, dtype=bool)
    kept[flat.size - 1 - last_from_end] = True
    return g[index] * kept.reshape(numpy.shape(positions))


def fresh_copy(x: Any) -> Any:
    """A copy of an array gradient (or a list of gradients) that would otherwise share its buffer."""
    if isinstance(x, (list, tuple)):
        return list(x)  # an adjoint of a sequence is built as a list
    if isinstance(x, dict):
        return dict(x)
    return x.copy() if isinstance(x, numpy.ndarray) else x


def vjp_adjoints(adjoints: Any, count: int, rule: str) -> Sequence[Any]:
    """What a VJP rule of ``count`` arguments returned, checked: one adjoint per argument."""
    if not isinstance(adjoints, (tuple, list)) or len(adjoints) != count:
        got = f"{len(adjoints)} values" if isinstance(adjoints, (tuple, list)) else type(adjoints).__name__
        raise TypeError(f"the VJP rule {rule} returned {got}; it must return {count} adjoints, one per argument")
    return adjoints
