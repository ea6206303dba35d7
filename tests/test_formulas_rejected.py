"""User formulas that are refused: the attack list is rejected with a reason and runs nothing; bad
parameters, unknown or lookalike names and huge numbers are refused, each error pointing at its column."""

from __future__ import annotations

import sys

import pytest

from actviz.host.formulas import MAX_DEPTH, MAX_LENGTH, FormulaError, compile_formula, derive

# --- a sentinel: any exec/eval/open/import/system while a formula is handled is recorded -------------

_AUDITED = {"exec", "open", "import", "os.system", "subprocess.Popen", "os.exec", "os.posix_spawn",
            "builtins.input", "os.remove", "shutil.rmtree", "socket.connect", "ctypes.dlopen"}
_events: list[tuple[str, tuple]] = []
_watching = [False]


def _audit(event, args):
    if _watching[0] and event in _AUDITED:
        _events.append((event, args))


sys.addaudithook(_audit)  # audit hooks cannot be removed; this one is inert unless watching
# PySide6's import hook reads the source of a module an import statement names, once per file, and compiling runs
# one (ast.walk imports deque): compile once before any test watches, so the sentinel sees only the formula.
compile_formula("z")


@pytest.fixture
def watch():
    _events.clear()
    _watching[0] = True
    yield _events
    _watching[0] = False


ATTACKS = [
    ("__import__('os').system('touch {sentinel}')", "attribute access"),
    ("__import__('os')", "'__import__' is not an allowed function"),
    ("open('{sentinel}', 'w')", "'open' is not an allowed function"),
    ("eval('1')", "'eval' is not an allowed function"),
    ("exec('import os')", "'exec' is not an allowed function"),
    ("print(z)", "'print' is not an allowed function"),
    ("z.__class__", "attribute access is not allowed"),
    ("np.exp(z)", "attribute access is not allowed"),
    ("exp.__call__(z)", "attribute access is not allowed"),
    ("().__class__.__bases__[0].__subclasses__()", "attribute access is not allowed"),
    ("z[0]", "subscripts are not allowed"),
    ("(lambda: 1)()", "only the listed functions can be called"),
    ("lambda z: z", "lambdas are not allowed"),
    ("[w for w in z]", "comprehensions are not allowed"),
    ("sum(w for w in z)", "'sum' is not an allowed function"),
    ("exp(*z)", "starred arguments are not allowed"),
    ("maximum(z, other=1)", "keyword arguments are not allowed"),
    ("exp(z, out=z)", "keyword arguments are not allowed"),
    ("(y := 3) * z", "assignment (:=) is not allowed"),
    ("x * z", "unknown name 'x'"),
    ("__builtins__", "unknown name '__builtins__'"),
    ("9**9**9", "power towers like a**b**c are not allowed"),
    ("z**(2**10)", "power towers"),
    ("z**100000", "exponents larger than 1000 in magnitude are not allowed"),
    ("z**-5000.0", "exponents larger than 1000 in magnitude are not allowed"),
    ("1" + "0" * 400 + " * z", "the number is too large for a float"),
    ("(" * (MAX_DEPTH + 5) + "z" + ")" * (MAX_DEPTH + 5) + "+" + "-" * (MAX_DEPTH + 5) + "z",
     f"nested deeper than {MAX_DEPTH} levels"),
    ("z + " * 200 + "z", "longer than 500 characters"),
    ("'rm -rf /'", "strings are not allowed"),
    ("b'bytes'", "bytes are not allowed"),
    ("f'{z}'", "strings are not allowed"),
    ("1j * z", "complex constants are not allowed"),
    ("True * z", "bool constants are not allowed"),
    ("None", "NoneType constants are not allowed"),
    ("z if z else 1", "if/else"),
    ("z and 1", "and/or is not allowed"),
    ("z % 2", "the operator Mod is not allowed"),
    ("z // 2", "the operator FloorDiv is not allowed"),
    ("z @ z", "the operator MatMult is not allowed"),
    ("~z", "the operator Invert is not allowed"),
    ("not z", "the operator Not is not allowed"),
    ("z > 0", "comparisons are only allowed as the first argument of where"),
    ("where(z, 1, 0)", "where() needs a comparison first"),
    ("where(0 < z < 1, 1, 0)", "a condition is one comparison"),
    ("where(z == 0, 1, 0)", "a condition is one comparison"),
    ("exp(z, z)", "exp() takes 1 argument, got 2"),
    ("(z, z)", "tuples are not allowed"),
    ("[z]", "lists are not allowed"),
    ("{z: 1}", "dicts are not allowed"),
    ("exp", "exp is a function; call it as exp(...)"),
    ("z; import os", "does not parse"),
    ("import os", "does not parse"),
    ("z +", "does not parse"),
    ("z\x00", "does not parse"),
    ("", "the formula is empty"),
]


