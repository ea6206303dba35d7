"""User formulas: a whitelisted arithmetic language compiled to a vectorised numpy function.

``compile_formula("z * logistic(beta * z)", {"beta": (1.0, 0.0, 5.0)})``
returns an :class:`~actviz.specs.Activation` whose derivative the registry
computes numerically and whose function the registry probes like any
plugin's. The text is parsed with :mod:`ast` and checked node by node
against a whitelist; nothing of it is ever executed by Python.

Why a tree of closures and not ``compile()`` with empty ``__builtins__``:
the evaluator here has one handler per allowed node kind, so what is not
handled cannot run — the whitelist *is* the implementation. ``eval`` with
stripped builtins is a well-known sandbox that is escaped through attribute
chains, and it would leave the safety resting on the checker alone. The
closures are also no slower: every node is one numpy call on the whole array.

Allowed: numbers, ``z``, the declared parameters, ``pi`` and ``e``,
``+ - * / **``, unary ``+ -``, parentheses, the functions in
:data:`FUNCTIONS`, and ``where(a < b, x, y)`` (a comparison is allowed only
as the first argument of ``where``).
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

import actviz
from actviz.numerics import sigmoid, softplus
from actviz.specs import Activation, Param, SpecError, validate_spec

MAX_LENGTH = 500        #: characters of formula text
MAX_DEPTH = 32          #: nesting of the syntax tree
MAX_NODES = 400         #: size of the syntax tree
MAX_EXPONENT = 1000.0   #: largest |constant| allowed in an exponent

Array = np.ndarray


class FormulaError(SpecError):
    """The formula is not allowed or does not parse; ``str()`` says why and where."""


def _tex(template: str) -> Callable[..., str]:
    """A LaTeX builder from a template with @0, @1, @2 for the arguments (braces stay literal)."""
    def build(*args: str) -> str:
        out = template
        for i, a in enumerate(args):
            out = out.replace(f"@{i}", a)
        return out
    return build


_CASES = r"\left\{\genfrac{}{}{0}{}{@1 \quad @0}{@2 \quad \mathrm{otherwise}}\right."

#: name → (numpy implementation, number of arguments, LaTeX builder)
FUNCTIONS: dict[str, tuple[Callable[..., Any], int, Callable[..., str]]] = {
    "exp": (np.exp, 1, _tex(r"e^{@0}")),
    "log": (np.log, 1, _tex(r"\ln\left(@0\right)")),
    "log1p": (np.log1p, 1, _tex(r"\ln\left(1+@0\right)")),
    "expm1": (np.expm1, 1, _tex(r"\left(e^{@0}-1\right)")),
    "sqrt": (np.sqrt, 1, _tex(r"\sqrt{@0}")),
    "abs": (np.abs, 1, _tex(r"\left|@0\right|")),
    "sin": (np.sin, 1, _tex(r"\sin\left(@0\right)")),
    "cos": (np.cos, 1, _tex(r"\cos\left(@0\right)")),
    "tanh": (np.tanh, 1, _tex(r"\tanh\left(@0\right)")),
    "sinh": (np.sinh, 1, _tex(r"\sinh\left(@0\right)")),
    "cosh": (np.cosh, 1, _tex(r"\cosh\left(@0\right)")),
    "arctan": (np.arctan, 1, _tex(r"\arctan\left(@0\right)")),
    "logistic": (sigmoid, 1, _tex(r"\sigma\left(@0\right)")),
    "sigmoid": (sigmoid, 1, _tex(r"\sigma\left(@0\right)")),
    "softplus": (softplus, 1, _tex(r"\mathrm{softplus}\left(@0\right)")),
    "maximum": (np.maximum, 2, _tex(r"\max\left(@0,\ @1\right)")),
    "minimum": (np.minimum, 2, _tex(r"\min\left(@0,\ @1\right)")),
    "where": (np.where, 3, _tex(_CASES)),
}
CONSTANTS = {"pi": math.pi, "e": math.e}
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


def _reject(node: ast.AST | None, text: str, why: str) -> FormulaError:
    where = ast.get_source_segment(text, node) if node is not None else None
    return FormulaError(f"{why}" + (f" (at {where!r})" if where else ""))


def _check_size(tree: ast.AST, text: str) -> None:
    """Bound depth and size before anything recursive looks at the tree."""
    stack = [(tree, 1)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if depth > MAX_DEPTH:
            raise FormulaError(f"the formula is nested deeper than {MAX_DEPTH} levels")
        if count > MAX_NODES:
            raise FormulaError(f"the formula has more than {MAX_NODES} parts")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _contains_pow(node: ast.AST) -> bool:
    return any(isinstance(n, ast.BinOp) and isinstance(n.op, ast.Pow) for n in ast.walk(node))


class _Compiler:
    """Walks a checked tree once, returning (evaluator, LaTeX, precedence) per node."""

    def __init__(self, text: str, params: Iterable[str]) -> None:
        self.text = text
        self.params = set(params)

    def fail(self, node: ast.AST, why: str) -> FormulaError:
        return _reject(node, self.text, why)

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
        if n == "z" or n in self.params:
            tex = "z" if n == "z" else (rf"\{n}" if n in _GREEK else rf"\mathrm{{{n}}}".replace("_", r"\_"))
            return (lambda env, n=n: env[n]), tex, 5
        if n in CONSTANTS:
            return (lambda env, c=CONSTANTS[n]: c), (r"\pi" if n == "pi" else "e"), 5
        if n in FUNCTIONS:
            raise self.fail(node, f"{n} is a function; call it as {n}(...)")
        declared = ", ".join(sorted(self.params)) or "none declared"
        raise self.fail(node, f"unknown name {n!r}; use z, pi, e and the declared parameters ({declared})")

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
                        and not isinstance(n.value, bool) and abs(n.value) > MAX_EXPONENT:
                    raise self.fail(node, f"exponents larger than {MAX_EXPONENT:g} in magnitude are not allowed")
        lf, ltex, lp = self.build(node.left)
        rf, rtex, rp = self.build(node.right)

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
        tex = template(*(p[1] for p in parts))
        if arity == 1:
            f0 = fs[0]
            return (lambda env: fn(f0(env))), tex, 5
        return (lambda env: fn(*(f(env) for f in fs))), tex, 5


def parse_formula(text: str, params: Iterable[str] = ()) -> tuple[Callable[[dict], Any], str]:
    """Check ``text`` and return (evaluator of an environment dict, LaTeX). Raises :class:`FormulaError`."""
    if not isinstance(text, str):
        raise FormulaError(f"a formula is text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"the formula is longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise FormulaError("the formula is empty")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"the formula does not parse: {exc.msg}"
                           + (f" (column {exc.offset})" if exc.offset else "")) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise FormulaError(f"the formula does not parse: {type(exc).__name__}") from None
    _check_size(tree, text)
    evaluator, tex, _ = _Compiler(text.strip(), params).build(tree.body)
    return evaluator, tex


def _check_params(params: Mapping[str, tuple[float, float, float]]) -> tuple[Param, ...]:
    out = []
    for name, bounds in params.items():
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            raise FormulaError(f"parameter name {name!r} is not a plain identifier")
        if name == "z" or name in FUNCTIONS or name in CONSTANTS:
            raise FormulaError(f"parameter name {name!r} is taken by the formula language")
        try:
            default, low, high = (float(v) for v in bounds)
        except (TypeError, ValueError):
            raise FormulaError(f"parameter {name!r} needs (default, low, high) numbers") from None
        out.append(Param(name, default, low, high))
    return tuple(out)


def compile_formula(text: str, params: Mapping[str, tuple[float, float, float]] | None = None, *,
                    name: str = "my_function", label: str | None = None) -> Activation:
    """A user formula in ``z`` as an Activation (numerical derivative, supplied by the registry).

    ``params`` maps each parameter name to ``(default, low, high)``. Raises
    :class:`FormulaError` naming the construct that is not allowed; nothing
    in ``text`` runs before it has been checked, and nothing runs at all
    here: evaluation happens when the returned function is called.
    """
    params = dict(params or {})
    declared = _check_params(params)
    evaluator, tex = parse_formula(text, params)
    defaults = {p.name: p.default for p in declared}

    def function(z, **values):
        z = np.asarray(z, dtype=float)
        env = {**defaults, **values, "z": z}
        with np.errstate(all="ignore"):
            out = np.asarray(evaluator(env), dtype=float)
        return np.array(np.broadcast_to(out, z.shape), dtype=float)

    spec = Activation(name=name, label=label or text.strip(), formula=f"f(z)={tex}", function=function,
                      derivative=None, params=declared, notes=f"Your formula: {text.strip()}")
    try:
        validate_spec(spec)
    except SpecError as exc:
        raise FormulaError(str(exc)) from None
    return spec


class _FormulaPlugin:
    def __init__(self, specs: list[Activation]) -> None:
        self.specs = specs

    @actviz.hookimpl
    def actviz_activations(self):
        return list(self.specs)


def formula_plugin(formulas: Mapping[str, Any] | Iterable[Activation]) -> object:
    """A plugin object offering user formulas; register it as ``("my_functions", plugin)``.

    ``formulas`` is either compiled Activations or a mapping name → text or
    name → (text, params). Each is compiled here, so a bad one raises
    :class:`FormulaError` (prefixed with its name) before anything loads::

        load_registry(extra=[("my_functions", formula_plugin({"swish": ("z*logistic(b*z)", {"b": (1, 0, 5)})}))])
    """
    specs: list[Activation] = []
    if isinstance(formulas, Mapping):
        for name, entry in formulas.items():
            text, params = (entry, {}) if isinstance(entry, str) else entry
            try:
                specs.append(compile_formula(text, params, name=name))
            except FormulaError as exc:
                raise FormulaError(f"{name}: {exc}") from None
    else:
        specs = list(formulas)
    return _FormulaPlugin(specs)
