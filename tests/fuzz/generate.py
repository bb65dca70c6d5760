"""The seeded program generator: random Python/NumPy functions as module source text.

A program is a module holding ``f`` and the helpers it calls. The generator keeps a
typed environment (float scalars, int scalars, float arrays and int arrays of known
shape), so nearly every program runs; the runner discards the few that raise or
overflow in plain Python. Names defined inside a block are forgotten after it, and
rebinding keeps a name's kind, so every read is of a name bound on every path.
"""

import itertools
import random
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Tuple, Union

# A name's kind: "s" float scalar, "i" int scalar (never rebound), a shape tuple (float
# array) or ("int", shape) (int array).
Kind = Union[str, Tuple]
Env = Dict[str, Kind]

FAMILIES: Dict[str, FrozenSet[str]] = {
    "scalar": frozenset({"scalar"}),
    "numpy": frozenset({"scalar", "numpy"}),
    "control": frozenset({"scalar", "numpy", "control", "loops"}),
    "writes": frozenset({"scalar", "numpy", "writes", "loops"}),
    "aliases": frozenset({"scalar", "numpy", "writes", "aliases"}),
    "helpers": frozenset({"scalar", "numpy", "writes", "helpers"}),
    "all": frozenset({"scalar", "numpy", "control", "loops", "writes", "aliases", "helpers"}),
}

UNARY_SCALAR = (
    "np.sin({})",
    "np.cos({})",
    "np.tanh({})",
    "math.sin({})",
    "math.cos({})",
    "np.exp(np.tanh({}))",
    "np.sqrt(1.0 + {0} * {0})",
    "np.log(1.0 + {0} * {0})",
    "(({}) ** 2)",
    "abs({})",
    "(-({}))",
)
UNARY_ARRAY = (
    "np.sin({})",
    "np.cos({})",
    "np.tanh({})",
    "np.exp(np.tanh({}))",
    "np.abs({})",
    "(({}) ** 2)",
    "(-({}))",
    "np.sqrt(1.0 + {0} * {0})",
)
CONSTANTS = ("0.5", "1.5", "2.0", "0.25", "3.0", "-1.0", "0.7")

# Views of a float array (text with {} for the base, the view's shape), by the base's shape.
VIEWS: Dict[Tuple, Tuple[Tuple[str, Tuple], ...]] = {
    (4,): (
        ("{}[1:3]", (2,)),
        ("{}[::2]", (2,)),
        ("{}[:]", (4,)),
        ("{}.reshape(2, 2)", (2, 2)),
        ("np.asarray({})", (4,)),
        ("{}[...]", (4,)),
        ("{}[::-1]", (4,)),
    ),
    (3,): (("{}[1:]", (2,)), ("{}[:]", (3,)), ("np.asarray({})", (3,))),
    (3, 4): (
        ("{}.T", (4, 3)),
        ("{}[1]", (4,)),
        ("{}[:, 1]", (3,)),
        ("{}.reshape(4, 3)", (4, 3)),
        ("{}.reshape(-1)", (12,)),
        ("{}[1:3]", (2, 4)),
        ("np.transpose({})", (4, 3)),
        ("{}.ravel()", (12,)),
    ),
    (4, 3): (("{}.T", (3, 4)), ("{}[2]", (3,)), ("{}[:, 0]", (4,)), ("{}.reshape(3, 4)", (3, 4))),
    (4, 4): (("{}.T", (4, 4)), ("{}[0]", (4,)), ("{}[:, 2]", (4,)), ("{}[1:3, 1:3]", (2, 2))),
}


@dataclass
class Program:
    """One generated module: its source and the parameters of ``f`` (name, kind)."""

    source: str
    params: List[Tuple[str, Kind]]
    family: str
    seed: int
    index: int

    @property
    def wrt(self) -> Tuple[int, ...]:
        """Positions of the float parameters (``f`` is differentiated in all of them)."""
        return tuple(i for i, (_, kind) in enumerate(self.params) if kind != "i")


@dataclass
class _Ctx:
    """Where a statement is generated: inside which loops, in ``f`` or a helper."""

    loops: List[Tuple[str, int]] = field(default_factory=list)  # loop counters and a bound of their values
    in_loop: bool = False
    depth: int = 0


