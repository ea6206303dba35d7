"""User formulas: a whitelisted arithmetic language compiled to vectorised numpy functions.

``compile_formula("a * z * logistic(b * z)")`` returns an
:class:`~actviz.specs.Activation` with parameters ``a`` and ``b`` (every free
name is one), an exact derivative (:mod:`actviz.host.symbolic`, compiled back
through this same whitelist), ``kinks`` where a ``where``/``maximum``/``abs``
switches and ``undefined`` where ``log``, ``sqrt``, a division or a power has
no value (a gap in the plots, said in words in the notes).
``compile_formula("(y - t)**2 / 2", kind="loss")`` gives a
:class:`~actviz.specs.Loss` E(y, t) with ∂E/∂y. The text is parsed with
:mod:`ast` and checked node by node against a whitelist; nothing of it is
ever executed by Python.

Why a tree of closures and not ``compile()`` with empty ``__builtins__``:
the evaluator here has one handler per allowed node kind, so what is not
handled cannot run — the whitelist *is* the implementation. ``eval`` with
stripped builtins is a well-known sandbox that is escaped through attribute
chains, and it would leave the safety resting on the checker alone. The
closures are also no slower: every node is one numpy call on the whole array.

Allowed: numbers, the variable (``z``; ``y`` and ``t`` in a loss), parameters
(any other plain name), ``pi`` and ``e``, ``+ - * / **``, unary ``+ -``,
parentheses, the functions in :data:`FUNCTIONS`, and ``where(a < b, x, y)``
(a comparison is allowed only as the first argument of ``where``).
"""

from __future__ import annotations

import ast
import dataclasses
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

import actviz
from actviz.host import symbolic
from actviz.numerics import sigmoid, softplus
from actviz.specs import Activation, Loss, Param, SpecError, validate_spec

MAX_LENGTH = 500        #: characters of formula text
MAX_DEPTH = 32          #: nesting of the syntax tree
MAX_NODES = 400         #: size of the syntax tree
MAX_EXPONENT = 1000.0   #: largest |constant| allowed in an exponent
#: a derivative is longer than its formula: it is checked with these (looser) bounds
DERIVATIVE_LIMITS = (MAX_LENGTH * 8, MAX_DEPTH * 2, MAX_NODES * 8, MAX_EXPONENT + 1)
#: the variables of each kind of formula; every other plain name is a parameter
VARIABLES = {"activation": ("z",), "loss": ("y", "t")}
#: names that are never parameters: the variables of either kind, and x (the variable is z)
RESERVED = ("x", "y", "z", "t")
#: an automatic parameter's (default, low, high); [0.1, 5] when it divides or sits inside log/sqrt
AUTO_RANGE, POSITIVE_RANGE = (1.0, -5.0, 5.0), (1.0, 0.1, 5.0)

Array = np.ndarray


