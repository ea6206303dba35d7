"""``actviz check`` runs each plugin in a child process: crashes, exits, hangs and forks are reported.

The plugins are installed through real entry points; the crashing cases run
``python -m actviz check`` in a subprocess (before isolation they killed the
command silently, exit code 0 and no output).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest

from actviz.cli import main
from actviz.testing import install_entry_point_plugin

FINE = textwrap.dedent("""
    import numpy as np
    import actviz

    @actviz.hookimpl
    def actviz_activations():
        return [actviz.Activation(name="fine_cube", label="Cube", formula="z^3", function=lambda z: z ** 3,
                                  derivative=lambda z: 3 * z ** 2)]
""")


def run_check(*args: str, timeout: float = 30.0) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p),
           "ACTVIZ_CHECK_TIMEOUT": str(timeout)}
    return subprocess.run([sys.executable, "-m", "actviz", "check", *args], capture_output=True, text=True,
                          timeout=120, env=env)


@pytest.mark.parametrize("name, prelude, words", [
    ("segfaults", "import ctypes\nctypes.string_at(0)\n", ("crashed the process with SIGSEGV",)),
    ("exits_quietly", "import os\nos._exit(0)\n", ("exit code 0", "before the check finished")),
    ("exits_loudly", "import os\nos._exit(7)\n", ("exited with code 7",)),
    ("hangs", "import time\ntime.sleep(60)\n", ("did not finish within 6 s",)),
])
def test_a_plugin_that_kills_or_hangs_the_check_is_reported_against_itself(name, prelude, words, tmp_path,
                                                                            monkeypatch):
    install_entry_point_plugin(tmp_path, monkeypatch, name, prelude + FINE)
    install_entry_point_plugin(tmp_path, monkeypatch, "neighbour", FINE.replace("fine_cube", "other_cube"))
    start = time.perf_counter()
    proc = run_check(timeout=6.0 if name == "hangs" else 30.0)  # the built-ins' child must fit in 6 s too
    assert time.perf_counter() - start < 30
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    [line] = [line for line in proc.stdout.splitlines() if line.startswith("[")]
    assert line.startswith(f"[{name}] check: "), proc.stdout
    assert all(w in line for w in words), line
    assert proc.stdout.splitlines()[-1].startswith("1 problem(s) in 1 plugin(s)"), proc.stdout


def test_a_function_that_segfaults_while_probed_is_reported(tmp_path, monkeypatch):
    install_entry_point_plugin(tmp_path, monkeypatch, "crashy", FINE.replace(
        "function=lambda z: z ** 3", "function=lambda z: __import__('ctypes').string_at(0) and z"))
    proc = run_check("crashy")
    assert proc.returncode == 1
    assert "[crashy] check: checking it crashed the process with SIGSEGV" in proc.stdout


def test_a_plugin_that_forks_is_named_and_reports_once(tmp_path, monkeypatch):
    install_entry_point_plugin(tmp_path, monkeypatch, "forker", "import os\nos.fork()\n" + FINE)
    proc = run_check("forker")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert proc.stdout.count("problem(s) in") == 1, proc.stdout  # the forked copy printed nothing
    assert "[forker] side-effect: importing it forked the process (os.fork)" in proc.stdout


def test_system_exit_at_import_is_reported_by_check(tmp_path, monkeypatch, capsys):
    install_entry_point_plugin(tmp_path, monkeypatch, "quits", "raise SystemExit(0)\n")
    assert main(["check", "quits"]) == 1
    out = capsys.readouterr().out
    assert "[quits] import: SystemExit: 0" in out


def test_numpy_side_effects_are_named_in_check(tmp_path, monkeypatch, capsys):
    install_entry_point_plugin(tmp_path, monkeypatch, "strict", "import numpy as np\nnp.seterr(all='raise')\n"
                               "np.exp = np.sin\n" + FINE)
    install_entry_point_plugin(tmp_path, monkeypatch, "zz_after", FINE.replace("fine_cube", "after_cube"))
    assert main(["check", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    [problem] = data["problems"]
    assert problem["plugin"] == "strict" and problem["stage"] == "side-effect"
    assert "replaced numpy.exp" in problem["message"] and "numpy's error handling" in problem["message"]


def test_check_named_plugins_reports_only_them(tmp_path, monkeypatch, capsys):
    install_entry_point_plugin(tmp_path, monkeypatch, "broken", "raise RuntimeError('nope')\n")
    install_entry_point_plugin(tmp_path, monkeypatch, "good", FINE)
    assert main(["check", "good"]) == 0
    out = capsys.readouterr().out
    assert "broken" not in out and out.strip().endswith("ok: 1 functions, 0 views, 1 plugins, no problems")
    assert main(["check", "broken", "good"]) == 1
    out = capsys.readouterr().out
    assert "[broken] import: RuntimeError: nope" in out
    assert main(["check", "lecture", "modern"]) == 0
    assert main(["check", "nobody"]) == 2
    assert "no plugin named 'nobody'" in capsys.readouterr().err


def test_check_json_is_machine_readable(tmp_path, monkeypatch, capsys):
    install_entry_point_plugin(tmp_path, monkeypatch, "wrong", FINE.replace("3 * z ** 2", "2 * z ** 2"))
    assert main(["check", "wrong", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False
    assert [p["name"] for p in data["plugins"]] == ["wrong"]
    [fn] = data["functions"]
    assert fn["name"] == "fine_cube" and fn["kind"] == "activation" and fn["problems"] == 1
    [problem] = data["problems"]
    assert problem["plugin"] == "wrong" and problem["spec"] == "fine_cube" and problem["stage"] == "derivative"
    assert "disagrees" in problem["message"]


def test_check_verbose_reports_every_function(tmp_path, monkeypatch, capsys):
    install_entry_point_plugin(tmp_path, monkeypatch, "mixed", textwrap.dedent("""
        import numpy as np
        import actviz

        @actviz.hookimpl
        def actviz_activations():
            return [actviz.Activation(name="good_one", label="G", formula="z", function=lambda z: z * 2.0,
                                      derivative=lambda z: np.full_like(z, 2.0)),
                    actviz.Activation(name="bad_one", label="B", formula="z", function=lambda z: 1.0)]
    """))
    assert main(["check", "mixed", "--verbose"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("mixed: active, actviz-test-mixed 1.0")
    assert "  ok   good_one (activation)" in lines
    assert "  FAIL bad_one (not loaded)" in lines
    assert any(line.strip().startswith("probe: function returned a scalar") for line in lines)


def test_plugins_and_check_count_the_same_problems(tmp_path, monkeypatch, capsys):
    """Before, `plugins` showed the load-time problems only and `check` the deep ones too."""
    install_entry_point_plugin(tmp_path, monkeypatch, "gauss", textwrap.dedent("""
        import numpy as np
        import actviz

        def g(z, mu):
            return np.exp(-0.5 * (z - mu) ** 2)

        def params():
            return (actviz.Param("mu", 1.0, -3.0, 3.0),)

        @actviz.hookimpl
        def actviz_activations():
            return [actviz.Activation(name=n, label=n, formula="", function=g,
                                      derivative=lambda z, mu: -z * g(z, mu), params=params())
                    for n in ("gauss_a", "gauss_b")]
    """))
    assert main(["plugins", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    from_plugins = next(r for r in rows if r["name"] == "gauss")["problems"]
    assert main(["check", "gauss", "--json"]) == 1
    from_check = json.loads(capsys.readouterr().out)["problems"]
    assert len(from_plugins) == len(from_check) >= 2
    assert sorted(p["message"] for p in from_plugins) == sorted(p["message"] for p in from_check)


def test_names_are_settled_across_children_like_in_one_process(tmp_path, monkeypatch, capsys):
    install_entry_point_plugin(tmp_path, monkeypatch, "early", FINE, dist_name="aaa-early")
    install_entry_point_plugin(tmp_path, monkeypatch, "late", FINE.replace("z ** 3", "z ** 3 + 0.0"),
                               dist_name="zzz-late")
    install_entry_point_plugin(tmp_path, monkeypatch, "lecture", FINE, dist_name="evil-lecture",
                               module="evil_lecture")
    assert main(["check", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    messages = sorted((p["plugin"], p["message"]) for p in data["problems"])
    assert messages[0][0] == "late" and messages[0][1] == "name 'fine_cube' is already taken by plugin 'early'"
    assert messages[1][0] == "lecture@evil-lecture" and "'evil-lecture'" in messages[1][1]
    assert len(messages) == 2
    assert sum(f["name"] == "fine_cube" for f in data["functions"]) == 1


def test_safe_mode_checks_the_builtins_only(tmp_path, monkeypatch, capsys):
    install_entry_point_plugin(tmp_path, monkeypatch, "broken", "raise RuntimeError('nope')\n")
    assert main(["--safe-mode", "check"]) == 0
    out = capsys.readouterr().out
    assert "broken" not in out and "no problems" in out
