"""Build one view without showing a window: ``actviz export`` and the tests use this."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from actviz.gui.theme import apply_plot_theme
from actviz.gui.viewbase import Selection, ViewContext, ViewWidget
from actviz.host.registry import Registry


def application() -> QtWidgets.QApplication:
    app = QtWidgets.QApplication.instance()
    if app is None:
        app = QtWidgets.QApplication(["actviz"])
    return app


def first_function(registry: Registry):
    functions = registry.functions()
    return functions[0] if functions else None


def build_view(registry: Registry, name: str, size: tuple[int, int] = (1000, 700),
               selection: Selection | None = None) -> tuple[ViewWidget, QtWidgets.QApplication]:
    """Create view ``name`` at ``size``, laid out and drawn once, but not shown."""
    app = application()
    apply_plot_theme(app)
    selection = selection or Selection(first_function(registry))
    context = ViewContext(registry, selection, headless=True)
    view = registry.views[name].create(context)
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
