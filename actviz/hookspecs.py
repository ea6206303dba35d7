"""Every hook a plugin can implement. These docstrings are the author's documentation.

A plugin is a module (or object) registered under the entry-point group
``actviz``; it implements any of these hooks, decorated with
``actviz.hookimpl``. Each hook is called once per registry load, guarded: if
it raises or returns the wrong thing, the problem is recorded against the
plugin's name and every other plugin still loads.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pluggy

from actviz.specs import Activation, Loss, View

if TYPE_CHECKING:  # actviz.maths.pairs imports the plugin host, which imports this module
    from actviz.maths.pairs import OutputDeltaRule
    from actviz.models.tour import Tour

hookspec = pluggy.HookspecMarker("actviz")


@hookspec
def actviz_activations() -> Iterable[Activation]:
    """Return the activation functions this plugin adds, as ``actviz.Activation`` specs.

    Called once when the registry loads. Return a list or tuple (a generator
    works too). Each spec's ``name`` must be a Python identifier unique across
    all plugins; built-in plugins load first, so a built-in name cannot be
    shadowed. ``function(z, **params)`` must map a float64 array to one of
    the same shape, finite wherever the true value is finite.

    Example::

        @actviz.hookimpl
        def actviz_activations():
            return [actviz.Activation(
                name="swish", label="Swish", formula=r"z\\,\\sigma(\\beta z)",
                function=lambda z, beta: z * actviz.numerics.sigmoid(beta * z),
                params=(actviz.Param("beta", 1.0, 0.0, 5.0),),
            )]
    """


@hookspec
def actviz_losses() -> Iterable[Loss]:
    """Return the losses this plugin adds, as ``actviz.Loss`` specs.

    Called once when the registry loads. ``function(y, t, **params)`` is the
    per-example loss E and ``gradient(y, t, **params)`` is ∂E/∂y. Set
    ``domain="probability"`` when y must lie in (0, 1), and give a
    ``noise_model`` (an ``actviz.NoiseModel``) when the loss is the negative
    log-likelihood of a noise model, so the likelihood view can show it.

    Example::

        @actviz.hookimpl
        def actviz_losses():
            return [actviz.Loss(
                name="quartic", label="Quartic error", formula=r"(t-y)^4",
                function=lambda y, t: (t - y) ** 4,
                gradient=lambda y, t: -4 * (t - y) ** 3,
            )]
    """


@hookspec
def actviz_views() -> Iterable[View]:
    """Return the views this plugin adds, as ``actviz.View`` specs.

    A view is a tab in the main window and a target of
    ``actviz export --view NAME``. ``create(context)`` is called when the
    view is first shown (or exported), receives an ``actviz.gui.ViewContext``
    and returns an ``actviz.gui.ViewWidget`` subclass. Import Qt inside
    ``create`` so that ``actviz list`` and ``actviz check`` stay fast. The
    built-in views register through this same hook.

    Example::

        @actviz.hookimpl
        def actviz_views():
            def create(context):
                from my_plugin.view import MyView
                return MyView(context)
            return [actviz.View(name="my_view", label="My view", create=create)]
    """


@hookspec
def actviz_output_deltas() -> Iterable[OutputDeltaRule]:
    """Return closed forms of δ = ∂E/∂z for activation/loss pairs, as ``actviz.OutputDeltaRule``.

    The δ view draws ∂E/∂y · f′(z) for any pair; for a pair where the chain
    rule simplifies (logistic with cross-entropy: δ = β(y − t)) the plugin that
    owns the functions says so here, and the view shows the simplified formula
    and computes δ from it. ``delta(z, y, t, act_params, loss_params)`` must be
    an exact identity, elementwise over ``z``, written to stay finite and exact
    where the product form meets 0·∞ or y underflows (read parameters from the
    dicts). A rule applies only while its plugin owns the activation or the
    loss; the first plugin to declare a pair keeps it. Give
    ``lecture_shortcut(z, act_params, t) -> (full δ₁, shortcut δ₁)`` when a
    textbook derivation of the pair drops terms, to draw both.

    Example::

        @actviz.hookimpl
        def actviz_output_deltas():
            return [actviz.OutputDeltaRule(
                activation="swish", loss="squared_error", formula=r"\\delta=(y-t)\\,f'(z)",
                delta=lambda z, y, t, ap, lp: (y - t) * swish_slope(z, ap["beta"]),
                note="Squared error's ∂E/∂y is the error itself.",
            )]
    """


@hookspec
def actviz_tours() -> Iterable[Tour]:
    """Return guided tours through the views, as ``actviz.Tour`` specs.

    A tour is a sequence of ``actviz.TourStop``: which view, the settings
    that make its scene (that view's ``model.state()``, or flat keys as
    ``actviz export --set`` takes them; a stop always starts from the view's
    defaults), a short text saying what to look at and what to try, and
    optionally ``check(models) -> bool`` (``models``: every view's model by
    name) that tells the student when they have found it
    (``actviz.KeyCheck(view, key, op, value)`` is the common one). Where a source is
    wrong, give ``lecture_claim`` and ``correction`` to show both side by
    side. Tours appear in the Tours menu, in ``actviz tour NAME`` and in
    ``actviz export --tour NAME --out DIR``. A stop naming a view or key that
    is not installed is a problem against the plugin, and the tour is left out;
    the first plugin to use a tour name keeps it.

    Example::

        @actviz.hookimpl
        def actviz_tours():
            return [actviz.Tour(name="swish", title="Swish in two stops", stops=(
                actviz.TourStop("Swish", "Swish is z·σ(βz): smooth, and not monotonic below 0.",
                                view="function", settings={"function": "swish"}),
                actviz.TourStop("Towards ReLU", "Drag β up: swish approaches ReLU.", view="function",
                                settings={"function": "swish"},
                                check=actviz.KeyCheck("function", "function.beta", ">=", 4),
                                check_text="β at 4 or more"),
            ))]
    """
