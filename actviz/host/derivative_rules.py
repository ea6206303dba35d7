"""The rule-based differentiator: d(tree)/d(var) on a checked formula tree, as a new tree.

The chain, product, quotient and power rules with light simplification (numbers first, no ``+ -``,
no ``* 1``), so the printed derivative reads like one written by hand. Used when SymPy is absent or
its result has no word in the formula language, and for the kinks of a formula (which need no SymPy).
"""

from __future__ import annotations

import ast
import copy
from collections.abc import Callable


class Unsupported(ValueError):
    """The expression uses something the formula language (or this translator) has no word for."""


def _num(value: float) -> ast.expr:
    """A number node; negative numbers as unary minus, so the printed text needs no care."""
    if float(value).is_integer() and abs(value) < 2 ** 53:
        value = int(value)
    if value < 0:
        return ast.UnaryOp(ast.USub(), ast.Constant(-value))
    return ast.Constant(value)


def _value(node: ast.expr) -> float | None:
    """The number a node is, when it is a plain (possibly negated) number."""
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = _value(node.operand)
        return None if inner is None else -inner
    return None


def _is(node: ast.expr, value: float) -> bool:
    return _value(node) == value


def _add(a: ast.expr, b: ast.expr) -> ast.expr:
    if _is(a, 0):
        return b
    if _is(b, 0):
        return a
    if _value(a) is not None and _value(b) is not None:
        return _num(_value(a) + _value(b))
    if isinstance(b, ast.UnaryOp) and isinstance(b.op, ast.USub):
        return ast.BinOp(a, ast.Sub(), b.operand)
    return ast.BinOp(a, ast.Add(), b)


def _neg(a: ast.expr) -> ast.expr:
    if _value(a) is not None:
        return _num(-_value(a))
    if isinstance(a, ast.UnaryOp) and isinstance(a.op, ast.USub):
        return a.operand
    return ast.UnaryOp(ast.USub(), a)


def _sub(a: ast.expr, b: ast.expr) -> ast.expr:
    if _is(b, 0):
        return a
    if _is(a, 0):
        return _neg(b)
    if _value(a) is not None and _value(b) is not None:
        return _num(_value(a) - _value(b))
    if isinstance(b, ast.UnaryOp) and isinstance(b.op, ast.USub):
        return ast.BinOp(a, ast.Add(), b.operand)
    return ast.BinOp(a, ast.Sub(), b)


def _mul(a: ast.expr, b: ast.expr) -> ast.expr:
    if _is(a, 0) or _is(b, 0):
        return _num(0)
    if _is(a, 1):
        return b
    if _is(b, 1):
        return a
    if _is(a, -1):
        return _neg(b)
    if _is(b, -1):
        return _neg(a)
    if _value(a) is not None and _value(b) is not None:
        return _num(_value(a) * _value(b))
    if _value(b) is not None:  # numbers first: 2 * z, not z * 2
        a, b = b, a
    if isinstance(a, ast.UnaryOp) and isinstance(a.op, ast.USub):
        return _neg(_mul(a.operand, b))
    if isinstance(b, ast.UnaryOp) and isinstance(b.op, ast.USub):
        return _neg(_mul(a, b.operand))
    return ast.BinOp(a, ast.Mult(), b)


def _div(a: ast.expr, b: ast.expr) -> ast.expr:
    if _is(a, 0):
        return _num(0)
    if _is(b, 1):
        return a
    if isinstance(a, ast.UnaryOp) and isinstance(a.op, ast.USub):
        return _neg(_div(a.operand, b))
    return ast.BinOp(a, ast.Div(), b)


def _pow(a: ast.expr, b: ast.expr) -> ast.expr:
    if _is(b, 1):
        return a
    if _is(b, 0):
        return _num(1)
    return ast.BinOp(a, ast.Pow(), b)


def _call(name: str, *args: ast.expr) -> ast.expr:
    return ast.Call(ast.Name(name, ast.Load()), list(args), [])


