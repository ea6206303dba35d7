"""Tours on the command line: `actviz export --tour` writes the handout, `actviz tour` starts or lists them."""

from __future__ import annotations

import json

from PySide6 import QtGui

from actviz.cli import main


def test_export_tour_writes_a_png_per_stop_and_the_handout(tmp_path, capsys):
    path = tmp_path / "three.json"
    path.write_text(json.dumps({"name": "three", "title": "Three stops", "stops": [
        {"title": "Steep", "text": "The logistic at β = 3.\n\nSecond paragraph, y* stays.", "view": "function",
         "set": {"function": "logistic", "function.beta": 3}, "check": {"key": "function.beta", "op": ">=",
                                                                          "value": 5},
         "check_text": "β at 5"},
        {"title": "Shortcut", "text": "Softmax's δ.", "view": "delta",
         "set": {"pairs": "softmax:categorical_cross_entropy"},
         "lecture_claim": "δ_j = ∂E/∂y_j · y_j(1 − y_j)", "correction": "δ_j = y_j − t_j"},
        {"title": "Coin", "text": "8 of 10.", "view": "coin", "set": {"k": 8, "n": 10}},
    ]}), encoding="utf-8")
    out = tmp_path / "handout"
    assert main(["export", "--tour", str(path), "--out", str(out), "--size", "500", "360"]) == 0
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == ["01-steep.png", "02-shortcut.png", "03-coin.png"]
    for name in pngs:
        image = QtGui.QImage(str(out / name))
        assert image.width() == 500 and image.height() > 100
    text = (out / "handout.md").read_text(encoding="utf-8")
    assert text.startswith("# Three stops\n")
    assert text.index("## 1. Steep") < text.index("## 2. Shortcut") < text.index("## 3. Coin")
    for name in pngs:
        assert f"]({name})" in text
    assert "Second paragraph, y\\* stays." in text and "**Try it:** β at 5." in text
    assert "| The lecture says | Correct |" in text and "| δ\\_j = y\\_j − t\\_j |" in text
    assert "wrote" in capsys.readouterr().out


def test_export_tour_refuses_flags_it_ignores_and_unknown_tours(tmp_path, capsys):
    assert main(["export", "--tour", "lecture", "--view", "coin", "--out", str(tmp_path)]) == 2
    assert "takes only --out DIR and --size, not --view" in capsys.readouterr().err
    assert main(["export", "--tour", "nope", "--out", str(tmp_path)]) == 2
    assert "no tour named 'nope'" in capsys.readouterr().err
    assert main(["export", "--tour", "lecture"]) == 2
    assert "--out DIR is required" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_tour_command_starts_the_gui_on_the_tour_or_lists_them(monkeypatch, capsys):
    calls = []
    import actviz.gui.app

    monkeypatch.setattr(actviz.gui.app, "run_gui", lambda **kw: calls.append(kw) or 0)
    assert main(["tour", "lecture"]) == 0
    assert calls[-1]["tour"] == "lecture"
    assert main(["tour"]) == 0
    out = capsys.readouterr().out
    assert "lecture" in out and "20 stops" in out and len(calls) == 1
