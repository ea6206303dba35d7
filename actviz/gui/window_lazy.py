"""What the main window makes late: each view's model when first asked for, work after the first paint.

:class:`LazyModels` makes a view's model the first time it is asked for;
:class:`_AfterFirstPaint` runs work once the window has painted its first
picture; :func:`drop_source_lines` forgets the source lines importing read.
"""

from __future__ import annotations

import linecache
from collections.abc import Callable, Iterator, Mapping

from PySide6 import QtCore, QtWidgets

from actviz.models import ViewModel


class _AfterFirstPaint(QtCore.QObject):
    """Calls ``then`` once ``widget`` has painted for the first time.

    A zero-delay timer set before ``show`` fires before the first paint, so
    work that should wait for the first picture waits for its paint event.
    """

    def __init__(self, widget: QtWidgets.QWidget, then: Callable[[], None]) -> None:
        super().__init__(widget)
        self._then = then
        widget.installEventFilter(self)

    def eventFilter(self, obj: QtCore.QObject, event: QtCore.QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QtCore.QEvent.Type.Paint:
            obj.removeEventFilter(self)
            QtCore.QTimer.singleShot(0, self._then)
        return False


def drop_source_lines() -> int:
    """Forget the source lines that importing read, as the file can give them again; returns how many files.

    PySide6 reads the whole source of every module imported after it (through
    ``linecache``, to see whether it names PySide6), and ``linecache`` keeps
    it: ~7 MiB of strings, ~200 000 lines, for pyqtgraph, actviz and its views.
    Entries without a file (code registered by hand, e.g. an interactive
    session's) are kept; a traceback reads the files again when it needs them.
    """
    dropped = [name for name, entry in list(linecache.cache.items()) if len(entry) == 4 and entry[1] is not None]
    for name in dropped:
        linecache.cache.pop(name, None)
    return len(dropped)


class LazyModels(Mapping[str, ViewModel]):
    """Every registered view's model, each made the first time it is asked for.

    A ``Mapping`` by view name: ``models[name]``, ``get``, ``in`` and iteration
    make what they touch (iterating makes them all), so scenes, tours and tests
    see every view's model; a model that cannot be made is absent, as before.
    The first paint makes only the shown view's model (the others' modules are
    not even imported until then: ~0.1–0.3 s of start-up for the built-ins).
    """

    def __init__(self, names: list[str], make: Callable[[str], ViewModel | None]) -> None:
        self._names = list(names)
        self._make = make
        self._made: dict[str, ViewModel] = {}
        self._failed: set[str] = set()

    def _model(self, name: str) -> ViewModel | None:
        model = self._made.get(name)
        if model is None and name in self._names and name not in self._failed:
            model = self._make(name)
            if model is None:
                self._failed.add(name)
            else:
                self._made[name] = model
        return model

    def __getitem__(self, name: str) -> ViewModel:
        model = self._model(name)
        if model is None:
            raise KeyError(name)
        return model

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._model(name) is not None

    def __iter__(self) -> Iterator[str]:
        return iter([name for name in self._names if self._model(name) is not None])

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def made(self) -> dict[str, ViewModel]:
        """The models made so far (nothing new is made)."""
        return dict(self._made)

    def is_made(self, name: str) -> bool:
        return name in self._made
