"""The learning engine's data: seeded playground data sets, input features, and CSV files with their errors."""

from __future__ import annotations

import numpy as np
import pytest

from actviz.maths.learning import DATASETS, feature_matrix, load_csv, make_dataset
from tests.learning_helpers import ALL_FEATURES

# -- data sets ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", DATASETS)
def test_datasets_are_seeded_and_split(name):
    a = make_dataset(name, n=120, noise=0.2, train_ratio=0.75, seed=3)
    b = make_dataset(name, n=120, noise=0.2, train_ratio=0.75, seed=3)
    c = make_dataset(name, n=120, noise=0.2, train_ratio=0.75, seed=4)
    assert np.array_equal(a.x_train, b.x_train) and np.array_equal(a.y_test, b.y_test)
    assert not np.array_equal(a.x_train, c.x_train)
    assert len(a.x_train) == 90 and len(a.x_test) == 30
    assert a.x_train.shape[1] == 2 and np.all(np.isfinite(a.x))
    if a.kind == "classification":
        assert set(np.unique(a.y)) == set(range(a.n_classes))
    else:
        assert a.y.dtype == float


def test_dataset_shapes_follow_the_playground():
    circle = make_dataset("circle", n=400, seed=0)
    r = np.hypot(*circle.x.T)
    assert np.all(r[circle.y == 1] <= 2.5) and np.all(r[circle.y == 0] >= 3.5)
    xor = make_dataset("xor", n=400, seed=0)
    assert np.array_equal(xor.y, (xor.x[:, 0] * xor.x[:, 1] >= 0).astype(int))
    plane = make_dataset("regression_plane", n=200, seed=0)
    assert np.allclose(plane.y, plane.x.sum(axis=1) / 10)
    assert make_dataset("blobs", n=90, n_classes=4).n_classes == 4
    assert make_dataset("spiral", n=90, n_classes=3).n_classes == 3


def test_bad_dataset_arguments():
    with pytest.raises(ValueError, match="unknown data set"):
        make_dataset("moons")
    with pytest.raises(ValueError, match="noise"):
        make_dataset("circle", noise=2.0)
    with pytest.raises(ValueError, match="train_ratio"):
        make_dataset("circle", train_ratio=0.0)


def test_features():
    pts = np.array([[1.0, 2.0], [-0.5, 3.0]])
    f = feature_matrix(pts, ALL_FEATURES)
    x1, x2 = pts.T
    assert np.allclose(f, np.column_stack([x1, x2, x1 ** 2, x2 ** 2, x1 * x2, np.sin(x1), np.sin(x2)]))
    assert feature_matrix(pts, ("x1x2",)).shape == (2, 1)
    with pytest.raises(ValueError, match="unknown feature"):
        feature_matrix(pts, ("x3",))
    with pytest.raises(ValueError, match="at least one"):
        feature_matrix(pts, ())


# -- CSV ------------------------------------------------------------------------------------------


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_classification_with_header_and_plus_minus_labels(tmp_path):
    rows = "\n".join(f"{i * 0.1},{-i * 0.2},{1 if i % 2 else -1}" for i in range(20))
    d = load_csv(write(tmp_path, "x1,x2,label\n# a comment\n\n" + rows + "\n"), train_ratio=0.5)
    assert d.kind == "classification" and d.n_classes == 2 and d.class_labels == (-1, 1)
    assert len(d.x_train) == 10 and len(d.x_test) == 10
    assert set(np.unique(d.y)) == {0, 1}


def test_csv_regression(tmp_path):
    d = load_csv(write(tmp_path, "0,0,0.5\n1,1,0.25\n2,2,-0.75\n"), train_ratio=1.0)
    assert d.kind == "regression" and np.allclose(np.sort(d.y), [-0.75, 0.25, 0.5])


@pytest.mark.parametrize(("text", "message"), [
    ("x1,x2,label\n1,2,1\n3,4\n", "line 3: expected 3 values"),
    ("1,2,1\n3,abc,0\n", r"line 2: x2 'abc' is not a number"),
    ("1,2,1\n3,4,nan\n", "line 2: label is nan"),
    ("1,2,1\n3,inf,0\n", "line 2: x2 is inf"),
    ("x1,x2,label\n1,2,1\n", "at least 2 data rows"),
    ("", "at least 2 data rows"),
    ("1,2,1\n3,4,1\n", "classification needs 2 classes"),
    ("1,2,1,7\n", "line 1: expected 3 values"),
])
def test_csv_errors_name_the_line_and_reason(tmp_path, text, message):
    with pytest.raises(ValueError, match=message):
        load_csv(write(tmp_path, text))


def test_csv_forced_classification_needs_integer_labels(tmp_path):
    with pytest.raises(ValueError, match="not an integer"):
        load_csv(write(tmp_path, "1,2,0.5\n3,4,1\n"), kind="classification")


def test_csv_binary_file(tmp_path):
    path = tmp_path / "data.csv"
    path.write_bytes(b"\xff\xfe\x00\x81\x00")
    with pytest.raises(ValueError, match="not a text file"):
        load_csv(path)
