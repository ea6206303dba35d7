"""The README's commands stay true: CI runs exactly the test command the README shows."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    command = ci[-1]
    assert "pytest" in command
    assert command in (ROOT / "README.md").read_text()


def test_readme_screenshots_exist():
    readme = (ROOT / "README.md").read_text()
    for line in readme.splitlines():
        if "](resources/screenshots/" in line:
            path = line.split("](", 1)[1].split(")", 1)[0]
            assert (ROOT / path).is_file(), path
