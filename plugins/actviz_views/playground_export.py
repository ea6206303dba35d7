"""What the playground exports as CSV columns: the loss curves, each layer's mean |δ|, the output map and
the data points."""

from __future__ import annotations

import numpy as np

from actviz.maths.learning import Dataset, PlaygroundNetwork
from actviz_views.playground_plots import PlaygroundPlots


def export_columns(plots: PlaygroundPlots, network: PlaygroundNetwork | None, dataset: Dataset | None
                   ) -> dict[str, np.ndarray]:
    """The columns as drawn: the curves come from the plots, so the file holds what the picture shows."""
    d = dataset
    cols: dict[str, np.ndarray] = {}
    p = plots
    xd, yd = p.curve_train.getData()
    if xd is not None and network is not None:
        cols["epoch"], cols["train loss"] = np.asarray(xd), np.asarray(yd)
        cols["test loss"] = np.asarray(p.curve_test.getData()[1])
        for name, curve in zip(p.layer_names(network.hidden), p.delta_curves, strict=False):
            if curve.yData is not None:
                cols[f"mean |delta| {name}"] = np.asarray(curve.yData)
    cols["map x1"], cols["map x2"] = p.grid_x.ravel(), p.grid_y.ravel()
    cols["map output"] = np.asarray(p.output_values, float).ravel()
    if d is not None:
        cols["train x1"], cols["train x2"] = d.x_train[:, 0], d.x_train[:, 1]
        cols["train label"] = np.asarray(d.y_train, float)
        cols["test x1"], cols["test x2"] = d.x_test[:, 0], d.x_test[:, 1]
        cols["test label"] = np.asarray(d.y_test, float)
    return cols
