"""Each pass on its own: the source before, the source after."""

import ast
import math  # noqa: F401 - resolved by name in the passes' input
import textwrap
from typing import Optional

import gast
import numpy as np  # noqa: F401 - resolved by name in the passes' input
import pytest

from s2sgrad.context import Context
from s2sgrad.emit import unparse_tree
from s2sgrad.kinds import SCALAR, Kind
from s2sgrad.names import Namer
from s2sgrad.normalize import anf, exits, loops, statements, versions
from s2sgrad.optimize import augmented, conditions, copies, cse, dead_code, fold, hoist, inline, schedule, shapes, zeros
from s2sgrad.parse import FunctionSource, Namespace
from s2sgrad.parse.resolve import MISSING, Deferred
from s2sgrad.rules import default_rules
from s2sgrad.runtime import ieee_power, unbroadcast, unreduce  # noqa: F401 - resolved by name in the passes' input


def context_for(text: str, namespace: Optional[dict] = None) -> Context:
    """A compilation of ``text``, its names resolved in ``namespace`` (this module's by default)."""
    tree = gast.parse(textwrap.dedent(text)).body[0]
    source = FunctionSource(None, tree, "case.py", text.splitlines(True), 1, 0, Namespace(namespace or globals(), {}))
    ctx = Context(source, default_rules(), ("x",), {"x": SCALAR}, Namer.for_tree(tree))
    ctx.local_names = {n.id for n in gast.walk(tree) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}
    ctx.local_names |= {a.id for a in tree.args.args}
    ctx.kinds = {"x": SCALAR}
    return ctx


def apply(passes, before: str) -> str:
    ctx = context_for(before)
    ctx.namer.temporaries.add("t0")
    tree = ctx.source.tree
    for run in passes:
        tree = run(tree, ctx)
    return unparse_tree(tree).strip()


def body(text: str) -> str:
    return textwrap.dedent(text).strip()


