"""The built-in views, registered through ``actviz_views`` like any third party's.

Each ``create`` imports its Qt module only when the view is first shown, so
``actviz list`` and ``actviz check`` never import Qt.
"""

from __future__ import annotations

import actviz
from actviz.specs import View


def _function_view(context):
    from actviz.gui.views.function_view import FunctionView

    return FunctionView(context)


@actviz.hookimpl
def actviz_views():
    return [
        View("function", "Function", _function_view,
             description="f and f′ (or E and ∂E/∂y) of the selected function, with pins to compare."),
    ]