@pytest.mark.parametrize("text, reason", ATTACKS, ids=[a[0][:40] for a in ATTACKS])
def test_attack_is_rejected_with_its_reason_and_nothing_runs(text, reason, tmp_path, watch):
    sentinel = tmp_path / "SENTINEL"
    text = text.replace("{sentinel}", str(sentinel))
    with pytest.raises(FormulaError, match=None) as info:
        compile_formula(text, {"beta": (1.0, 0.0, 5.0)})
    assert reason in str(info.value), str(info.value)
    assert not sentinel.exists()
    assert watch == [], watch


def test_bytes_and_non_text_are_rejected():
    with pytest.raises(FormulaError, match="a formula is text, got bytes"):
        compile_formula(b"z")  # type: ignore[arg-type]
    assert len("z" * (MAX_LENGTH + 1)) > MAX_LENGTH


def test_rejection_message_points_at_the_offending_part():
    with pytest.raises(FormulaError) as info:
        compile_formula("z * foo(z)")
    assert str(info.value).startswith("'foo' is not an allowed function; allowed: abs, arctan, cos")
    assert str(info.value).endswith("(at 'foo(z)', column 5)")
    assert info.value.column == 5


@pytest.mark.parametrize("text, column", [
    ("z * foo(z)", 5), ("  z + x", 7), ("z +", 4), ("exp(z) + z.real", 10), ("z ** 2 ** 3", 1),
])
def test_errors_carry_the_column_of_the_offending_character(text, column):
    with pytest.raises(FormulaError) as info:
        compile_formula(text)
    assert info.value.column == column
    assert f"column {column})" in str(info.value)


@pytest.mark.parametrize("params, reason", [
    ({"z": (1, 0, 2)}, "parameter name 'z' is taken"),
    ({"exp": (1, 0, 2)}, "parameter name 'exp' is taken"),
    ({"__class__": (1, 0, 2)}, "not a plain identifier"),
    ({"a b": (1, 0, 2)}, "not a plain identifier"),
    ({"a": (5, 0, 2)}, "default 5.0 is outside [0.0, 2.0]"),
    ({"a": (1, 2, 0)}, "low=2.0 not below high=0.0"),
    ({"a": ("x", 0, 2)}, "needs (default, low, high) numbers"),
])
def test_bad_parameters_are_rejected(params, reason):
    with pytest.raises(FormulaError) as info:
        compile_formula("a * z" if "a" in params else "z", params)
    assert reason in str(info.value)


@pytest.mark.parametrize("text, reason", [
    ("x * z", "unknown name 'x'; this formula is written in z"),
    ("y * z", "unknown name 'y'"),
    ("_a * z", "unknown name '_a'"),
])
def test_reserved_and_private_names_are_not_parameters(text, reason):
    with pytest.raises(FormulaError, match=reason):
        compile_formula(text)


def test_derive_refuses_attacks_before_differentiating():
    with pytest.raises(FormulaError, match="attribute access"):
        derive("z.__class__")
    assert derive("z**2", use_sympy=False) == ("2 * z", "rules")


@pytest.mark.parametrize("text, reads", [("ℯ*z", "constant 'e'"), ("𝑧*2", "variable 'z'"),
                                         ("ｅｘｐ(z)", "function 'exp'")])
def test_a_lookalike_name_is_refused_not_silently_read_as_another(text, reads):
    with pytest.raises(FormulaError, match=reads):
        compile_formula(text, name="lookalike")


def test_a_400_digit_bound_is_a_formula_error():
    with pytest.raises(FormulaError, match="not a finite number"):
        compile_formula("a*z", {"a": (1.0, 0.0, float("1" + "0" * 400))}, name="huge")
