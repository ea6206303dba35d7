"""The example plugin's tests pass against actviz and the example installed from their wheels.

This is what a plugin author's CI does: ``pip install actviz`` and the plugin, then
``pytest``. It catches what the editable checkout hides: a subpackage missing from
``[tool.setuptools] packages``, a lost entry point (the ``actviz`` plugin group, or the
``pytest11`` one that brings the fixtures), a test that only passes because it sees the
source tree.

No network: the wheels are built with ``--no-build-isolation`` from a copy of the
checkout (an in-tree build would write ``build/`` into it), and the venv is created with
``--system-site-packages`` so numpy, PySide6, pyqtgraph, pytest and pytest-qt come from
this interpreter. Because that also makes the checkout's editable install visible, the
run checks that every ``actviz*`` module it imported came from the venv.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "plugins" / "actviz_example"
IGNORE = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
                                ".ruff_cache", ".hypothesis", ".benchmarks")

pytestmark = pytest.mark.slow  # about half a minute: two wheels, a venv, a pytest run

# Added to the copied tests: runs last (files are collected in name order) and fails if
# anything was imported from the checkout instead of the wheels.
WHERE = '''
import sys
from pathlib import Path

import actviz.pytest_plugin


def test_zz_everything_came_from_the_wheels(request):
    venv = Path(sys.prefix).resolve()
    ours = {name: getattr(module, "__file__", None) for name, module in list(sys.modules.items())
            if name.split(".")[0] in ("actviz", "actviz_example", "actviz_lecture", "actviz_modern",
                                      "actviz_views")}
    assert "actviz" in ours and "actviz_example" in ours and "actviz.gui" in ours
    outside = {n: f for n, f in ours.items() if f is not None and venv not in Path(f).resolve().parents}
    assert outside == {}, f"imported from outside the venv {venv}"
    # the fixtures came through the pytest11 entry point, under its name
    assert request.config.pluginmanager.get_plugin("actviz") is actviz.pytest_plugin
'''


def run(args: list[str], cwd: Path, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def test_the_example_plugin_tests_pass_against_the_installed_wheels(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "PIP_", "ACTVIZ_", "PYTEST_"))}
    env.update(PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONNOUSERSITE="1",
               QT_QPA_PLATFORM="offscreen", ACTVIZ_SETTINGS=str(tmp_path / "settings" / "actviz.ini"))

    # 1. the two wheels, from a copy of the checkout
    source = tmp_path / "src"
    shutil.copytree(ROOT, source, ignore=IGNORE)
    wheels = tmp_path / "wheels"
    for project in (source, source / EXAMPLE.relative_to(ROOT)):
        built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                     "-q", "-w", str(wheels), str(project)], tmp_path, env)
        if "invalid command 'bdist_wheel'" in built.stdout + built.stderr:
            pytest.skip("setuptools < 70.1 builds wheels only with the 'wheel' package: pip install wheel")
        assert built.returncode == 0, built.stdout + built.stderr
    found = sorted(p.name for p in wheels.glob("*.whl"))
    assert [name.split("-")[0] for name in found] == ["actviz", "actviz_example"], found

    # 2. a fresh venv that sees this interpreter's packages, with the wheels installed into it
    venv = tmp_path / "venv"
    made = run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(venv)], tmp_path, env)
    assert made.returncode == 0, made.stderr
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    # the venv borrows pip from the system site; --ignore-installed: the checkout's editable
    # install is visible there too, and must neither be uninstalled nor count as "satisfied"
    installed = run([str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed", "-q",
                     *[str(w) for w in sorted(wheels.glob("*.whl"))]], tmp_path, env)
    assert installed.returncode == 0, installed.stdout + installed.stderr

    # 3. the example's tests, copied away from any source tree, run from there
    work = tmp_path / "example"
    shutil.copytree(EXAMPLE / "tests", work / "tests", ignore=IGNORE)
    shutil.copy2(EXAMPLE / "pyproject.toml", work / "pyproject.toml")  # its pytest settings
    (work / "tests" / "test_zz_installed_from_wheels.py").write_text(WHERE, encoding="utf-8")
    where = run([str(python), "-c", "import actviz, actviz_example; print(actviz.__file__); "
                 "print(actviz_example.__file__)"], work, env)
    assert where.returncode == 0, where.stderr
    for line in where.stdout.split():
        assert Path(line).resolve().is_relative_to(venv.resolve()), where.stdout
    result = run([str(python), "-m", "pytest", "tests", "-p", "no:cacheprovider", "-q", "-rp"], work, env)
    report = result.stdout[-4000:] + result.stderr[-2000:]
    assert result.returncode == 0, report
    assert "PASSED tests/test_zz_installed_from_wheels.py::test_zz_everything_came_from_the_wheels" in result.stdout
