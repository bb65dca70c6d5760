"""Constant folding and algebraic identities.

After this pass no operation has only literal operands, and none multiplies
or divides by one, adds zero, or raises to the first power.

    before                          after
    d_x = d_out * (2 * x ** (2 - 1))    d_x = d_out * (2 * x)
    d_y = 1.0 * d_t                 d_y = d_t
    t = math.log(2.718281828459045) t = 1.0
"""

import inspect
import math
import operator
from typing import Callable, List, Optional, Tuple

import gast
import numpy

from .. import runtime
from ..analyze.ops import BINARY, UNARY
from ..context import Context
from ..kinds import SCALAR, UNKNOWN
from ..nodes import const, constant_value, names_read, names_written_in_place, negation_of

MISSING = object()


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    folder = _Folder(ctx, names_written_in_place(tree))
    tree.body = [folder.visit(stmt) for stmt in tree.body]
    return tree


def _number(node: gast.AST) -> object:
    value = constant_value(node, MISSING)
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else MISSING


class _Folder(gast.NodeTransformer):
    def __init__(self, ctx: Context, written: "set[str]") -> None:
        self.ctx, self.written = ctx, written

    def visit_Assign(self, node: gast.Assign) -> gast.stmt:
        """``y = x * 1.0`` stays a new array when ``y`` or ``x`` is written into: ``y = x`` would share the write."""
        target = node.targets[0]
        touched = {target.id} | set(names_read(node.value)) if isinstance(target, gast.Name) else set()
        if touched & self.written and isinstance(node.value, gast.BinOp):
            node.value.left, node.value.right = self.visit(node.value.left), self.visit(node.value.right)
            return node
        return self.generic_visit(node)

    def visit_BinOp(self, node: gast.BinOp) -> gast.expr:
        self.generic_visit(node)
        left, right = _number(node.left), _number(node.right)
        op = type(node.op)
        if left is not MISSING and right is not MISSING and op in BINARY:
            folded = _safely(BINARY[op], left, right)
            if folded is not MISSING:
                return const(folded)
        # identities hold only where they keep the type: n * 1.0 is a float, n is not
        if op is gast.Mult and left == 1 and self._is_float(node.right):
            return node.right
        if op in (gast.Mult, gast.Div) and right == 1 and self._is_float(node.left):
            return node.left
        merged = like_terms(node, self._is_float) if op in (gast.Add, gast.Sub) else None
        if merged is not None:
            return merged
        positive = negation_of(node.right) if op in (gast.Add, gast.Sub) else None
        if positive is not None:  # a - -b is a + b
            return gast.BinOp(left=node.left, op=gast.Add() if op is gast.Sub else gast.Sub(), right=positive)
        if op is gast.Pow and right == 1:
            return node.left
        if op is gast.Pow and right == 2 and isinstance(node.left, gast.Name) and self._is_scalar(node.left):
            return gast.BinOp(left=node.left, op=gast.Mult(), right=gast.Name(**_fields_of_id(node.left.id)))
        if op is gast.Add and left == 0 and self._is_float(node.right):
            return node.right
        if op in (gast.Add, gast.Sub) and right == 0 and self._is_float(node.left):
            return node.left
        return node

    def _is_scalar(self, node: gast.Name) -> bool:
        """A Python or NumPy float: ``x ** 2`` is then ``x * x``, the same number, faster."""
        return self.ctx.kinds.get(node.id) == SCALAR

    def _is_float(self, node: gast.expr) -> bool:
        if isinstance(node, gast.Name):
            return self.ctx.kinds.get(node.id, UNKNOWN).is_float
        if isinstance(node, gast.BinOp):  # an inlined operation: of integers, an integer (but for /)
            return isinstance(node.op, gast.Div) or self._is_float(node.left) or self._is_float(node.right)
        if isinstance(node, gast.UnaryOp):
            return not isinstance(node.op, gast.Not) and self._is_float(node.operand)
        return not isinstance(_number(node), int) and not isinstance(node, (gast.Compare, gast.BoolOp))

    def visit_UnaryOp(self, node: gast.UnaryOp) -> gast.expr:
        self.generic_visit(node)
        if (
            isinstance(node.op, gast.USub)
            and isinstance(node.operand, gast.UnaryOp)
            and isinstance(node.operand.op, gast.USub)
        ):
            return node.operand.operand
        value = _number(node.operand)
        if value is not MISSING and type(node.op) in UNARY:
            return const(UNARY[type(node.op)](value))
        return node

    def visit_Call(self, node: gast.Call) -> gast.expr:
        """Pure math functions of literals (``math.log(2.0)``) become literals."""
        self.generic_visit(node)
        func = self.ctx.resolve(node.func)
        if getattr(func, "__module__", None) == runtime.__name__:
            _drop_default_arguments(node, func)
        exponent = _number(node.args[1]) if func is runtime.ieee_power and len(node.args) == 2 else MISSING
        if exponent is not MISSING and exponent >= 0:  # x ** c cannot divide by zero: plain ** reads better
            return self.visit_BinOp(gast.BinOp(left=node.args[0], op=gast.Pow(), right=node.args[1]))
        pure = getattr(func, "__module__", None) == "math" or isinstance(func, numpy.ufunc)
        values = [_number(a) for a in node.args]
        if pure and not node.keywords and values and MISSING not in values:
            folded = _safely(func, *values)
            if folded is not MISSING:
                return const(folded)  # of the type the call returns: math.floor(2.5) is the int 2
        return node


