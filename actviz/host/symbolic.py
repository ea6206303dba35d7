"""Exact derivatives of checked formula trees, returned as formula text.

The input is a syntax tree that :mod:`actviz.host.formulas` has already
checked against its whitelist; the output is text in the same language, so
the derivative is compiled by the same whitelisted compiler as the formula
(nothing here evaluates anything).

Two ways, same answer: with SymPy installed (the optional ``math`` extra)
the tree is translated node by node into a SymPy expression — never through
``sympify`` or ``parse_expr`` — differentiated, simplified and printed back;
without it (or when SymPy's result uses something the language lacks) a
small rule-based differentiator works on the tree itself. SymPy is imported
only here, only when a derivative is asked for: never at start-up, because
the derivative text is stored with each formula.

The rules live in :mod:`actviz.host.derivative_rules` (their names stay importable from here); this
module holds the choice between them and SymPy, and the SymPy translation both ways.
"""

from __future__ import annotations

import ast
import importlib
import time
from functools import cache
from typing import Any

from actviz.host.derivative_rules import (  # noqa: F401 - re-exported: these were this module's names
    Unsupported,
    _uses,
    _value,
    differentiate,
)

#: SymPy's simplify is tried on each term up to this many operations (its cost grows fast with size) ...
SIMPLIFY_MAX_OPS = 40
#: ... and on the whole derivative only when it is this small: a whole sum of trig, hyperbolic and
#: exp terms can take SymPy half a minute, for nothing the terms alone would not give
SIMPLIFY_WHOLE_OPS, SIMPLIFY_WHOLE_TERMS = 24, 4
#: seconds after which the remaining terms are left as differentiated (checked between terms)
SIMPLIFY_BUDGET = 2.0


def derivative_text(tree: ast.expr, var: str, *, use_sympy: bool | None = None) -> tuple[str, str]:
    """d(tree)/d(var) as formula text, and how it was found: ``"sympy"`` or ``"rules"``.

    ``use_sympy=None`` uses SymPy when it is installed and falls back to the
    rules; ``False`` never imports it; ``True`` insists (ImportError if absent).
    """
    if use_sympy is not False:
        try:
            text = sympy_derivative(tree, var)
        except ImportError:
            if use_sympy:
                raise
        except (Unsupported, TypeError, ValueError, RecursionError):
            pass
        else:
            return text, "sympy"
    return ast.unparse(differentiate(tree, var)), "rules"


# --- SymPy: built node by node from the checked tree, printed back into the language -----------

@cache
def _kit() -> dict[str, Any]:
    """SymPy and the language's own functions as SymPy Functions (so σ stays σ, stable in both tails)."""
    sp = importlib.import_module("sympy")

    class logistic(sp.Function):  # noqa: N801 - the language's name
        def fdiff(self, argindex: int = 1):
            s = logistic(self.args[0])
            return s * (1 - s)

    class softplus(sp.Function):  # noqa: N801
        def fdiff(self, argindex: int = 1):
            return logistic(self.args[0])

    class log1p(sp.Function):  # noqa: N801
        def fdiff(self, argindex: int = 1):
            return 1 / (1 + self.args[0])

    class expm1(sp.Function):  # noqa: N801
        def fdiff(self, argindex: int = 1):
            return sp.exp(self.args[0])

    functions = {
        "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt, "abs": sp.Abs, "sign": sp.sign, "sin": sp.sin,
        "cos": sp.cos, "tanh": sp.tanh, "sinh": sp.sinh, "cosh": sp.cosh, "arctan": sp.atan,
        "logistic": logistic, "sigmoid": logistic, "softplus": softplus, "log1p": log1p, "expm1": expm1,
        "maximum": sp.Max, "minimum": sp.Min,
    }
    return {"sp": sp, "functions": functions,
            "own": {logistic: "logistic", softplus: "softplus", log1p: "log1p", expm1: "expm1"}}


def to_sympy(node: ast.expr) -> Any:
    """The SymPy expression of a checked tree, node by node (names become real symbols)."""
    kit = _kit()
    sp = kit["sp"]
    if isinstance(node, ast.Constant):
        return sp.Integer(node.value) if isinstance(node.value, int) else sp.Rational(repr(float(node.value)))
    if isinstance(node, ast.Name):
        if node.id == "pi":
            return sp.pi
        if node.id == "e":
            return sp.E
        return sp.Symbol(node.id, real=True)
    if isinstance(node, ast.UnaryOp):
        inner = to_sympy(node.operand)
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp):
        a, b = to_sympy(node.left), to_sympy(node.right)
        ops = {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b,
               ast.Div: lambda: a / b, ast.Pow: lambda: a ** b}
        if type(node.op) in ops:
            return ops[type(node.op)]()
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        rel = {ast.Lt: sp.Lt, ast.LtE: sp.Le, ast.Gt: sp.Gt, ast.GtE: sp.Ge}.get(type(node.ops[0]))
        if rel is not None:
            return rel(to_sympy(node.left), to_sympy(node.comparators[0]))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = [to_sympy(a) for a in node.args]
        if node.func.id == "where":
            return sp.Piecewise((args[1], args[0]), (args[2], True))
        if node.func.id in kit["functions"]:
            return kit["functions"][node.func.id](*args)
    raise Unsupported(f"cannot translate {ast.unparse(node)!r}")


