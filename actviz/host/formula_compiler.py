"""A checked formula tree compiled to a tree of numpy closures, with its LaTeX.

Why a tree of closures and not ``compile()`` with empty ``__builtins__``:
the evaluator here has one handler per allowed node kind, so what is not
handled cannot run — the whitelist *is* the implementation. ``eval`` with
stripped builtins is a well-known sandbox that is escaped through attribute
chains, and it would leave the safety resting on the checker alone. The
closures are also no slower: every node is one numpy call on the whole array.

On the way the compiler records where the formula may have no value and which expressions switch
(:mod:`actviz.host.formula_gaps` turns those into gaps and kinks).
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from actviz.host import symbolic
from actviz.host.formula_parser import CONSTANTS, FUNCTIONS, MAX_EXPONENT, RESERVED, FormulaError, _parse, _reject

_BINOPS: dict[type, tuple[Callable[[Any, Any], Any], str]] = {
    ast.Add: (np.add, "+"), ast.Sub: (np.subtract, "-"), ast.Mult: (np.multiply, r"\,"),
    ast.Div: (np.divide, "/"), ast.Pow: (np.power, "^"),
}
_COMPARE: dict[type, tuple[Callable[[Any, Any], Any], str]] = {
    ast.Lt: (np.less, "<"), ast.LtE: (np.less_equal, r"\leq"),
    ast.Gt: (np.greater, ">"), ast.GtE: (np.greater_equal, r"\geq"),
}
_GREEK = {"alpha", "beta", "gamma", "delta", "epsilon", "theta", "kappa", "lambda", "mu", "nu", "rho",
          "sigma", "tau", "phi", "psi", "omega"}
_WHAT = {  # how a rejected node is named in the message
    ast.Attribute: "attribute access is", ast.Subscript: "subscripts are", ast.Lambda: "lambdas are",
    ast.ListComp: "comprehensions are", ast.SetComp: "comprehensions are", ast.DictComp: "comprehensions are",
    ast.GeneratorExp: "comprehensions are", ast.NamedExpr: "assignment (:=) is",
    ast.Starred: "starred arguments are", ast.IfExp: "if/else is", ast.BoolOp: "and/or is",
    ast.JoinedStr: "strings are", ast.List: "lists are", ast.Tuple: "tuples are", ast.Set: "sets are",
    ast.Dict: "dicts are", ast.Await: "await is", ast.Yield: "yield is", ast.YieldFrom: "yield is",
    ast.Slice: "slices are",
}


def _contains_pow(node: ast.AST) -> bool:
    return any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Pow) for n in ast.walk(node))


Env = dict  # name → array or float: what an evaluator reads


@dataclass
class _Site:
    """A place where the formula may have no value: ``mask(env)`` is True there; ``words`` says where
    ("for z ≤ 0", "at z = 0")."""

    mask: Callable[[Env], Any]
    words: str


class _Compiler:
    """Walks a checked tree once, returning (evaluator, LaTeX, precedence) per node.

    On the way it records where the formula may be undefined (``sites``) and
    the expressions whose zero is a kink or a domain edge (``critical``).
    """

    def __init__(self, text: str, params: Iterable[str], variables: Iterable[str] = ("z",), shift: int = 0,
                 max_exponent: float = MAX_EXPONENT) -> None:
        self.text = text
        self.params = set(params)
        self.variables = tuple(variables)
        self.shift = shift
        self.max_exponent = max_exponent
        self.sites: list[_Site] = []
        self.critical: list[ast.expr] = []

    def fail(self, node: ast.AST, why: str) -> FormulaError:
        return _reject(node, self.text, why, self.shift)

    def segment(self, node: ast.AST) -> str:
        return ast.get_source_segment(self.text, node) or ast.unparse(node)

    def site(self, mask: Callable[[Env], Any], words: str) -> None:
        self.sites.append(_Site(mask, words))

    def build(self, node: ast.AST, in_where_test: bool = False):
        if isinstance(node, ast.Constant):
            return self.constant(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            if not isinstance(node.op, (ast.UAdd, ast.USub)):
                raise self.fail(node, f"the operator {type(node.op).__name__} is not allowed; use + - * / **")
            f, tex, _ = self.build(node.operand)
            if isinstance(node.op, ast.UAdd):
                return f, tex, 3
            return (lambda env, f=f: np.negative(f(env))), f"-{self.paren(tex, _, 3)}", 3
        if isinstance(node, ast.BinOp):
            return self.binop(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, ast.Compare):
            if not in_where_test:
                raise self.fail(node, "comparisons are only allowed as the first argument of where(a < b, x, y)")
            return self.compare(node)
        what = _WHAT.get(type(node), f"{type(node).__name__} is")
        hint = "; use where(a < b, x, y)" if isinstance(node, ast.IfExp) else ""
        raise self.fail(node, f"{what} not allowed in a formula{hint}")

    @staticmethod
    def paren(tex: str, prec: int, need: int) -> str:
        return rf"\left({tex}\right)" if prec < need else tex

    def constant(self, node: ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            kind = {str: "strings", bytes: "bytes"}.get(type(value), f"{type(value).__name__} constants")
            raise self.fail(node, f"{kind} are not allowed in a formula; use numbers")
        try:
            number = float(value)
        except OverflowError:
            raise self.fail(node, "the number is too large for a float") from None
        if not math.isfinite(number):
            raise self.fail(node, "the number is too large for a float")
        text = f"{number:g}"
        if "e" in text:
            mantissa, exponent = text.split("e")
            text = rf"{mantissa}\times10^{{{int(exponent)}}}"
        return (lambda env, c=number: c), text, 5

    def name(self, node: ast.Name):
        n = node.id
        if n in self.variables or n in self.params:
            return (lambda env, n=n: env[n]), _name_tex(n), 5
        if n in CONSTANTS:
            return (lambda env, c=CONSTANTS[n]: c), (r"\pi" if n == "pi" else "e"), 5
        if n in FUNCTIONS:
            raise self.fail(node, f"{n} is a function; call it as {n}(...)")
        variables = " and ".join(self.variables)
        if n in RESERVED:
            raise self.fail(node, f"unknown name {n!r}; this formula is written in {variables}")
        declared = ", ".join(sorted(self.params)) or "none declared"
        raise self.fail(node, f"unknown name {n!r}; use {variables}, pi, e and parameters ({declared})")

    def binop(self, node: ast.BinOp):
        op = type(node.op)
        if op not in _BINOPS:
            raise self.fail(node, f"the operator {op.__name__} is not allowed; use + - * / **")
        fn, sym = _BINOPS[op]
        if op is ast.Pow:
            if _contains_pow(node.right):
                raise self.fail(node, "power towers like a**b**c are not allowed; the exponent may not contain **")
            for n in ast.walk(node.right):
                if isinstance(n, ast.Constant) and isinstance(n.value, (int, float)) \
                        and not isinstance(n.value, bool) and abs(n.value) > self.max_exponent:
                    raise self.fail(node, f"exponents larger than {MAX_EXPONENT:g} in magnitude are not allowed")
        lf, ltex, lp = self.build(node.left)
        rf, rtex, rp = self.build(node.right)
        if op is ast.Div:
            self.site(lambda env: np.equal(rf(env), 0), f"at {self.segment(node.right)} = 0")
            self.critical.append(node.right)
        elif op is ast.Pow:
            self.power_sites(node, lf, rf)

        def run(env, fn=fn, lf=lf, rf=rf):
            return fn(lf(env), rf(env))

        if op is ast.Pow:
            return run, f"{{{self.paren(ltex, lp, 5)}}}^{{{rtex}}}", 4
        if op is ast.Div:
            return run, rf"\frac{{{ltex}}}{{{rtex}}}", 5
        prec = 1 if op in (ast.Add, ast.Sub) else 2
        right_need = prec + 1 if op is ast.Sub else prec
        right = self.paren(rtex, rp, right_need)
        if op is ast.Mult and right[:1].isdigit():
            sym = r"\cdot "
        return run, f"{self.paren(ltex, lp, prec)}{sym}{right}", prec

    def power_sites(self, node: ast.BinOp, lf, rf) -> None:
        """a**b has no real value for a < 0 and b not an integer, nor for a = 0 and b < 0."""
        base = self.segment(node.left)
        n = symbolic._value(node.right)
        if n is not None and n.is_integer() and n >= 0:
            return
        if n is not None and n.is_integer():
            words = f"at {base} = 0"
        elif n is not None and n > 0:
            words = f"for {base} < 0"
        else:
            words = f"for {base} ≤ 0" if n is not None else f"for {base} < 0"

        def mask(env):
            a, b = lf(env), rf(env)
            return (np.less(a, 0) & np.not_equal(np.floor(b), b)) | (np.equal(a, 0) & np.less(b, 0))

        self.site(mask, words)
        self.critical.append(node.left)

    def compare(self, node: ast.Compare):
        if len(node.ops) != 1 or type(node.ops[0]) not in _COMPARE:
            raise self.fail(node, "a condition is one comparison with <, <=, > or >=")
        fn, sym = _COMPARE[type(node.ops[0])]
        lf, ltex, _ = self.build(node.left)
        rf, rtex, _ = self.build(node.comparators[0])
        return (lambda env: fn(lf(env), rf(env))), f"{ltex} {sym} {rtex}", 0

    def call(self, node: ast.Call):
        if not isinstance(node.func, ast.Name):
            raise self.fail(node.func, "only the listed functions can be called, by name"
                            + (" (attribute access is not allowed)" if isinstance(node.func, ast.Attribute) else ""))
        name = node.func.id
        if name not in FUNCTIONS:
            allowed = ", ".join(sorted(FUNCTIONS))
            raise self.fail(node, f"{name!r} is not an allowed function; allowed: {allowed}")
        if node.keywords:
            raise self.fail(node, "keyword arguments are not allowed")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.fail(arg, "starred arguments are not allowed")
        fn, arity, template = FUNCTIONS[name]
        if len(node.args) != arity:
            raise self.fail(node, f"{name}() takes {arity} argument{'s' if arity > 1 else ''}, "
                                  f"got {len(node.args)}")
        if name == "where" and not isinstance(node.args[0], ast.Compare):
            raise self.fail(node.args[0], "where() needs a comparison first: where(a < b, x, y)")
        parts = [self.build(arg, in_where_test=(name == "where" and i == 0)) for i, arg in enumerate(node.args)]
        fs = [p[0] for p in parts]
        self.call_sites(name, node, fs)
        tex = template(*(p[1] for p in parts))
        if arity == 1:
            f0 = fs[0]
            return (lambda env: fn(f0(env))), tex, 5
        return (lambda env: fn(*(f(env) for f in fs))), tex, 5


    def call_sites(self, name: str, node: ast.Call, fs: list) -> None:
        """Record where ``name(...)`` is undefined (log, sqrt, log1p) or switches (where, maximum, abs, sign)."""
        args = node.args
        if name in ("log", "sqrt", "log1p"):
            f0, arg = fs[0], self.segment(args[0])
            edge = {"log": (np.less_equal, 0, "≤ 0"), "sqrt": (np.less, 0, "< 0"),
                    "log1p": (np.less_equal, -1, "≤ −1")}[name]
            self.site(lambda env: edge[0](f0(env), edge[1]), f"for {arg} {edge[2]}")
            self.critical.append(args[0] if name != "log1p" else ast.BinOp(args[0], ast.Add(), ast.Constant(1)))
        elif name == "where":
            test = args[0]
            self.critical.append(ast.BinOp(test.left, ast.Sub(), test.comparators[0]))
        elif name in ("maximum", "minimum"):
            self.critical.append(ast.BinOp(args[0], ast.Sub(), args[1]))
        elif name in ("abs", "sign"):
            self.critical.append(args[0])


def _name_tex(n: str) -> str:
    """z, y, t and one-letter parameters in italics; Greek names as letters; longer names upright."""
    if len(n) == 1:
        return n
    return rf"\{n}" if n in _GREEK else rf"\mathrm{{{n}}}".replace("_", r"\_")


def _compile(text: str, params: Iterable[str], variables: Iterable[str],
             limits: tuple[int, int, int, float] | None = None) -> tuple[Callable[[Env], Any], str, _Compiler]:
    tree, stripped, shift = _parse(text, limits)
    compiler = _Compiler(stripped, params, variables, shift, limits[3] if limits else MAX_EXPONENT)
    evaluator, tex, _ = compiler.build(tree)
    return evaluator, tex, compiler
