"""Structural zeros: a scalar adjoint known to be zero adds nothing, so what only adds it goes.

At a join of branches the reverse sweep gives an adjoint that one branch did
not reach the value 0.0, so that the code after the join may read it on every
path. When the statement right after the join reads such an adjoint, it moves
to the end of each branch, and where its operand is zero it folds away (dead
code then drops the zero itself):

    before                              after
    if t4:                              if t4:
        d_r = r * d_out                     d_r = r * d_out
        d_a = 0.0                       else:
    else:                                   d_a = delta * d_out
        d_a = delta * d_out                 d_r = d_a * sign(r)
        d_r = 0.0
    d_r = d_r + d_a * sign(r)

Zero here is structural, as for an adjoint the sweep never assigns: ``0.0 * e``
counts as zero even where ``e`` would be infinite. Only adjoints of Python
scalars are followed (a zero array has a shape to keep), through sums,
differences, products, quotients of a zero and negation.
"""

import copy
from typing import List, Optional, Set, Tuple, Union

import gast

from ..context import Context
from ..nodes import SCOPE, blocks_of, comment_text, const, constant_value, names_read, writes_of

ZERO = "zero"  # what _zeroed returns for an expression that is structurally zero
JUMPS = (gast.Return, gast.Break, gast.Continue, gast.Raise)


def run(tree: gast.FunctionDef, ctx: Context) -> gast.FunctionDef:
    tree.body, _ = _block(tree.body, set(), ctx.scalar_adjoints)
    return tree


def _block(stmts: List[gast.stmt], zeros: Set[str], scalars: Set[str]) -> Tuple[List[gast.stmt], Set[str]]:
    """The block with zeros folded away, and the names still zero at its end (``zeros`` at its start)."""
    zeros = set(zeros)
    out: List[gast.stmt] = []
    join = None  # the last branch statement, its zeros before and at the end of each branch
    for stmt in stmts:
        if comment_text(stmt) is not None:
            out.append(stmt)  # a comment between the join and the statement moves with it
        elif join is not None and _sinks(stmt, join, scalars):
            branch, before = join[0], join[1]
            after = out.index(branch) + 1
            moved = [*out[after:], stmt]
            del out[after:]
            join = _branches(branch, before, scalars, moved)
            zeros = join[2] & join[3]
        elif isinstance(stmt, gast.If) and not hasattr(stmt, SCOPE):
            join = _branches(stmt, zeros, scalars, [])
            zeros = join[2] & join[3]
            out.append(stmt)
        else:
            join = None
            for block in blocks_of(stmt):  # a loop (or a with/try): nothing is known zero inside
                block[:] = _block(block, set(), scalars)[0]
            out += _folded(stmt, zeros, scalars)
    return out, zeros


Join = Tuple[gast.If, Set[str], Set[str], Set[str]]


def _branches(branch: gast.If, before: Set[str], scalars: Set[str], moved: List[gast.stmt]) -> Join:
    """Fold both branches of ``branch``, with copies of ``moved`` at their ends."""
    branch.body, body_zeros = _block(branch.body + copy.deepcopy(moved), before, scalars)
    branch.orelse, else_zeros = _block(branch.orelse + copy.deepcopy(moved), before, scalars)
    return branch, before, body_zeros, else_zeros


def _sinks(stmt: gast.stmt, join: Join, scalars: Set[str]) -> bool:
    """Whether ``stmt`` assigns a scalar adjoint from one that is zero after some branch but not all."""
    branch, _, body_zeros, else_zeros = join
    if not (_scalar_assignment(stmt, scalars) and set(names_read(stmt.value)) & (body_zeros ^ else_zeros)):
        return False
    ends = [block[-1] for block in (branch.body, branch.orelse) if block]
    return not any(isinstance(end, JUMPS) for end in ends)


def _scalar_assignment(stmt: gast.stmt, scalars: Set[str]) -> bool:
    return isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id in scalars


def _folded(stmt: gast.stmt, zeros: Set[str], scalars: Set[str]) -> List[gast.stmt]:
    """``stmt`` with its zero terms gone (none at all for a copy of a name to itself); ``zeros`` updated."""
    if not _scalar_assignment(stmt, scalars):
        zeros -= writes_of(stmt)
        return [stmt]
    target = stmt.targets[0].id
    value = _zeroed(stmt.value, zeros)
    if value is ZERO:
        zeros.add(target)
        stmt.value = const(0.0)
        return [stmt]
    zeros.discard(target)
    stmt.value = value
    return [] if isinstance(value, gast.Name) and value.id == target else [stmt]


def _zeroed(node: gast.expr, zeros: Set[str]) -> Union[gast.expr, str]:
    """``node`` without its zero terms, or ZERO."""
    if isinstance(node, gast.Name):
        return ZERO if node.id in zeros else node
    if _is_zero_literal(node):
        return ZERO
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        operand = _zeroed(node.operand, zeros)
        return ZERO if operand is ZERO else gast.UnaryOp(op=node.op, operand=operand)
    if not isinstance(node, gast.BinOp):
        return node
    left, right = _zeroed(node.left, zeros), _zeroed(node.right, zeros)
    return _combined(left, node.op, right) or gast.BinOp(left=left, op=node.op, right=right)


def _combined(left: Union[gast.expr, str], op: gast.operator, right: Union[gast.expr, str]) -> Optional[object]:
    """``left op right`` when one side is ZERO, else None."""
    if isinstance(op, gast.Mult) and ZERO in (left, right):
        return ZERO
    if isinstance(op, gast.Div) and left is ZERO:
        return ZERO
    if isinstance(op, (gast.Add, gast.Sub)) and right is ZERO:
        return left
    if isinstance(op, gast.Add) and left is ZERO:
        return right
    if isinstance(op, gast.Sub) and left is ZERO:
        return gast.UnaryOp(op=gast.USub(), operand=right)
    return None


def _is_zero_literal(node: gast.expr) -> bool:
    value = constant_value(node, None)
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0
