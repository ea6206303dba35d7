"""The view API: what a view plugin needs, and nothing else (everything else in ``actviz.gui`` is private).

A view is a Qt-free :class:`ViewModel` (its state, declared as Param / Choice /
FunctionChoice specs) and a thin :class:`ViewWidget` that maps the model's
numbers to plots. :func:`bind` connects a model to a :class:`ControlPanel`;
:func:`build_view` builds a view headless for export and tests.
"""

from actviz.gui.binder import Binding, bind
from actviz.gui.controls import ControlPanel
from actviz.gui.formula import FormulaLabel
from actviz.gui.headless import build_view, close_view
from actviz.gui.steady_label import SteadyLabel
from actviz.gui.text_lines import wrap_lines
from actviz.gui.theme import set_text_color, set_warning_style, text_color, warning_color
from actviz.gui.viewbase import (
    PALETTE,
    ViewContext,
    ViewWidget,
    control_column,
    guard_plot,
    hold_range,
    page,
    pen,
    themed_plot_colors,
    warning_label,
)
from actviz.models import History, Key, ModelError, ViewModel
from actviz.specs import Choice, FunctionChoice, Param

__all__ = [
    "PALETTE", "Binding", "Choice", "ControlPanel", "FormulaLabel", "FunctionChoice", "History", "Key",
    "ModelError", "Param", "SteadyLabel", "ViewContext", "ViewModel", "ViewWidget", "bind", "build_view", "close_view",
    "control_column", "guard_plot", "hold_range", "page", "pen", "set_text_color", "set_warning_style", "text_color",
    "themed_plot_colors", "warning_color", "warning_label", "wrap_lines",
]
