"""The few helpers generated code calls. Imports nothing from the compiler.

Each helper undoes one shape effect of a NumPy primitive: broadcasting,
reduction, indexing, concatenation. They are plain functions so that a person
stepping through generated code with pdb can step into them too.

The helpers of the common rules (arithmetic, broadcasting, reductions,
indexing, matrix products) are written against NumPy's protocols, so that an
array of another library that implements them (a Dask array) flows through
them lazily and comes out in its own library: they build arrays with
``numpy.zeros_like`` and methods of their operands, never ``numpy.asarray``
of one.
"""

import copy
import math
import string
from typing import Any, Callable, Dict, Iterator, Optional, Sequence, Tuple

import numpy

from .kinds import AttributeView, is_protocol_array, kind_of

# What most adjoints are, tested first where a helper is called once per reduction: no protocol array to check for
_NUMPY_OPERANDS = frozenset((float, numpy.ndarray, numpy.float64, numpy.float32))


def result_dtype(*values: Any) -> Any:
    """``numpy.result_type`` of values as NumPy reads them: a list or tuple is data, never a dtype spec
    (``numpy.result_type([1, 2.5])`` would read the list as a structured dtype's fields)."""
    return numpy.result_type(*(numpy.asarray(v) if isinstance(v, (list, tuple)) else v for v in values))


def _is_array(x: Any) -> bool:
    return isinstance(x, numpy.ndarray) or is_protocol_array(x)


def _as_array(x: Any) -> Any:
    """``x`` as an array: an ndarray for a number or a list, an array of another library as it is (lazy)."""
    return x if type(x) is numpy.ndarray or is_protocol_array(x) else numpy.asarray(x)


def _as_array_of(x: Any, dtype: Any) -> Any:
    """``numpy.asarray(x, dtype)``, an array of another library cast in its own library (lazily)."""
    return x.astype(dtype, copy=False) if is_protocol_array(x) else numpy.asarray(x, dtype=dtype)


def size(x: Any) -> int:
    """``numpy.size(x)``, which a Dask array does not implement: from its shape."""
    return x.size if type(x) is numpy.ndarray else math.prod(numpy.shape(x))


def sign(x: Any) -> Any:
    """``numpy.sign``, without its cost on a Python or NumPy float64 scalar (-1.0, 0.0 or 1.0)."""
    if type(x) is float or type(x) is numpy.float64:
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
    return numpy.zeros_like(x) if _is_array(x) else 0.0


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
    g = _as_array(g)
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if stretched:
        g = g.sum(axis=stretched, keepdims=True)
    if not _is_array(like):
        return g[()] if g.ndim == 0 else g
    return _spread(g, like, shape) if g.shape != shape else g


