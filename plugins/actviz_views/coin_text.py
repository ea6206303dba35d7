"""The coin view's words, with no Qt: introduction, the identity BCE = −ℓ/n, notes and readouts."""

from __future__ import annotations

import html

from actviz.maths import coin

ML = "θ<sub>ML</sub>"  # the maximum-likelihood estimate θ̂ (combining hats render badly in many Qt fonts)
COLOURS = {"H": "#1f77b4", "T": "#d62728"}
INTRO = ("<b>What is the coin's bias θ?</b> k heads in n flips have likelihood L(θ) = θ<sup>k</sup>"
         f"(1−θ)<sup>n−k</sup>, largest at {ML} = k/n; its log ℓ(θ) peaks at the same {ML}.")
IDENTITY = ("<b>Why the cross-entropy minimum is the same point:</b> with targets t = 1 (heads) and 0 (tails), "
            "the mean binary cross-entropy of predicting θ for every flip is (1/n)·Σ[−t ln θ − (1−t) ln(1−θ)] "
            "= −[k ln θ + (n−k) ln(1−θ)]/n = <b>−ℓ(θ)/n</b>: ℓ upside down and scaled, never shifted sideways. "
            f"So minimising the loss <i>is</i> maximising the likelihood: in plot 3 both curves coincide, "
            f"with the minimum at {ML} = k/n.")
PRIOR_ON = ("Plot 4: posterior Beta(k+a, n−k+b) from the prior Beta(a, b); <b>MAP</b> = its mode "
            "(k+a−1)/(n+a+b−2), <b>mean</b> = (k+a)/(n+a+b) (the prior counts as a heads and b tails). "
            f"Green band: the 95% <b>likelihood</b> interval {{θ : ℓ(θ) ≥ ℓ({ML}) − 1.92}}, which uses no prior.")
PRIOR_OFF = (f"Green band: the 95% likelihood interval {{θ : ℓ(θ) ≥ ℓ({ML}) − 1.92}} (L/L({ML}) ≥ 0.147). "
             "Set <i>Beta prior</i> = on for a prior, the posterior, its MAP and mean (plot 4).")
SOURCE_TEXT = {
    "typed": "Data: the typed k and n. Flipping the coin switches to its counts.",
    "simulation": "Data: the simulated coin's flips (k = heads, n = flips). Editing k or n switches back to typed.",
}
HINT = ("The seed fixes the random stream: the same seed and number of flips repeat a run exactly; changing p "
        "or the seed re-flips the same number of times.")
NO_FLIPS = "no flips yet: type n > 0\nor flip the coin"
PRIOR_OFF_MESSAGE = "prior off:\nset Beta prior = on"
TITLES = ("1 · likelihood L(θ)", "2 · log-likelihood ℓ(θ)", "3 · mean BCE = −ℓ(θ)/n", "4 · prior → posterior",
          f"5 · {ML} of the simulated coin as it is flipped")


def spaced(count: int) -> str:
    return f"{count:,}".replace(",", " ")


def hat_html(k: int, n: int, hat: float, colour: str) -> str:
    return f'<span style="color:{colour}; font-size:8pt">{ML} = {spaced(k)}/{spaced(n)} = {hat:.4g}</span>'


def ends_note(ends: list[float]) -> str:
    if not ends:
        return ""
    where = " and ".join(f"θ = {t:g}" for t in ends)
    return (f"ℓ = −∞ and the loss = +∞ at {where}: no coin with that bias gives these flips. "
            "Left undrawn; plots 2 and 3 fit their y axes to θ in [0.01, 0.99].")


def strip(sim: coin.CoinSimulator, p: float, seed: int, colours: dict[str, str] | None = None,
          limit: int = 60) -> str:
    """The last flips as coloured H/T letters (``colours``: the view's, readable on its background), with the
    counts."""
    colours = colours or COLOURS
    if sim.n == 0:  # no p here: the line stays put while p is dragged (p is on its control and in plot 5)
        return f"<b>Simulated coin:</b> no flips yet (seed {seed}); plot 5 draws its true p as a dashed line."
    letters = "".join(f'<span style="color:{colours[c]}">{c}</span>' for c in sim.recent(limit))
    counts = f"heads {spaced(sim.heads)} · tails {spaced(sim.tails)} · flips {spaced(sim.n)}"
    return (f"<b>Last flips</b> (oldest first) <tt><b>{letters}</b></tt> · {html.escape(counts)}"
            f" · {ML} = {sim.estimate:.4f} (true p = {p:g}, seed {seed})")


def readout(k: int, n: int, hat: float | None, interval: coin.LikelihoodInterval | None,
            prior: bool, best: float | None, mean: float | None) -> str:
    if n == 0 or hat is None or interval is None:
        text = f"<b>No flips yet</b>: with no data every θ is equally likely, so there is no {ML} to mark."
        if prior and mean is not None:
            text += f" The posterior is the prior: mean {mean:.4g}."
        return text
    parts = [f"<b>{ML} = k/n = {spaced(k)}/{spaced(n)} = {hat:.6g}</b>",
             f"95% likelihood interval [{interval.lower:.4g}, {interval.upper:.4g}]"]
    if prior:
        parts.append(f"MAP {best:.4g}" if best is not None else "no MAP")
        if mean is not None:
            parts.append(f"posterior mean {mean:.4g}")
    return " · ".join(parts)
