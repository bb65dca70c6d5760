"""Small constructors for gast nodes, so passes read like the code they build."""

import copy
from typing import Any, Dict, List, Optional, Sequence, TypeVar

import gast

_AST = gast.AST
_ATOMS = frozenset((str, int, float, bool, type(None)))  # immutable: a copy shares them, as deepcopy does


def walk(node: gast.AST) -> List[gast.AST]:
    """``gast.walk(node)`` as a list, in the same (breadth-first) order, three times faster.

    The compiler's passes walk statements over and over (what a statement reads, what it
    writes): this is most of a transform's time, and ``ast.walk``'s nested generators most
    of that. Not for a loop that changes the tree as it goes: the list is taken first.
    """
    nodes = [node]
    append = nodes.append
    for node in nodes:  # grows as it goes: each node's children are queued behind it
        for field in node._fields:
            value = getattr(node, field, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, _AST):
                        append(item)
            elif isinstance(value, _AST):
                append(value)
    return nodes


def fingerprint(tree: gast.AST) -> List[Any]:
    """The tree as a flat list, equal for equal trees: each node's class, then each field's value (a child
    node is queued, as ``walk`` goes, a list gives its length). Comparing two costs a fraction of unparsing."""
    out: List[Any] = []
    add = out.append
    for node in walk(tree):
        add(node.__class__)
        for field in node._fields:
            value = getattr(node, field, None)
            if type(value) is list:
                add(len(value))
                for item in value:
                    if not isinstance(item, _AST):
                        add(type(item))
                        add(item)
            elif not isinstance(value, _AST):
                add(type(value))  # 1 == 1.0 == True: the type tells them apart
                add(value)
    return out


def name(identifier: str, store: bool = False) -> gast.Name:
    ctx = gast.Store() if store else gast.Load()
    return gast.Name(id=identifier, ctx=ctx, annotation=None, type_comment=None)


def const(value: Any) -> gast.expr:
    if isinstance(value, tuple):
        return gast.Tuple(elts=[const(v) for v in value], ctx=gast.Load())
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value < 0:
        return gast.UnaryOp(op=gast.USub(), operand=gast.Constant(value=-value, kind=None))
    return gast.Constant(value=value, kind=None)


def constant_value(node: gast.AST, default: Any = None) -> Any:
    """The Python value of a literal (``-1`` and ``(0, 1)`` included), else ``default``."""
    if isinstance(node, gast.Constant):
        return node.value
    if isinstance(node, gast.UnaryOp) and isinstance(node.op, gast.USub):
        inner = constant_value(node.operand, default)
        return -inner if isinstance(inner, (int, float)) and not isinstance(inner, bool) else default
    if isinstance(node, gast.Tuple):
        values = tuple(constant_value(e, default) for e in node.elts)
        return default if any(v is default for v in values) else values
    return default


def is_constant(node: gast.AST) -> bool:
    marker = object()
    return constant_value(node, marker) is not marker


def assign(target: str, value: gast.expr, like: Optional[gast.AST] = None) -> gast.Assign:
    stmt = gast.Assign(targets=[name(target, store=True)], value=value, type_comment=None)
    return located(stmt, like)


def call(func: gast.expr, args: Sequence[gast.expr], keywords: Sequence[gast.keyword] = ()) -> gast.Call:
    return gast.Call(func=func, args=list(args), keywords=list(keywords))


def located(node: gast.AST, like: Optional[gast.AST]) -> gast.AST:
    """``node`` with the source position of ``like`` (the statement it derives from)."""
    if like is not None:
        gast.copy_location(node, like)
        if hasattr(like, "end_lineno"):
            node.end_lineno, node.end_col_offset = like.end_lineno, like.end_col_offset
    return node