def unreduce(g: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Spread the adjoint of a reduction over ``axis`` back to ``x``'s shape."""
    shape = numpy.shape(x)
    # float32 in, float32 gradient out
    dtype = result_dtype(g, x)
    g = numpy.asarray(g, dtype=dtype) if type(g) in _NUMPY_OPERANDS else _as_array_of(g, dtype)
    if not keepdims and axis is not None:
        axes = (axis,) if numpy.ndim(axis) == 0 else tuple(axis)
        g = numpy.expand_dims(g, tuple(a % len(shape) for a in axes))
    if not shape:
        return g[()]  # a scalar, never a 0-d array that a later `+=` would update in place
    return numpy.broadcast_to(g, shape).copy() if type(x) is numpy.ndarray else _spread(g, x, shape)


def _spread(g: Any, like: Any, shape: Tuple[int, ...]) -> Any:
    """``g`` broadcast to ``like``'s shape as a new array (a broadcast view is read-only). For an array of another
    library, in that library and cut like it: ``g`` plus zeros like ``like`` (a Dask array's chunks), where
    ``numpy.broadcast_to`` would put each stretched axis in one chunk or make an ndarray of a Python float."""
    if is_protocol_array(like):
        return g + numpy.zeros_like(like, dtype=g.dtype)
    return numpy.broadcast_to(g, shape).copy()


def shape_of(x: Any) -> Any:
    """What a reverse sweep keeps of an ndarray it reads only for its shape and dtype (``unbroadcast(g, x)``):
    an array of ``x``'s shape and dtype that holds no data (one zero, every stride 0), shared by every call.

    The shape helpers read it as they read ``x``, so a loop keeps one reference per step, not a copy of the
    step's array. Anything else is kept as it is: an array of another library (a Dask array), a scalar, and
    a 0-d array (whose value NumPy 1's casting rules read).
    """
    if type(x) is not numpy.ndarray:
        return x
    # by shape alone, the dtype compared by identity: a call per stack push, in the loop's time
    stand_in = _STAND_INS.get(x.shape)
    if stand_in is None or stand_in.dtype is not x.dtype:
        if not x.ndim:
            return x
        if len(_STAND_INS) >= 256:  # a program of ever-new shapes must not grow this without bound
            _STAND_INS.clear()
        stand_in = _STAND_INS[x.shape] = numpy.broadcast_to(numpy.zeros((), x.dtype), x.shape)
    return stand_in


_STAND_INS: Dict[Tuple[int, ...], numpy.ndarray] = {}


def mean_divisor(x: Any, axis: Any = None) -> int:
    """How many elements of ``x`` a mean over ``axis`` averages into each result: read from its shape only."""
    shape = numpy.shape(x)
    if axis is None:
        return math.prod(shape)
    axes = (axis,) if numpy.ndim(axis) == 0 else tuple(axis)
    return math.prod(shape[a] for a in axes)


def unindex(g: Any, x: Any, index: Any) -> numpy.ndarray:
    """The adjoint of ``x[index]``: ``g`` scattered into zeros shaped like ``x``."""
    if is_protocol_array(x) or is_protocol_array(g):
        return _assigned_into_zeros(g, x, index)
    out = numpy.zeros(numpy.shape(x), dtype=result_dtype(x, g, 1.0))
    numpy.add.at(out, index, g)
    return out


def _assigned_into_zeros(g: Any, x: Any, index: Any) -> Any:
    """``unindex`` for an array of another library, which has no scatter-add (Dask lacks ``numpy.add.at``):
    ``g`` assigned into zeros like ``x``. That is the same sum only while no element is reached twice."""
    problem = _repeats_problem(index if isinstance(index, tuple) else (index,), numpy.shape(x))
    if problem:
        library = type(x if is_protocol_array(x) else g)
        raise NotImplementedError(
            f"the adjoint of indexing a {library.__module__}.{library.__name__} by {problem} needs a scatter-add "
            "(numpy.add.at), which that library does not have; index it by slices, integers, a boolean mask "
            "or one NumPy array of distinct integers, or compute it to a NumPy array first"
        )
    out = numpy.zeros_like(x, dtype=result_dtype(x, g, 1.0))
    out[index] = g
    return out


def _repeats_problem(parts: tuple, shape: Tuple[int, ...]) -> Optional[str]:
    """Why assigning at this index might not add at each element reached (it may reach one twice), or None."""
    arrays = [i for i, part in enumerate(parts) if not _is_basic_index(part)]
    if not arrays:
        return None
    if len(arrays) > 1:
        return "several arrays (together they may reach an element twice)"
    part = parts[arrays[0]]
    if is_protocol_array(part):
        return "a lazy array (the elements it reaches are not known before it is computed)"
    values = numpy.asarray(part)
    if values.dtype == bool:
        return None
    distinct = numpy.unique(values % shape[_axis_of(parts, arrays[0], len(shape))])
    return None if distinct.size == values.size else "an integer array that repeats an element"


def _is_basic_index(part: Any) -> bool:
    return part is None or part is Ellipsis or isinstance(part, (int, numpy.integer, slice))


def _axis_of(parts: tuple, where: int, ndim: int) -> int:
    """The axis of ``x`` that the index part at position ``where`` selects along."""
    consumed = sum(1 for part in parts if part is not None and part is not Ellipsis)
    return sum(ndim - consumed if part is Ellipsis else part is not None for part in parts[:where])


def extremum_share(x: Any, y: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Where ``x`` attains the max/min ``y``: 1/count at each tie, 0 elsewhere."""
    level = unreduce(y, x, axis, keepdims)
    hits = x == level
    # counted in the float type of x and y: a bool divided by an int count would be a float64 share
    counts = numpy.sum(hits, axis=axis, keepdims=True, dtype=result_dtype(level, 1.0))
    return hits / counts


def greater_share(x: Any, y: Any) -> Any:
    """``x``'s share of ``max(x, y)``: 1 where ``x > y``, 0.5 at a tie, 0 elsewhere (and at a NaN).

    In the float type of ``x`` and ``y``: float32 in, float32 out (``numpy.where`` of 0.5 and a bool is float64).
    """
    return numpy.where(x == y, 0.5, x > y).astype(result_dtype(x, y, 1.0), copy=False)


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


def outer_sum(columns: Sequence[Any], rows: Sequence[Any]) -> Any:
    """``columns[0][:, None] * rows[0] + columns[1][:, None] * rows[1] + …``: the outer products a loop
    added one per step (optimize.outer), as one matrix product of the stacked vectors, a (steps, m)
    array transposed times a (steps, n) one. At least one of each.

    Only ndarrays of one dimension and of one length (each list on its own) stack so; anything
    else is summed product by product, as the loop did, raising where the loop raised.
    """
    if _stackable(columns) and _stackable(rows):
        return numpy.array(columns).T @ numpy.array(rows)
    total = columns[0][:, None] * rows[0]
    for column, row in zip(columns[1:], rows[1:]):
        total = total + column[:, None] * row
    return total


def _stackable(vectors: Sequence[Any]) -> bool:
    """Every item an ndarray of one dimension, all of one length (checked in one pass: the loop ran many steps)."""
    first = vectors[0]
    if type(first) is not numpy.ndarray or first.ndim != 1:
        return False
    return {(type(v), getattr(v, "shape", None)) for v in vectors} == {(numpy.ndarray, first.shape)}


def dot_lhs(g: Any, x: Any, y: Any) -> Any:
    """The adjoint of ``x`` in ``numpy.dot(x, y)``."""
    if numpy.ndim(x) == 0 or numpy.ndim(y) == 0:
        return unbroadcast(g * y, x)
    if numpy.ndim(x) > 2 or numpy.ndim(y) > 2:
        return tensordot_adjoints(g, x, y, _dot_axes(y))[0]
    return matmul_lhs(g, x, y)


def dot_rhs(g: Any, x: Any, y: Any) -> Any:
    """The adjoint of ``y`` in ``numpy.dot(x, y)``."""
    if numpy.ndim(x) == 0 or numpy.ndim(y) == 0:
        return unbroadcast(g * x, y)
    if numpy.ndim(x) > 2 or numpy.ndim(y) > 2:
        return tensordot_adjoints(g, x, y, _dot_axes(y))[1]
    return matmul_rhs(g, x, y)


def _dot_axes(y: Any) -> Tuple[list, list]:
    """numpy.dot of N-d arrays is a tensordot: x's last axis with y's second-to-last (its only, for a vector)."""
    return [-1], [-2 if numpy.ndim(y) >= 2 else 0]


def inner_adjoints(g: Any, x: Any, y: Any) -> Tuple[Any, Any]:
    """Adjoints of both operands of ``numpy.inner(x, y)``: a contraction over the last axes."""
    if numpy.ndim(x) == 0 or numpy.ndim(y) == 0:
        return unbroadcast(g * y, x), unbroadcast(g * x, y)
    return tensordot_adjoints(g, x, y, ([-1], [-1]))


def reshape_like(g: Any, x: Any, order: str = "C") -> Any:
    """``g`` in ``x``'s shape (a float for a Python scalar ``x``), read in ``order``."""
    if not _is_array(x):  # a number, or a list NumPy reads as an array (its gradient is made a list at the end)
        return _shaped_like(g, x)
    if order == "C":  # the default passed as none: a Dask array's reshape takes no order
        return numpy.reshape(g, numpy.shape(x))
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
    # the contracted axes left over come in their own array's order: y's ascending in d_x, x's in d_y
    d_x = numpy.tensordot(g, y, (g_y, y_free))  # axes: x_free..., then x_axes[k] for y's k in ascending y_axes
    d_x = numpy.transpose(d_x, numpy.argsort(x_free + [x_axes[k] for k in numpy.argsort(y_axes)]))
    d_y = numpy.tensordot(x, g, (x_free, g_x))  # axes: y_axes[k] for x's k in ascending x_axes, then y_free...
    d_y = numpy.transpose(d_y, numpy.argsort([y_axes[k] for k in numpy.argsort(x_axes)] + y_free))
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
        # an axis of length 1 that einsum broadcast against a longer one: its adjoint sums over that length
        stretched = tuple(k for k, c in enumerate(present) if sizes[letters.index(c)] == 1 < numpy.shape(partial)[k])
        if stretched:
            partial = numpy.sum(partial, axis=stretched, keepdims=True)
        partial = numpy.reshape(partial, [n if c in present else 1 for n, c in zip(sizes, letters)])
        if letters == spec and is_protocol_array(operand):  # no diagonal: no view to write through, lazily
            adjoints.append(_spread(partial, operand, numpy.shape(operand)))
            continue
        adjoint = numpy.zeros(numpy.shape(operand), dtype=result_dtype(partial, operand))
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


def einsum_adjoints_tangent(
    subscripts: str, g: Any, t_g: Any, operands: Sequence[Any], tangents: Sequence[Any]
) -> Tuple[Any, ...]:
    """The tangent of ``einsum_adjoints(subscripts, g, operands)``: each adjoint is linear in ``g`` and
    in every other operand, so its tangent sums one term per moving factor."""
    out = list(einsum_adjoints(subscripts, t_g, operands))
    for j, tangent in enumerate(tangents):
        if not numpy.any(tangent):  # an operand that is not differentiated has a zero tangent
            continue
        moved = [*operands[:j], tangent, *operands[j + 1 :]]
        for i, part in enumerate(einsum_adjoints(subscripts, g, moved)):
            if i != j:  # operand j's own adjoint does not depend on operand j
                out[i] = out[i] + part
    return tuple(out)


def einsum_subscripts(sublists: Sequence[Sequence[Any]], output: Optional[Sequence[Any]] = None) -> str:
    """The subscripts of ``numpy.einsum``'s interleaved form: a sublist's integers as letters, Ellipsis as ``...``."""

    def spelled(sublist: Sequence[Any]) -> str:
        return "".join("..." if s is Ellipsis else string.ascii_letters[s] for s in sublist)

    inputs = ",".join(spelled(s) for s in sublists)
    return inputs if output is None else f"{inputs}->{spelled(output)}"


def _einsum_parts(subscripts: str, operands: Sequence[Any]) -> Tuple[list, str]:
    """Each operand's letters and the output's, every ``...`` spelled out in letters of its own."""
    spec = subscripts.replace(" ", "")
    inputs, arrow, output = spec.partition("->")
    inputs = inputs.split(",")
    letters = "".join(inputs).replace(".", "")
    if not arrow:  # implicit output: the broadcast axes, then the letters used once, sorted
        output = ("..." if "." in spec else "") + "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    if "." not in spec:
        return inputs, output
    # ``...`` stands for each operand's leading axes not named by a letter, aligned from the right
    counts = [numpy.ndim(o) - len(s.replace(".", "")) if "..." in s else 0 for s, o in zip(inputs, operands)]
    free = [c for c in string.ascii_letters if c not in spec][: max(counts)]
    inputs = [s.replace("...", "".join(free[len(free) - k :])) for s, k in zip(inputs, counts)]
    return inputs, output.replace("...", "".join(free))


def split_like(g: Any, arrays: Sequence[Any], axis: int = 0) -> Tuple[Any, ...]:
    """The adjoint of ``numpy.concatenate(arrays, axis)``: ``g`` cut back into pieces."""
    if axis is None:
        sizes = [size(a) for a in arrays]
        g = numpy.ravel(g)
        axis = 0
    else:
        sizes = [numpy.shape(a)[axis] for a in arrays]
    bounds = numpy.cumsum([0, *sizes]).tolist()
    before = (slice(None),) * (axis % numpy.ndim(g))  # cut by slicing: a Dask array has no numpy.split
    pieces = [g[(*before, slice(start, end))] for start, end in zip(bounds, bounds[1:])]
    return pieces_like([_shaped_like(p, a) for p, a in zip(pieces, arrays)], arrays)


def column_of(x: Any) -> Any:
    """An item of ``numpy.c_[...]`` as it is joined: a vector as a column, a number as a 1x1 array."""
    x = numpy.asarray(x)
    return x if x.ndim >= 2 else numpy.reshape(x, (x.size, 1))


def _shaped_like(g: Any, x: Any) -> Any:
    """``g`` in the shape of ``x``, an array, a list or a number (then a float, not a 0-d array)."""
    g = numpy.reshape(g, numpy.shape(x))
    return g[()] if numpy.ndim(g) == 0 and not _is_array(x) else g


def pieces_like(pieces: Sequence[Any], arrays: Any) -> Any:
    """The adjoints of the items of ``arrays``, as the adjoint of ``arrays``: a tuple for a list or
    tuple; for an array (numpy.hstack(x) iterates x's rows) one array of its shape, as its type asks."""
    if not _is_array(arrays):
        return tuple(pieces)
    rows = numpy.shape(arrays)[1:]
    return numpy.reshape(numpy.array([numpy.reshape(p, rows) for p in pieces]), numpy.shape(arrays))


def unstack(g: Any, arrays: Sequence[Any], axis: int = 0) -> Tuple[Any, ...]:
    """The adjoint of ``numpy.stack(arrays, axis)`` (one piece per stacked array: ``g``'s length)."""
    return pieces_like([numpy.take(g, i, axis=axis) for i in range(numpy.shape(g)[axis])], arrays)


def append(items: list, value: Any) -> list:
    """``items.append(value)``, as an operation: the same list, one longer."""
    items.append(value)
    return items


def chosen(items: Any, pick: Callable, key: Any = None) -> int:
    """The position of the item builtin ``max(items)`` (``pick=max``) or ``min(items)`` returns.

    The same builtin over the positions, comparing the same values: of equal items the
    first wins, as Python's own max and min keep the first.
    """
    return pick(range(len(items)), key=items.__getitem__ if key is None else lambda i: key(items[i]))


def chosen_adjoint(g: Any, items: Any, pick: Callable, key: Any = None) -> Any:
    """The adjoint of builtin ``max(items)``/``min(items)``: all of ``g`` to the chosen item, zeros elsewhere."""
    if isinstance(items, numpy.ndarray):
        out = numpy.zeros_like(items, dtype=float_dtype(items))
    else:
        out = [zeros_like(item) for item in items]
    if len(items):
        out[chosen(items, pick, key)] = g
    return out


def chosen_tangent(tangents: Any, default: Any, items: Any, pick: Callable, key: Any = None) -> Any:
    """The tangent of builtin ``max(items, default=...)``/``min``: the chosen item's (the default's if empty)."""
    return tangents[chosen(items, pick, key)] if len(items) else default


def default_adjoint(g: Any, items: Any) -> Any:
    """The adjoint of the ``default=`` of builtin max/min: ``g`` when ``items`` is empty, else zero."""
    return zeros_like(g) if len(items) else g


def items_adjoint(g: Any, items: Any) -> Any:
    """The adjoint of ``list(items)``/``tuple(items)``: a list of adjoints, an array for an array's rows."""
    if isinstance(items, numpy.ndarray):
        return numpy.array(list(g), dtype=float_dtype(items)).reshape(items.shape)
    return list(g)


def like_sequence(tangents: Any, like: Any) -> Any:
    """The tangent of ``list(items)``/``tuple(items)``: the items' tangents in ``like``'s type."""
    return type(like)(tangents)


def get(mapping: dict, key: Any, default: Any = None) -> Any:
    """``mapping.get(key, default)`` as a function (normalize.anf maps the method to it)."""
    return mapping.get(key, default)


def copied(value: Any, order: Optional[str] = None) -> Any:
    """``value.copy()`` as a function: a new array, or a new list or dict holding the same items (a shallow
    copy; a number is itself). normalize.anf maps the method to it: ``numpy.copy`` would make a list an
    array of its items."""
    return copy.copy(value) if order is None else value.copy(order)


def copied_mapping(g: Any, mapping: Any) -> dict:
    """``g``, the adjoint (or tangent) of ``dict(mapping)``, when ``mapping`` is a dict: a copy has the same."""
    if not isinstance(mapping, dict):
        raise NotImplementedError(
            "the derivative of dict() of key-value pairs held in a variable: write the dict as a display, "
            "{key: value, ...} or dict(key=value)"
        )
    return same_items(g, mapping)


def same_items(g: Any, x: Any) -> Any:
    """``g``, the adjoint (or tangent) of a shallow copy of ``x``, as ``x``'s: for a dict, at ``x``'s keys only
    (a key the copy gained later is not ``x``'s); for an array or list, ``g`` itself."""
    if isinstance(x, dict) and isinstance(g, dict) and g.keys() != x.keys():
        return {key: g[key] for key in x}
    return g


def get_adjoint(g: Any, mapping: dict, key: Any) -> dict:
    """The dict's adjoint of ``mapping.get(key, default)``: ``g`` at ``key`` if the dict has it."""
    out = zeros_like(mapping)
    if key in mapping:
        out[key] = g
    return out


def missing_adjoint(g: Any, mapping: dict, key: Any) -> Any:
    """The default's adjoint of ``mapping.get(key, default)``: ``g`` if the dict lacks ``key``, else zero."""
    return zeros_like(g) if key in mapping else g


def keys_of(mapping: dict) -> list:
    """The keys of a dict, in its order: what a loop over the dict (or its items) indexes."""
    return list(mapping)


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
    return _unlifted(g, arrays, numpy.atleast_1d, 0 if numpy.ndim(arrays[0]) <= 1 else 1)


def unvstack(g: Any, arrays: Sequence[Any]) -> Tuple[Any, ...]:
    """The adjoint of ``numpy.vstack(arrays)``."""
    return _unlifted(g, arrays, numpy.atleast_2d, 0)


def undstack(g: Any, arrays: Sequence[Any]) -> Tuple[Any, ...]:
    """The adjoint of ``numpy.dstack(arrays)``."""
    return _unlifted(g, arrays, numpy.atleast_3d, 2)


def _unlifted(g: Any, arrays: Sequence[Any], lift: Callable, axis: int) -> Any:
    """The adjoint of concatenating ``lift(a) for a in arrays`` along ``axis``: each piece in its item's shape."""
    pieces = split_like(g, [lift(a) for a in arrays], axis)
    return pieces_like([_shaped_like(p, a) for p, a in zip(pieces, arrays)], arrays)


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
    return g * numpy.eye(rows, cols, k=offset, dtype=result_dtype(g, x, 1.0))  # float32 stays float32


def prod_adjoint(g: Any, x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """The adjoint of ``numpy.prod`` over ``axis`` (one, several or all): the product of the other factors,
    zeros included."""
    x = _as_floats(x)
    flat, restore = _reduced_axes_last(x, axis)
    return unreduce(g, x, axis, keepdims) * restore(_others_along_last(flat))


def prod_adjoint_tangent(g: Any, t_g: Any, x: Any, t_x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """The tangent of ``prod_adjoint(g, x, axis, keepdims)`` = ``g * others``: ``t_others[k]`` sums, over
    ``j != k``, the product of all factors but ``x[k]`` and ``x[j]``, times ``t_x[j]`` (zeros included)."""
    x = _as_floats(x)
    flat, restore = _reduced_axes_last(x, axis)
    t_flat, _ = _reduced_axes_last(numpy.asarray(t_x, dtype=x.dtype), axis)
    eye = numpy.eye(flat.shape[-1], dtype=bool)
    without_k = numpy.where(eye, 1.0, flat[..., None, :]).astype(x.dtype)  # row k: x with x[k] replaced by 1
    t_without_k = numpy.where(eye, 0.0, t_flat[..., None, :])
    t_others = restore(numpy.sum(_others_along_last(without_k) * t_without_k, axis=-1))
    others = restore(_others_along_last(flat))
    return unreduce(t_g, x, axis, keepdims) * others + unreduce(g, x, axis, keepdims) * t_others


def _as_floats(x: Any) -> numpy.ndarray:
    x = _as_array(x)
    return x.astype(result_dtype(x, 1.0), copy=False)  # ints are multiplied as floats; float32 stays float32


def _reduced_axes_last(x: numpy.ndarray, axis: Any) -> Tuple[numpy.ndarray, Any]:
    """``x`` with the reduced axes moved last and joined into one, and the function that undoes it."""
    axes = tuple(range(x.ndim)) if axis is None else tuple(a % x.ndim for a in numpy.atleast_1d(axis))
    kept = x.ndim - len(axes)
    ends = tuple(range(kept, x.ndim))
    moved = numpy.moveaxis(x, axes, ends)
    flat = numpy.reshape(moved, (*moved.shape[:kept], int(numpy.prod(moved.shape[kept:]))))
    return flat, lambda y: numpy.moveaxis(numpy.reshape(y, moved.shape), ends, axes)


def _others_along_last(x: numpy.ndarray) -> numpy.ndarray:
    """At each ``k`` of the last axis, the product of the elements before ``k`` times those after it."""
    ones = numpy.ones_like(x[..., :1])
    before = numpy.cumprod(numpy.concatenate([ones, x[..., :-1]], -1), -1)
    after = numpy.flip(numpy.cumprod(numpy.concatenate([ones, numpy.flip(x[..., 1:], -1)], -1), -1), -1)
    return before * after


def moments_adjoint(g: Any, x: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Any:
    """The adjoint of ``numpy.var``."""
    x = _as_array(x)
    if size(x) == 0:  # no element to receive a derivative (the variance of nothing is nan)
        return numpy.zeros(numpy.shape(x), dtype=result_dtype(x, g))
    count = x.size / size(numpy.mean(x, axis=axis))
    centered = x - numpy.mean(x, axis=axis, keepdims=True)
    spread = unreduce(g, x, axis, keepdims)
    # numpy.std's g / (2 std) is inf where the std is 0; over one element the std is 0 whatever x is (its
    # derivative 0, not inf * 0); over equal elements 0 is the least subgradient
    return numpy.where(numpy.isinf(spread) & (centered == 0), 0.0, spread * (2.0 / (count - ddof)) * centered)


def norm_adjoint(g: Any, x: Any, y: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:
    """The adjoint of ``numpy.linalg.norm``: vector 2, 1 and inf norms, every matrix norm."""
    vector = _is_vector_norm(x, axis)
    if ord in (None, "fro") or (ord == 2 and vector):
        return unreduce(g, x, axis, keepdims) * x / unreduce(y, x, axis, keepdims)
    if ord == 1 and vector:
        return unreduce(g, x, axis, keepdims) * numpy.sign(x)
    if ord in (numpy.inf, -numpy.inf) and vector:  # the largest (smallest) |x_i|: those equal to it share
        return unreduce(g, x, axis, keepdims) * numpy.sign(x) * extremum_share(numpy.abs(x), y, axis, keepdims)
    if ord == 0 and vector:  # a count of the nonzero elements: piecewise constant
        return unreduce(g, x, axis, keepdims) * numpy.zeros_like(x, dtype=float)
    if vector and _is_p_norm(ord):  # (sum |x_i|^p)^(1/p)
        scale = unreduce(g, x, axis, keepdims) / unreduce(y, x, axis, keepdims) ** (ord - 1)
        return scale * numpy.sign(x) * numpy.abs(x) ** (ord - 1)
    if not vector and ord in (2, -2, "nuc", 1, -1, numpy.inf, -numpy.inf):
        return _matrix_norm_adjoint(g, x, ord, axis, keepdims)
    raise NotImplementedError(f"s2sgrad has no derivative of numpy.linalg.norm with ord={ord!r} here")


def _is_p_norm(ord: Any) -> bool:
    """A vector norm ``(sum |x_i|^p)^(1/p)`` of a finite real p other than 0, 1 and 2 (each has its own form)."""
    real = isinstance(ord, (int, float, numpy.integer, numpy.floating)) and not isinstance(ord, bool)
    return real and numpy.isfinite(ord) and ord not in (0, 1, 2)


def _is_vector_norm(x: Any, axis: Any) -> bool:
    return (axis is not None and numpy.ndim(axis) == 0) or numpy.ndim(x) == 1


def norm_adjoint_tangent(
    z: Any, g: Any, t_g: Any, x: Any, t_x: Any, y: Any, t_y: Any, ord: Any = None, axis: Any = None, keepdims=False
) -> Any:
    """The tangent of ``z = norm_adjoint(g, x, y, ...)``, for second derivatives of a norm.

    Linear in ``g``; the 2-norm's ``g x / y`` also moves with ``x`` and ``y``; the 1- and
    inf-norms' (vector and matrix) are piecewise constant in ``x``; the spectral and nuclear
    norms' singular vectors move as the SVD's perturbation theory says.
    """
    along_g = norm_adjoint(t_g, x, y, ord, axis, keepdims)
    vector = _is_vector_norm(x, axis)
    if ord in (None, "fro") or (ord == 2 and vector):
        along_x = norm_adjoint(g, t_x, y, ord, axis, keepdims)
        return along_g + along_x - z * unreduce(t_y, x, axis, keepdims) / unreduce(y, x, axis, keepdims)
    if vector and _is_p_norm(ord):  # z = g sign(x) |x|^(p-1) / y^(p-1)
        spread_y = unreduce(y, x, axis, keepdims)
        along_x = unreduce(g, x, axis, keepdims) * (ord - 1) * numpy.abs(x) ** (ord - 2) * t_x / spread_y ** (ord - 1)
        return along_g + along_x - z * (ord - 1) * unreduce(t_y, x, axis, keepdims) / spread_y
    if ord in (0, 1, -1, numpy.inf, -numpy.inf):
        return along_g
    # a matrix 2, -2 or nuclear norm: for any ord norm_adjoint has no adjoint of, computing along_g raised
    axes, m, g = _matrix_frame(g, x, axis, keepdims)
    t_m = numpy.moveaxis(numpy.asarray(t_x), axes, (-2, -1))
    return along_g + numpy.moveaxis(g * _singular_direction_tangent(m, t_m, ord), (-2, -1), axes)


def _matrix_frame(g: Any, x: Any, axis: Any, keepdims: bool) -> Tuple[Tuple[int, ...], Any, Any]:
    """A matrix norm's axes, ``x`` with them last, and ``g`` shaped to multiply it."""
    axes = tuple(a % numpy.ndim(x) for a in ((-2, -1) if axis is None else axis))
    g = numpy.asarray(g)
    return axes, numpy.moveaxis(x, axes, (-2, -1)), (numpy.squeeze(g, axis=axes) if keepdims else g)[..., None, None]


def _singular_direction_tangent(m: Any, t_m: Any, ord: Any) -> Any:
    """The tangent of ``u_k v_kᵀ`` (ord 2: the largest singular value's; -2: the smallest) or of
    ``U Vᵀ`` ("nuc") along ``t_m``, for distinct nonzero singular values (thin SVD ``m = U S Vᵀ``)::

        dU = U (F ∘ (P S + S Pᵀ)) + (I - U Uᵀ) dm V S⁻¹,   P = Uᵀ dm V,  F_ij = 1 / (s_j² - s_i²), F_ii = 0
        dV = V (F ∘ (S P + Pᵀ S)) + (I - V Vᵀ) dmᵀ U S⁻¹
    """
    u, s, vt = numpy.linalg.svd(m, full_matrices=False)
    ut, v, t_mt = numpy.swapaxes(u, -1, -2), numpy.swapaxes(vt, -1, -2), numpy.swapaxes(t_m, -1, -2)
    p = ut @ t_m @ v
    pt = numpy.swapaxes(p, -1, -2)
    s_i, s_j = s[..., :, None], s[..., None, :]
    same = numpy.eye(s.shape[-1], dtype=bool)
    f = numpy.where(same, 0.0, 1.0 / numpy.where(same, 1.0, s_j * s_j - s_i * s_i))
    d_u = u @ (f * (p * s_j + s_i * pt)) + (t_m - u @ (ut @ t_m)) @ v / s_j
    d_v = v @ (f * (s_i * p + pt * s_j)) + (t_mt - v @ (vt @ t_mt)) @ u / s_j
    if ord != "nuc":
        k = slice(0, 1) if ord == 2 else slice(s.shape[-1] - 1, s.shape[-1])
        u, v, d_u, d_v = u[..., :, k], v[..., :, k], d_u[..., :, k], d_v[..., :, k]
    return d_u @ numpy.swapaxes(v, -1, -2) + u @ numpy.swapaxes(d_v, -1, -2)


def _matrix_norm_adjoint(g: Any, x: Any, ord: Any, axis: Any, keepdims: bool) -> Any:
    """Matrix norms over two axes: singular vectors for 2, -2 and "nuc"; the extreme column or row for 1 and inf."""
    axes, m, g = _matrix_frame(g, x, axis, keepdims)
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


def solve_adjoints_tangent(
    pair: Tuple[Any, Any], g: Any, t_g: Any, a: Any, t_a: Any, x: Any, t_x: Any
) -> Tuple[Any, Any]:
    """The tangent of ``pair = solve_adjoints(g, a, b, x)``: ``d_b = solve(aᵀ, g)``, ``d_a = -d_b xᵀ``."""
    d_b = pair[1]
    t_d_b = numpy.linalg.solve(numpy.swapaxes(a, -1, -2), t_g - numpy.matmul(numpy.swapaxes(t_a, -1, -2), d_b))
    if numpy.ndim(x) == 1:
        return -(numpy.outer(t_d_b, x) + numpy.outer(d_b, t_x)), t_d_b
    return -(numpy.matmul(t_d_b, numpy.swapaxes(x, -1, -2)) + numpy.matmul(d_b, numpy.swapaxes(t_x, -1, -2))), t_d_b


def add_structured(a: Any, b: Any) -> Any:
    """The sum of two adjoints of a list, tuple or dict: element by element (``+`` would concatenate)."""
    if isinstance(a, dict):  # an object's from a called function has its float attributes only
        return {key: add_structured(a[key], b[key]) if key in b else a[key] for key in a}
    if isinstance(a, (list, tuple)):
        return [add_structured(x, y) for x, y in zip(a, b)]
    return a + b


def structured_like(g: Any, x: Any) -> Any:
    """A container gradient in the structure of its argument: a tuple for a tuple."""
    if isinstance(x, AttributeView):  # an object's: its float and array attributes (an integer gets none)
        return {key: value for key, value in g.items() if kind_of(x[key]).is_float or kind_of(x[key]).is_container}
    if isinstance(x, (list, tuple)) and _is_array(g):  # a NumPy function read the list as an array
        g = [structured_like(g[i], item) for i, item in enumerate(x)]
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
    # a Dask array too: its ``d[i] += ...`` rebinds the array object's graph, seen by every name of the object
    return x.copy() if _is_array(x) else x


def writable_copy(x: Any) -> Any:
    """``fresh_copy``, and a number as a 0-d array: an element write (``d_y[...] = 0.0``) needs an array, and
    NumPy turns a 0-d array's adjoint into a number along the way (``0-d array * float`` is a float64)."""
    return numpy.array(x) if isinstance(x, (float, numpy.generic)) else fresh_copy(x)


def separate(**arguments: Any) -> None:
    """The function writes into the first argument's array in place: no other argument may share its memory.

    Generated code works on a copy of the written array, so a change seen through
    another argument (``f(a, a)``) would be lost: a wrong value, hence the error.
    """
    (written, array), *others = arguments.items()
    for other, value in others:
        if isinstance(array, numpy.ndarray) and isinstance(value, numpy.ndarray) and _shares_memory(array, value):
            raise ValueError(
                f"{written!r} is written in place and {other!r} shares memory with it (the same array, or a view "
                f"of it): s2sgrad differentiates them as separate arrays; pass a copy, e.g. {other}.copy()"
            )


def _shares_memory(a: numpy.ndarray, b: numpy.ndarray) -> bool:
    return numpy.may_share_memory(a, b) and numpy.shares_memory(a, b)  # the first is cheap, the second exact


def vjp_adjoints(adjoints: Any, count: int, rule: str) -> Sequence[Any]:
    """What a VJP rule of ``count`` arguments returned, checked: one adjoint per argument."""
    if not isinstance(adjoints, (tuple, list)) or len(adjoints) != count:
        got = f"{len(adjoints)} values" if isinstance(adjoints, (tuple, list)) else type(adjoints).__name__
        raise TypeError(f"the VJP rule {rule} returned {got}; it must return {count} adjoints, one per argument")
    return adjoints


# ----- helpers of the shape, indexing and sorting rules -----


def float_dtype(x: Any) -> Any:
    """The floating dtype a derivative of ``x`` has: x's own (float32 stays float32), float64 for the rest."""
    return result_dtype(_as_array(x).dtype, numpy.float16)


def undiagonal(g: Any, x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> numpy.ndarray:
    """The adjoint of ``numpy.diagonal(x, offset, axis1, axis2)``: ``g`` on that diagonal, zero elsewhere."""
    out = numpy.zeros(numpy.shape(x), dtype=result_dtype(x, g))
    steps = numpy.arange(numpy.shape(g)[-1])
    # the diagonal is g's last axis; the other axes keep their order, as in numpy.diagonal
    numpy.moveaxis(out, (axis1, axis2), (-2, -1))[..., steps + max(-offset, 0), steps + max(offset, 0)] = g
    return out


def undiag(g: Any, v: Any, k: int = 0) -> numpy.ndarray:
    """The adjoint of ``numpy.diag(v, k)``: the ``k``-th diagonal of ``g`` for a vector ``v``, else ``g`` on it."""
    if numpy.ndim(v) == 1:
        return numpy.diagonal(g, k).copy()
    return undiagonal(g, v, k)


def unrepeat(g: Any, x: Any, repeats: Any, axis: Optional[int] = None) -> Any:
    """The adjoint of ``numpy.repeat(x, repeats, axis)``: each element gets the sum over its copies."""
    if axis is None:
        return reshape_like(unrepeat(g, numpy.ravel(x), repeats, 0), x)
    length = numpy.shape(x)[axis]
    owners = numpy.repeat(numpy.arange(length), repeats)  # the element each copy came from
    moved = numpy.moveaxis(numpy.asarray(g), axis, 0)
    out = numpy.zeros((length, *moved.shape[1:]), dtype=result_dtype(x, g))
    numpy.add.at(out, owners, moved)
    return numpy.moveaxis(out, 0, axis)


def untile(g: Any, x: Any, reps: Any) -> Any:
    """The adjoint of ``numpy.tile(x, reps)``: the sum over the tiles."""
    reps = (reps,) if numpy.ndim(reps) == 0 else tuple(reps)
    rank = max(numpy.ndim(x), len(reps))
    shape = (1,) * (rank - numpy.ndim(x)) + numpy.shape(x)
    reps = (1,) * (rank - len(reps)) + reps
    # the tiled axis k is (reps[k], shape[k]) in C order: sum over the tile index
    interleaved = numpy.reshape(g, [n for pair in zip(reps, shape) for n in pair])
    return reshape_like(numpy.sum(interleaved, axis=tuple(range(0, 2 * rank, 2))), x)


def rollaxis_destination(ndim: int, axis: int, start: int = 0) -> int:
    """Where ``numpy.rollaxis(x, axis, start)`` puts ``axis``: it is ``numpy.moveaxis(x, axis, <this>)``."""
    axis, start = axis % ndim, start + ndim if start < 0 else start
    return start - 1 if axis < start else start


def unpad(g: Any, x: Any, pad_width: Any, mode: str = "constant") -> Any:
    """The adjoint of ``numpy.pad(x, pad_width)`` in constant mode: the middle of ``g``."""
    if mode != "constant":
        raise NotImplementedError(f"s2sgrad differentiates numpy.pad in mode 'constant' only, not {mode!r}")
    widths = numpy.broadcast_to(numpy.asarray(pad_width, dtype=int), (numpy.ndim(g), 2))
    middle = tuple(slice(before, n - after) for (before, after), n in zip(widths, numpy.shape(g)))
    return reshape_like(_as_array(g)[middle], x)


def take_index(x: Any, indices: Any, axis: Optional[int] = None, mode: str = "raise") -> Tuple[Any, ...]:
    """An index ``i`` with ``x[i] == numpy.take(x, indices, axis, mode=mode)``, indices made non-negative."""
    shape = numpy.shape(x)
    length = int(numpy.prod(shape)) if axis is None else shape[axis]
    indices = numpy.asarray(indices)
    indices = numpy.clip(indices, 0, length - 1) if mode == "clip" else indices % length
    if axis is None:
        return numpy.unravel_index(indices, shape)
    return (slice(None),) * (axis % len(shape)) + (indices,)


def along_axis_index(x: Any, indices: Any, axis: Optional[int]) -> Tuple[Any, ...]:
    """An index ``i`` with ``x[i] == numpy.take_along_axis(x, indices, axis)``."""
    shape = numpy.shape(x)
    if axis is None:
        return numpy.unravel_index(numpy.asarray(indices) % numpy.size(x), shape)
    axis %= len(shape)
    index = []
    for dim, length in enumerate(shape):
        if dim == axis:
            index.append(numpy.asarray(indices) % length)
        else:  # every position along the other axes, broadcast against the indices
            index.append(numpy.arange(length).reshape([length if k == dim else 1 for k in range(len(shape))]))
    return tuple(index)


def uncolumn_stack(g: Any, arrays: Sequence[Any]) -> Tuple[Any, ...]:
    """The adjoint of ``numpy.column_stack(arrays)``: vectors (and scalars) became columns."""
    columns = [a if numpy.ndim(a) >= 2 else numpy.reshape(a, (numpy.size(a), 1)) for a in arrays]
    return pieces_like([reshape_like(p, a) for p, a in zip(split_like(g, columns, 1), arrays)], arrays)


def kron_adjoints(g: Any, a: Any, b: Any) -> Tuple[Any, Any]:
    """Adjoints of both operands of ``numpy.kron(a, b)``."""
    rank = max(numpy.ndim(a), numpy.ndim(b))
    shape_a = (1,) * (rank - numpy.ndim(a)) + numpy.shape(a)
    shape_b = (1,) * (rank - numpy.ndim(b)) + numpy.shape(b)
    # axis k of the result is (shape_a[k], shape_b[k]) in C order
    blocks = numpy.reshape(g, [n for pair in zip(shape_a, shape_b) for n in pair])
    a_axes, b_axes = list(range(0, 2 * rank, 2)), list(range(1, 2 * rank, 2))
    d_a = numpy.tensordot(blocks, numpy.reshape(b, shape_b), (b_axes, list(range(rank))))
    d_b = numpy.tensordot(blocks, numpy.reshape(a, shape_a), (a_axes, list(range(rank))))
    return reshape_like(d_a, a), reshape_like(d_b, b)


def sum_to_shape(g: Any, like: Any) -> Any:
    """``unbroadcast(g, like)`` where the rule's other arguments are settings, not operands (``numpy.tril(v, k)``
    of a vector ``v`` is a matrix): the transformer leaves this one in even when those are scalars."""
    return unbroadcast(g, like)


# ----- casts -----


def astype(
    x: Any, dtype: Any, order: str = "K", casting: str = "unsafe", subok: bool = True, *, copy: bool = True
) -> Any:
    """``x.astype(...)`` as a function (see normalize.methods); ``copy`` is keyword-only, as normalize.memory
    tells a cast that may return ``x`` itself by that keyword."""
    if is_protocol_array(x) and order == "K" and subok:  # NumPy's defaults, which Dask's astype does not take
        return x.astype(dtype, casting=casting, copy=copy)
    return x.astype(dtype, order=order, casting=casting, subok=subok, copy=copy)


def item(x: Any, *args: Any) -> Any:
    """``x.item(*args)`` as a function (see normalize.methods)."""
    return x.item(*args)


def item_of(x: Any, args: Tuple[Any, ...]) -> Any:
    """``x.item(*args)`` with the arguments as one tuple (the tangent rule of ``item`` calls it)."""
    return x.item(*args)


def cast_like(g: Any, like: Any, result: Any) -> Any:
    """``g`` as a derivative of ``like``'s type and dtype, for a cast whose value is ``result``.

    A cast to an integer or bool type rounds: its derivative is zero.
    """
    inexact = numpy.issubdtype(result_dtype(like), numpy.inexact)
    dtype = result_dtype(like) if inexact else numpy.float64
    if not numpy.issubdtype(result_dtype(result), numpy.inexact):
        g = numpy.zeros_like(like, dtype=dtype) if is_protocol_array(like) else numpy.zeros(numpy.shape(like), dtype)
    if _is_array(like):
        return _as_array_of(g, dtype)
    if isinstance(like, numpy.generic):
        return dtype.type(g)
    return float(g)


def item_adjoint(g: Any, x: Any, args: Tuple[Any, ...]) -> Any:
    """The adjoint of ``x.item(*args)``: ``g`` at the element read, zero elsewhere."""
    shape = numpy.shape(x)
    if not args:
        index: Any = (0,) * len(shape)  # x has one element
    elif len(args) == 1 and numpy.ndim(args[0]) == 0:  # a position in C order
        index = numpy.unravel_index(args[0] % max(numpy.size(x), 1), shape)
    else:
        index = tuple(args[0]) if len(args) == 1 else args
    out = numpy.zeros(shape, dtype=float_dtype(x))
    out[index] = g
    return out if isinstance(x, numpy.ndarray) else out[()]


def linspace_adjoints(
    g: Any,
    start: Any,
    stop: Any,
    num: int = 50,
    endpoint: bool = True,
    retstep: bool = False,
    dtype: Any = None,
    axis: int = 0,
) -> Tuple[Any, Any]:
    """Adjoints of ``start`` and ``stop`` in ``numpy.linspace``: sample k is ``start + f_k * (stop - start)``.

    With ``retstep``, ``g`` holds the samples' adjoint and the step's. Integer samples have derivative 0.
    """
    g, g_step = g if retstep else (g, None)
    if dtype is not None and not numpy.issubdtype(dtype, numpy.inexact):
        g, g_step = numpy.zeros_like(g, dtype=float), None
    g = numpy.moveaxis(numpy.asarray(g), axis, -1)
    # f_k, exactly 1.0 at an endpoint as in NumPy; in g's dtype, so that float32 stays float32
    fractions = numpy.linspace(0.0, 1.0, num, endpoint, dtype=float_dtype(g))
    d_start, d_stop = numpy.sum(g * (1.0 - fractions), axis=-1), numpy.sum(g * fractions, axis=-1)
    divisions = num - 1 if endpoint else num
    if g_step is not None and divisions > 0:  # step = (stop - start) / divisions
        d_start, d_stop = d_start - g_step / divisions, d_stop + g_step / divisions
    return unbroadcast(d_start, start), unbroadcast(d_stop, stop)


# ----- helpers of the reduction rules -----


def cumprod_adjoint(g: Any, x: Any, axis: Optional[int] = None) -> Any:
    """The adjoint of ``numpy.cumprod(x, axis)``, exact also where ``x`` has zeros (no division).

    ``d_x[j] = prod(x[:j]) * s[j]`` with ``s[j] = g[j] + x[j + 1] * s[j + 1]``, summed from the end.
    """
    if axis is None:
        return reshape_like(cumprod_adjoint(numpy.ravel(g), numpy.ravel(x), 0), x)
    x, g = numpy.moveaxis(numpy.asarray(x), axis, 0), numpy.moveaxis(numpy.asarray(g), axis, 0)
    dtype = result_dtype(x, g)
    before = numpy.ones(x.shape, dtype=dtype)
    before[1:] = numpy.cumprod(x[:-1], axis=0)
    out = numpy.zeros(x.shape, dtype=dtype)
    later = numpy.zeros(x.shape[1:], dtype=dtype)  # s[j + 1], then x[j + 1] * s[j + 1]
    for j in range(len(x) - 1, -1, -1):
        later = g[j] + later
        out[j] = before[j] * later
        later = later * x[j]
    return numpy.moveaxis(out, 0, axis)


def cumprod_tangent(t: Any, x: Any, axis: Optional[int] = None) -> Any:
    """The tangent of ``numpy.cumprod(x, axis)``: ``t_y[k] = t_y[k - 1] * x[k] + y[k - 1] * t[k]``."""
    if axis is None:
        return cumprod_tangent(numpy.ravel(t), numpy.ravel(x), 0)
    x, t = numpy.moveaxis(numpy.asarray(x), axis, 0), numpy.moveaxis(numpy.asarray(t), axis, 0)
    y = numpy.cumprod(x, axis=0)
    out = numpy.zeros(x.shape, dtype=result_dtype(x, t))
    for k in range(len(x)):
        out[k] = t[k] if k == 0 else out[k - 1] * x[k] + y[k - 1] * t[k]
    return numpy.moveaxis(out, 0, axis)


def _weights_like(weights: Any, a: Any, axis: Any) -> Any:
    """``numpy.average``'s weights (or their tangent) broadcast to ``a``: a 1-D one lies along ``axis``."""
    if numpy.shape(weights) == numpy.shape(a):
        return numpy.asarray(weights)
    along = [numpy.size(weights) if k == axis % numpy.ndim(a) else 1 for k in range(numpy.ndim(a))]
    return numpy.broadcast_to(numpy.reshape(weights, along), numpy.shape(a))


def average_adjoints(g: Any, a: Any, weights: Any = None, axis: Any = None, keepdims: bool = False) -> Tuple[Any, Any]:
    """Adjoints of ``a`` and ``weights`` in ``numpy.average(a, axis, weights)``: ``sum(a w) / sum(w)``."""
    values = numpy.asarray(a)
    w = numpy.ones_like(values) if weights is None else _weights_like(weights, values, axis)
    total = numpy.sum(w, axis=axis, keepdims=True)
    g = unreduce(g, values, axis, keepdims)
    d_a = reshape_like(g * w / total, a)
    if weights is None:
        return d_a, None
    mean = numpy.sum(values * w, axis=axis, keepdims=True) / total
    d_w = g * (values - mean) / total
    if numpy.shape(weights) != values.shape:  # 1-D weights along axis: sum over the other axes
        d_w = numpy.sum(d_w, axis=tuple(k for k in range(values.ndim) if k != axis % values.ndim))
    return d_a, d_w


def average_weights_tangent(t: Any, a: Any, weights: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """The term of ``numpy.average``'s tangent along the weights' tangent ``t``."""
    values = numpy.asarray(a)
    w = _weights_like(weights, values, axis)
    total = numpy.sum(w, axis=axis, keepdims=True)
    mean = numpy.sum(values * w, axis=axis, keepdims=True) / total
    return numpy.sum(_weights_like(t, values, axis) * (values - mean) / total, axis=axis, keepdims=keepdims)


def _in_dtype_of(share: Any, x: Any) -> Any:
    """A share of an adjoint, in ``x``'s floating dtype (a float32 ``x`` keeps a float32 gradient)."""
    return _as_array_of(share, float_dtype(x))


def range_share(x: Any, axis: Any = None) -> Any:
    """``d numpy.ptp(x, axis) / d x``: 1 at the maximum, -1 at the minimum, shared among ties."""
    highest = extremum_share(x, numpy.max(x, axis=axis, keepdims=True), axis, keepdims=True)
    lowest = extremum_share(x, numpy.min(x, axis=axis, keepdims=True), axis, keepdims=True)
    return _in_dtype_of(highest - lowest, x)


def nan_extremum_share(x: Any, y: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """``extremum_share`` for ``numpy.nanmax``/``nanmin``: a nan never equals the extremum."""
    return _in_dtype_of(extremum_share(x, y, axis, keepdims), x)


def nanmean_share(x: Any, axis: Any = None) -> Any:
    """``d numpy.nanmean(x, axis) / d x``: one over the count of numbers, 0 at a nan."""
    present = ~numpy.isnan(x)
    return _in_dtype_of(present / numpy.sum(present, axis=axis, keepdims=True), x)


def nan_filled(x: Any, axis: Any = None) -> Any:
    """``x`` with each nan replaced by the mean of the numbers in its slice along ``axis``.

    ``numpy.var`` of it sums the same squared deviations as ``numpy.nanvar`` of ``x`` (a filled element
    deviates by 0), so var's adjoint applies to it, and gives a filled element none.
    """
    x = _as_array(x)
    with numpy.errstate(invalid="ignore"):  # a slice of nans only: its mean is nan, as nanvar's value is
        means = numpy.sum(numpy.where(numpy.isnan(x), 0.0, x) * nanmean_share(x, axis), axis=axis, keepdims=True)
    return numpy.where(numpy.isnan(x), means, x)


def nan_divisor_ratio(x: Any, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Any:
    """``(n - ddof) / (count - ddof)`` per slice: ``numpy.var``'s divisor over ``numpy.nanvar``'s (n elements,
    count of them numbers), which turns var's adjoint of the filled ``x`` (``nan_filled``) into nanvar's."""
    present = ~numpy.isnan(x)
    count = numpy.sum(present, axis=axis, keepdims=keepdims)
    elements = present.size / max(size(count), 1)
    with numpy.errstate(divide="ignore", invalid="ignore"):  # count <= ddof: nanvar is nan (or inf) there too
        return _in_dtype_of((elements - ddof) / (count - ddof), x)


def nanquantile_adjoint(
    g: Any, x: Any, q: Any, axis: Any = None, keepdims: bool = False, method: str = "linear", overwrite: bool = False
) -> Any:
    """The adjoint of ``numpy.nanquantile``: ``quantile_adjoint`` over the numbers of each slice, 0 at a nan."""
    x = numpy.asarray(x)
    if not numpy.isnan(x).any():
        return quantile_adjoint(g, x, q, axis, keepdims, method, overwrite)
    rows, slices, restore = _slices_of_numbers(x, axis)
    g = numpy.reshape(numpy.asarray(g, dtype=result_dtype(x, g)), (*numpy.shape(q), len(rows)))
    out = numpy.zeros(rows.shape, dtype=g.dtype)
    for r, numbers, kept in slices:
        out[r, kept] = quantile_adjoint(g[..., r], numbers, q, None, False, method, overwrite)
    return restore(out)


def nanquantile_tangent(
    t: Any, x: Any, q: Any, axis: Any = None, keepdims: bool = False, method: str = "linear", overwrite: bool = False
) -> Any:
    """The tangent of ``numpy.nanquantile``: ``quantile_tangent`` over the numbers of each slice."""
    x = numpy.asarray(x)
    if not numpy.isnan(x).any():
        return quantile_tangent(t, x, q, axis, keepdims, method, overwrite)
    rows, slices, _ = _slices_of_numbers(x, axis)
    tangents = _slices_of_numbers(numpy.broadcast_to(t, x.shape), axis)[0]
    out = numpy.zeros((*numpy.shape(q), len(rows)), dtype=result_dtype(x, t))
    for r, numbers, kept in slices:
        out[..., r] = quantile_tangent(tangents[r, kept], numbers, q, None, False, method, overwrite)
    reduced = range(x.ndim) if axis is None else [axis % x.ndim]
    shape = [1 if k in reduced else n for k, n in enumerate(x.shape) if keepdims or k not in reduced]
    return numpy.reshape(out, (*numpy.shape(q), *shape))


def _slices_of_numbers(x: numpy.ndarray, axis: Any) -> Tuple[numpy.ndarray, list, Callable]:
    """``x`` as rows, one per slice along ``axis`` (one row of everything for None); for each row holding a
    number (a slice of nans only has a nan quantile, and no derivative), its index, its numbers and where
    they are in it; and the function that puts rows of that shape back in ``x``'s."""
    if axis is not None and numpy.ndim(axis) != 0:
        raise NotImplementedError("s2sgrad differentiates nan quantiles over one axis or all of them")
    moved = numpy.reshape(x, (1, -1)) if axis is None else numpy.moveaxis(x, axis, -1)
    rows = numpy.reshape(moved, (-1, moved.shape[-1]))
    kept = ~numpy.isnan(rows)
    slices = [(r, row[k], k) for r, (row, k) in enumerate(zip(rows, kept)) if k.any()]

    def restore(out: numpy.ndarray) -> numpy.ndarray:
        back = numpy.reshape(out, moved.shape)
        return numpy.reshape(back, x.shape) if axis is None else numpy.moveaxis(back, -1, axis)

    return rows, slices, restore


def _quantile_plan(x: Any, q: Any, axis: Any, method: str, overwrite_input: bool) -> Tuple[Any, ...]:
    """Where NumPy's 'linear' quantile reads the sorted ``x``: below, above, the weight of above, the order."""
    if method != "linear" or overwrite_input:
        raise NotImplementedError("s2sgrad differentiates quantiles with method='linear' and overwrite_input=False")
    if axis is not None and numpy.ndim(axis) != 0:
        raise NotImplementedError("s2sgrad differentiates quantiles over one axis or all of them")
    x = numpy.ravel(x) if axis is None else numpy.asarray(x)
    axis = 0 if axis is None else axis % x.ndim
    length = x.shape[axis]
    position = numpy.asarray(q, dtype=float) * (length - 1)
    below = numpy.floor(position).astype(int)
    above = numpy.minimum(below + 1, length - 1)
    # sorting ties: the element that a stable argsort puts at a position gets that position's derivative,
    # as autograd's and JAX's sort-based quantiles do
    order = numpy.argsort(x, axis=axis, kind="stable")
    return x, axis, below, above, (position - below).astype(x.dtype), order


def quantile_tangent(
    t: Any, x: Any, q: Any, axis: Any = None, keepdims: bool = False, method: str = "linear", overwrite: bool = False
) -> Any:
    """The tangent of ``numpy.quantile(x, q, axis, method='linear', keepdims=keepdims)``."""
    if numpy.size(x) == 0:  # a median of no numbers is nan (numpy.median), and so is its tangent
        kept = numpy.shape(numpy.sum(x, axis=axis, keepdims=keepdims))
        return numpy.full((*numpy.shape(q), *kept), numpy.nan, dtype=float_dtype(x))
    flat, along, below, above, weight, order = _quantile_plan(x, q, axis, method, overwrite)
    ranked = numpy.take_along_axis(numpy.reshape(t, flat.shape), order, along)
    q_axes = list(range(numpy.ndim(q)))
    low, high = (
        numpy.moveaxis(numpy.take(ranked, k, along), [along + a for a in q_axes], q_axes) for k in (below, above)
    )
    weight = numpy.reshape(weight, numpy.shape(weight) + (1,) * (low.ndim - weight.ndim))
    result = low + (high - low) * weight
    return numpy.reshape(result, numpy.shape(numpy.quantile(x, q, axis=axis, keepdims=keepdims)))


def quantile_adjoint(
    g: Any, x: Any, q: Any, axis: Any = None, keepdims: bool = False, method: str = "linear", overwrite: bool = False
) -> Any:
    """The adjoint of ``numpy.quantile(x, q, axis, method='linear', keepdims=keepdims)``."""
    if numpy.size(x) == 0:  # no element to receive a derivative
        return numpy.zeros(numpy.shape(x), dtype=result_dtype(x, g))
    flat, along, below, above, weight, order = _quantile_plan(x, q, axis, method, overwrite)
    q_axes = list(range(numpy.ndim(q)))
    kept = numpy.shape(q) + tuple(n for k, n in enumerate(flat.shape) if k != along)
    dtype = result_dtype(flat, g)  # before g is an array: a Python float g keeps float32 float32
    g = numpy.reshape(numpy.asarray(g, dtype=dtype), kept)  # keepdims' axis of length 1 dropped
    weight = numpy.reshape(weight, numpy.shape(weight) + (1,) * (g.ndim - weight.ndim))
    ranked = numpy.zeros(flat.shape, dtype=dtype)
    for index, share in ((below, g * (1 - weight)), (above, g * weight)):
        spot = (slice(None),) * along + (index,)
        numpy.add.at(ranked, spot, numpy.moveaxis(share, q_axes, [along + a for a in q_axes]))
    return reshape_like(unindex(ranked, flat, along_axis_index(flat, order, along)), x)


# ----- helpers of the linear algebra rules (stacks of matrices in the last two axes) -----


def _mT(x: Any) -> Any:
    return numpy.swapaxes(x, -1, -2)


def _right_solve(b: Any, a: Any) -> Any:
    """``b @ inv(a)``, by a solve."""
    return _mT(numpy.linalg.solve(_mT(a), _mT(b)))


def _identity(n: int, like: Any) -> numpy.ndarray:
    return numpy.eye(n, dtype=result_dtype(like))


def symmetric_from(t: Any, uplo: str = "L") -> Any:
    """The symmetric matrix a routine that reads only one triangle of ``t`` sees (cholesky, eigh)."""
    if uplo.upper() == "U":
        return numpy.triu(t) + _mT(numpy.triu(t, 1))
    return numpy.tril(t) + _mT(numpy.tril(t, -1))


def triangle_gradient(s: Any, uplo: str = "L") -> Any:
    """The adjoint of ``symmetric_from``: what ``s`` (an adjoint of the symmetric matrix) is for the triangle read."""
    if uplo.upper() == "U":
        return numpy.triu(s) + numpy.triu(_mT(s), 1)
    return numpy.tril(s) + numpy.tril(_mT(s), -1)


def _half_diagonal(x: Any) -> Any:
    """The lower triangle of ``x`` with its diagonal halved (the map a Cholesky derivative goes through)."""
    n = numpy.shape(x)[-1]
    return numpy.tril(x) * (1.0 - 0.5 * _identity(n, x))


def cholesky_adjoint(g: Any, low: Any) -> Any:
    """The adjoint of ``a`` in ``low = numpy.linalg.cholesky(a)``, which reads a's lower triangle only."""
    inner = _half_diagonal(_mT(low) @ g)
    s = _right_solve(numpy.linalg.solve(_mT(low), inner), low)  # L^-T inner L^-1
    return triangle_gradient(s)


def cholesky_tangent(t: Any, low: Any) -> Any:
    """The tangent of ``numpy.linalg.cholesky(a)`` along ``t``: ``L phi(L^-1 sym(t) L^-T)``."""
    inner = _mT(numpy.linalg.solve(low, _mT(numpy.linalg.solve(low, symmetric_from(t)))))
    return low @ _half_diagonal(inner)


def slogdet_adjoint(g: Any, a: Any) -> Any:
    """The adjoint of ``a`` in ``numpy.linalg.slogdet(a)``; the sign is piecewise constant."""
    inverse = numpy.linalg.inv(a)
    return numpy.asarray(g[1], dtype=inverse.dtype)[..., None, None] * _mT(inverse)


def slogdet_tangent(t: Any, a: Any, result: Any) -> Tuple[Any, Any]:
    """The tangent of ``(sign, logabsdet)``: ``(0, trace(a^-1 t))``."""
    return numpy.zeros_like(result[0]), numpy.trace(numpy.linalg.solve(a, t), axis1=-2, axis2=-1)


def _gaps(values: Any) -> Any:
    """``F[i, j] = 1 / (values[j] - values[i])`` off the diagonal, 0 on it."""
    differences = values[..., None, :] - values[..., :, None]
    n = numpy.shape(values)[-1]
    off = ~numpy.eye(n, dtype=bool)
    return numpy.divide(1.0, differences, out=numpy.zeros_like(differences), where=off)


def eigh_adjoint(g: Any, result: Any, uplo: str = "L") -> Any:
    """The adjoint of ``a`` in ``w, v = numpy.linalg.eigh(a, uplo)`` (distinct eigenvalues)."""
    w, v = result
    g_w, g_v = g
    inner = _gaps(w) * (_mT(v) @ g_v) + numpy.asarray(g_w)[..., None, :] * _identity(w.shape[-1], w)
    return triangle_gradient(v @ inner @ _mT(v), uplo)


def eigh_tangent(t: Any, result: Any, uplo: str = "L") -> Tuple[Any, Any]:
    """The tangent of ``(w, v) = numpy.linalg.eigh(a, uplo)`` along ``t``."""
    w, v = result
    projected = _mT(v) @ symmetric_from(t, uplo) @ v
    return numpy.diagonal(projected, axis1=-2, axis2=-1).copy(), v @ (_gaps(w) * projected)


def _real_eigenvalues(w: Any) -> None:
    if numpy.iscomplexobj(w):
        why = (  # NumPy 2.5 on gives complex numbers whatever the eigenvalues are
            f"NumPy {numpy.__version__} returns them as complex numbers, which s2sgrad does not differentiate"
            if not numpy.any(numpy.imag(w))
            else "these came out complex"
        )
        raise NotImplementedError(
            f"s2sgrad differentiates numpy.linalg.eig of real matrices with real eigenvalues only; {why} "
            "(for a symmetric matrix, numpy.linalg.eigh has real ones)"
        )


def _off_own_columns(u: Any, v: Any) -> Any:
    """``u`` less each column's part along v's same column: the derivative of scaling columns to unit length
    at unit columns ``v``, a symmetric map (its own adjoint)."""
    return u - v * numpy.sum(v * u, axis=-2, keepdims=True)


def eig_adjoint(g: Any, result: Any) -> Any:
    """The adjoint of ``a`` in ``w, v = numpy.linalg.eig(a)``, a real matrix with real distinct eigenvalues.

    With ``P = v^-1 da v``: ``dw = diag(P)``, and v's columns move by ``v (F * P)`` (F of the eigenvalue gaps)
    less their part along themselves, as NumPy scales each to unit length.
    """
    w, v = result
    _real_eigenvalues(w)
    g_w, g_v = g
    inner = _gaps(w) * (_mT(v) @ _off_own_columns(g_v, v))
    inner = inner + numpy.asarray(g_w)[..., None, :] * _identity(w.shape[-1], w)
    return numpy.linalg.solve(_mT(v), inner @ _mT(v))  # v^-T inner v^T


def eig_tangent(t: Any, result: Any) -> Tuple[Any, Any]:
    """The tangent of ``(w, v) = numpy.linalg.eig(a)`` along ``t`` (real distinct eigenvalues)."""
    w, v = result
    _real_eigenvalues(w)
    projected = numpy.linalg.solve(v, t @ v)
    return numpy.diagonal(projected, axis1=-2, axis2=-1).copy(), _off_own_columns(v @ (_gaps(w) * projected), v)


def pinv_adjoint(g: Any, a: Any, p: Any) -> Any:
    """The adjoint of ``a`` in ``p = numpy.linalg.pinv(a)``, where the rank does not change nearby."""
    m, n = numpy.shape(a)[-2:]
    outside_range = _identity(m, a) - a @ p  # I - A P
    outside_rows = _identity(n, a) - p @ a  # I - P A
    return -_mT(p) @ g @ _mT(p) + outside_range @ _mT(g) @ p @ _mT(p) + _mT(p) @ p @ _mT(g) @ outside_rows


def pinv_tangent(t: Any, a: Any, p: Any) -> Any:
    """The tangent of ``p = numpy.linalg.pinv(a)`` along ``t``."""
    m, n = numpy.shape(a)[-2:]
    outside_range = _identity(m, a) - a @ p
    outside_rows = _identity(n, a) - p @ a
    return -p @ t @ p + p @ _mT(p) @ _mT(t) @ outside_range + outside_rows @ _mT(t) @ _mT(p) @ p


def _check_reduced_qr(a: Any, mode: str) -> None:
    m, n = numpy.shape(a)[-2:]
    if mode != "reduced" or m < n:
        raise NotImplementedError("s2sgrad differentiates numpy.linalg.qr in mode 'reduced' with rows >= columns")


def qr_adjoint(g: Any, a: Any, result: Any, mode: str = "reduced") -> Any:
    """The adjoint of ``a`` in ``q, r = numpy.linalg.qr(a)``: ``(Q_bar + Q sym(M)) R^-T``."""
    _check_reduced_qr(a, mode)
    q, r = result
    g_q, g_r = g
    m = g_r @ _mT(r) - _mT(q) @ g_q
    copied = numpy.triu(m) + numpy.tril(_mT(m), -1)
    return _mT(numpy.linalg.solve(r, _mT(g_q + q @ copied)))


def qr_tangent(t: Any, a: Any, result: Any, mode: str = "reduced") -> Tuple[Any, Any]:
    """The tangent of ``(q, r) = numpy.linalg.qr(a)`` along ``t``."""
    _check_reduced_qr(a, mode)
    q, r = result
    b = _right_solve(t, r)  # t R^-1
    x = _mT(q) @ b
    upper = numpy.triu(x) + _mT(numpy.tril(x, -1))  # x minus its skew part
    return b - q @ upper, upper @ r


def _svd_parts(a: Any, result: Any, full_matrices: bool, compute_uv: bool, hermitian: bool) -> Tuple[Any, Any, Any]:
    """U, s, V (thin) of ``a``, recomputed when numpy.linalg.svd returned the singular values only."""
    m, n = numpy.shape(a)[-2:]
    if hermitian or (compute_uv and full_matrices and m != n):
        raise NotImplementedError("s2sgrad differentiates numpy.linalg.svd with full_matrices=False (or square a)")
    u, s, vh = result if compute_uv else numpy.linalg.svd(a, full_matrices=False)
    return u, s, _mT(vh)


def svd_adjoint(
    g: Any, a: Any, result: Any, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False
) -> Any:
    """The adjoint of ``a`` in ``numpy.linalg.svd(a)`` (distinct, nonzero singular values)."""
    u, s, v = _svd_parts(a, result, full_matrices, compute_uv, hermitian)
    g_u, g_s, g_vh = g if compute_uv else (numpy.zeros_like(u), g, numpy.zeros_like(_mT(v)))
    g_v = _mT(g_vh)
    gaps = _gaps(s * s)  # 1 / (s_j^2 - s_i^2)
    j, k = gaps * (_mT(u) @ g_u), gaps * (_mT(v) @ g_v)
    core = (j + _mT(j)) * s[..., None, :] + s[..., :, None] * (k + _mT(k))
    core = core + numpy.asarray(g_s)[..., None, :] * _identity(s.shape[-1], s)
    m, n = numpy.shape(a)[-2:]
    outside_u = (_identity(m, a) - u @ _mT(u)) @ g_u / s[..., None, :] @ _mT(v)
    outside_v = u @ (_mT(g_v) / s[..., :, None]) @ (_identity(n, a) - v @ _mT(v))
    return u @ core @ _mT(v) + outside_u + outside_v


def svd_tangent(
    t: Any, a: Any, result: Any, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False
) -> Any:
    """The tangent of ``numpy.linalg.svd(a)`` along ``t``: of ``(u, s, vh)``, or of ``s``."""
    u, s, v = _svd_parts(a, result, full_matrices, compute_uv, hermitian)
    p = _mT(u) @ t @ v
    d_s = numpy.diagonal(p, axis1=-2, axis2=-1).copy()
    if not compute_uv:
        return d_s
    m, n = numpy.shape(a)[-2:]
    gaps = _gaps(s * s)
    d_u = u @ (gaps * (p * s[..., None, :] + s[..., :, None] * _mT(p)))
    d_u = d_u + (_identity(m, a) - u @ _mT(u)) @ t @ v / s[..., None, :]
    d_v = v @ (gaps * (s[..., :, None] * p + _mT(p) * s[..., None, :]))
    d_v = d_v + (_identity(n, a) - v @ _mT(v)) @ _mT(t) @ u / s[..., None, :]
    return d_u, d_s, _mT(d_v)


def lstsq_adjoints(g: Any, a: Any, b: Any, result: Any) -> Tuple[Any, Any]:
    """Adjoints of ``a`` and ``b`` in ``x, residuals, rank, s = numpy.linalg.lstsq(a, b)`` (constant rank)."""
    x, residuals = result[:2]
    g_x, g_residuals, _, g_s = g
    p = numpy.linalg.pinv(a)
    matrix = numpy.ndim(b) == 2
    d_b = p.T @ g_x
    d_a = pinv_adjoint(g_x @ b.T if matrix else numpy.outer(g_x, b), a, p)
    if numpy.size(residuals):  # sums of squares of e = a x - b, where a^T e = 0
        error = a @ x - b
        weighted = 2.0 * error * g_residuals
        d_a = d_a + (weighted @ x.T if matrix else numpy.outer(weighted, x))
        d_b = d_b - weighted
    u, _, vh = numpy.linalg.svd(a, full_matrices=False)
    return d_a + (u * g_s) @ vh, d_b


def lstsq_tangent(t_a: Any, t_b: Any, a: Any, b: Any, result: Any) -> Tuple[Any, Any, Any, Any]:
    """The tangent of ``numpy.linalg.lstsq(a, b)``'s ``(x, residuals, rank, s)``."""
    x, residuals = result[:2]
    p = numpy.linalg.pinv(a)
    d_x = pinv_tangent(t_a, a, p) @ b + p @ t_b
    d_residuals = numpy.zeros_like(residuals)
    if numpy.size(residuals):
        d_residuals = 2.0 * numpy.sum((a @ x - b) * (t_a @ x - t_b), axis=0)
    u, _, vh = numpy.linalg.svd(a, full_matrices=False)
    return d_x, d_residuals, 0, numpy.sum(u * (t_a @ vh.T), axis=0)


# ----- helpers of selection and interpolation rules -----


def select_adjoints(g: Any, condlist: Sequence[Any], choicelist: Sequence[Any]) -> Any:
    """Adjoints of the choices in ``numpy.select``: each gets ``g`` where it was picked (the first true
    condition wins); a tuple, or one array for an array of choices."""
    adjoints = [unbroadcast(numpy.where(picked, g, 0.0), choice) for picked, choice in _picks(g, condlist, choicelist)]
    return pieces_like(adjoints, choicelist)


def select_default_adjoint(g: Any, condlist: Sequence[Any], choicelist: Sequence[Any], default: Any) -> Any:
    """The adjoint of ``numpy.select``'s default: ``g`` where no condition held."""
    taken = numpy.zeros(numpy.shape(g), dtype=bool)
    for picked, _ in _picks(g, condlist, choicelist):
        taken = taken | picked
    return unbroadcast(numpy.where(taken, 0.0, g), default)


def _picks(g: Any, condlist: Sequence[Any], choicelist: Sequence[Any]) -> Iterator[Tuple[Any, Any]]:
    """Each choice with where it is picked: where its condition holds and no earlier one did."""
    taken = numpy.zeros(numpy.shape(g), dtype=bool)
    for condition, choice in zip(condlist, choicelist):
        picked = numpy.logical_and(condition, ~taken)
        yield picked, choice
        taken = taken | picked


def _interp_segments(x: Any, xp: Any, period: Any) -> Tuple[Any, Any, Any]:
    """For each x: the segment of xp it lies in, its weight toward the segment's right end, and whether inside."""
    if period is not None:
        raise NotImplementedError("s2sgrad differentiates numpy.interp without period")
    xp = numpy.asarray(xp)
    right = numpy.clip(numpy.searchsorted(xp, x, side="right"), 1, len(xp) - 1)
    left = right - 1
    weight = (x - xp[left]) / (xp[right] - xp[left])
    inside = (x >= xp[0]) & (x <= xp[-1])
    return left, numpy.clip(weight, 0.0, 1.0), inside


def interp_slope(x: Any, xp: Any, fp: Any, period: Any = None) -> Any:
    """``d numpy.interp(x, xp, fp) / d x``: the slope of x's segment, 0 outside ``xp``'s range."""
    left, _, inside = _interp_segments(x, xp, period)
    fp, xp = numpy.asarray(fp), numpy.asarray(xp)
    slope = (fp[left + 1] - fp[left]) / (xp[left + 1] - xp[left])
    return numpy.where(inside, slope, 0.0)[()]


def interp_values_adjoint(g: Any, x: Any, xp: Any, fp: Any, left: Any, right: Any, period: Any = None) -> Any:
    """The adjoint of ``fp`` in ``numpy.interp(x, xp, fp, left, right)``: ``g`` split between segment ends."""
    segment, weight, inside = _interp_segments(x, xp, period)
    below, above = numpy.asarray(x) < xp[0], numpy.asarray(x) > xp[-1]
    g = numpy.broadcast_to(g, numpy.shape(x))
    out = numpy.zeros(numpy.shape(fp), dtype=result_dtype(fp, g))
    numpy.add.at(out, segment, numpy.where(inside, g * (1.0 - weight), 0.0))
    numpy.add.at(out, segment + 1, numpy.where(inside, g * weight, 0.0))
    if left is None:  # below the range the value is fp[0], else the constant left
        out[0] += numpy.sum(numpy.where(below, g, 0.0))
    if right is None:
        out[-1] += numpy.sum(numpy.where(above, g, 0.0))
    return out


def interp_values_tangent(t: Any, x: Any, xp: Any, left: Any, right: Any, period: Any = None) -> Any:
    """The tangent of ``numpy.interp(x, xp, fp, left, right)`` along ``fp``'s tangent: linear in fp."""
    if period is not None:
        raise NotImplementedError("s2sgrad differentiates numpy.interp without period")
    constant = [None if bound is None else 0.0 for bound in (left, right)]  # a constant bound has no tangent
    return numpy.interp(x, xp, t, left=constant[0], right=constant[1])


def matching_order(a: Any, y: Any, axis: Optional[int] = -1) -> Any:
    """Indices ``i`` with ``y == numpy.take_along_axis(a, i, axis)`` for a ``y`` that permutes ``a`` along ``axis``
    (``numpy.partition``'s result): the element of a with the rank each element of y has."""
    if axis is None:
        a, y, axis = numpy.ravel(a), numpy.ravel(y), 0
    ranks = numpy.argsort(numpy.argsort(y, axis=axis, kind="stable"), axis=axis, kind="stable")
    return numpy.take_along_axis(numpy.argsort(a, axis=axis, kind="stable"), ranks, axis)


def _gradient_axes(f: Any, spacings: Sequence[Any], axis: Any) -> Tuple[list, list]:
    """The axes ``numpy.gradient(f, *spacings, axis=axis)`` differentiates along, and their (uniform) spacings."""
    ndim = numpy.ndim(f)
    axes = list(range(ndim)) if axis is None else [axis] if numpy.ndim(axis) == 0 else list(axis)
    steps = list(spacings) * len(axes) if len(spacings) == 1 else list(spacings) or [1.0] * len(axes)
    if any(numpy.ndim(h) != 0 for h in steps):
        raise NotImplementedError("s2sgrad differentiates numpy.gradient with uniform (scalar) spacings only")
    return [a % ndim for a in axes], steps


def _difference_adjoint(g: Any, h: Any, edge_order: int) -> numpy.ndarray:
    """The transpose of numpy.gradient's stencil along axis 0: central inside, one-sided at the two ends."""
    out = numpy.zeros(g.shape, dtype=result_dtype(g, 1.0))
    out[2:] += g[1:-1] / (2.0 * h)
    out[:-2] -= g[1:-1] / (2.0 * h)
    ends = (-1.0, 1.0) if edge_order == 1 else (-1.5, 2.0, -0.5)  # weights of f[0], f[1], ... in the first value
    for k, weight in enumerate(ends):
        out[k] += weight * g[0] / h
        out[-1 - k] -= weight * g[-1] / h  # the last value's stencil is the first's, mirrored and negated
    return out


def gradient_adjoint(g: Any, f: Any, spacings: Sequence[Any], axis: Any = None, edge_order: int = 1) -> Any:
    """The adjoint of ``f`` in ``numpy.gradient(f, *spacings, axis=axis, edge_order=edge_order)`` (linear in f)."""
    axes, steps = _gradient_axes(f, spacings, axis)
    pieces = [g] if len(axes) == 1 else list(g)  # one array, or a tuple of one per axis
    total = numpy.zeros(numpy.shape(f), dtype=float_dtype(f))
    for piece, along, h in zip(pieces, axes, steps):
        moved = numpy.moveaxis(numpy.asarray(piece, dtype=total.dtype), along, 0)
        total += numpy.moveaxis(_difference_adjoint(moved, h, edge_order), 0, along)
    return total


def gradient_of(t: Any, spacings: Sequence[Any], axis: Any = None, edge_order: int = 1) -> Any:
    """``numpy.gradient(t, *spacings, ...)``: the tangent of numpy.gradient, which is linear."""
    return numpy.gradient(t, *spacings, axis=axis, edge_order=edge_order)


def sorted_order(items: Any, key: Any = None, reverse: bool = False) -> list:
    """The positions ``sorted(items, key=key, reverse=reverse)`` takes its items from (the same stable sort)."""
    by = items.__getitem__ if key is None else lambda position: key(items[position])
    return sorted(range(len(items)), key=by, reverse=reverse)


def unsorted(g: Sequence[Any], items: Any, key: Any = None, reverse: bool = False) -> Any:
    """The adjoint of ``sorted(items)``: each item gets the adjoint of the place it went to."""
    out: Any = (
        numpy.zeros_like(items, dtype=float_dtype(items)) if isinstance(items, numpy.ndarray) else [0.0] * len(items)
    )
    for place, position in enumerate(sorted_order(items, key, reverse)):
        out[position] = g[place]
    return out


def in_sorted_order(t: Sequence[Any], items: Any, key: Any = None, reverse: bool = False) -> list:
    """The tangent of ``sorted(items)``: the items' tangents, in the order the items went."""
    return [t[position] for position in sorted_order(items, key, reverse)]


def trace_adjoint(g: Any, x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> numpy.ndarray:
    """The adjoint of ``numpy.trace(x, offset, axis1, axis2)``: ``untrace`` for a matrix, else ``g`` spread
    along the diagonal of each matrix of the stack."""
    if numpy.ndim(x) == 2 and (axis1 % 2, axis2 % 2) == (0, 1):
        return untrace(g, x, offset)
    dtype = result_dtype(x, g)  # before g is an array: a Python float g keeps float32 float32
    length = numpy.shape(numpy.diagonal(x, offset, axis1, axis2))[-1]
    spread = numpy.broadcast_to(numpy.expand_dims(numpy.asarray(g, dtype=dtype), -1), (*numpy.shape(g), length))
    return undiagonal(spread, x, offset, axis1, axis2)


class unswallowed:
    """Enters ``manager`` for a ``with`` block of differentiated code; raises if it swallows an exception.

    A swallowed exception skips the rest of the block, which the gradient cannot follow.
    """

    def __init__(self, manager: Any) -> None:
        self.manager = manager

    def __enter__(self) -> Any:
        return type(self.manager).__enter__(self.manager)

    def __exit__(self, kind: Any, value: Any, traceback: Any) -> bool:
        if type(self.manager).__exit__(self.manager, kind, value, traceback) and kind is not None:
            raise RuntimeError(
                f"{type(self.manager).__name__} swallowed {kind.__name__} raised in a with block of a differentiated "
                "function: the gradient cannot follow a block left halfway (catch it with try/except instead)"
            ) from value
        return False