def _uses(node: ast.AST, var: str) -> bool:
    return any(isinstance(n, ast.Name) and n.id == var for n in ast.walk(node))


def _c(node: ast.expr) -> ast.expr:
    return copy.deepcopy(node)


#: d f(u)/du for the one-argument functions, as a builder of the tree from u
_UNARY: dict[str, Callable[[ast.expr], ast.expr]] = {
    "exp": lambda u: _call("exp", u),
    "log": lambda u: _div(_num(1), u),
    "log1p": lambda u: _div(_num(1), _add(_num(1), u)),
    "expm1": lambda u: _call("exp", u),
    "sqrt": lambda u: _div(_num(1), _mul(_num(2), _call("sqrt", u))),
    "abs": lambda u: _call("sign", u),
    "sign": lambda u: _num(0),
    "sin": lambda u: _call("cos", u),
    "cos": lambda u: _neg(_call("sin", u)),
    "tanh": lambda u: _sub(_num(1), _pow(_call("tanh", u), _num(2))),
    "sinh": lambda u: _call("cosh", u),
    "cosh": lambda u: _call("sinh", u),
    "arctan": lambda u: _div(_num(1), _add(_num(1), _pow(u, _num(2)))),
    "logistic": lambda u: _mul(_call("logistic", u), _sub(_num(1), _call("logistic", u))),
    "sigmoid": lambda u: _mul(_call("sigmoid", u), _sub(_num(1), _call("sigmoid", u))),
    "softplus": lambda u: _call("logistic", u),
}


def differentiate(node: ast.expr, var: str) -> ast.expr:
    """d(node)/d(var) as a new tree (the chain, product, quotient and power rules, lightly simplified)."""
    if not _uses(node, var):
        return _num(0)
    if isinstance(node, ast.Name):
        return _num(1)  # it is var: anything else does not use it
    if isinstance(node, ast.UnaryOp):
        inner = differentiate(node.operand, var)
        return _neg(inner) if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp):
        return _binop(node, var)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        name, args = node.func.id, node.args
        if name == "where":
            return _call("where", _c(args[0]), differentiate(args[1], var), differentiate(args[2], var))
        if name in ("maximum", "minimum"):
            test = ast.Compare(_c(args[0]), [ast.Gt() if name == "maximum" else ast.Lt()], [_c(args[1])])
            return _call("where", test, differentiate(args[0], var), differentiate(args[1], var))
        if name in _UNARY and len(args) == 1:
            return _mul(_UNARY[name](_c(args[0])), differentiate(args[0], var))
    raise Unsupported(f"no derivative rule for {ast.unparse(node)!r}")


def _binop(node: ast.BinOp, var: str) -> ast.expr:
    a, b = node.left, node.right
    da, db = differentiate(a, var), differentiate(b, var)
    if isinstance(node.op, ast.Add):
        return _add(da, db)
    if isinstance(node.op, ast.Sub):
        return _sub(da, db)
    if isinstance(node.op, ast.Mult):
        return _add(_mul(da, _c(b)), _mul(_c(a), db))
    if isinstance(node.op, ast.Div):
        if not _uses(b, var):
            return _div(da, _c(b))
        return _sub(_div(da, _c(b)), _div(_mul(_c(a), db), _pow(_c(b), _num(2))))
    if isinstance(node.op, ast.Pow):
        if not _uses(b, var):  # b·a^(b−1)·a′
            n = _value(b)
            lower = _num(n - 1) if n is not None else _sub(_c(b), _num(1))
            return _mul(_mul(_c(b), _pow(_c(a), lower)), da)
        if not _uses(a, var):  # a^b·ln a·b′
            log_a = _num(1) if isinstance(a, ast.Name) and a.id == "e" else _call("log", _c(a))
            return _mul(_mul(_c(node), log_a), db)
        return _mul(_c(node), _add(_mul(db, _call("log", _c(a))), _div(_mul(_c(b), da), _c(a))))
    raise Unsupported(f"no derivative rule for {ast.unparse(node)!r}")