def function_def(
    identifier: str,
    params: Sequence[gast.Name],
    defaults: Sequence[gast.expr],
    body: List[gast.stmt],
    like: gast.FunctionDef,
) -> gast.FunctionDef:
    """``def identifier(params): body`` at ``like``'s position.

    ``defaults`` are those of the last parameters, as in ``gast.arguments``.
    """
    args = gast.arguments(
        args=list(params),
        posonlyargs=[],
        vararg=None,
        kwonlyargs=[],
        kw_defaults=[],
        kwarg=None,
        defaults=list(defaults),
    )
    for arg in args.args:
        arg.ctx, arg.annotation = gast.Param(), None
    definition = gast.FunctionDef(
        name=identifier, args=args, body=body, decorator_list=[], returns=None, type_comment=None
    )
    if "type_params" in gast.FunctionDef._fields:
        definition.type_params = []
    return located(definition, like)


Tree = TypeVar("Tree", gast.AST, List[gast.stmt])


def copy_tree(node: Tree) -> Tree:
    """``copy.deepcopy(node)`` for a syntax tree or a list of statements, four times faster.

    The same nodes, attributes and sharing as deepcopy makes.

    Rule templates are copied at every call site they are instantiated at, and the emitter
    copies each generated function: deepcopy's generic protocol (``__reduce_ex__``, one
    reconstruction per node) was a tenth of a transform's time.
    """
    return _shared_or_copied(node, {})


def _copied(value: Any, memo: Dict[int, Any]) -> Any:
    kind = type(value)
    if isinstance(value, _AST):
        new = memo[id(value)] = kind.__new__(kind)
        fields = new.__dict__
        for key, item in value.__dict__.items():
            fields[key] = item if type(item) in _ATOMS else _shared_or_copied(item, memo)
        return new
    if kind is list:
        new = memo[id(value)] = []
        new.extend(item if type(item) in _ATOMS else _shared_or_copied(item, memo) for item in value)
        return new
    return value if kind in _ATOMS else copy.deepcopy(value, memo)  # anything else a pass attached: as deepcopy does


def _shared_or_copied(value: Any, memo: Dict[int, Any]) -> Any:
    """Shared in the original (met before): shared in the copy."""
    done = memo.get(id(value))
    return _copied(value, memo) if done is None else done


def names_read(node: gast.AST) -> List[str]:
    return [n.id for n in walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Load)]


def names_stored(node: gast.AST) -> "set[str]":
    """The names assigned anywhere in ``node`` (targets, loop variables), nested blocks included."""
    return {n.id for n in walk(node) if isinstance(n, gast.Name) and isinstance(n.ctx, gast.Store)}


COMMENT = "__s2sgrad_comment__"


def comment(text: str) -> gast.stmt:
    """A statement the emitter turns into ``# text`` (the AST has no comments)."""
    return gast.Expr(value=call(name(COMMENT), [gast.Constant(value=text, kind=None)]))


def comment_text(stmt: gast.stmt) -> Optional[str]:
    """The text of a ``comment`` statement, else None."""
    value = getattr(stmt, "value", None)
    if isinstance(stmt, gast.Expr) and isinstance(value, gast.Call) and getattr(value.func, "id", None) == COMMENT:
        return value.args[0].value
    return None


COMPOUND = (gast.If, gast.For, gast.While)
# On an ``if`` that stands for a ``with`` or ``try`` block: what to emit instead (normalize.scopes, emit.scopes).
SCOPE = "__s2sgrad_scope__"


def blocks_of(stmt: gast.stmt) -> List[List[gast.stmt]]:
    """The statement lists inside a compound statement (none for a simple one)."""
    return [stmt.body, stmt.orelse] if isinstance(stmt, COMPOUND) else []


def header_of(stmt: gast.stmt) -> List[gast.AST]:
    """What a statement evaluates outside its blocks: an ``if`` test, a loop's iterable."""
    if isinstance(stmt, (gast.If, gast.While)):
        return [stmt.test]
    if isinstance(stmt, gast.For):
        return [stmt.iter]
    return [stmt]