def like_terms(node: gast.BinOp, is_float: Callable[[gast.expr], bool]) -> Optional[gast.expr]:
    """``0.5 * r * g + 0.5 * (g * r)`` is ``r * g``: two products of the same names, one product.

    (The adjoint of ``0.5 * r * r`` sums one term per use of ``r``.) A coefficient of 1.0
    is dropped only where the product is a float anyway (``is_float``).
    """
    left, right = _monomial(node.left), _monomial(node.right)
    if left is None or right is None or not left[1] or sorted(left[1]) != sorted(right[1]):
        return None
    coefficient = left[0] + right[0] if isinstance(node.op, gast.Add) else left[0] - right[0]
    if coefficient == 0:
        return None  # a zero of the operands' shape: left as it is
    product = gast.Name(**_fields_of_id(left[1][0]))
    for factor in left[1][1:]:
        product = gast.BinOp(left=product, op=gast.Mult(), right=gast.Name(**_fields_of_id(factor)))
    if coefficient in (1, -1) and (isinstance(coefficient, int) or is_float(product)):
        return product if coefficient == 1 else gast.UnaryOp(op=gast.USub(), operand=product)
    return gast.BinOp(left=const(coefficient), op=gast.Mult(), right=product)


def _monomial(node: gast.expr) -> Optional[Tuple[float, List[str]]]:
    """A product of numbers and names as (the numbers' product, the names in order), else None."""
    if isinstance(node, gast.Name):
        return 1, [node.id]
    number = _number(node)
    if number is not MISSING:
        return number, []
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        inner = _monomial(node.operand)
        return None if inner is None else (-inner[0], inner[1])
    if isinstance(node, gast.BinOp) and isinstance(node.op, gast.Mult):
        left, right = _monomial(node.left), _monomial(node.right)
        return None if left is None or right is None else (left[0] * right[0], left[1] + right[1])
    return None


def _fields_of_id(identifier: str) -> dict:
    return {"id": identifier, "ctx": gast.Load(), "annotation": None, "type_comment": None}


def _drop_default_arguments(node: gast.Call, func: Callable) -> None:
    """``unreduce(g, x, None, False)`` reads better as ``unreduce(g, x)``."""
    defaults = [p.default for p in inspect.signature(func).parameters.values()][: len(node.args)]
    while node.args and defaults and defaults[-1] is not inspect.Parameter.empty:
        value = constant_value(node.args[-1], MISSING)
        if value is MISSING or value != defaults[-1] or type(value) is not type(defaults[-1]):
            break
        node.args.pop()
        defaults.pop()


def _safely(func, *values) -> object:
    """The folded value, or MISSING where folding would raise or lose exactness."""
    try:
        with numpy.errstate(all="raise"):
            result = func(*values)
    except (ArithmeticError, ValueError, FloatingPointError, TypeError):
        return MISSING
    if isinstance(result, complex) or not math.isfinite(float(result)):
        return MISSING
    if func is operator.pow and isinstance(result, float) and not all(isinstance(v, float) for v in values):
        return result if float(result).is_integer() else MISSING
    return result.item() if isinstance(result, numpy.generic) else result
