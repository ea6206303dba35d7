"""Guarded calls into plugin functions, for view authors: a broken or slow function becomes an
:class:`EvaluationError` with the reason, never a crash or a hang of the window."""

from actviz.host.evaluation import EvaluationError, SlowCall, call, numerical_slope, slope, value
from actviz.host.registry import kinks_of

__all__ = ["EvaluationError", "SlowCall", "call", "kinks_of", "numerical_slope", "slope", "value"]
