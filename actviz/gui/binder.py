"""One generic binder between a model and a ControlPanel: no per-view dispatcher, no sync flags.

Panel → model: every move is ``model.set(key, value)``; a slider drag merges
into one undo step, sealed on release. Model → panel: values are shown with
signals blocked; when the set of keys changes (another function was chosen)
the panel is rebuilt. A rejected value is shown on the panel's note line and
the control snaps back to the model's value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import shiboken6

from actviz.gui.controls import ControlPanel
from actviz.models import Key, ModelError, ViewModel
from actviz.specs import Param


class Binding:
    """Keeps ``panel`` showing ``model``'s keys (those ``include`` accepts) and writes edits back."""

    def __init__(self, model: ViewModel, panel: ControlPanel,
                 include: Callable[[Key], bool] | None = None) -> None:
        self.model = model
        self.panel = panel
        self.include = include or (lambda key: True)
        self._keys: list[str] = []
        self._specs: list[tuple[str, object]] = []
        panel.changed.connect(self._edited)
        panel.released.connect(self._released)
        panel.reset_requested.connect(self._reset_all)
        model.connect(self._model_changed)
        self.rebuild()

    def keys(self) -> list[Key]:
        """The model's keys this panel shows: never its batch keys (bulk work is for export)."""
        return [k for k in self.model.active_keys() if k.name not in self.model.batch_keys and self.include(k)]

    def rebuild(self) -> None:
        keys = self.keys()
        self._keys = [k.name for k in keys]
        self._specs = [(k.name, k.control) for k in keys]
        self.panel.build([(k.name, k.control) for k in keys], {k.name: self.model[k.name] for k in keys})

    def unbind(self) -> None:
        self.model.disconnect(self._model_changed)
        if shiboken6.isValid(self.panel):
            for signal, slot in ((self.panel.changed, self._edited), (self.panel.released, self._released),
                                 (self.panel.reset_requested, self._reset_all)):
                try:
                    signal.disconnect(slot)
                except (RuntimeError, TypeError):
                    pass

    def _edited(self, key: str, value: object) -> None:
        control = self.panel.widgets[key] if key in self.panel.widgets else None
        merge = control is not None and isinstance(getattr(control, "param", None), Param)
        try:
            self.model.set(key, value, merge=merge)
            self.panel.show_note("")
        except ModelError as exc:
            self.panel.show_note(str(exc))
            if key in self._keys:
                self.panel.set_values({key: self.model[key]})

    def _released(self, _key: str) -> None:
        if self.model.history is not None:
            self.model.history.seal()

    def _reset_all(self) -> None:
        """Every key of the panel back to its default; the chosen functions stay chosen. One undo step."""
        defaults = {k.name: self.model.default_of(k.name) for k in self.keys() if not self.model.is_function(k.name)}
        try:
            self.model.update(defaults)
        except ModelError as exc:
            self.panel.show_note(str(exc))

    def _model_changed(self, names: Iterable[str]) -> None:
        if not shiboken6.isValid(self.panel):
            self.model.disconnect(self._model_changed)
            return
        if [(k.name, k.control) for k in self.keys()] != self._specs:
            self.rebuild()  # other keys, or a key whose range or options changed
        else:
            self.panel.set_values({n: self.model[n] for n in names if n in self._keys})


def bind(model: ViewModel, panel: ControlPanel, include: Callable[[Key], bool] | None = None) -> Binding:
    """Bind ``panel`` to ``model``; keep the returned Binding as long as the panel lives."""
    return Binding(model, panel, include)