def reads_of(stmt: gast.stmt) -> "set[str]":
    """Every name a statement (and everything nested in it) reads; ``x += 1`` and ``x[i] = v`` read ``x``."""
    found = set()
    for node in walk(stmt):
        if isinstance(node, gast.Name):
            if isinstance(node.ctx, gast.Load):
                found.add(node.id)
        elif isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name):
            found.add(node.target.id)
    return found


def writes_of(stmt: gast.stmt) -> "set[str]":
    """Every name a statement (and everything nested in it) assigns or updates in place."""
    found = set()
    for node in walk(stmt):
        if isinstance(node, gast.Name):
            if isinstance(node.ctx, gast.Store):
                found.add(node.id)
        elif isinstance(node, (gast.Assign, gast.AugAssign)):
            for target in node.targets if isinstance(node, gast.Assign) else [node.target]:
                if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
                    found.add(target.value.id)
    return found


def negation_of(value: gast.expr) -> Optional[gast.expr]:
    """``e`` if ``value`` is ``-e``, or ``-a * b`` (then ``a * b``), else None."""
    if isinstance(value, gast.UnaryOp) and isinstance(value.op, gast.USub):
        return value.operand
    if isinstance(value, gast.BinOp) and isinstance(value.op, (gast.Mult, gast.Div)):
        left = negation_of(value.left) if isinstance(value.left, gast.UnaryOp) else None
        return None if left is None else gast.BinOp(left=left, op=value.op, right=value.right)
    return None


def assigned_names(stmt: gast.stmt) -> List[str]:
    """The names a statement itself assigns: an assignment's targets, a ``for`` loop's variable."""
    if isinstance(stmt, gast.For):
        return [n.id for n in walk(stmt.target) if isinstance(n, gast.Name)]
    if isinstance(stmt, (gast.Assign, gast.AugAssign)):
        return list(writes_of(stmt))
    return []


def assigned_name(stmt: gast.Assign) -> Optional[str]:
    """The name an assignment sets, or for an element write ``y[i] = v`` the array's name ``y``."""
    target = stmt.targets[0]
    if isinstance(target, gast.Subscript) and isinstance(target.value, gast.Name):
        return target.value.id
    return target.id if isinstance(target, gast.Name) else None


IN_PLACE = "s2sgrad_in_place"  # set on ``b = b + v`` desugared from ``b += v``


def mark_in_place(stmt: gast.stmt, like: gast.stmt) -> gast.stmt:
    """``stmt`` flagged as an in-place update when ``like`` is (``b += v`` changes ``b``'s object)."""
    if getattr(like, IN_PLACE, False):
        setattr(stmt, IN_PLACE, True)
    return stmt


def is_in_place(stmt: gast.stmt) -> bool:
    """``b = b + v`` that came from ``b += v``: on a mutable ``b`` it updates the object in place."""
    return getattr(stmt, IN_PLACE, False)


def is_element_write(stmt: gast.stmt) -> bool:
    """``y[index] = value``: an assignment into part of an array."""
    return isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Subscript)


def names_written_in_place(tree: gast.AST) -> "set[str]":
    """Names whose buffer a statement writes into (``y[i] = v``), and every name copied to or from them.

    An optimization that makes such a name share another's buffer (``y = x * 1.0`` folded to
    ``y = x``, or a repeated ``x * 2`` reused) would let the write change the other one too.
    """
    assignments = [s for s in walk(tree) if isinstance(s, gast.Assign)]
    found = {
        s.targets[0].value.id for s in assignments if is_element_write(s) and isinstance(s.targets[0].value, gast.Name)
    }
    copies = [s for s in assignments if isinstance(s.targets[0], gast.Name) and isinstance(s.value, gast.Name)]
    size = -1
    while size != len(found):
        size = len(found)
        for stmt in copies:
            if stmt.targets[0].id in found or stmt.value.id in found:
                found |= {stmt.targets[0].id, stmt.value.id}
    return found
