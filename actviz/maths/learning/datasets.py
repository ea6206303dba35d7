"""Data sets in playground.tensorflow.org's coordinates (about ±6), a user's CSV, and input features."""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from actviz.maths.learning.common import Kind

DATASETS = ("circle", "xor", "two_gaussians", "spiral", "blobs", "regression_plane")

DATASET_LABELS = {
    "circle": "Circle",
    "xor": "Exclusive or (quadrants)",
    "two_gaussians": "Two Gaussians",
    "spiral": "Spiral",
    "blobs": "Gaussian blobs (K classes)",
    "regression_plane": "Plane (regression)",
}


@dataclass(frozen=True)
class Dataset:
    """Points split into train and test sets.

    ``x_*`` have shape (n, 2). For classification ``y_*`` hold class indices 0 … K−1 (int);
    for regression they hold real targets (float). ``class_labels`` are the labels the classes
    had in the source (e.g. −1 and 1 in a CSV file), for display.
    """

    name: str
    kind: Kind
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    n_classes: int = 2
    class_labels: tuple = (0, 1)

    @property
    def x(self) -> np.ndarray:
        return np.concatenate([self.x_train, self.x_test])

    @property
    def y(self) -> np.ndarray:
        return np.concatenate([self.y_train, self.y_test])

    def bounds(self, pad: float = 0.1) -> tuple[float, float, float, float]:
        """(x1 min, x1 max, x2 min, x2 max) of all points, padded by ``pad`` of the span."""
        x = self.x
        lo, hi = x.min(axis=0), x.max(axis=0)
        span = np.maximum(hi - lo, 1e-9)
        lo, hi = lo - pad * span, hi + pad * span
        return float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])


def _split(name: str, kind: Kind, x: np.ndarray, y: np.ndarray, train_ratio: float,
           rng: np.random.Generator, n_classes: int = 2, class_labels: tuple = (0, 1)) -> Dataset:
    if not 0.0 < train_ratio <= 1.0:
        raise ValueError(f"train_ratio must be in (0, 1], got {train_ratio}")
    order = rng.permutation(len(x))
    n_train = min(len(x), max(1, int(round(train_ratio * len(x)))))
    tr, te = order[:n_train], order[n_train:]
    return Dataset(name, kind, x[tr], y[tr], x[te], y[te], n_classes, class_labels)


