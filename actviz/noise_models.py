"""Deprecated: moved to :mod:`actviz.maths.noise_models`; this name stays importable for old code."""

from actviz._moved import alias

alias(__name__, "actviz.maths.noise_models")