CASES = [
    (
        "augmented assignment and tuple swap",
        [statements.run],
        """
        def f(x):
            s = x
            s += x
            a, b = s, x
            return a
        """,
        """
        def f(x):
            s = x
            s = s + x
            t0 = s
            t1 = x
            a = t0
            b = t1
            return a
        """,
    ),
    (
        "A-normal form with a method and an attribute",
        [statements.run, anf.run],
        """
        def f(x):
            return np.sin(x * 2.0).sum() + x.T
        """,
        """
        def f(x):
            t0 = x * 2.0
            t1 = np.sin(t0)
            t2 = np.sum(t1)
            t3 = np.transpose(x)
            t4 = t2 + t3
            return t4
        """,
    ),
    (
        "versions for reassigned names",
        [statements.run, anf.run, versions.run],
        """
        def f(x):
            x = x * 2.0
            y = x + 1.0
            x = y * x
            return x
        """,
        """
        def f(x):
            x_1 = x * 2.0
            y = x_1 + 1.0
            x_2 = y * x_1
            return x_2
        """,
    ),
    (
        "folding literals and identities",
        [fold.run],
        """
        def f(x):
            a = x * (2 - 1)
            b = 1.0 * x + 0
            c = math.log(1.0) + x ** 1
            return a + b + c
        """,
        """
        def f(x):
            a = x
            b = x
            c = x
            return a + b + c
        """,
    ),
    (
        "copy propagation and coalescing",
        [copies.run],
        """
        def f(x):
            a = x
            t0 = a * 2.0
            b = t0
            return b
        """,
        """
        def f(x):
            a = x
            b = x * 2.0
            return b
        """,
    ),
    (
        "dead code",
        [dead_code.run],
        """
        def f(x):
            unused = x * 3.0
            print(x)
            used = x + 1.0
            return used
        """,
        """
        def f(x):
            print(x)
            used = x + 1.0
            return used
        """,
    ),
    (
        "loops over sequences become loops over indices",
        [statements.run, loops.run],
        """
        def f(x, ys):
            for k, y in enumerate(ys):
                x = x + k * y
            for a in reversed(ys):
                x = x * a
            return x
        """,
        """
        def f(x, ys):
            for k in range(len(ys)):
                y = ys[k]
                x = x + k * y
            for i in reversed(range(len(ys))):
                a = ys[i]
                x = x * a
            return x
        """,
    ),
    (
        "continue and an early return made structural",
        [statements.run, exits.run],
        """
        def f(x, n):
            for i in range(n):
                if i == 2:
                    continue
                x = x * 2.0
            if x > 10.0:
                return x
            return -x
        """,
        """
        def f(x, n):
            for i in range(n):
                if i == 2:
                    pass
                else:
                    x = x * 2.0
            if x > 10.0:
                result = x
            else:
                result = -x
            return result
        """,
    ),
    (
        "a return inside a loop raises a flag and leaves the loop",
        [statements.run, exits.run],
        """
        def f(x, n):
            for i in range(n):
                if x > 1.0:
                    return x
                x = x * 2.0
            return x + 1.0
        """,
        """
        def f(x, n):
            returned = False
            for i in range(n):
                if x > 1.0:
                    result = x
                    returned = True
                    break
                else:
                    x = x * 2.0
            if returned:
                pass
            else:
                result = x + 1.0
            return result
        """,
    ),
    (
        "conditional expressions and short circuits become branches",
        [statements.run, anf.run],
        """
        def f(x, y):
            z = x if y > 0.0 else y and x
            return z
        """,
        """
        def f(x, y):
            t0 = y > 0.0
            if t0:
                t1 = x
            else:
                if y:
                    t2 = x
                else:
                    t2 = y
                t1 = t2
            z = t1
            return z
        """,
    ),
    (
        "a loop-invariant product leaves the loop",
        [hoist.run],
        """
        def f(x, n):
            s = 0.0
            for i in range(n):
                c = 2.0 * x
                s = s + c * i
            return s
        """,
        """
        def f(x, n):
            s = 0.0
            c = 2.0 * x
            for i in range(n):
                s = s + c * i
            return s
        """,
    ),
    (
        "a power by NumPy's rules is plain ** where the exponent is a constant >= 0 (it cannot divide by 0)",
        [fold.run],
        """
        def f(x, y):
            a = ieee_power(y, 0.0)
            b = ieee_power(y, 1.5)
            c = ieee_power(y, -0.5)
            return a + b + c
        """,
        """
        def f(x, y):
            a = y ** 0.0
            b = y ** 1.5
            c = ieee_power(y, -0.5)
            return a + b + c
        """,
    ),
    (
        "an expression is not reused after a loop that writes its operand",
        [cse.run],
        """
        def f(x, n):
            a = x * 2.0
            for i in range(n):
                x = x + 1.0
            b = x * 2.0
            c = a * 2.0
            return a + b + c
        """,
        """
        def f(x, n):
            a = x * 2.0
            for i in range(n):
                x = x + 1.0
            b = x * 2.0
            c = a * 2.0
            return a + b + c
        """,
    ),
    (
        "a conditional expression's branches assign the user's name, not a temporary",
        [copies.run],
        """
        def f(x, c):
            if c:
                t0 = x * 2.0
            else:
                t0 = x + 1.0
            y = t0
            return y
        """,
        """
        def f(x, c):
            if c:
                y = x * 2.0
            else:
                y = x + 1.0
            return y
        """,
    ),
    (
        "a branch that reads the name keeps the temporary",
        [copies.run],
        """
        def f(x, c, y):
            if c:
                t0 = y * 2.0
            else:
                t0 = x + 1.0
            y = t0
            return y
        """,
        """
        def f(x, c, y):
            if c:
                t0 = y * 2.0
            else:
                t0 = x + 1.0
            y = t0
            return t0
        """,
    ),
    (
        "a repeated subscript is reused while it holds",
        [cse.run],
        """
        def f(x, i):
            a = x[i]
            b = x[i]
            i = i + 1
            c = x[i]
            return a + b + c
        """,
        """
        def f(x, i):
            a = x[i]
            b = a
            i = i + 1
            c = x[i]
            return a + b + c
        """,
    ),
    (
        "dead code around a loop",
        [dead_code.run],
        """
        def f(x, n):
            s = 0.0
            unused = 0.0
            for i in range(n):
                unused = unused + x
                s = s * x
            return s
        """,
        """
        def f(x, n):
            s = 0.0
            for i in range(n):
                s = s * x
            return s
        """,
    ),
]


CASES += [
    (
        "like terms: one product of the same names, the numbers added; no complex number folded",
        [fold.run],
        """
        def f(x, g, r):
            a = 0.5 * r * g + 0.5 * (g * r)
            b = 2.0 * x * g + -(3.0 * (g * x))
            c = x * g - x * g
            d = x * g + x * r
            e = (-8.0) ** 0.5
            return a + b + c + d + e
        """,
        """
        def f(x, g, r):
            a = r * g
            b = -(x * g)
            c = x * g - x * g
            d = x * g + x * r
            e = (-8.0) ** 0.5
            return a + b + c + d + e
        """,
    ),
]


