"""Shape facts: which values have the same shape, and the same dtype, whatever the arguments' shapes.

Generated code is specialized on kinds (a rank, floats or integers), never on
shapes, so a fact used to simplify it must hold for every shape the same kinds
admit: axes of size 1 that broadcast, empty arrays. A shape is modelled as a
set of *atoms*, values whose broadcast it is:

    x, y parameters                 {x}, {y}
    t = x * y, u = np.exp(t) - y    {x, y} both: u has t's shape
    2.0, a scalar, a 0-d array      {} (shape ()): never stretches anything
    m = np.max(x, axis=1, keepdims=True)
                                    {m'} with m' dominated by {x}: x - m is {x}
    X @ w, x[i], a reshape, a call  a fresh atom of its own

Broadcasting is associative, commutative and idempotent where it succeeds (and
the forward sweep computed each value, so it succeeded), so two values of equal
sets have equal shapes, ranks included. A keepdims reduction of a value of set
S has S's rank and, on every axis, 1 or S's size: broadcast with all of S it
vanishes.

For an array of floats of rank at least 1, the dtype is modelled the same way:
NumPy promotes float and complex dtypes by a join (float32 with float64 is
float64, with complex64 complex128), so the dtype of an operation that promotes
its operands is the join of theirs. A Python number joins nothing (float32 *
2.0 is float32, in NumPy 1 and 2, for numbers of float16's range). Integer
arrays, scalars and 0-d arrays are promoted otherwise (int8 with uint8 and
float16; NumPy 1's value-based casting): an operation on one has no dtype
fact. Equal dtype sets mean the same dtype, and the same array library (a Dask
operand makes a Dask result).

Facts are per program point (a name is reassigned, a loop repeats): a loop's
head gives each name it reassigns an atom of its own unless the body leaves
its set as it was; the two branches of an ``if`` agree or give an atom of
their own. Only names of arrays and numbers have facts: a list's shape changes
in place (``append``), an array's cannot (``x.shape = …`` and ``x.resize`` are
rejected by normalization).
"""

import functools
from typing import Any, Dict, FrozenSet, Iterable, List, NamedTuple, Optional

import gast
import numpy

from .. import runtime
from ..context import Context
from ..nodes import SCOPE, constant_value, is_in_place, names_stored
from ..parse.resolve import MISSING


class Fact(NamedTuple):
    shape: FrozenSet[Any]  # the atoms whose broadcast the value's shape is; empty: shape ()
    # For an array of floats of rank >= 1: the atoms whose promotion its dtype is. Empty for a Python number
    # (which promotes nothing), None when not known.
    dtype: Optional[FrozenSet[Any]]


Env = Dict[str, Fact]
NUMBER = Fact(frozenset(), frozenset())
SCALAR = Fact(frozenset(), None)

OPERATORS = {
    gast.Add: numpy.add,
    gast.Sub: numpy.subtract,
    gast.Mult: numpy.multiply,
    gast.Div: numpy.true_divide,
    gast.FloorDiv: numpy.floor_divide,
    gast.Mod: numpy.remainder,
    gast.Pow: numpy.power,
    gast.USub: numpy.negative,
    gast.UAdd: numpy.positive,
}
COMPARISONS = (gast.Eq, gast.NotEq, gast.Lt, gast.LtE, gast.Gt, gast.GtE)
# Reductions whose keepdims result has the operand's rank and, on each axis, 1 or its size (not quantile:
# its q adds axes); those of the first line keep a float operand's dtype (var of complex numbers is real).
KEEP_DTYPE = {numpy.sum, numpy.prod, numpy.max, numpy.amax, numpy.min, numpy.amin, numpy.mean}
KEEP_DTYPE |= {numpy.nansum, numpy.nanprod, numpy.nanmax, numpy.nanmin, numpy.nanmean}
KEEPDIMS = KEEP_DTYPE | {numpy.var, numpy.std, numpy.nanvar, numpy.nanstd, numpy.ptp, numpy.median, numpy.nanmedian}
REDUCTION_SETTINGS = {"axis", "keepdims", "ddof"}
# Helpers whose result has the shape of one argument, by position.
SHAPED_LIKE = {runtime.unreduce: 1, runtime.unbroadcast: 1, runtime.zeros_like: 0}
FLOAT_DTYPES = tuple(map(numpy.dtype, ("e", "f", "d", "g", "F", "D", "G")))
WEAK_RANGE = 65504.0  # float16's largest: a Python float within it promotes no float array, in NumPy 1 too


