"""What the tour tests share: the models a tour stop sets up."""

from __future__ import annotations

from actviz.models.tour import fresh_model, stop_state


def models_at(registry, stop):
    """Every view's model, the stop's view holding its scene (what the panel applies)."""
    models = {name: fresh_model(registry, name) for name in registry.views}
    models[stop.view].restore(stop_state(registry, stop))
    return models
