"""What the hostile-plugin tests share: plugin sources with one activation or one hook, and the check
that the built-in functions still load beside a broken third party.
"""

from __future__ import annotations

import textwrap

from actviz.testing import format_problems

LECTURE = ("binary_step", "linear", "logistic", "tanh", "relu", "leaky_relu", "softplus", "elu", "rbf",
           "maxout", "softmax", "piecewise_linear", "gaussian")
LECTURE_LOSSES = ("squared_error", "absolute_error", "binary_cross_entropy", "categorical_cross_entropy")


def activation_plugin(function: str, derivative: str = "lambda z: np.ones_like(z)", name: str = "thing",
                      params: str = "()", prelude: str = "") -> str:
    """Source of a plugin module offering one activation."""
    return textwrap.dedent("""
        import math
        import time
        import numpy as np
        import actviz
        from actviz import Activation, Param
        {prelude}

        @actviz.hookimpl
        def actviz_activations():
            return [Activation(name={name!r}, label="A thing", formula="f(z)",
                               function={function}, derivative={derivative}, params={params})]
    """).format(prelude=textwrap.dedent(prelude), name=name, function=function, derivative=derivative,
                params=params)


def hook_plugin(body: str, hook: str = "actviz_activations") -> str:
    return f"import actviz\n\n@actviz.hookimpl\ndef {hook}():\n" + textwrap.indent(textwrap.dedent(body), "    ")


def _assert_builtins_intact(reg):
    for name in LECTURE:
        assert reg.activations[name].plugin == "lecture", name
    for name in LECTURE_LOSSES:
        assert reg.losses[name].plugin == "lecture", name
    builtin_problems = [p for p in reg.problems if p.plugin in ("lecture", "modern", "views")]
    assert not builtin_problems, format_problems(builtin_problems)
