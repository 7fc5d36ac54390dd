"""Random-matrix samplers: ``law.sample(n, rng)`` against the law it realises.

Tolerances
----------
* Kolmogorov–Smirnov.  For n iid draws from a continuous law,
  ``P(sqrt(n) D_n > 1.95) ≈ 1e-3`` (Kolmogorov's limit law); for a law with
  atoms the statistic is stochastically smaller, so ``1.95/sqrt(n)`` is a
  conservative bound for every iid model (uniform, atoms, empirical).
  Eigenvalues of Wigner, Wishart and Haar-sum matrices are rigid: in the bulk each
  sits within ``O(n^{-1+ε})`` of its classical location, and at a square-root edge
  within ``O(n^{-2/3})``, where the cdf moves by only ``O(1/n)``; the distance of
  their empirical cdf to the limit is ``O(log n / n)``.  We allow ``3 log(n)/n``
  (0.045 at n = 400; the largest value seen over 30 seeds is 0.011).
* Mean and variance.  For iid draws the sample mean and variance have standard
  deviations ``σ/sqrt(n)`` and ``sqrt(μ4 - σ⁴)/sqrt(n)`` (central moments of the law):
  we allow 5 of them (two-sided normal tail 6e-7).  For the matrix models these are
  linear eigenvalue statistics, whose fluctuations are ``O(1)`` on the scale of the
  trace (CLT for linear statistics), i.e. ``O(1/n)`` after dividing by ``n``, with an
  ``O(1/n)`` finite-size bias (e.g. ``E tr W²/p = 1 + γ + 1/N`` for Wishart):
  we allow ``20 σ/n`` and ``20 sqrt(μ4 - σ⁴)/n``.
"""

import math

import numpy as np
import pytest

import freespec as fs
from freespec.testing import law_registry

REGISTRY = law_registry()
NAME_OF = {law: name for name, law in REGISTRY.items()}

# Matrix model of each registry law (docs/conventions.rst, "Matrix model of sample(n)").
MATRIX_MODELS = {
    "semicircle", "semicircle_shifted",                         # GOE
    "marchenko_pastur_below1", "marchenko_pastur_ratio1", "marchenko_pastur_above1",
    "marchenko_pastur_var", "free_poisson", "free_poisson_rate_below1",
    "affine_reflected_mp", "affine_mp_above1",                  # Wishart
    "arcsine",                                                  # D1 + O D2 Oᵀ, O Haar
    "free_add_sc_two_atoms", "free_add_sc_mp",                  # GOE + deterministic diagonal
    "free_mul_mp_two_atoms", "free_mul_mp_above1", "free_mul_fp_uniform",  # Wishart, fixed population
}
IID_MODELS = {"uniform", "atoms", "atoms_single", "empirical"}   # diagonal, iid entries


def is_matrix_model(law):
    return NAME_OF.get(law) in MATRIX_MODELS


def ks_distance(law, ev):
    """sup_x |F_n(x) - F(x)|, exact for a step F_n and a cdf F with jumps.

    Between consecutive sample points F_n is constant and F monotone, so the
    supremum is reached at a sample point x (F_n(x) vs F(x)) or just before it
    (F_n(x-) vs F(x-)).
    """
    ev = np.sort(ev)
    n = len(ev)
    xs = np.unique(ev)
    F = law.cdf(xs)
    F_left = law.cdf(np.nextafter(xs, -np.inf))
    Fn = np.searchsorted(ev, xs, side="right") / n
    Fn_left = np.searchsorted(ev, xs, side="left") / n
    return max(np.max(np.abs(Fn - F)), np.max(np.abs(Fn_left - F_left)))


def ks_tolerance(law, n):
    iid = 1.95 / math.sqrt(n)
    return min(iid, 3 * math.log(n) / n) if is_matrix_model(law) else iid


def central_moments(law):
    m1, m2, m3, m4 = law.moments(4)
    var = m2 - m1 ** 2
    mu4 = m4 - 4 * m3 * m1 + 6 * m2 * m1 ** 2 - 3 * m1 ** 4
    return m1, var, mu4


def scale(law):
    pts = [p for iv in law.support() for p in iv] + [a for a, _ in law.atoms()]
    return max(abs(min(pts)), abs(max(pts)))