class ShapeFacts:
    """The facts of a function's names before each of its simple statements."""

    def __init__(self, tree: gast.FunctionDef, ctx: Context) -> None:
        self.ctx = ctx
        self.before: Dict[int, Env] = {}  # by id of a statement
        self.assigned: Dict[int, Fact] = {}  # by id of ``name = value``: the fact of the value
        env = {}
        for arg in tree.args.args:
            self._bind(env, arg.id, self._opaque(("param", arg.id), arg.id))
        self._block(tree.body, env)

    # ----- queries -----

    def fact(self, node: gast.expr, stmt: gast.stmt, extra: Optional[Env] = None) -> Optional[Fact]:
        """The fact of ``node`` evaluated just before ``stmt`` (``extra``: facts of names it does not know)."""
        env = self.before.get(id(stmt))
        if env is None:
            return None
        return _Evaluator(self.ctx, {**env, **extra} if extra else env).fact(node)

    # ----- statements -----

    def _block(self, stmts: List[gast.stmt], env: Env) -> Env:
        for stmt in stmts:
            env = self._statement(stmt, env)
        return env

    def _statement(self, stmt: gast.stmt, env: Env) -> Env:
        if isinstance(stmt, gast.If):
            return self._branches(stmt, env)
        if isinstance(stmt, (gast.For, gast.While)):
            return self._loop(stmt, env)
        self.before[id(stmt)] = env
        env = dict(env)
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
            target = stmt.targets[0].id
            fact = _Evaluator(self.ctx, env).fact(stmt.value)
            if is_in_place(stmt) and target in env:  # ``b = b + v`` from ``b += v``: b's object, b's dtype
                fact = _in_place(env[target], fact)
            self.assigned[id(stmt)] = self._bind(env, target, self._own_dtype(fact, stmt, target))
        elif isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name) and stmt.target.id in env:
            target = stmt.target.id
            value = _Evaluator(self.ctx, env).fact(stmt.value)
            self._bind(env, target, _in_place(env[target], _broadcast([env[target], value])))
        else:  # an element write keeps an array's shape; a tuple's targets are values of their own
            written = {t.value.id for t in _targets(stmt) if isinstance(t, gast.Subscript)}
            for target in names_stored(stmt) | {w for w in written if not self._is_array(w)}:
                self._bind(env, target, self._opaque(("value", id(stmt), target), target))
        return env

    def _branches(self, stmt: gast.If, env: Env) -> Env:
        body = self._block(stmt.body, env)
        if getattr(stmt, SCOPE, ("with",))[0] != "with":  # a try: its handler may run after any part of the body
            written = set().union(*(names_stored(s) for s in stmt.body))
            env = {k: v for k, v in env.items() if k not in written}
        orelse = self._block(stmt.orelse, env)
        joined = {}
        for var in body.keys() & orelse.keys():  # bound on both paths
            same = body[var] == orelse[var]
            joined[var] = body[var] if same else self._opaque(("join", id(stmt), var), var)
        return joined

    def _loop(self, loop: gast.stmt, env: Env) -> Env:
        """The facts at the loop's head hold on entry and after each iteration: a name the body reassigns keeps
        its fact only if the body leaves it as it was, else it gets an atom of the head."""
        stored = names_stored(loop)
        head = {k: v for k, v in env.items() if k not in stored or not _jumps(loop.body)}
        while True:
            inner = dict(head)
            if isinstance(loop, gast.For):
                for target in names_stored(loop.target):
                    self._bind(inner, target, self._opaque(("target", id(loop), target), target))
            after = self._block(loop.body, inner)
            own = {v: self._opaque(("head", id(loop), v), v) for v in stored & head.keys()}
            changed = [v for v, fact in own.items() if after.get(v) != head[v] and head[v] != fact]
            if not changed:
                break
            head.update((v, own[v]) for v in changed)
        out = {k: v for k, v in head.items() if k not in stored} if _jumps(loop.body) else head
        return self._block(loop.orelse, out)

    # ----- facts of names -----

    def _bind(self, env: Env, var: str, fact: Fact) -> Fact:
        """Set ``var``'s fact, if its kind says its shape is that of its value at every point (an array or a
        number), and not a list's, which changes in place."""
        kind = self.ctx.kinds.get(var)
        if kind is not None and kind.is_scalar:
            fact = SCALAR
        if kind is not None and kind.tag in ("array", "integer", "scalar"):
            env[var] = fact
        else:
            env.pop(var, None)
        return fact

    def _own_dtype(self, fact: Fact, stmt: gast.stmt, var: str) -> Fact:
        """An array of floats whose dtype is not known has one of its own, which copies of it share."""
        if not self._is_float_array(var):
            return fact._replace(dtype=None)
        return fact if fact.dtype else fact._replace(dtype=frozenset({("dtype", id(stmt))}))

    def _opaque(self, atom: Any, var: str) -> Fact:
        return Fact(frozenset({atom}), frozenset({atom}) if self._is_float_array(var) else None)

    def _is_float_array(self, var: str) -> bool:
        kind = self.ctx.kinds.get(var)
        return kind is not None and kind.tag == "array" and kind.ndim is not None and kind.ndim >= 1

    def _is_array(self, var: str) -> bool:
        kind = self.ctx.kinds.get(var)
        return kind is not None and kind.tag in ("array", "integer")


