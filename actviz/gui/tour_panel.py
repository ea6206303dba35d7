"""The tour panel: a dock that walks the student through a tour's stops in the main window.

Applying a stop shows its view and puts the stop's scene into that view's model
(one undoable step), so the student can wander off with every control and come
back with "Restore stop". The stop's check is re-evaluated on every change of
any model, and the panel says when it is found. Thin: all tour logic is in
:mod:`actviz.models.tour`.
"""

from __future__ import annotations

import html
import warnings
from typing import Any

from PySide6 import QtCore, QtWidgets

from actviz.gui.theme import set_text_color
from actviz.models.tour import Tour, TourStop, apply_stop, evaluate

CLAIM_STYLE = "QLabel { background: rgba(192, 57, 43, 40); border-radius: 4px; padding: 6px; }"
CORRECTION_STYLE = "QLabel { background: rgba(30, 132, 73, 40); border-radius: 4px; padding: 6px; }"


def paragraphs(text: str) -> str:
    """Plain tour text as rich text: escaped, blank lines become paragraphs."""
    parts = [html.escape(p.strip()).replace("\n", "<br>") for p in text.split("\n\n") if p.strip()]
    return "".join(f"<p>{p}</p>" for p in parts)


def _label(style: str = "", role: str | None = None) -> QtWidgets.QLabel:
    label = QtWidgets.QLabel()
    label.setWordWrap(True)
    label.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
    if role:
        set_text_color(label, role, style)
    elif style:
        label.setStyleSheet(style)
    return label


class TourPanel(QtWidgets.QDockWidget):
    """Title, "stop i of N", the stop's text (with the lecture's claim beside the correction), the check, Back/Next."""

    def __init__(self, window: Any, tour: Tour) -> None:
        super().__init__(f"Tour: {tour.title}", window)
        self.setObjectName("tour")
        self.window_ = window
        self.tour = tour
        self.index = 0
        self._watched: dict[int, Any] = {}
        self.found: bool | None = None

        self.title = _label("font-weight: bold; font-size: 14px;")
        self.progress = _label(role="quiet")
        self.text = _label()
        self.text.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.claim = _label(CLAIM_STYLE)
        self.correction = _label(CORRECTION_STYLE)
        self.errata = QtWidgets.QWidget()
        row = QtWidgets.QHBoxLayout(self.errata)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.claim, 1)
        row.addWidget(self.correction, 1)
        self.status = _label()
        self.back_button = QtWidgets.QPushButton("◀ Back")
        self.next_button = QtWidgets.QPushButton("Next ▶")
        self.restore_button = QtWidgets.QPushButton("Restore stop")
        self.restore_button.setToolTip("Restore this stop's scene after you changed things")
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.restore_button.clicked.connect(self.restore)

        buttons = QtWidgets.QHBoxLayout()
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.next_button)
        body = QtWidgets.QWidget()
        layout = QtWidgets.QVBoxLayout(body)
        for w in (self.title, self.progress, self.text, self.errata, self.status):
            layout.addWidget(w)
        layout.addStretch(1)
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the text wraps
        scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        scroll.setWidget(body)
        outer = QtWidgets.QWidget()  # the buttons stay in sight below a long text
        column = QtWidgets.QVBoxLayout(outer)
        column.addWidget(scroll, 1)
        column.addLayout(buttons)
        outer.setMinimumWidth(300)
        self.setWidget(outer)
        window.tabs.currentChanged.connect(self._refresh)

    # -- navigation -----------------------------------------------------------------------------
    @property
    def stop(self) -> TourStop:
        return self.tour.stops[self.index]

    def go(self, index: int) -> None:
        """Show stop ``index`` (clamped) and put its scene into the window."""
        self.index = max(0, min(index, len(self.tour.stops) - 1))
        self._show_text()
        self.restore()

    def next(self) -> None:
        if self.index + 1 < len(self.tour.stops):
            self.go(self.index + 1)

    def back(self) -> None:
        if self.index > 0:
            self.go(self.index - 1)

    def restore(self) -> None:
        """Apply the current stop: its view on screen, its scene in that view's model."""
        stop = self.stop
        window = self.window_
        missing = apply_stop(window.models, window.registry, stop)
        window.show_view(stop.view)
        if missing:
            window.show_status(f"Tour stop {self.index + 1}: " + "; ".join(missing[:2]))
        self._refresh()

    # -- display --------------------------------------------------------------------------------
    def _show_text(self) -> None:
        stop, n = self.stop, len(self.tour.stops)
        self.title.setText(stop.title)
        self.progress.setText(f"stop {self.index + 1} of {n}")
        self.text.setText(paragraphs(stop.text))
        has_errata = bool(stop.lecture_claim)
        self.errata.setVisible(has_errata)
        if has_errata:
            self.claim.setText(f"<b>The lecture says</b><br>{html.escape(stop.lecture_claim)}")
            self.correction.setText(f"<b>Correct</b><br>{html.escape(stop.correction)}")
        self.back_button.setEnabled(self.index > 0)
        self.next_button.setEnabled(self.index + 1 < n)

    def _refresh(self, *_: Any) -> None:
        self._watch()
        self._update_check()

    def _watch(self) -> None:
        """Listen to every model of the window (they are rebuilt when plugins are switched on or off)."""
        models = self.window_.models
        if set(self._watched) == {id(m) for m in models.values()}:
            return
        self._unwatch()
        for model in models.values():
            model.connect(self._model_changed)
            self._watched[id(model)] = model

    def _unwatch(self) -> None:
        for model in self._watched.values():
            model.disconnect(self._model_changed)
        self._watched = {}

    def _model_changed(self, _names: frozenset[str]) -> None:
        self._update_check()

    def _update_check(self) -> None:
        stop = self.stop
        found, reason = evaluate(stop, self.window_.models)
        self.found = found
        what = html.escape(stop.check_text) if stop.check_text else "what this stop asks for"
        if stop.check is None:
            self.status.setVisible(False)
            return
        self.status.setVisible(True)
        if reason:
            set_text_color(self.status, "warning")
            self.status.setText(f"This stop's check cannot tell: {html.escape(reason)}")
        elif found:
            set_text_color(self.status, "success", "font-weight: bold;")
            self.status.setText(f"✓ Found it: {what}")
        else:
            set_text_color(self.status, "quiet")
            self.status.setText(f"Not yet: {what}")

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._unwatch()
        if getattr(self, "_tab_hooked", True):  # closing twice must not warn about a missing connection
            self._tab_hooked = False
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                try:
                    self.window_.tabs.currentChanged.disconnect(self._refresh)
                except (RuntimeError, TypeError):
                    pass
        super().closeEvent(event)