class _Gen:
    def __init__(self, rng: random.Random, features: FrozenSet[str]) -> None:
        self.rng = rng
        self.features = features
        self.counter = itertools.count()
        self.helpers: List[str] = []
        self.helper_sigs: List[Tuple[str, Tuple, Kind]] = []  # name, array parameter shape, result kind
        self.in_helper = False

    def has(self, feature: str) -> bool:
        return feature in self.features

    def fresh(self, prefix: str) -> str:
        return f"{prefix}{next(self.counter)}"

    def pick(self, options):  # a small generic chooser
        return self.rng.choice(list(options))

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    # ----- expressions -----

    def scalar(self, env: Env, depth: int) -> str:
        """A float scalar expression."""
        floats = [n for n, k in env.items() if k == "s"]
        arrays = [n for n, k in env.items() if isinstance(k, tuple) and k and k[0] != "int"]
        ints = [n for n, k in env.items() if k == "i"]
        choices = ["const"] + ["var"] * 3 * bool(floats)
        if depth > 0:
            choices += ["unary", "binary", "binary", "divide", "minmax"]
            if self.has("numpy") and arrays:
                choices += ["reduce", "reduce", "element"]
            if ints:
                choices.append("int")
            if self.has("control"):
                choices.append("ternary")
        kind = self.pick(choices)
        if kind == "const":
            return self.pick(CONSTANTS)
        if kind == "var":
            return self.pick(floats)
        if kind == "unary":
            return self.pick(UNARY_SCALAR).format(self.scalar(env, depth - 1))
        if kind == "binary":
            op = self.pick("+-*")
            return f"({self.scalar(env, depth - 1)} {op} {self.scalar(env, depth - 1)})"
        if kind == "divide":
            return f"({self.scalar(env, depth - 1)} / (2.0 + np.sin({self.scalar(env, depth - 1)})))"
        if kind == "minmax":
            fn = self.pick(("max", "min", "np.maximum", "np.minimum"))
            return f"{fn}({self.scalar(env, depth - 1)}, {self.scalar(env, depth - 1)})"
        if kind == "int":
            if self.chance(0.3):  # constant folding of int arithmetic must keep f's float result
                return f"1.0 * {self.pick(ints)} ** 2"
            return f"({self.scalar(env, depth - 1)} * {self.pick(ints)})"
        if kind == "ternary":
            return f"({self.scalar(env, depth - 1)} if {self.cond(env, 1)} else {self.scalar(env, depth - 1)})"
        name = self.pick(arrays)
        shape = env[name]
        if kind == "element":
            return f"{name}[{', '.join(str(self.rng.randrange(-d, d)) for d in shape)}]"
        return self.pick(
            (
                "np.sum({})",
                "np.mean({})",
                "np.max({})",
                "{}.sum()",
                "np.min({})",
                "np.prod(np.tanh({}))",
                "np.var({})",
                "np.sum({0} * {0})",
            )
        ).format(name if self.chance(0.6) else self.array(env, shape, depth - 1))

    def array(self, env: Env, shape: Tuple, depth: int) -> str:
        """A float array expression of exactly ``shape``."""
        same = [n for n, k in env.items() if k == shape]
        choices = ["var"] * 4 * bool(same) + ["broadcast"] * (1 + (depth <= 0))
        if depth > 0:
            choices += ["unary", "binary", "scale"] + ["structural"] * (2 if same else 6)
            if self.has("control"):
                choices.append("where")
        kind = self.pick(choices)
        if kind == "var":
            return self.pick(same)
        if kind == "broadcast" or (kind == "structural" and depth <= 0):
            return f"(np.ones({shape}) * {self.scalar(env, 0)})"
        if kind == "unary":
            return self.pick(UNARY_ARRAY).format(self.array(env, shape, depth - 1))
        if kind == "binary":
            op = self.pick("+-*")
            return f"({self.array(env, shape, depth - 1)} {op} {self.array(env, shape, depth - 1)})"
        if kind == "scale":
            op = self.pick("+-*")
            return f"({self.array(env, shape, depth - 1)} {op} {self.scalar(env, depth - 1)})"
        if kind == "where":
            a, b = self.array(env, shape, depth - 1), self.array(env, shape, depth - 1)
            return self.pick((f"np.where({a} > {b}, {a}, {b})", f"np.maximum({a}, {b})", f"np.minimum({a}, {b})"))
        return self.structural(env, shape, depth - 1)

    def structural(self, env: Env, shape: Tuple, depth: int) -> str:
        """An array of ``shape`` built from arrays of other shapes (reductions, matmul, transposes, broadcasting)."""
        a = lambda s: self.array(env, s, depth)  # noqa: E731 - reads better in the table below
        options = {
            (4,): lambda: self.pick(
                (
                    f"np.sum({a((3, 4))}, axis=0)",
                    f"np.mean({a((3, 4))}, axis=0)",
                    f"np.max({a((3, 4))}, axis=0)",
                    f"{a((3, 4))}[1]",
                    f"({a((4, 4))} @ {a((4,))})",
                    f"({a((3,))} @ {a((3, 4))})",
                    f"{a((4, 3))}.sum(axis=1)",
                )
            ),
            (3,): lambda: self.pick(
                (
                    f"({a((3, 4))} @ {a((4,))})",
                    f"np.sum({a((3, 4))}, axis=1)",
                    f"{a((4,))}[1:]",
                    f"{a((3, 4))}[:, 2]",
                    f"np.max({a((4, 3))}, axis=0)",
                )
            ),
            (3, 4): lambda: self.pick(
                (
                    f"{a((4, 3))}.T",
                    f"({a((3,))}[:, None] * {a((4,))})",
                    f"({a((3, 4))} + {a((4,))})",
                    f"({a((3, 4))} @ {a((4, 4))})",
                    f"{a((4, 3))}.reshape(3, 4)",
                    f"np.transpose({a((4, 3))})",
                )
            ),
            (4, 3): lambda: self.pick(
                (
                    f"{a((3, 4))}.T",
                    f"{a((3, 4))}.reshape(4, 3)",
                    f"({a((4, 4))} @ {a((4, 3))})",
                    f"({a((4, 3))} * {a((3,))})",
                )
            ),
            (4, 4): lambda: self.pick(
                (
                    f"{a((4, 4))}.T",
                    f"({a((4,))}[:, None] * {a((4,))}[None, :])",
                    f"({a((4, 3))} @ {a((3, 4))})",
                    f"({a((4, 4))} - {a((4,))})",
                )
            ),
        }
        build = options.get(shape)
        return build() if build else f"(np.ones({shape}) * {self.scalar(env, depth)})"

    def cond(self, env: Env, depth: int) -> str:
        """A condition: comparisons of scalars, loop counters, combined with and/or/not."""
        ints = [n for n, k in env.items() if k == "i"]
        if depth > 0 and self.chance(0.4):
            op = self.pick(("and", "or"))
            return f"({self.cond(env, depth - 1)} {op} {self.cond(env, depth - 1)})"
        if ints and self.chance(0.3):
            return f"{self.pick(ints)} {self.pick(('>', '<', '==', '>='))} {self.rng.randrange(3)}"
        if self.chance(0.1):
            return f"not {self.scalar(env, 1)} > 0.0"
        return f"{self.scalar(env, 1)} > {self.pick(('0.0', '0.5', '-0.5', self.scalar(env, 1)))}"

    # ----- statements -----

    def block(self, env: Env, ctx: _Ctx, size: int) -> List[str]:
        """Statements of a block; names first bound inside it are dropped from ``env`` afterwards."""
        inner = dict(env)
        lines: List[str] = []
        for _ in range(size):
            lines += self.statement(inner, ctx)
        return lines or ["pass"]

    def statement(self, env: Env, ctx: _Ctx) -> List[str]:
        kinds = self.statement_kinds(env, ctx)
        kind = self.pick(kinds)
        return getattr(self, f"stmt_{kind}")(env, ctx)

    def statement_kinds(self, env: Env, ctx: _Ctx) -> List[str]:
        kinds = ["assign_scalar", "aug_scalar", "int_local"]
        nested = ctx.depth < 2
        if self.has("numpy"):
            kinds += ["assign_array", "assign_array"]
        if self.has("control") and nested:
            kinds += ["branch", "branch", "for_range", "while_loop", "ternary"]
            if self.arrays(env, rank=None):
                kinds.append("for_rows")
            if ctx.in_loop:
                kinds += ["exit", "exit"]
            if not self.in_helper:
                kinds.append("early_return")
        elif self.has("loops") and nested:
            kinds += ["for_range", "while_loop"]
        if self.has("writes"):
            kinds += ["fresh", "fresh", "write", "write", "write", "aug_array", "out", "method", "int_array"]
        elif self.has("control") and ctx.loops:  # computed subscripts in loops belong to control flow too
            kinds += ["write", "write"]
        if self.has("aliases"):
            kinds += ["view", "view", "alias", "alias"]
        if self.has("helpers") and not self.in_helper:
            kinds += ["call", "call"]
        return kinds

    def arrays(self, env: Env, rank: Optional[int] = 1) -> List[str]:
        return [
            n for n, k in env.items() if isinstance(k, tuple) and k[:1] != ("int",) and (rank is None or len(k) >= rank)
        ]

    def pick_writable(self, env: Env, known_shape: bool = False) -> Optional[str]:
        """An array to write into, None if there is none: mostly a local, as f's writes into its own
        parameters make every such program fail the same way (the helper's ``a`` is fair game)."""
        names = [n for n in self.arrays(env) if env[n] in SHAPES or not known_shape]
        local = [n for n in names if not (n.startswith("a") and n[1:].isdigit())]
        names = local if local and self.chance(0.85) else names
        return self.pick(names) if names else None

    def target(self, env: Env, kind: Kind) -> str:
        """A name to assign a value of ``kind`` to: an existing one of that kind, or a new one."""
        same = [n for n, k in env.items() if k == kind]
        if same and self.chance(0.6):
            return self.pick(same)
        name = self.fresh("t" if kind != "s" else "s")
        env[name] = kind
        return name

    def stmt_assign_scalar(self, env: Env, ctx: _Ctx) -> List[str]:
        value = self.scalar(env, 2)
        return [f"{self.target(env, 's')} = {value}"]

    def stmt_int_local(self, env: Env, ctx: _Ctx) -> List[str]:
        name = self.fresh("w")
        env[name] = "i"
        return [f"{name} = {self.rng.randint(0, 4)}"]

    def stmt_aug_scalar(self, env: Env, ctx: _Ctx) -> List[str]:
        floats = [n for n, k in env.items() if k == "s"]
        if not floats:
            return self.stmt_assign_scalar(env, ctx)
        return [f"{self.pick(floats)} {self.pick(('+=', '-=', '*='))} {self.scalar(env, 2)}"]

    def stmt_assign_array(self, env: Env, ctx: _Ctx) -> List[str]:
        shape = self.pick(SHAPES_FOR_NEW)
        value = self.array(env, shape, 2)
        return [f"{self.target(env, shape)} = {value}"]

    def stmt_ternary(self, env: Env, ctx: _Ctx) -> List[str]:
        if self.chance(0.5) or not self.arrays(env):
            a, b = self.scalar(env, 2), self.scalar(env, 2)
            return [f"{self.target(env, 's')} = {a} if {self.cond(env, 2)} else {b}"]
        shape = env[self.pick(self.arrays(env))]
        a, b = self.array(env, shape, 2), self.array(env, shape, 2)
        return [f"{self.target(env, shape)} = {a} if {self.cond(env, 2)} else {b}"]

    def sub(self, ctx: _Ctx, loop: Optional[Tuple[str, int]] = None, looping: bool = False) -> _Ctx:
        loops = ctx.loops + ([loop] if loop else [])
        return _Ctx(loops=loops, in_loop=ctx.in_loop or looping or loop is not None, depth=ctx.depth + 1)

    def stmt_branch(self, env: Env, ctx: _Ctx) -> List[str]:
        lines = [f"if {self.cond(env, 2)}:", *_indent(self.block(env, self.sub(ctx), self.rng.randint(1, 2)))]
        if self.chance(0.3):
            lines += [f"elif {self.cond(env, 1)}:", *_indent(self.block(env, self.sub(ctx), self.rng.randint(1, 2)))]
        if self.chance(0.5):
            lines += ["else:", *_indent(self.block(env, self.sub(ctx), self.rng.randint(1, 2)))]
        return lines

    def stmt_for_range(self, env: Env, ctx: _Ctx) -> List[str]:
        counter = self.fresh("i")
        ints = [n for n, k in env.items() if k == "i" and n.startswith("n")]
        top = self.rng.randint(0, 4)
        bound = str(top)
        if ints and self.chance(0.4):
            bound, top = self.pick(ints), 3
        header = f"for {counter} in range({bound}):"
        if self.chance(0.2):
            header = f"for {counter} in range(1, {bound}):"
        inner = dict(env, **{counter: "i"})
        return [header, *_indent(self.block(inner, self.sub(ctx, (counter, max(top, 1))), self.rng.randint(1, 2)))]

    def stmt_while_loop(self, env: Env, ctx: _Ctx) -> List[str]:
        counter, bound = self.fresh("k"), self.rng.randint(0, 4)
        cond = f"{counter} < {bound}"
        floats = [n for n, k in env.items() if k == "s"]
        if floats and self.chance(0.3):
            cond += f" and {self.pick(floats)} < {self.pick(('10.0', '3.0'))}"
        inner = dict(env, **{counter: "i"})
        # the counter moves first, so a `continue` anywhere in the body cannot loop forever
        body = [f"{counter} += 1", *self.block(inner, self.sub(ctx, (f"({counter} - 1)", max(bound, 1))), 2)]
        return [f"{counter} = 0", f"while {cond}:", *_indent(body)]

    def stmt_for_rows(self, env: Env, ctx: _Ctx) -> List[str]:
        name = self.pick(self.arrays(env, rank=None))
        shape = env[name]
        row, inner = self.fresh("row"), dict(env)
        inner[row] = shape[1:] if len(shape) > 1 else "s"
        body = self.block(inner, self.sub(ctx, looping=True), self.rng.randint(1, 2))
        if self.chance(0.5):  # the body rebinds the array it iterates
            starts = [i for i, line in enumerate(body) if not line.startswith((" ", "el"))] + [len(body)]
            body.insert(self.pick(starts), f"{name} = {self.array(env, shape, 1)}")
        return [f"for {row} in {name}:", *_indent(body)]

    def stmt_exit(self, env: Env, ctx: _Ctx) -> List[str]:
        word = self.pick(("break", "continue"))
        if self.chance(0.15):
            return [word]
        return [f"if {self.cond(env, 2)}:", f"    {word}"]

    def stmt_early_return(self, env: Env, ctx: _Ctx) -> List[str]:
        if ctx.in_loop and self.chance(0.1):
            return [f"return {self.result(env)}"]
        return [f"if {self.cond(env, 2)}:", f"    return {self.result(env)}"]

    # ----- writes -----

    def stmt_fresh(self, env: Env, ctx: _Ctx) -> List[str]:
        shape = self.pick(SHAPES_FOR_NEW)
        same = [n for n, k in env.items() if k == shape]
        options = [f"np.zeros({shape})", f"np.ones({shape})", f"np.zeros({shape}) + {self.scalar(env, 1)}"]
        if self.chance(0.3):  # rarely: a rejection of np.full (not supported yet) would hide the rest of the program
            options.append(f"np.full({shape}, {self.scalar(env, 1)})")
        if same:
            base = self.pick(same)
            options += [
                f"{base}.copy()",
                f"np.array({base})",
                f"{base} * 1.0",
                f"{base} + 0.0",
                f"{base} / 1.0",
                f"{base} ** 1",
                f"np.copy({base})",
                f"{base}[:] * 1.0",
            ]
        value = self.pick(options)
        return [f"{self.target(env, shape)} = {value}"]

    def index(self, env: Env, ctx: _Ctx, shape: Tuple) -> Tuple[str, Optional[Tuple]]:
        """A subscript of an array of ``shape`` and the shape it selects (None for one element)."""

        def axis(d: int) -> str:
            if ctx.loops and self.chance(0.4):
                counter, _ = self.pick(ctx.loops)
                return self.pick((f"{counter} % {d}", f"({counter} + 1) % {d}", f"-1 - {counter} % {d}"))
            return str(self.rng.randrange(-d, d))

        kind = self.pick(("element", "element", "row", "slice", "fancy", "fancy"))
        if kind == "element" or (kind == "row" and len(shape) < 2):
            return ", ".join(axis(d) for d in shape), None
        if kind == "row":
            if self.chance(0.5):
                return f"{axis(shape[0])}", shape[1:]
            return f":, {axis(shape[1])}", shape[:1]
        if kind == "slice":
            return self.pick((("1:3", (2, *shape[1:])), (":", shape), ("::2", ((shape[0] + 1) // 2, *shape[1:]))))
        picks = [self.rng.randrange(shape[0]) for _ in range(self.rng.randint(2, 3))]
        if self.chance(0.5):
            picks[1] = picks[0]  # a repeated index
        return f"{picks}", (len(picks), *shape[1:])

    def value_for(self, env: Env, shape: Optional[Tuple]) -> str:
        if shape is None or self.chance(0.5) or shape not in SHAPES:
            return self.scalar(env, 2)
        return self.array(env, shape, 2)

    def stmt_write(self, env: Env, ctx: _Ctx) -> List[str]:
        name = self.pick_writable(env)
        return self.stmt_fresh(env, ctx) if name is None else self.write_into(env, ctx, name)

    def write_into(self, env: Env, ctx: _Ctx, name: str) -> List[str]:
        where, shape = self.index(env, ctx, env[name])
        op = self.pick(("=", "=", "+=", "-=", "*="))
        return [f"{name}[{where}] {op} {self.value_for(env, shape)}"]

    def stmt_aug_array(self, env: Env, ctx: _Ctx) -> List[str]:
        name = self.pick_writable(env)
        if name is None:
            return self.stmt_fresh(env, ctx)
        shape = env[name]
        value = self.scalar(env, 2) if self.chance(0.4) or shape not in SHAPES else self.array(env, shape, 2)
        return [f"{name} {self.pick(('+=', '-=', '*='))} {value}"]

    def stmt_out(self, env: Env, ctx: _Ctx) -> List[str]:
        name = self.pick_writable(env, known_shape=True)
        if name is None:
            return self.stmt_fresh(env, ctx)
        shape = env[name]
        a, b = self.array(env, shape, 1), self.array(env, shape, 1)
        return [
            self.pick(
                (
                    f"np.multiply({a}, {b}, out={name})",
                    f"np.add({a}, {b}, out={name})",
                    f"np.subtract({a}, {self.scalar(env, 1)}, out={name})",
                    f"np.exp(np.tanh({a}), out={name})",
                    f"np.sin({name}, out={name})",
                    f"np.tanh({a}, out={name})",
                    f"np.clip({a}, -1.0, 1.0, out={name})",
                )
            )
        ]

    def stmt_method(self, env: Env, ctx: _Ctx) -> List[str]:
        name = self.pick_writable(env)
        if name is None:
            return self.stmt_fresh(env, ctx)
        shape = env[name]
        options = [f"{name}.fill({self.scalar(env, 2)})", f"{name}.sort()"]
        if shape in SHAPES:
            options.append(f"np.copyto({name}, {self.array(env, shape, 2)})")
        return [self.pick(options)]

    def stmt_int_array(self, env: Env, ctx: _Ctx) -> List[str]:
        shape = self.pick(((4,), (3, 4)))
        name = self.fresh("z")
        where, _ = self.index(env, ctx, shape)
        lines = [f"{name} = np.zeros({shape}, dtype=int)", f"{name}[{where}] = {self.scalar(env, 2)}"]
        env[name] = ("int", shape)
        return lines

    # ----- aliases -----

    def stmt_view(self, env: Env, ctx: _Ctx) -> List[str]:
        names = [n for n in self.arrays(env) if env[n] in VIEWS]
        if not names:
            return self.stmt_fresh(env, ctx)
        base = self.pick(names)
        text, shape = self.pick(VIEWS[env[base]])
        name = self.fresh("v")
        env[name] = shape
        lines = [f"{name} = {text.format(base)}"]
        if self.chance(0.7):  # write through the view right away, most of the time
            aug = f"{name} {self.pick(('+=', '*='))} {self.scalar(env, 2)}"
            lines += self.write_into(env, ctx, name) if self.chance(0.5) else [aug]
        return lines

    def stmt_alias(self, env: Env, ctx: _Ctx) -> List[str]:
        names = self.arrays(env)
        if not names or self.chance(0.2):
            shape = self.pick(SHAPES_FOR_NEW)
            a, b = self.fresh("t"), self.fresh("t")
            env[a] = env[b] = shape
            return [f"{a} = {b} = np.zeros({shape})", f"{a}[0] = {self.scalar(env, 2)}"]
        base = self.pick(names)
        name = self.fresh("b")
        env[name] = env[base]
        write = self.pick(
            (
                f"{name} += {self.scalar(env, 1)}",
                f"{name}[0] = {self.scalar(env, 1)}",
                f"{name} *= {self.scalar(env, 1)}",
            )
        )
        return [f"{name} = {base}", write]

    # ----- helpers -----

    def stmt_call(self, env: Env, ctx: _Ctx) -> List[str]:
        names = [n for n in self.arrays(env) if env[n] in SHAPES]
        if not names:
            return self.stmt_fresh(env, ctx)
        arg = self.pick(names)
        shape = env[arg]
        fitting = [h for h in self.helper_sigs if h[1] == shape]
        helper = self.pick(fitting) if fitting and self.chance(0.5) else self.new_helper(shape)
        name, _, result = helper
        passed = arg if self.chance(0.7) else f"{arg} * 1.0"
        return [f"{self.target(env, result)} = {name}({passed}, {self.scalar(env, 1)})"]

    def new_helper(self, shape: Tuple) -> Tuple[str, Tuple, Kind]:
        name = f"h{len(self.helper_sigs)}"
        env: Env = {"a": shape, "w": "s"}
        self.in_helper = True
        body = self.block(env, _Ctx(depth=1), self.rng.randint(1, 2))
        result: Kind = "s" if self.chance(0.6) else shape
        ret = self.scalar(env, 2) if result == "s" else self.array(env, shape, 2)
        if result == "s" and self.chance(0.7):
            ret = f"{ret} + np.sum(a * a)"
        self.in_helper = False
        self.helpers.append("\n".join([f"def {name}(a, w):", *_indent([*body, f"return {ret}"])]))
        self.helper_sigs.append((name, shape, result))
        return self.helper_sigs[-1]

    # ----- the result -----

    def result(self, env: Env) -> str:
        """A scalar reading several live names, so a wrong write anywhere shows."""
        names = [n for n, k in env.items() if k != "i"]
        chosen = self.rng.sample(names, min(len(names), self.rng.randint(2, 4)))
        terms = []
        for n in chosen:
            kind = env[n]
            if kind == "s":
                terms.append(n)
            elif kind[0] == "int":
                terms.append(f"np.sum({n}) * {self.pick(CONSTANTS)}")
            else:
                terms.append(
                    self.pick(("np.sum({0} * {0})", "np.sum(np.sin({0}))", "np.sum({0})", "{0}.mean()")).format(n)
                )
        terms.append(self.scalar(env, 2))
        return " + ".join(f"{self.pick(CONSTANTS)} * {t}" if self.chance(0.5) else t for t in terms)


SHAPES = ((4,), (3,), (3, 4), (4, 3), (4, 4))
SHAPES_FOR_NEW = ((4,), (3, 4), (4,), (4, 4))


def _indent(lines: List[str]) -> List[str]:
    return ["    " + line for line in lines]


def _params(rng: random.Random, features: FrozenSet[str]) -> List[Tuple[str, Kind]]:
    params: List[Tuple[str, Kind]] = [(f"x{i}", "s") for i in range(rng.randint(1, 2))]
    if "numpy" in features:
        arrays = rng.sample([(4,), (3, 4), (4, 4), (3,)], rng.randint(1, 2))
        params += [(f"a{i}", shape) for i, shape in enumerate(arrays)]
    if "control" in features or "loops" in features:
        params.append(("n0", "i"))
    rng.shuffle(params)
    return params


def generate(family: str, seed: int, index: int, attempt: int = 0) -> Program:
    """Program ``index`` of ``family`` for ``seed`` (``attempt`` draws another): the same numbers, the same program."""
    features = FAMILIES[family]
    rng = random.Random(f"{seed}:{family}:{index}:{attempt}")
    gen = _Gen(rng, features)
    params = _params(rng, features)
    env: Env = dict(params)
    body: List[str] = []
    for _ in range(rng.randint(2, 5)):
        body += gen.statement(env, _Ctx())
    body.append(f"return {gen.result(env)}")
    f = "\n".join([f"def f({', '.join(n for n, _ in params)}):", *_indent(body)])
    source = "\n\n\n".join(["import math\n\nimport numpy as np", *gen.helpers, f]) + "\n"
    return Program(source, params, family, seed, index)


def draw_args(program: Program, rng: random.Random) -> list:
    """Arguments for ``f``: floats in [-2, 2], standard normal arrays, an int trip count in 0..3."""
    import numpy

    args = []
    for _, kind in program.params:
        if kind == "s":
            args.append(rng.uniform(-2.0, 2.0))
        elif kind == "i":
            args.append(rng.randint(0, 3))
        else:
            state = numpy.random.default_rng(rng.randrange(2**32))
            args.append(state.standard_normal(kind))
    return args
