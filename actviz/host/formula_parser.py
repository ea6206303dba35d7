"""The formula language's words and the checks made before compiling: limits, the whitelist of functions
and constants, :class:`FormulaError`, parsing with :mod:`ast` and bounding the tree, look-alike names,
and which free names a formula's parameters are (with their automatic ranges).

Nothing here evaluates a formula; :mod:`actviz.host.formula_compiler` turns a checked tree into numpy
closures and LaTeX, and :mod:`actviz.host.formulas` is the public entry.
"""

from __future__ import annotations

import ast
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from actviz.numerics import sigmoid, softplus
from actviz.specs import SpecError

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