class FormulaError(SpecError):
    """The formula is not allowed or does not parse; ``str()`` says why and where.

    ``column`` is the 1-based character the problem starts at (None when the
    whole formula is at fault), so an editor can point at it.
    """

    def __init__(self, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.column = column


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
    "sign": (np.sign, 1, _tex(r"\mathrm{sign}\left(@0\right)")),
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


def _reject(node: ast.AST | None, text: str, why: str, shift: int = 0) -> FormulaError:
    """The error for ``node``: the reason, the offending text and its column in what the user typed."""
    where = ast.get_source_segment(text, node) if node is not None else None
    column = getattr(node, "col_offset", None)
    column = None if column is None else column + 1 + shift
    detail = ", ".join(x for x in (repr(where) if where else "", f"column {column}" if column else "") if x)
    return FormulaError(f"{why}" + (f" (at {detail})" if detail else ""), column)


def _check_size(tree: ast.AST, text: str, depth_limit: int = MAX_DEPTH, node_limit: int = MAX_NODES) -> None:
    """Bound depth and size before anything recursive looks at the tree."""
    stack = [(tree, 1)]
    count = 0
    while stack:
        node, depth = stack.pop()
        count += 1
        if depth > depth_limit:
            raise FormulaError(f"the formula is nested deeper than {depth_limit} levels")
        if count > node_limit:
            raise FormulaError(f"the formula has more than {node_limit} parts")
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


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


def _parse(text: Any, limits: tuple[int, int, int, float] | None = None) -> tuple[ast.expr, str, int]:
    """Check size and syntax: (tree, stripped text, columns stripped on the left). Raises FormulaError."""
    length, depth, nodes, _ = limits or (MAX_LENGTH, MAX_DEPTH, MAX_NODES, MAX_EXPONENT)
    if not isinstance(text, str):
        raise FormulaError(f"a formula is text, got {type(text).__name__}")
    if len(text) > length:
        raise FormulaError(f"the formula is longer than {length} characters")
    if not text.strip():
        raise FormulaError("the formula is empty")
    stripped, shift = text.strip(), len(text) - len(text.lstrip())
    try:
        tree = ast.parse(stripped, mode="eval")
    except SyntaxError as exc:
        column = (exc.offset or len(stripped) + 1) + shift  # offset 0: the text ended too soon
        raise FormulaError(f"the formula does not parse: {exc.msg}"
                           + f" (at column {column})", column) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise FormulaError(f"the formula does not parse: {type(exc).__name__}") from None
    _check_size(tree, stripped, depth, nodes)
    return tree.body, stripped, shift


def _compile(text: str, params: Iterable[str], variables: Iterable[str],
             limits: tuple[int, int, int, float] | None = None) -> tuple[Callable[[Env], Any], str, _Compiler]:
    tree, stripped, shift = _parse(text, limits)
    compiler = _Compiler(stripped, params, variables, shift, limits[3] if limits else MAX_EXPONENT)
    evaluator, tex, _ = compiler.build(tree)
    return evaluator, tex, compiler


def parse_formula(text: str, params: Iterable[str] = (), variables: Iterable[str] = ("z",)
                  ) -> tuple[Callable[[dict], Any], str]:
    """Check ``text`` and return (evaluator of an environment dict, LaTeX). Raises :class:`FormulaError`."""
    evaluator, tex, _ = _compile(text, params, variables)
    return evaluator, tex


def free_names(text: str, kind: str = "activation") -> list[str]:
    """The parameters ``text`` uses, in order of appearance: every plain name that is not a variable,
    constant or function (reserved and private names are left for the compiler to refuse)."""
    tree, _, _ = _parse(text)
    called = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    names = sorted((n for n in ast.walk(tree) if isinstance(n, ast.Name) and id(n) not in called),
                   key=lambda n: n.col_offset)
    skip = set(VARIABLES.get(kind, ())) | set(RESERVED) | set(CONSTANTS) | set(FUNCTIONS)
    return list(dict.fromkeys(n.id for n in names if n.id not in skip and not n.id.startswith("_")))


def auto_params(text: str, kind: str = "activation") -> dict[str, tuple[float, float, float]]:
    """Each free name as a parameter: default 1 in [−5, 5], or in [0.1, 5] when it divides or is inside
    log/sqrt (where 0 or a negative value would leave nothing to draw)."""
    tree, _, _ = _parse(text)
    positive: set[str] = set()
    for node in ast.walk(tree):
        inside = []
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            inside = [node.right]
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("log", "sqrt"):
            inside = node.args
        positive.update(n.id for part in inside for n in ast.walk(part) if isinstance(n, ast.Name))
    return {name: POSITIVE_RANGE if name in positive else AUTO_RANGE for name in free_names(text, kind)}


def _variables(kind: str) -> tuple[str, ...]:
    if kind not in VARIABLES:
        raise FormulaError(f"a formula is an 'activation' or a 'loss', not {kind!r}")
    return VARIABLES[kind]


def derive(text: str, kind: str = "activation", *, use_sympy: bool | None = None) -> tuple[str, str]:
    """The exact derivative of a formula (∂/∂z, or ∂E/∂y for a loss) as formula text, and how it was
    found ("sympy" or "rules"). The formula is fully checked first; the result compiles."""
    variables = _variables(kind)
    tree, _, _ = _parse(text)
    names = free_names(text, kind)
    _compile(text, names, variables)  # refuse what is not allowed before anything looks at it
    found, how = symbolic.derivative_text(tree, variables[0], use_sympy=use_sympy)
    try:
        _compile(found, names, variables, DERIVATIVE_LIMITS)
    except FormulaError:
        if how == "rules":
            raise
        found, how = ast.unparse(symbolic.differentiate(tree, variables[0])), "rules"
        _compile(found, names, variables, DERIVATIVE_LIMITS)
    return found, how


def _check_params(params: Mapping[str, tuple[float, float, float]], variables: Iterable[str] = ("z",)
                  ) -> tuple[Param, ...]:
    out = []
    for name, bounds in params.items():
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            raise FormulaError(f"parameter name {name!r} is not a plain identifier")
        if name in variables or name in RESERVED or name in FUNCTIONS or name in CONSTANTS:
            raise FormulaError(f"parameter name {name!r} is taken by the formula language")
        try:
            default, low, high = (float(v) for v in bounds)
        except (TypeError, ValueError):
            raise FormulaError(f"parameter {name!r} needs (default, low, high) numbers") from None
        out.append(Param(name, default, low, high))
    return tuple(out)


def _vectorised(evaluator: Callable[[Env], Any], defaults: dict[str, float], variables: tuple[str, ...]
                ) -> Callable[..., Any]:
    """``f(x, *others, **params)``: the evaluator on arrays, silent where numpy would warn."""
    def function(x, *others, **values):
        x = np.asarray(x, dtype=float)
        env = {**defaults, **values, variables[0]: x}
        env.update((n, np.asarray(v, dtype=float)) for n, v in zip(variables[1:], others, strict=False))
        with np.errstate(all="ignore"):
            out = np.asarray(evaluator(env), dtype=float)
        return np.array(np.broadcast_to(out, np.broadcast_shapes(out.shape, x.shape)), dtype=float)
    return function


@dataclass
class _Parts:
    """What compiling one formula yields besides the function: gaps, their words, kinks."""

    sites: list[_Site] = field(default_factory=list)
    kinks: list[tuple[Callable[[Env], Any], Callable[[Env], Any]]] = field(default_factory=list)


def _parts(compiler: _Compiler, names: Iterable[str], variables: tuple[str, ...]) -> _Parts:
    """The kinks: zeros of the recorded switch/edge expressions that are affine in the variable."""
    parts = _Parts(list(compiler.sites))
    var = variables[0]
    for g in compiler.critical:
        if not symbolic._uses(g, var):
            continue
        try:
            slope = symbolic.differentiate(g, var)
        except symbolic.Unsupported:
            continue
        if symbolic._uses(slope, var):
            continue  # not a straight line in the variable: its zeros are left to the derivative check
        sub = _Compiler(compiler.text, names, variables, max_exponent=DERIVATIVE_LIMITS[3])
        parts.kinks.append((sub.build(g)[0], sub.build(slope)[0]))
    return parts


def _env(defaults: dict[str, float], variables: tuple[str, ...], x: Any, others: tuple, values: dict) -> Env:
    env = {**defaults, **values, variables[0]: x}
    env.update((n, np.asarray(v, dtype=float)) for n, v in zip(variables[1:], others, strict=False))
    return env


def _undefined(parts: _Parts, evaluator, defaults, variables) -> Callable[..., Any] | None:
    """Where a recorded site has no value *and* the formula's value is not finite (a where() may guard it)."""
    if not parts.sites:
        return None

    def undefined(x, *others, **values):
        x = np.asarray(x, dtype=float)
        env = _env(defaults, variables, x, others, values)
        with np.errstate(all="ignore"):
            mask = np.zeros(x.shape, dtype=bool)
            for site in parts.sites:
                mask = mask | np.broadcast_to(np.asarray(site.mask(env), dtype=bool), x.shape)
            value = np.broadcast_to(np.asarray(evaluator(env), dtype=float), x.shape)
        return mask & ~np.isfinite(value)
    return undefined


def _kinks(parts: _Parts, defaults, variables) -> Callable[..., Any] | None:
    if not parts.kinks:
        return None

    def kinks(*others, **values):
        env = _env(defaults, variables, 0.0, others, values)
        out = set()
        with np.errstate(all="ignore"):
            for g, slope in parts.kinks:
                g0, s = float(np.asarray(g(env)).mean()), float(np.asarray(slope(env)).mean())
                if s != 0 and math.isfinite(g0 / s):
                    out.add(-g0 / s + 0.0)  # + 0.0: no −0
        return sorted(out)
    return kinks


def gap_words(spec: Activation | Loss) -> str:
    """The gaps in words, at the default parameters: "undefined for z ≤ 0", or "" when there are none.

    Each recorded site is named only if it really leaves a gap somewhere in
    [−10, 10] (or (0, 1) for a probability loss), so a guarded log says nothing.
    """
    sites: list[_Site] = getattr(spec.function, "_sites", [])
    if not sites or spec.undefined is None:
        return ""
    loss = isinstance(spec, Loss)
    x = np.linspace(1e-6, 1 - 1e-6, 2001) if loss and spec.domain == "probability" else np.linspace(-10, 10, 2001)
    others = (spec.target.default,) if loss else ()
    gaps = spec.undefined(x, *others, **spec.defaults)
    env = _env(spec.defaults, VARIABLES[spec.kind], x, others, {})
    said = []
    with np.errstate(all="ignore"):
        for site in sites:
            if (gaps & np.broadcast_to(np.asarray(site.mask(env), dtype=bool), x.shape)).any():
                said.append(site.words)
    return "undefined " + " and ".join(dict.fromkeys(said)) if said else ""


def _check_lookalikes(text: str, variables: tuple[str, ...] | Iterable[str]) -> None:
    """Refuse a name that Python would silently read as another: "ℯ" is the constant e, "𝑧" is z."""
    if not isinstance(text, str):
        return  # the compiler says what is wrong with it
    variables = set(variables)
    for match in re.finditer(r"[^\W\d]\w*", text):
        word = match.group()
        normal = unicodedata.normalize("NFKC", word)
        if normal != word and (normal in CONSTANTS or normal in FUNCTIONS or normal in variables):
            what = "constant" if normal in CONSTANTS else "variable" if normal in variables else "function"
            raise FormulaError(f"{word!r} (column {match.start() + 1}) reads as the {what} {normal!r}; "
                               "use another name for a parameter")


def compile_formula(text: str, params: Mapping[str, tuple[float, float, float]] | None = None, *,
                    name: str = "my_function", label: str | None = None, kind: Literal["activation", "loss"]
                    = "activation", derivative: str | None = None, domain: str = "real",
                    target: tuple[float, float, float] = (1.0, -3.0, 3.0)) -> Activation | Loss:
    """A user formula as an Activation f(z) or a Loss E(y, t), with its exact derivative.

    ``params`` maps parameter names to ``(default, low, high)``; every other
    free name becomes a parameter by :func:`auto_params`. ``derivative`` is
    the derivative's text when already known (stored with the formula, so
    SymPy is not needed again); it goes through the same checks. ``domain``
    and ``target`` (default, low, high) are a loss's. Raises
    :class:`FormulaError` naming the construct that is not allowed; nothing
    in ``text`` runs here: evaluation happens when the function is called.
    """
    variables = _variables(kind)
    _check_lookalikes(text, variables)
    # Python reads identifiers in NFKC form ("µ" MICRO SIGN is "μ" GREEK MU): name parameters the same way
    given = {unicodedata.normalize("NFKC", str(k)): v for k, v in (params or {}).items()}
    merged = {**auto_params(text, kind), **given}
    declared = _check_params(merged, variables)
    names = [p.name for p in declared]
    evaluator, tex, compiler = _compile(text, names, variables)
    how = "stored"
    if derivative is None:
        derivative, how = derive(text, kind)
    try:
        slope, slope_tex, _ = _compile(derivative, names, variables, DERIVATIVE_LIMITS)
    except FormulaError as exc:
        raise FormulaError(f"the derivative {derivative!r:.80}: {exc}") from None
    defaults = {p.name: p.default for p in declared}
    parts = _parts(compiler, names, variables)
    function = _vectorised(evaluator, defaults, variables)
    function._sites = parts.sites  # type: ignore[attr-defined] - read by gap_words
    common = dict(name=name, label=label or name, function=function, params=declared,
                  kinks=_kinks(parts, defaults, variables),
                  undefined=_undefined(parts, evaluator, defaults, variables))
    by = {"sympy": "exact, by SymPy", "rules": "exact", "stored": "exact"}[how]
    if kind == "loss":
        try:
            t = Param("t", *(float(v) for v in target), label="target t")
        except (TypeError, ValueError):
            raise FormulaError("the target needs (default, low, high) numbers") from None
        spec: Activation | Loss = Loss(
            formula=f"E(y,t)={tex}", gradient=_vectorised(slope, defaults, variables),
            gradient_formula=rf"\frac{{\partial E}}{{\partial y}}={slope_tex}", domain=domain, target=t,
            notes=f"Your formula: E(y, t) = {text.strip()}\n∂E/∂y = {derivative} ({by})", **common)
    else:
        spec = Activation(formula=f"f(z)={tex}", derivative=_vectorised(slope, defaults, variables),
                          derivative_formula=f"f'(z)={slope_tex}",
                          notes=f"Your formula: f(z) = {text.strip()}\nf′(z) = {derivative} ({by})", **common)
    try:
        validate_spec(spec)
    except SpecError as exc:
        raise FormulaError(str(exc)) from None
    words = gap_words(spec)
    if words:
        spec = dataclasses.replace(spec, notes=f"{words[0].upper()}{words[1:]}: left as a gap.\n{spec.notes}")
    return spec


class _FormulaPlugin:
    def __init__(self, specs: list[Activation | Loss]) -> None:
        self.specs = specs

    @actviz.hookimpl
    def actviz_activations(self):
        return [s for s in self.specs if isinstance(s, Activation)]

    @actviz.hookimpl
    def actviz_losses(self):
        return [s for s in self.specs if isinstance(s, Loss)]


def formula_plugin(formulas: Mapping[str, Any] | Iterable[Activation | Loss]) -> object:
    """A plugin object offering user formulas; register it as ``("my_functions", plugin)``.

    ``formulas`` is either compiled specs or a mapping name → text,
    name → (text, params) or name → (text, params, options) with options the
    keywords of :func:`compile_formula` (label, kind, derivative, domain,
    target). Each is compiled here, so a bad one raises :class:`FormulaError`
    (prefixed with its name) before anything loads::

        load_registry(extra=[("my_functions", formula_plugin({"swish": ("z*logistic(b*z)", {"b": (1, 0, 5)})}))])
    """
    specs: list[Activation | Loss] = []
    if isinstance(formulas, Mapping):
        for name, entry in formulas.items():
            text, params, options = (entry, {}, {}) if isinstance(entry, str) else (*entry, {})[:3]
            try:
                specs.append(compile_formula(text, params, name=name, **dict(options)))
            except FormulaError as exc:
                raise FormulaError(f"{name}: {exc}", exc.column) from None
    else:
        specs = list(formulas)
    return _FormulaPlugin(specs)
