"""What the learning-engine tests share: every input feature the playground offers."""

from __future__ import annotations

from actviz.maths.learning import FEATURES

ALL_FEATURES = tuple(FEATURES)