def sympy_derivative(tree: ast.expr, var: str) -> str:
    """Differentiate with SymPy, simplify (when small), print back as formula text."""
    kit = _kit()
    sp = kit["sp"]
    expr = to_sympy(tree)
    raw = sp.diff(expr, sp.Symbol(var, real=True))
    text = to_text(_simplify(sp, raw))
    return ast.unparse(ast.parse(text, mode="eval"))  # drop the printer's spare parentheses


def _simplify(sp: Any, raw: Any) -> Any:
    """Simplify term by term, then the whole when small; keep a form only if shorter and printable."""
    deadline = time.perf_counter() + SIMPLIFY_BUDGET

    def better(old: Any, limit: int) -> Any:
        if time.perf_counter() > deadline or not 3 <= sp.count_ops(old) <= limit:  # < 3: nothing to gain
            return old
        new = sp.simplify(old)
        if sp.count_ops(new) > sp.count_ops(old):
            return old
        try:
            to_text(new)
        except Unsupported:  # e.g. Piecewise((0, Eq(z, 0)), ...) for a sign(z) term
            return old
        return new

    terms = sp.Add.make_args(raw)
    out = sp.Add(*(better(term, SIMPLIFY_MAX_OPS) for term in terms))
    if len(sp.Add.make_args(out)) <= SIMPLIFY_WHOLE_TERMS:
        out = better(out, SIMPLIFY_WHOLE_OPS)
    return out


def to_text(expr: Any) -> str:
    """Formula-language text of a SymPy expression (fully parenthesised); Unsupported otherwise."""
    kit = _kit()
    sp = kit["sp"]
    p = to_text
    if expr is sp.true:
        raise Unsupported("a bare condition")
    if expr.is_Integer:
        return f"({int(expr)})"
    if expr.is_Rational:
        return f"({int(expr.p)}/{int(expr.q)})"
    if expr.is_Float:
        return f"({float(expr)!r})"
    if expr is sp.pi:
        return "pi"
    if expr is sp.E:
        return "e"
    if expr.is_Symbol:
        return expr.name
    if expr.is_Add:  # numbers last, and a − b rather than a + −b
        terms = sorted(expr.args, key=lambda a: (a.is_number, a.could_extract_minus_sign()))
        if terms[0].could_extract_minus_sign() and terms[-1].is_number and not terms[-1].is_negative:
            terms.insert(0, terms.pop())  # 1 − x rather than −x + 1
        out = p(terms[0])
        for term in terms[1:]:
            out += f" - {p(-term)}" if term.could_extract_minus_sign() else f" + {p(term)}"
        return f"({out})"
    if expr.is_Mul:
        coeff, rest = expr.as_coeff_Mul()
        if coeff == -1:
            return f"(-{p(rest)})"
        numer, denom = sp.fraction(expr, exact=True)
        if denom != 1:
            return f"({p(numer)}/{p(denom)})"
        return "(" + "*".join(p(a) for a in expr.args) + ")"
    if expr.is_Pow:
        base, exponent = expr.args
        if base is sp.E:
            return f"exp({p(exponent)})"
        if exponent == sp.Rational(1, 2):
            return f"sqrt({p(base)})"
        if exponent.is_number and exponent.is_negative:
            return f"(1/{p(base ** -exponent)})"
        return f"({p(base)}**{p(exponent)})"
    if isinstance(expr, sp.Piecewise):
        *pieces, (last, cond) = expr.args
        if cond is not sp.true:
            raise Unsupported("a piecewise expression undefined somewhere")
        out = p(last)
        for value, test in reversed(pieces):
            out = f"where({_condition(test)}, {p(value)}, {out})"
        return out
    if isinstance(expr, sp.Heaviside):
        return f"where({p(expr.args[0])} > 0, 1, 0)"
    if isinstance(expr, sp.DiracDelta):
        return "(0)"  # the derivative of a step: zero except at the kink itself
    if isinstance(expr, (sp.Max, sp.Min)):
        name = "maximum" if isinstance(expr, sp.Max) else "minimum"
        out = p(expr.args[0])
        for arg in expr.args[1:]:
            out = f"{name}({out}, {p(arg)})"
        return out
    rewrites = {sp.sech: ("1/cosh", ""), sp.csch: ("1/sinh", ""), sp.tan: ("sin", "/cos"),
                sp.cot: ("cos", "/sin"), sp.sec: ("1/cos", ""), sp.csc: ("1/sin", ""), sp.coth: ("cosh", "/sinh")}
    for cls, (head, tail) in rewrites.items():
        if isinstance(expr, cls):
            arg = p(expr.args[0])
            return f"({head}({arg}){tail + '(' + arg + ')' if tail else ''})"
    names = {sp.exp: "exp", sp.log: "log", sp.Abs: "abs", sp.sign: "sign", sp.sin: "sin", sp.cos: "cos",
             sp.tanh: "tanh", sp.sinh: "sinh", sp.cosh: "cosh", sp.atan: "arctan", **kit["own"]}
    for cls, name in names.items():
        if isinstance(expr, cls) and len(expr.args) == 1:
            return f"{name}({p(expr.args[0])})"
    raise Unsupported(f"{type(expr).__name__} has no word in the formula language")


def _condition(test: Any) -> str:
    sp = _kit()["sp"]
    symbols = {sp.StrictLessThan: "<", sp.LessThan: "<=", sp.StrictGreaterThan: ">", sp.GreaterThan: ">="}
    for cls, sym in symbols.items():
        if isinstance(test, cls):
            return f"{to_text(test.lhs)} {sym} {to_text(test.rhs)}"
    raise Unsupported(f"the condition {test} is not one comparison")
