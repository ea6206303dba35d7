"""Deprecated: moved to :mod:`actviz.maths.backprop`; this name stays importable for old code."""

from actviz._moved import alias

alias(__name__, "actviz.maths.backprop")