CASES += [
    (
        "folding keeps what would raise or lose exactness; a negated float is a float",
        [fold.run],
        """
        def f(x):
            a = x * (1 / 0)
            b = x * 2 ** -1
            c = x * 2 ** 2
            d = 1 * -x
            e = 1 * -(not x)
            return a + b + c + d + e
        """,
        """
        def f(x):
            a = x * (1 / 0)
            b = x * 2 ** -1
            c = x * 4
            d = -x
            e = 1 * -(not x)
            return a + b + c + d + e
        """,
    ),
]


@pytest.mark.parametrize("name, passes, before, after", CASES, ids=[c[0] for c in CASES])
def test_pass(name, passes, before, after):
    produced = apply(passes, before)
    # compared as trees: the unparser of Python 3.8 (astunparse) adds parentheses
    assert ast.dump(ast.parse(produced)) == ast.dump(ast.parse(body(after))), produced


def test_schedule_orders_independent_reverse_statements_by_column():
    ctx = context_for("def f(x, y):\n    d_y = 2.0 * y\n    d_x = 2.0 * x\n    return d_x")
    tree = ctx.source.tree
    tree.body[0].lineno = tree.body[1].lineno = 2
    tree.body[0].col_offset, tree.body[1].col_offset = 20, 11
    ctx.sweep_names = {"d_x", "d_y"}
    out = unparse_tree(schedule.run(tree, ctx))
    assert out.index("d_x =") < out.index("d_y =")


def test_inline_puts_single_use_temporaries_back_and_stops_at_the_reverse_sweep():
    text = """
    def f(x, s):
        t0 = s * x
        s_stack.append(s)
        s = t0 + 1.0
        t1 = s * 2.0
        __s2sgrad_comment__('reverse sweep')
        d_x = t1 * 3.0
        return d_x
    """
    ctx = context_for(text)
    ctx.namer.temporaries.update({"t0", "t1"})
    out = _plain(unparse_tree(inline.run(ctx.source.tree, ctx)))
    assert "s = s * x + 1.0" in out and "t0" not in out
    assert "t1 = s * 2.0" in out, "a forward value is not moved into the reverse sweep"


@pytest.mark.parametrize("second", ["x * d_t", "d_t * x"], ids=["commuted", "identical"])
def test_augmented_merges_one_lines_updates_and_doubles_a_commuted_product(second):
    ctx = context_for(f"def f(x, y):\n    d_x = d_t * x\n    d_x = d_x + {second}\n    return d_x")
    tree = ctx.source.tree
    for stmt in tree.body:
        stmt.lineno = 2
    ctx.scalar_adjoints = {"d_x"}
    assert "d_x = 2 * d_t * x" in _plain(unparse_tree(augmented.run(tree, ctx)))


@pytest.mark.skipif(not hasattr(ast, "unparse"), reason="the line length is ast.unparse's (astunparse spaces differ)")
@pytest.mark.parametrize("extra", [0, 1], ids=["fits", "one_too_long"])
def test_inline_stops_where_the_statement_would_pass_one_line(extra):
    """``z = t0 + name`` with ``t0 = x * y`` put back is ``inline.MAX_LINE`` characters long, or one more."""
    padding = "a" * (inline.MAX_LINE - len("z = x * y + ") + extra)
    ctx = context_for(f"def f(x, y):\n    t0 = x * y\n    z = t0 + {padding}\n    return z")
    ctx.namer.temporaries.add("t0")
    out = _plain(unparse_tree(inline.run(ctx.source.tree, ctx)))
    assert (f"z = x * y + {padding}" in out) == (extra == 0), out


def _plain(text: str) -> str:
    """Without parentheses: Python 3.8's unparser (astunparse) adds them around every operation."""
    return text.replace("(", "").replace(")", "")


@pytest.mark.parametrize(
    ("first", "merged"), [("d_x += a * x", "d_x += a * x - b * y"), ("d_x -= a * x", "d_x -= a * x + b * y")]
)
def test_augmented_merges_a_negated_update_as_a_subtraction(first, merged):
    """``t += a; t += -b`` is ``t += a - b``: the negation becomes the operator (``t -= a + b`` after ``t -= a``)."""
    ctx = context_for(f"def f(x, y):\n    {first}\n    d_x += -(b * y)\n    return d_x")
    tree = ctx.source.tree
    for stmt in tree.body:
        stmt.lineno = 2
    ctx.scalar_adjoints = {"d_x"}
    assert merged in _plain(unparse_tree(augmented.run(tree, ctx)))