def check_sample(law, n, seed):
    ev = law.sample(n, rng=seed)
    assert isinstance(ev, np.ndarray) and ev.shape == (n,) and ev.dtype == np.float64
    assert np.all(np.isfinite(ev))
    assert np.all(np.diff(ev) >= 0)

    # every eigenvalue of a matrix model lies near the spectrum; iid draws lie on it
    lo = min([p for iv in law.support() for p in iv] + [a for a, _ in law.atoms()])
    hi = max([p for iv in law.support() for p in iv] + [a for a, _ in law.atoms()])
    slack = 0.5 * (hi - lo) if is_matrix_model(law) else 1e-12 * scale(law)
    assert lo - slack <= ev[0] and ev[-1] <= hi + slack

    d = ks_distance(law, ev)
    assert d <= ks_tolerance(law, n)

    m1, var, mu4 = central_moments(law)
    sd_mean = math.sqrt(max(var, 0.0))
    sd_var = math.sqrt(max(mu4 - var ** 2, 0.0))
    factor = 20 / n if is_matrix_model(law) else 5 / math.sqrt(n)
    tiny = 1e-12 * max(scale(law), 1.0) ** 2    # rounding, for a degenerate law (σ = 0)
    assert abs(ev.mean() - m1) <= factor * sd_mean + tiny
    assert abs(ev.var() - var) <= factor * sd_var + tiny
    return ev


def test_model_classification_names_registry_laws():
    # laws not listed fall back to the (looser) iid tolerances
    assert MATRIX_MODELS <= set(REGISTRY) and IID_MODELS <= set(REGISTRY)
    assert not MATRIX_MODELS & IID_MODELS


def test_sample_matches_law(law):
    check_sample(law, 400, seed=20240601)


def test_sample_small_and_odd_sizes(law):
    for n in (1, 2, 7):
        ev = law.sample(n, rng=3)
        assert ev.shape == (n,)
        assert np.all(np.isfinite(ev)) and np.all(np.diff(ev) >= 0)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_sample_matches_law_large(law, seed):
    check_sample(law, 2000, seed=seed)


def test_sample_deterministic(law):
    a = law.sample(300, rng=11)
    b = law.sample(300, rng=11)
    c = law.sample(300, rng=np.random.default_rng(11))
    assert np.array_equal(a, b)
    assert np.array_equal(a, c)
    d = law.sample(300, rng=12)
    if len(law.atoms()) == 1 and not law.support():
        assert np.array_equal(a, d)      # a point mass has one possible sample
    else:
        assert not np.array_equal(a, d)


def test_sample_generator_advances(law):
    rng = np.random.default_rng(5)
    a, b = law.sample(200, rng=rng), law.sample(200, rng=rng)
    if len(law.atoms()) == 1 and not law.support():
        assert np.array_equal(a, b)
    else:
        assert not np.array_equal(a, b)


@pytest.mark.parametrize("bad", [0, -3, 2.5, True, "10"])
def test_sample_size_validation(bad):
    with pytest.raises(fs.DomainError):
        fs.semicircle().sample(bad)


def test_atomic_samples_hit_atoms_with_right_frequencies():
    law = fs.atoms([-1, 0.5, 2], weights=[0.2, 0.5, 0.3])
    n = 4000
    ev = law.sample(n, rng=9)
    assert set(np.unique(ev)) <= {-1.0, 0.5, 2.0}
    for loc, p in [(-1.0, 0.2), (0.5, 0.5), (2.0, 0.3)]:
        # binomial count: 5 standard deviations
        assert abs(np.mean(ev == loc) - p) <= 5 * math.sqrt(p * (1 - p) / n)


def test_marchenko_pastur_above_one_has_exact_zeros():
    # MP(γ > 1): the p × p Wishart matrix has rank N = round(p/γ), so p - N eigenvalues are 0
    ev = fs.marchenko_pastur(2.5).sample(400, rng=4)
    n_zero = np.sum(np.abs(ev) <= 1e-10)
    assert n_zero == 400 - 160
    assert np.all(ev[n_zero:] > 0.1)


def test_semicircle_extreme_eigenvalues_near_edges():
    # GOE: the extreme eigenvalues are c ± 2σ + O(σ n^{-2/3}) (Tracy–Widom fluctuations);
    # n^{-2/3} ≈ 0.016 at n = 500: allow 10 of those
    ev = fs.semicircle(var=4, center=1).sample(500, rng=2)
    tol = 10 * 500 ** (-2 / 3) * 2
    assert abs(ev[-1] - 5) <= tol
    assert abs(ev[0] + 3) <= tol