def is_opaque(value: gast.expr, ctx: Context) -> bool:
    """Whether the model knows nothing of ``value`` (a call it does not know, a subscript): a fresh atom."""
    return _Evaluator(ctx, {}).fact(value) == _fresh(value)


class _Evaluator:
    """The fact of an expression, given the facts of the names it reads."""

    def __init__(self, ctx: Context, env: Env) -> None:
        self.ctx, self.env = ctx, env

    def fact(self, node: gast.expr) -> Fact:
        if isinstance(node, gast.Name):
            kind = self.ctx.kinds.get(node.id)
            if kind is not None and kind.is_scalar:
                return SCALAR
            return self.env.get(node.id) or _fresh(node)
        if isinstance(node, gast.Constant):
            return _constant(node.value) or _fresh(node)
        if isinstance(node, gast.BinOp) and type(node.op) in OPERATORS:
            return self._elementwise(OPERATORS[type(node.op)], [node.left, node.right])
        if isinstance(node, gast.UnaryOp) and type(node.op) in OPERATORS:
            return self._elementwise(OPERATORS[type(node.op)], [node.operand])
        if isinstance(node, gast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], COMPARISONS):
            return Fact(_broadcast([self.fact(node.left), self.fact(node.comparators[0])]).shape, None)
        if isinstance(node, gast.Call):
            return self._call(node)
        return _fresh(node)

    def _call(self, node: gast.Call) -> Fact:
        func = self.ctx.resolve(node.func)
        if func is MISSING or not _hashable(func) or any(isinstance(a, gast.Starred) for a in node.args):
            return _fresh(node)
        if func in KEEPDIMS:
            return self._reduction(func, node)
        if node.keywords:
            return _fresh(node)
        if func is runtime.shape_of and len(node.args) == 1:  # an array of its argument's shape and dtype
            return self.fact(node.args[0])
        if func in SHAPED_LIKE and len(node.args) > SHAPED_LIKE[func]:
            return Fact(self.fact(node.args[SHAPED_LIKE[func]]).shape, None)
        if getattr(func, "signature", None) is not None:  # a generalized ufunc (matmul): not elementwise
            return _fresh(node)
        if isinstance(func, numpy.ufunc) and func.nout == 1 and len(node.args) == func.nin:
            return self._elementwise(func, node.args)
        rule = self.ctx.rules.lookup(func)
        if rule is not None and rule.result == "elementwise":
            return Fact(_broadcast([self.fact(a) for a in node.args]).shape, None)
        return _fresh(node)

    def _elementwise(self, func: numpy.ufunc, operands: List[gast.expr]) -> Fact:
        facts = [self.fact(o) for o in operands]
        joined = _broadcast(facts)
        return joined if _joins_dtypes(func) else joined._replace(dtype=None)

    def _reduction(self, func: Any, node: gast.Call) -> Fact:
        """``np.sum(x, axis, keepdims=True)``: an atom dominated by ``x``'s set."""
        keywords = {k.arg: constant_value(k.value, MISSING) for k in node.keywords}
        if keywords.get("keepdims") is not True or not keywords.keys() <= REDUCTION_SETTINGS or len(node.args) > 2:
            return _fresh(node)
        operand = self.fact(node.args[0])
        dtype = operand.dtype if func in KEEP_DTYPE and operand.dtype else None
        if not operand.shape:
            return Fact(frozenset(), dtype)
        return Fact(frozenset({("reduced", id(node), operand.shape)}), dtype)


