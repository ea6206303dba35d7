"""The playground network's training loop: minibatches, Δw = −ε ∂E/∂w, the loss history.

A mixin of :class:`~actviz.maths.learning.network.PlaygroundNetwork`, kept apart from the
forward/backward pass it drives.
"""

from __future__ import annotations

import math
import time

import numpy as np

from actviz.maths.learning.common import TrainingError


class TrainingLoop:
    """Minibatch gradient descent over ``_x_train``/``_t_train`` using ``_loss_and_gradients``."""

    def _next_batch(self) -> np.ndarray:
        size = max(1, min(self.batch_size, len(self._x_train)))
        idx = self._order[self._pos:self._pos + size]
        self._pos += len(idx)
        if self._pos >= len(self._order):
            self._order = self._order_rng.permutation(len(self._x_train))
            self._pos = 0
        return idx

    def _backprop_batch(self, idx: np.ndarray):
        return self._loss_and_gradients(self._x_train[idx], self._t_train[idx], with_loss=False)

    def step(self) -> bool:
        """One minibatch update Δw = −ε ∂E/∂w. False (and :attr:`error` set) if training stopped."""
        if self.error is not None:
            return False
        idx = self._next_batch()
        try:
            with np.errstate(all="ignore"):  # overflow shows up as exploded weights below
                _, gw, gb, deltas = self._backprop_batch(idx)
                lr = self.learning_rate
                new_w = [w - lr * g for w, g in zip(self.weights, gw, strict=True)]
                new_b = [b - lr * g for b, g in zip(self.biases, gb, strict=True)]
                biggest = float(np.abs(np.concatenate([a.ravel() for a in (*new_w, *new_b)])).max())
            if not biggest <= self.weight_limit:  # also catches NaN
                raise TrainingError(f"the weights exploded (max |w| = {biggest:.3g}) at epoch {self.epoch:.0f}; "
                                    f"lower the learning rate or add regularisation")
        except TrainingError as exc:
            self.error = str(exc)
            return False
        self.weights, self.biases = new_w, new_b
        n = len(idx)
        self.last_mean_abs_delta = np.array([float(np.abs(d).sum()) / d.shape[1] for d in deltas])
        self.steps += 1
        self.examples_seen += n
        if int(self.epoch) > self._epoch_int:
            self._epoch_int = int(self.epoch)
            try:
                self._record()
            except TrainingError as exc:
                self.error = str(exc)
                return False
        return True

    def train_steps(self, n: int) -> int:
        """Up to ``n`` minibatch steps; returns how many were taken (fewer if training stopped)."""
        done = 0
        for _ in range(n):
            if not self.step():
                break
            done += 1
        return done

    def train_for(self, seconds: float, max_steps: int = 100_000) -> int:
        """Minibatch steps until ``seconds`` have passed (one GUI timer slice); returns the count."""
        end = time.perf_counter() + seconds
        done = 0
        while done < max_steps and time.perf_counter() < end:
            if not self.step():
                break
            done += 1
        return done

    def train_epochs(self, n: int) -> int:
        """Train until ``n`` more epochs are complete (or training stops); returns the steps taken."""
        target = self._epoch_int + n
        done = 0
        while self._epoch_int < target and self.step():
            done += 1
        return done

    def losses(self) -> tuple[float, float]:
        """Current mean (train, test) loss; test is NaN without test points."""
        with np.errstate(all="ignore"):
            _, acts = self._forward(self._x_train)
            train = self._mean_loss(acts[-1], self._t_train)
            test = math.nan
            if self._x_test is not None:
                _, acts = self._forward(self._x_test)
                test = self._mean_loss(acts[-1], self._t_test)
        return train, test

    def _record(self) -> None:
        train, test = self.losses()
        h = self.history
        h.epochs.append(self.epoch)
        h.train_loss.append(train)
        h.test_loss.append(test)
        h.mean_abs_delta.append(self.last_mean_abs_delta.copy())