def test_shapes_reads_a_shape_from_an_array_kept_anyway():
    """t2 and t1 have x's shape and dtype, and x is read anyway: they are no longer computed."""
    ctx = context_for(
        """
        def f(x, g, s):
            t1 = np.log1p(x)
            t2 = t1 * t1
            u = x * g
            v = s * 2.0
            return unreduce(g, t2) * x + unbroadcast(g, u) + unreduce(g, v)
        """
    )
    ctx.kinds = {name: Kind("array", 1) for name in ("x", "g", "t1", "t2", "u")}
    ctx.kinds.update(s=Kind("array", 0), v=Kind("array", 0))
    tree = ctx.source.tree
    for _ in range(2):  # as the optimizer repeats its passes: t1 is read for its shape only once t2 is gone
        tree = dead_code.run(shapes.run(tree, ctx), ctx)
    out = unparse_tree(tree)
    assert "t1" not in out and "t2" not in out and "unreduce(g, x) * x" in out
    assert "unbroadcast(g, u)" in out, "x * g may be larger than x: its shape is its own"
    assert "unreduce(g, v)" in out, "a 0-d array's operations return scalars, which the helpers treat otherwise"


def test_the_missing_marker_and_an_unfinished_deferred_function_say_what_they_are():
    assert repr(MISSING) == "MISSING"  # how a value not found shows in a debugger or an assertion message
    with pytest.raises(NotImplementedError):  # only a subclass (pipeline's) knows how to finish the function
        Deferred().resolved()


def test_the_text_of_a_line_outside_the_function_is_empty():
    source = context_for("def f(x):\n    return x\n").source
    assert [source.line_text(n) for n in (0, 1, 2, 3)] == ["", "def f(x):", "    return x", ""]


def test_zeros_folds_a_zero_divided_and_a_zero_minus_a_value_after_a_join():
    ctx = context_for(
        """
        def f(t4, r, delta, d_out):
            if t4:
                d_r = r * d_out
                d_a = 0.0
            else:
                d_a = delta * d_out
                d_r = 0.0
            d_q = d_a / r
            d_s = d_r - d_a
            return d_q + d_s
        """
    )
    ctx.scalar_adjoints = {"d_r", "d_a", "d_q", "d_s"}
    after = unparse_tree(zeros.run(ctx.source.tree, ctx))
    expected = """
        def f(t4, r, delta, d_out):
            if t4:
                d_r = r * d_out
                d_a = 0.0
                d_q = 0.0
                d_s = d_r
            else:
                d_a = delta * d_out
                d_r = 0.0
                d_q = d_a / r
                d_s = -d_a
            return d_q + d_s
        """
    # compared as trees: Python 3.8's unparser spaces and parenthesizes differently
    assert ast.dump(ast.parse(after)) == ast.dump(ast.parse(textwrap.dedent(expected)))