def _fresh(node: gast.AST) -> Fact:
    """A value the model knows nothing of: its own shape."""
    return Fact(frozenset({("value", id(node))}), None)


def _constant(value: Any) -> Optional[Fact]:
    """A Python number: of shape (); it promotes no float array unless NumPy 1 finds it too large for float16."""
    if type(value) in (bool, int):
        return NUMBER
    if type(value) is float:
        return NUMBER if abs(value) <= WEAK_RANGE or value != value or abs(value) == float("inf") else SCALAR
    return SCALAR if type(value) is complex else None


def _broadcast(facts: Iterable[Fact]) -> Fact:
    """The fact of a value broadcast (and promoted) from values of these facts."""
    facts = list(facts)
    atoms = set().union(*(f.shape for f in facts))
    removed = True
    while removed:  # a keepdims reduction vanishes next to the values it was reduced from
        removed = False
        for atom in list(atoms):
            if atom[0] == "reduced" and atom[2] <= atoms - {atom}:
                atoms.discard(atom)
                removed = True
    dtypes = [f.dtype for f in facts]
    dtype = frozenset().union(*dtypes) if all(d is not None for d in dtypes) else None
    return Fact(frozenset(atoms), dtype or None)  # numbers alone: a number, not an array


def _in_place(old: Fact, new: Fact) -> Fact:
    """``b += v`` on an array keeps ``b``'s dtype; on a number it is ``b + v``: the same if ``v``'s joins nothing."""
    same = old.dtype is not None and new.dtype is not None and new.dtype <= old.dtype
    return new._replace(dtype=old.dtype if same else None)


def _targets(stmt: gast.stmt) -> List[gast.expr]:
    if isinstance(stmt, gast.Assign):
        return list(stmt.targets)
    return [stmt.target] if isinstance(stmt, gast.AugAssign) else []


def _jumps(stmts: List[gast.stmt]) -> bool:
    """A ``break`` or ``continue`` of this loop: its head or exit is reached from the middle of its body."""
    for stmt in stmts:
        if isinstance(stmt, (gast.Break, gast.Continue)):
            return True
        if isinstance(stmt, gast.If) and _jumps(stmt.body + stmt.orelse):
            return True
    return False


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


@functools.lru_cache(maxsize=None)
def _joins_dtypes(func: numpy.ufunc) -> bool:
    """Whether ``func`` on float arrays gives the join of their dtypes, and with a Python number the array's:
    tried on every pair of float and complex dtypes (a pair it rejects gives no value to have a fact of)."""
    ones = [numpy.ones(2, dtype) for dtype in FLOAT_DTYPES]
    cases = [((a,), a.dtype) for a in ones] if func.nin == 1 else []
    if func.nin == 2:
        cases += [((a, b), numpy.result_type(a, b)) for a in ones for b in ones]
        cases += [(pair, a.dtype) for a in ones for number in (2, 2.0) for pair in ((a, number), (number, a))]
    with numpy.errstate(all="ignore"):
        for operands, expected in cases:
            try:
                result = func(*operands)
            except TypeError:
                continue
            if result.dtype != expected:
                return False
    return func.nin in (1, 2)
