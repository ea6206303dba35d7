"""The coin-flip demo: likelihood, cross-entropy, Beta prior, likelihood interval, simulator."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import actviz
from actviz.maths import coin

GRID = np.linspace(0.0, 1.0, 10001)
REG = actviz.load_registry()


# ---------------------------------------------------------------- likelihood

def test_closed_form_values():
    theta = np.array([0.2, 0.5, 0.8])
    np.testing.assert_allclose(coin.log_likelihood(theta, 8, 10), 8 * np.log(theta) + 2 * np.log(1 - theta))
    assert coin.mle(8, 10) == 0.8 and coin.mle(0, 3) == 0.0 and coin.mle(0, 0) is None


def test_edges_are_minus_inf_only_where_true():
    ends = np.array([0.0, 1.0])
    assert coin.log_likelihood(ends, 0, 10).tolist() == [0.0, -math.inf]
    assert coin.log_likelihood(ends, 10, 10).tolist() == [-math.inf, 0.0]
    assert coin.log_likelihood(ends, 3, 10).tolist() == [-math.inf, -math.inf]
    np.testing.assert_array_equal(coin.log_likelihood(GRID, 0, 0), 0.0)  # no data: flat
    assert coin.log_likelihood(np.array([-0.1, 1.1, np.nan]), 1, 2).tolist() == [-math.inf] * 3


def test_bad_counts_are_refused():
    for k, n in [(-1, 3), (4, 3), (0, -1)]:
        with pytest.raises(ValueError):
            coin.log_likelihood(GRID, k, n)


@pytest.mark.parametrize("k,n", [(8, 10), (0, 10), (10, 10), (1, 1), (0, 1), (3, 7),
                                 (4_999_123, 10_000_000), (0, 10_000_000), (10_000_000, 10_000_000)])
def test_grid_maximiser_and_bce_minimiser_are_k_over_n(k, n):
    ll = coin.log_likelihood(GRID, k, n)
    bce = coin.mean_bce(GRID, k, n)
    step = GRID[1] - GRID[0]
    assert abs(GRID[np.argmax(ll)] - k / n) <= step / 2 + 1e-12
    assert GRID[np.argmin(bce)] == GRID[np.argmax(ll)]
    norm = coin.normalised_likelihood(GRID, k, n)
    assert norm.max() == 1.0 and np.all((norm >= 0) & (norm <= 1))
    assert not np.isnan(ll).any() and not np.isnan(bce).any()


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 10**7), st.data())
def test_mean_bce_is_minus_loglik_over_n(n, data):
    k = data.draw(st.integers(0, n))
    theta = np.linspace(0, 1, 101)
    bce = coin.mean_bce(theta, k, n)
    ref = -coin.log_likelihood(theta, k, n) / n
    assert np.array_equal(np.isinf(bce), np.isinf(ref))
    fin = np.isfinite(ref)
    np.testing.assert_allclose(bce[fin], ref[fin], rtol=1e-12, atol=1e-14)


def test_mean_bce_equals_the_lectures_loss_averaged_over_flips():
    flips = np.array([1, 1, 0, 1, 1, 1, 0, 1, 1, 1], dtype=float)  # 8 heads in 10
    bce = REG.losses["binary_cross_entropy"]
    theta = np.linspace(0.01, 0.99, 99)
    direct = np.mean([bce.function(theta, t) for t in flips], axis=0)
    np.testing.assert_allclose(coin.mean_bce(theta, 8, 10), direct, rtol=1e-13)
    assert coin.mean_bce(theta, 0, 0) is None


def test_normalised_likelihood_does_not_underflow_at_large_n():
    k, n = 6_000_000, 10_000_000
    norm = coin.normalised_likelihood(np.array([0.6, 0.6 + 1e-4, 0.7]), k, n)
    assert norm[0] == 1.0
    # ℓ(θ̂ + ε) − ℓ(θ̂) ≈ −n ε² / (2 θ̂(1−θ̂))
    assert norm[1] == pytest.approx(math.exp(-n * 1e-8 / (2 * 0.24)), rel=1e-3)
    assert norm[2] == 0.0


# ---------------------------------------------------------------- Beta prior

def test_posterior_closed_forms():
    assert coin.posterior_mean(8, 10, 2, 2) == pytest.approx(10 / 14)
    assert coin.map_estimate(8, 10, 2, 2) == pytest.approx(9 / 12)
    assert coin.map_estimate(8, 10) == pytest.approx(0.8)  # uniform prior: MAP = MLE
    assert coin.posterior_mean(0, 0) == 0.5


@pytest.mark.parametrize("k,n,a,b", [(8, 10, 2, 2), (3, 20, 5, 1.5), (0, 4, 3, 3), (50, 60, 0.7, 4)])
def test_posterior_is_a_normalised_density_peaking_at_the_map(k, n, a, b):
    fine = np.linspace(0, 1, 200001)
    lp = coin.log_posterior(fine, k, n, a, b)
    dens = np.exp(lp)
    assert np.trapezoid(dens, fine) == pytest.approx(1.0, abs=1e-6)
    assert np.trapezoid(fine * dens, fine) == pytest.approx(coin.posterior_mean(k, n, a, b), abs=1e-6)
    assert fine[np.argmax(lp)] == pytest.approx(coin.map_estimate(k, n, a, b), abs=1e-5)


def test_map_edge_cases():
    assert coin.map_estimate(0, 5, 0.5, 2) == 0.0  # α = 0.5 ≤ 1: density falls from +inf at 0
    assert coin.map_estimate(5, 5, 2, 0.5) == 1.0
    assert coin.map_estimate(0, 0, 1, 1) is None  # flat
    assert coin.map_estimate(0, 0, 0.5, 0.5) is None  # U-shaped: the formula's 0.5 is the minimum
    assert coin.map_estimate(0, 3, 1, 1) == 0.0 and coin.map_estimate(3, 3, 1, 1) == 1.0
    lp = coin.log_posterior(np.array([0.0, 0.5]), 0, 5, 0.5, 2)
    assert lp[0] == math.inf and math.isfinite(lp[1])
    with pytest.raises(ValueError):
        coin.map_estimate(1, 2, 0.0, 1.0)


# ---------------------------------------------------------------- interval

def test_drop_is_half_the_chi2_quantile():
    assert coin.likelihood_drop(0.95) == pytest.approx(1.920729410347062, abs=1e-12)
    assert coin.likelihood_drop(0.99) == pytest.approx(6.634896601021213 / 2, abs=1e-10)


@pytest.mark.parametrize("k,n", [(8, 10), (1, 10), (500, 1000), (3, 7), (1, 10_000_000), (9_999_999, 10_000_000)])
def test_interval_boundaries_sit_on_the_drop(k, n):
    iv = coin.likelihood_interval(k, n)
    assert iv.lower < iv.mle < iv.upper
    peak = coin.log_likelihood(np.array([k / n]), k, n)[0]
    at = coin.log_likelihood(np.array([iv.lower, iv.upper]), k, n) - peak
    np.testing.assert_allclose(at, -iv.drop, rtol=1e-6)
    # just inside is inside, just outside is outside
    width = iv.upper - iv.lower
    inner = coin.log_likelihood(np.array([iv.lower + 1e-3 * width, iv.upper - 1e-3 * width]), k, n) - peak
    outer = coin.log_likelihood(np.array([iv.lower - 1e-3 * width, iv.upper + 1e-3 * width]), k, n) - peak
    assert np.all(inner > -iv.drop) and np.all(outer < -iv.drop)


def test_interval_at_the_edges():
    drop = coin.likelihood_drop()
    for n in (1, 10, 10_000_000):
        lo = coin.likelihood_interval(0, n)
        assert lo.lower == 0.0 and lo.mle == 0.0
        assert lo.upper == pytest.approx(-math.expm1(-drop / n), rel=1e-9)
        hi = coin.likelihood_interval(n, n)
        assert hi.upper == 1.0 and hi.lower == pytest.approx(math.exp(-drop / n), rel=1e-12)
    none = coin.likelihood_interval(0, 0)
    assert (none.lower, none.upper, none.mle) == (0.0, 1.0, None)


def test_interval_shrinks_like_one_over_root_n():
    w1 = coin.likelihood_interval(400, 1000)
    w2 = coin.likelihood_interval(40_000, 100_000)
    ratio = (w1.upper - w1.lower) / (w2.upper - w2.lower)
    assert ratio == pytest.approx(10.0, rel=0.01)
    # large n: the Wald width 2·1.96·√(θ(1−θ)/n)
    assert w2.upper - w2.lower == pytest.approx(2 * 1.959964 * math.sqrt(0.24 / 100_000), rel=1e-3)


# ---------------------------------------------------------------- simulator

def test_simulator_counts_and_history():
    sim = coin.CoinSimulator(0.5, seed=42)
    assert (sim.n, sim.heads, sim.estimate, sim.recent()) == (0, 0, None, "")
    got = sim.flip(10)
    assert sim.n == 10 and sim.heads == got and sim.tails == 10 - got
    assert len(sim.recent()) == 10 and sim.recent().count("H") == got
    sim.flip(100)
    assert len(sim.recent()) == 60 and len(sim.recent(5)) == 5 and sim.recent(0) == ""
    assert set(sim.recent(1000)) <= {"H", "T"} and len(sim.recent(5000)) == 110
    assert sim.recent(5) == sim.recent(60)[-5:]


def test_simulator_is_reproducible():
    a, b = coin.CoinSimulator(0.3, seed=7), coin.CoinSimulator(0.3, seed=7)
    for m in (1, 5, 1000, 3):
        assert a.flip(m) == b.flip(m)
    assert a.recent() == b.recent()
    np.testing.assert_array_equal(a.trajectory()[1], b.trajectory()[1])
    c = coin.CoinSimulator(0.3, seed=8)
    c.flip(1009)
    assert c.recent() != a.recent()
    heads = a.heads
    a.reset()
    assert a.n == 0 and a.trajectory()[0].size == 0
    for m in (1, 5, 1000, 3):
        a.flip(m)
    assert a.heads == heads  # reset restarts the same stream


def test_chunking_does_not_change_the_stream(monkeypatch):
    a = coin.CoinSimulator(0.4, seed=3)
    a.flip(5000)
    monkeypatch.setattr(coin.CoinSimulator, "CHUNK", 77)
    b = coin.CoinSimulator(0.4, seed=3)
    b.flip(5000)
    assert a.heads == b.heads and a.recent(1000) == b.recent(1000)
    np.testing.assert_array_equal(a.trajectory()[1], b.trajectory()[1])


def test_trajectory_matches_a_cumulative_sum():
    sim = coin.CoinSimulator(0.7, seed=5)
    for m in (3, 700, 1, 40_000):
        sim.flip(m)
    ns, theta = sim.trajectory()
    # replay the same stream by hand
    rng = np.random.default_rng(5)
    flips = np.concatenate([rng.random(m) < 0.7 for m in (3, 700, 1, 40_000)])
    cum = np.cumsum(flips)
    np.testing.assert_allclose(theta, cum[ns - 1] / ns)
    assert ns[-1] == sim.n and np.all(np.diff(ns) > 0)
    assert ns[:1000].tolist() == list(range(1, 1001))  # every early flip


def test_ten_million_flips():
    sim = coin.CoinSimulator(0.3, seed=1)
    sim.flip(10_000_000)
    assert sim.n == 10_000_000 and abs(sim.estimate - 0.3) < 1e-3
    ns, theta = sim.trajectory()
    assert ns.size <= 2001 and ns[-1] == 10_000_000 and theta[-1] == sim.estimate
    assert len(sim._cp_n) <= 2001  # stored state grows with log n, not n
    thin = sim.trajectory(max_points=100)[0]
    assert thin.size <= 100 and thin[0] == 1 and thin[-1] == 10_000_000


def test_certain_coins_and_bad_p():
    heads = coin.CoinSimulator(1.0, seed=0)
    assert heads.flip(50) == 50 and heads.recent(3) == "HHH"
    tails = coin.CoinSimulator(0.0, seed=0)
    assert tails.flip(50) == 0
    with pytest.raises(ValueError):
        coin.CoinSimulator(1.5)
    unseeded = coin.CoinSimulator(0.5)
    unseeded.flip(20)
    replay = coin.CoinSimulator(0.5, seed=unseeded.seed)
    replay.flip(20)
    assert replay.recent() == unseeded.recent()