def _circle(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    radius = 5.0
    half = n // 2
    r = np.concatenate([rng.uniform(0.0, 0.5 * radius, half), rng.uniform(0.7 * radius, radius, n - half)])
    angle = rng.uniform(0.0, 2.0 * math.pi, n)
    x = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    jitter = rng.uniform(-radius, radius, (n, 2)) * noise
    label = (np.hypot(*(x + jitter).T) < 0.5 * radius).astype(int)
    return x, label


def _xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    padding = 0.3
    x = rng.uniform(-5.0, 5.0, (n, 2))
    x = x + np.where(x > 0, padding, -padding)
    jitter = rng.uniform(-5.0, 5.0, (n, 2)) * noise
    shifted = x + jitter
    label = (shifted[:, 0] * shifted[:, 1] >= 0).astype(int)
    return x, label


def _two_gaussians(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    variance = 0.5 + (4.0 - 0.5) * noise
    half = n // 2
    centres = np.array([[2.0, 2.0]] * half + [[-2.0, -2.0]] * (n - half))
    x = centres + rng.normal(0.0, math.sqrt(variance), (n, 2))
    label = np.array([1] * half + [0] * (n - half))
    return x, label


def _spiral(n: int, noise: float, rng: np.random.Generator, k: int = 2) -> tuple[np.ndarray, np.ndarray]:
    xs, labels = [], []
    for c in range(k):
        m = n // k + (1 if c < n % k else 0)
        i = np.arange(m)
        r = i / m * 5.0
        t = 1.75 * i / m * 2.0 * math.pi + 2.0 * math.pi * c / k
        p = np.column_stack([r * np.sin(t), r * np.cos(t)]) + rng.uniform(-1.0, 1.0, (m, 2)) * noise
        xs.append(p)
        # playground: the arm with Δt = 0 is the positive class
        labels.append(np.full(m, (1 - c) if k == 2 else c))
    return np.concatenate(xs), np.concatenate(labels)


def _blobs(n: int, noise: float, rng: np.random.Generator, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    angle = 2.0 * math.pi * np.arange(k) / k + math.pi / 4
    centres = 3.5 * np.column_stack([np.cos(angle), np.sin(angle)])
    label = np.arange(n) % k
    sd = math.sqrt(0.3 + 3.0 * noise)
    return centres[label] + rng.normal(0.0, sd, (n, 2)), label


def _regression_plane(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    radius = 6.0
    x = rng.uniform(-radius, radius, (n, 2))
    jitter = rng.uniform(-radius, radius, (n, 2)) * noise
    shifted = x + jitter
    return x, (shifted[:, 0] + shifted[:, 1]) / 10.0


def make_dataset(name: str, n: int = 200, noise: float = 0.0, train_ratio: float = 0.5, seed: int = 0,
                 n_classes: int | None = None) -> Dataset:
    """Generate one of :data:`DATASETS`, as playground.tensorflow.org does.

    ``noise`` is a fraction in [0, 1] (the playground's slider is 0–50 %); ``n_classes`` is the
    number of blobs (default 3) or spiral arms (default 2). Same arguments → same points.
    """
    if name not in DATASETS:
        raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(DATASETS)}")
    if n < 2:
        raise ValueError(f"need at least 2 points, got {n}")
    if not 0.0 <= noise <= 1.0:
        raise ValueError(f"noise must be in [0, 1], got {noise}")
    rng = np.random.default_rng(seed)
    k = 2
    if name == "circle":
        x, y = _circle(n, noise, rng)
    elif name == "xor":
        x, y = _xor(n, noise, rng)
    elif name == "two_gaussians":
        x, y = _two_gaussians(n, noise, rng)
    elif name == "spiral":
        k = max(2, int(n_classes or 2))
        x, y = _spiral(n, noise, rng, k)
    elif name == "blobs":
        k = max(2, int(n_classes or 3))
        x, y = _blobs(n, noise, rng, k)
    else:
        x, y = _regression_plane(n, noise, rng)
        return _split(name, "regression", x, y.astype(float), train_ratio, rng, n_classes=0, class_labels=())
    return _split(name, "classification", x.astype(float), y.astype(int), train_ratio, rng, k, tuple(range(k)))


def _number(text: str, lineno: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"line {lineno}: {column} {text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"line {lineno}: {column} is {text.strip()}, not a finite number")
    return value


def load_csv(path: str | Path, train_ratio: float = 0.5, seed: int = 0, kind: Kind | None = None,
             max_classes: int = 10) -> Dataset:
    """Read a user's CSV of (x1, x2, label) rows, with or without a header line.

    Blank lines and lines starting with ``#`` are skipped. Labels that are all integers with at
    most ``max_classes`` distinct values make a classification problem (sorted labels become
    classes 0 … K−1, so −1/1 and 0/1 both work); otherwise it is regression. ``kind`` forces one.
    Raises :class:`ValueError` naming the line and the reason.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path.name}: not a text file ({exc.reason})") from None
    rows: list[tuple[float, float, float]] = []
    header_seen = False
    for lineno, fields in enumerate(csv.reader(text.splitlines()), start=1):
        if not fields or all(not f.strip() for f in fields) or fields[0].lstrip().startswith("#"):
            continue
        if len(fields) != 3:
            raise ValueError(f"line {lineno}: expected 3 values (x1, x2, label), got {len(fields)}")
        if not rows and not header_seen:
            try:
                [float(f) for f in fields]
            except ValueError:
                if all(f.strip() and not _looks_numeric(f) for f in fields):
                    header_seen = True  # a header line such as "x1,x2,label"
                    continue
        rows.append(tuple(_number(f, lineno, col) for f, col in zip(fields, ("x1", "x2", "label"), strict=True)))
    if len(rows) < 2:
        raise ValueError(f"{path.name}: need at least 2 data rows (x1, x2, label), found {len(rows)}")
    data = np.array(rows, dtype=float)
    x, labels = data[:, :2], data[:, 2]
    integral = bool(np.all(labels == np.round(labels)))
    distinct = np.unique(labels)
    if kind is None:
        kind = "classification" if integral and len(distinct) <= max_classes else "regression"
    if kind == "classification":
        if not integral:
            bad = int(np.argmax(labels != np.round(labels)))
            raise ValueError(f"row {bad + 1}: class label {labels[bad]:g} is not an integer")
        if len(distinct) < 2:
            raise ValueError(f"{path.name}: every row has label {distinct[0]:g}; classification needs 2 classes")
        if len(distinct) > max_classes:
            raise ValueError(f"{path.name}: {len(distinct)} distinct labels, more than {max_classes} classes")
        y = np.searchsorted(distinct, labels).astype(int)
        class_labels = tuple(int(v) for v in distinct)
        return _split(path.stem, "classification", x, y, train_ratio, np.random.default_rng(seed),
                      len(distinct), class_labels)
    if kind != "regression":
        raise ValueError(f"kind must be 'classification' or 'regression', got {kind!r}")
    return _split(path.stem, "regression", x, labels, train_ratio, np.random.default_rng(seed), 0, ())


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


# ----------------------------------------------------------------------------------------------
# features
# ----------------------------------------------------------------------------------------------

FEATURES: dict[str, str] = {
    "x1": "x₁",
    "x2": "x₂",
    "x1_sq": "x₁²",
    "x2_sq": "x₂²",
    "x1x2": "x₁·x₂",
    "sin_x1": "sin x₁",
    "sin_x2": "sin x₂",
}


def feature_matrix(points: np.ndarray, features: Sequence[str] = ("x1", "x2")) -> np.ndarray:
    """The selected input features of (n, 2) points, shape (n, len(features))."""
    p = np.asarray(points, dtype=float).reshape(-1, 2)
    x1, x2 = p[:, 0], p[:, 1]
    columns = {
        "x1": lambda: x1, "x2": lambda: x2, "x1_sq": lambda: x1 * x1, "x2_sq": lambda: x2 * x2,
        "x1x2": lambda: x1 * x2, "sin_x1": lambda: np.sin(x1), "sin_x2": lambda: np.sin(x2),
    }
    if not features:
        raise ValueError("select at least one input feature")
    for f in features:
        if f not in columns:
            raise ValueError(f"unknown feature {f!r}; choose from {', '.join(FEATURES)}")
    return np.column_stack([columns[f]() for f in features])
