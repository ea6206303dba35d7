"""The likelihood view's words: the introduction, plot titles and the two explanations.

No Qt at import. The one colour in them, the misfit's warning red, is asked of the palette as the text is
rendered (views are rebuilt on a colour-scheme switch, so the red follows the scheme).
"""

from __future__ import annotations

import html
import math

import numpy as np

from actviz.maths import likelihood as lk
from actviz.specs import Loss

INTRO = ("<b>Every loss is a negative log-likelihood:</b> E(y; t) = −c·ln p(t | y) + const, so the y that "
         "minimises the summed loss over a data set maximises the likelihood. Bottom: targets sampled from "
         "p(· | y<sub>true</sub>); min Σ E, max Σ ln p and the closed form land on the same y.")
ESTIMATOR_WORDS = {"mean": "mean", "median": "median", "proportion": "proportion of ones"}


def fmt(v: float | None) -> str:
    return "—" if v is None or not math.isfinite(v) else f"{v:.4g}"


def no_noise_sentence(spec: Loss | None) -> str:
    """What the view shows in place of its plots when it cannot read the loss as a likelihood."""
    if spec is None:
        return "No loss is installed, so there is nothing to read as a likelihood."
    return (f"{spec.label} ({spec.name}) declares no noise model, so it has no likelihood reading here. "
            "Pick a loss with a noise model (squared error, absolute error, cross-entropy, …).")


def estimator_word(spec: Loss, estimator: str, params: dict[str, float]) -> str:
    """The closed form in words: "mean", "median", "quantile 0.9" (the level is the loss parameter
    the noise model's ``estimator_param`` names)."""
    if estimator == "quantile":
        name = getattr(spec.noise_model, "estimator_param", "")
        q = params.get(name) if name else None
        return f"quantile {q:g}" if q is not None else "quantile"
    return ESTIMATOR_WORDS.get(estimator, estimator)


def fit_title(t: float, fit: lk.ScaleOffset) -> str:
    sign = "+" if fit.const >= 0 else "−"
    return f"1 · t = {t:.3g}: E = {fit.c:.4g}·(−ln p) {sign} {abs(fit.const):.4g}"


def fit_text(t: float, fit: lk.ScaleOffset, fit_all: lk.ScaleOffset | None, e: np.ndarray) -> str:
    text = (f"<b>E = −c·ln p(t | y) + const</b> fitted over y: c = <b>{fit.c:.6g}</b>, "
            f"const = <b>{fit.const:.6g}</b> at t = {t:.4g} (largest misfit {fit.max_residual:.2g})")
    if fit_all is not None and fit_all.points:
        if fit_all.const_spread > 1e-9:
            text += (f"; over all t, c = {fit_all.c:.6g} and the constant varies with t (by "
                     f"{fit_all.const_spread:.3g}) but not with y, so the minimiser does not move")
        else:
            text += f"; the same c and const for every t (c = {fit_all.c:.6g}, const = {fit_all.const:.6g})"
    if not fit.identifiable:
        text += ". −ln p does not vary with y here, so c is not identifiable (shown as 1)"
    finite = e[np.isfinite(e)]
    scale = max(1.0, float(np.max(np.abs(finite), initial=0.0)))
    if fit.points and fit.max_residual > 1e-6 * scale:
        from actviz.gui import warning_color

        text += (f". <span style='color:{warning_color()}'>E is not an affine function of −ln p: misfit "
                 f"{fit.max_residual:.3g}</span>")
    return text + "."


def density_title(spec: Loss, y: float, discrete: bool) -> str:
    return f"2 · {spec.noise_model.name} {'pmf' if discrete else 'density'} at y = {y:.3g}"


def sample_titles(spec: Loss, ml: lk.MaximumLikelihood, count: int, params: dict[str, float]) -> dict[str, str]:
    word = estimator_word(spec, ml.estimator, params)
    closed = f"{word} = {fmt(ml.closed_form)}" if ml.closed_form is not None else "no closed form"
    return {"h": f"3 · {count} targets; {closed}",
            "s": f"Σ E(y, t_α): min at {fmt(ml.argmin_loss)}",
            "l": f"Σ ln p(t_α | y): max at {fmt(ml.argmax_likelihood)}",
            "closed": word if ml.closed_form is not None else "closed form (none)"}


def ml_text(spec: Loss, ml: lk.MaximumLikelihood, targets: np.ndarray, params: dict[str, float]) -> str:
    grid = ml.y_grid
    gaps = np.sort(np.diff(grid))  # np.median would import numpy.ma
    step = float(0.5 * (gaps[(gaps.size - 1) // 2] + gaps[gaps.size // 2])) if grid.size > 1 else 0.0
    word = estimator_word(spec, ml.estimator, params)
    text = (f"<b>{targets.size} sampled targets:</b> minimiser of Σ E = <b>{fmt(ml.argmin_loss)}</b>, "
            f"maximiser of Σ ln p = <b>{fmt(ml.argmax_likelihood)}</b>, ")
    if ml.closed_form is not None:
        text += f"closed form ({html.escape(word)} of the targets) = <b>{fmt(ml.closed_form)}</b>"
        if ml.argmin_loss is not None and abs(ml.argmin_loss - ml.closed_form) <= 1.01 * step:
            text += " — the three coincide"
        if ml.estimator == "median" and targets.size % 2 == 0:
            text += (". With an even n every y between the two middle targets minimises Σ|t − y|: "
                     "the median is their midpoint")
    else:
        text += (f"and {html.escape(spec.noise_model.name)} noise has no closed-form estimate here: the minimiser "
                 "and the maximiser still coincide")
    return text + f" (grid step {step:.2g})."
