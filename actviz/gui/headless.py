"""Build one view without showing a window: ``actviz export`` and the tests use this."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6 import QtCore, QtWidgets

from actviz.gui.theme import apply_plot_theme
from actviz.gui.viewbase import ViewContext, ViewWidget
from actviz.host.registry import Registry
from actviz.models import History, ViewModel


def application() -> QtWidgets.QApplication:
    app = QtWidgets.QApplication.instance()
    if app is None:
        app = QtWidgets.QApplication(["actviz"])
    return app


def make_model(registry: Registry, name: str, history: History | None = None) -> ViewModel:
    """The model of view ``name`` (an empty one for a view that declares none)."""
    factory = registry.views[name].model
    model = factory(registry) if factory is not None else ViewModel(registry)
    if not isinstance(model, ViewModel):
        raise TypeError(f"view {name!r}: model() returned {type(model).__name__}, not an actviz ViewModel")
    model.history = history
    return model


def build_view(registry: Registry, name: str, size: tuple[int, int] = (1000, 700),
               model: ViewModel | None = None, settings: Mapping[str, Any] | None = None,
               history: History | None = None) -> tuple[ViewWidget, QtWidgets.QApplication]:
    """Create view ``name`` at ``size`` on ``model`` (a new one by default), laid out and drawn once, not shown.

    ``settings`` (``--set`` keys, any order) are applied to the model first; a bad one raises ModelError.
    """
    app = application()
    apply_plot_theme(app)
    model = model if model is not None else make_model(registry, name, history)
    if settings:
        model.update(settings)
    context = ViewContext(registry, model, headless=True, history=history)
    view = registry.views[name].create(context)
    if not isinstance(view, ViewWidget):
        raise TypeError(f"view {name!r}: create() returned {type(view).__name__}, not an actviz ViewWidget")
    view.resize(*size)
    view.setAttribute(QtCore.Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    view.show()  # lay out for real sizes; nothing reaches the screen
    app.processEvents()
    view.refresh()
    return view, app


def close_view(view: ViewWidget, app: QtWidgets.QApplication) -> None:
    """Tear the view down while the application still exists (avoids a crash at exit)."""
    view.close()
    view.deleteLater()
    app.processEvents()
    app.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)


_QUIET = ("propagateSizeHints",)


def quiet_qt(verbose: bool = False) -> None:
    """Keep Qt's notices off a CLI command's stderr (real warnings stay visible with ``verbose``)."""
    import sys

    def handler(mode, _context, message: str) -> None:
        if any(q in message for q in _QUIET):
            return
        if verbose or mode in (QtCore.QtMsgType.QtCriticalMsg, QtCore.QtMsgType.QtFatalMsg):
            print(f"qt: {message}", file=sys.stderr)

    QtCore.qInstallMessageHandler(handler)