def test_fingerprints_tell_trees_apart_as_their_text_does():
    """The optimizer's fixpoint compares fingerprints: any change of a name, a number's type or a list of names."""
    from s2sgrad.nodes import fingerprint

    def of(text):
        return fingerprint(gast.parse(textwrap.dedent(text)))

    assert of("y = x * 2") == of("y = x * 2")
    assert of("y = x * 2") != of("y = x * 2.0")  # 2 == 2.0: the type tells them apart
    assert of("y = x * 1") != of("y = x * True")
    assert of("global a, b") != of("global a, c")  # a list of names, not of nodes
    assert of("y = f(a, b)") != of("y = f(b, a)")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (  # a number a recomputation holds is reused inside a later expression
            "t = math.cos(x)\nd = d * math.cos(x)",
            "t = math.cos(x)\nd = d * t",
        ),
        (  # computed inside an expression first: the assignment moves before it
            "d = d * math.sin(x)\nt = math.sin(x)",
            "t = math.sin(x)\nd = d * t",
        ),
        (  # the statement computing it inside changes its operand: sin of another x after it
            "x = math.sin(x) + d\nt = math.sin(x)",
            "x = math.sin(x) + d\nt = math.sin(x)",
        ),
        (  # t is read in between: it cannot be assigned earlier
            "d = d * math.sin(x)\ne = t + 1.0\nt = math.sin(x)",
            "d = d * math.sin(x)\ne = t + 1.0\nt = math.sin(x)",
        ),
        (  # an array is never shared through an expression: a later write into one would change the other
            "a = np.cos(v)\nd = d * np.cos(v)",
            "a = np.cos(v)\nd = d * np.cos(v)",
        ),
        (  # two moves: the second finds its statement one place down after the first
            "e = e * math.cos(x)\nd = d * math.sin(x)\nt = math.cos(x)\np = math.sin(x)",
            "t = math.cos(x)\ne = e * t\np = math.sin(x)\nd = d * p",
        ),
        (  # operands in either order: the same product
            "p = d * x\nq = x * d",
            "p = d * x\nq = p",
        ),
    ],
)
def test_cse_reuses_numbers_of_pure_calls_and_commuted_products(before, after):
    text = "def f(x, d, v):\n" + textwrap.indent(before, "    ") + "\n    return d\n"
    ctx = context_for(text)
    ctx.kinds = {"x": SCALAR, "d": SCALAR, "t": SCALAR, "e": SCALAR, "p": SCALAR, "q": SCALAR}
    ctx.kinds.update(v=Kind("array", 1), a=Kind("array", 1))
    got = unparse_tree(cse.run(ctx.source.tree, ctx)).strip()
    expected = "def f(x, d, v):\n" + textwrap.indent(after, "    ") + "\n    return d"
    assert ast.dump(ast.parse(got)) == ast.dump(ast.parse(expected)), got  # trees: 3.8's unparser adds parentheses


# The test of ``while abs(s) > 1e-10 and n < 50`` as normalization computes it, before the loop and at its end.
LOOP_TEST = "t0 = abs(s)\nt1 = t0 > 1e-10\nif t1:\n    t2 = n < 50\nelse:\n    t2 = t1\n"
LOOP = "def f(x, n):\n    s = x\n{test}    {{between}}\n    while t2:\n        s = s * 0.5\n        n = n + 1\n"
LOOP = LOOP.format(test=textwrap.indent(LOOP_TEST, "    ")) + textwrap.indent(LOOP_TEST, "        ")
LOOP += "    {after}\n    return s\n"


@pytest.mark.parametrize(
    ("between", "after", "folded"),
    [
        ("k = 0", "s = s + 1.0", True),
        ("k = n", "s = s + 1.0", True),  # reads an operand: fine
        ("n = 0", "s = s + 1.0", False),  # changes an operand after the first copy: the test would read the new n
        ("k = t1", "s = s + 1.0", False),  # reads a temporary of the test
        ("k = 0", "s = s + t2", False),  # the test's value read after the loop
    ],
)
def test_conditions_move_a_loop_test_into_its_header_only_when_it_computes_the_same(between, after, folded):
    ctx = context_for(LOOP.format(between=between, after=after))
    ctx.namer.temporaries.update({"t0", "t1", "t2"})
    got = unparse_tree(conditions.run(ctx.source.tree, ctx)).strip()
    loop_test = ast.parse(got).body[0].body[[type(s) for s in ast.parse(got).body[0].body].index(ast.While)].test
    assert isinstance(loop_test, ast.Name) != folded, got
    if folded:
        assert ast.dump(loop_test) == ast.dump(ast.parse("abs(s) > 1e-10 and n < 50", mode="eval").body), got
        assert "t0" not in got and "t1" not in got and "t2" not in got
    else:  # the branches still become one expression each
        assert _statement_count(got, "t2 = t1 and n < 50") == 2, got


def test_conditions_join_an_or_and_leave_a_branch_of_two_statements():
    text = """
    def f(x, y):
        t0 = x > 3.0
        if t0:
            t1 = t0
        else:
            t1 = y < -1.0
        t2 = x > 0.0
        if t2:
            t3 = y > 0.0
            x = x + 1.0
        else:
            t3 = t2
        return t1 + t3
    """
    ctx = context_for(text)
    ctx.namer.temporaries.update({"t0", "t1", "t2", "t3"})
    got = unparse_tree(conditions.run(ctx.source.tree, ctx)).strip()
    assert _statement_count(got, "t1 = t0 or y < -1.0") == 1 and "if t2:" in got, got


def _statement_count(text: str, statement: str) -> int:
    """How many statements of ``text`` are ``statement``, as trees (Python 3.8's unparser adds parentheses)."""
    wanted = ast.dump(ast.parse(statement).body[0])
    return sum(ast.dump(node) == wanted for node in ast.walk(ast.parse(text)) if isinstance(node, ast.stmt))
