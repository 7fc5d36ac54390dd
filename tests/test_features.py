"""Random features with power-law input: the population covariance against Isserlis'
formulas, closed-form Gaussian expectations and Monte Carlo; the multiset-product
shape against the divisor counts; the d = ∞ spectrum against the operator in the
monomial basis; the fitted decay exponents."""

import itertools
import math

import numpy as np
import pytest

from freespec.nn.features import (fit_exponent, limit_spectrum, monomial_hermite, multiset_products,
                                  predicted_local_exponent, predicted_shape, rf_covariance, rf_spectrum,
                                  study)
from freespec.errors import DomainError


@pytest.fixture
def small():
    rng = np.random.default_rng(3)
    v, d = 30, 12
    lam = np.arange(1, v + 1, dtype=float) ** -1.5
    W = rng.standard_normal((v, d))
    return W, lam, W.T @ (lam[:, None] * W)


def test_monomials_against_isserlis(small):
    W, lam, C = small
    d = W.shape[1]
    c = np.diag(C)
    np.testing.assert_allclose(rf_covariance(W, lam, 1), C / d, rtol=1e-13)
    # E u_i² u_j² = C_ii C_jj + 2 C_ij²;  E u_i³ u_j³ = 9 C_ii C_jj C_ij + 6 C_ij³
    np.testing.assert_allclose(rf_covariance(W, lam, 2), (np.outer(c, c) + 2 * C ** 2) / d, rtol=1e-12)
    np.testing.assert_allclose(rf_covariance(W, lam, 3), (9 * np.outer(c, c) * C + 6 * C ** 3) / d,
                               rtol=1e-12)
    # centred: minus the outer product of the means E u² = C_ii
    np.testing.assert_allclose(rf_covariance(W, lam, 2, centered=True), 2 * C ** 2 / d, rtol=1e-12)


def test_hermite_coefficients_of_monomials():
    # ξ³ = He_3 + 3 He_1, ξ⁴ = He_4 + 6 He_2 + 3
    np.testing.assert_allclose(monomial_hermite(3), [0, 3, 0, math.sqrt(6)])
    np.testing.assert_allclose(monomial_hermite(4), [3, 0, 6 * math.sqrt(2), 0, math.sqrt(24)])
    with pytest.raises(DomainError):
        monomial_hermite(-1)


def test_general_activation_against_closed_form(small):
    # sin u sin v = (cos(u − v) − cos(u + v))/2 and E cos Y = exp(−Var Y/2):
    # E sin u_i sin u_j = (exp(−(a + b − 2c)/2) − exp(−(a + b + 2c)/2))/2
    W, lam, C = small
    d = W.shape[1]
    a = np.diag(C)[:, None]
    b = np.diag(C)[None, :]
    want = (np.exp(-(a + b - 2 * C) / 2) - np.exp(-(a + b + 2 * C) / 2)) / 2
    np.testing.assert_allclose(d * rf_covariance(W, lam, np.sin, kmax=60), want, rtol=1e-9, atol=1e-13)
    # a callable monomial agrees with the exact expansion
    np.testing.assert_allclose(rf_covariance(W, lam, lambda y: y ** 3, kmax=6), rf_covariance(W, lam, 3),
                               rtol=1e-10)


def test_fit_exponent_and_linear_features_inherit_alpha():
    j = np.arange(1, 401)
    assert fit_exponent(3.0 * predicted_shape(j, 1.7, 3), 5, 200, log_power=2) == pytest.approx(1.7, rel=1e-12)
    # p = 1: the nonzero spectrum of (1/d) H^{1/2} W Wᵀ H^{1/2}; its top j << d eigenvalues
    # follow λ_j(H) = j^{−2} within the MP fluctuations of a d = 300 sample (about 5%)
    ev = rf_spectrum(2.0, 600, 200, activation=1, rng=1)
    assert fit_exponent(ev, 5, 20) == pytest.approx(2.0, abs=0.15)


def test_population_covariance_against_monte_carlo():
    # E_x over 4·10⁵ draws of x ~ N(0, H); every entry within 5 standard errors
    rng = np.random.default_rng(7)
    v, d, n = 6, 4, 400_000
    lam = np.arange(1, v + 1, dtype=float) ** -2.0
    W = rng.standard_normal((v, d))
    U = (rng.standard_normal((n, v)) * np.sqrt(lam)) @ W          # rows u = Wᵀx
    for p in (2, 3):
        F = U ** p
        prods = F[:, :, None] * F[:, None, :] / d
        mc, se = prods.mean(0), prods.std(0) / math.sqrt(n)
        assert np.all(np.abs(rf_covariance(W, lam, p) - mc) < 5 * se)


def test_linear_features_are_the_sketched_input_covariance():
    # p = 1: K = WᵀHW/d, whose nonzero eigenvalues are the squared singular values of H^{1/2}W/√d
    rng = np.random.default_rng(2)
    v, d = 40, 25
    lam = np.arange(1, v + 1, dtype=float) ** -1.5
    W = rng.standard_normal((v, d))
    sv = np.linalg.svd(np.sqrt(lam)[:, None] * W / math.sqrt(d), compute_uv=False)
    np.testing.assert_allclose(np.sort(np.linalg.eigvalsh(rf_covariance(W, lam, 1)))[::-1], sv ** 2,
                               rtol=1e-10, atol=1e-15)


def test_mehler_for_cosine(small):
    # E cos u_i cos u_j = (exp(−(a + b − 2c)/2) + exp(−(a + b + 2c)/2))/2, centred: minus E cos u_i E cos u_j
    W, lam, C = small
    d = W.shape[1]
    a, b = np.diag(C)[:, None], np.diag(C)[None, :]
    want = (np.exp(-(a + b - 2 * C) / 2) + np.exp(-(a + b + 2 * C) / 2)) / 2
    np.testing.assert_allclose(d * rf_covariance(W, lam, np.cos, kmax=60), want, rtol=1e-9, atol=1e-13)
    np.testing.assert_allclose(d * rf_covariance(W, lam, np.cos, kmax=60, centered=True),
                               want - np.exp(-(a + b) / 2), rtol=1e-8, atol=1e-12)


def test_multiset_products_against_divisor_counts():
    # p = 2: #{a <= b, ab <= N} = (Σ_{a<=N} ⌊N/a⌋ + ⌊√N⌋)/2 (ordered pairs plus squares, halved)
    q = multiset_products(2, 5000)
    for N in (1, 7, 36, 100, 999, 2500):
        D = sum(N // a for a in range(1, N + 1))
        want = (D + math.isqrt(N)) // 2
        if want <= len(q):
            assert np.sum(q <= N) == want
    # p = 3 by brute force over triples; p = 1 is 1..n
    N = 300
    brute = sorted(a * b * c for a, b, c in itertools.combinations_with_replacement(range(1, N + 1), 3)
                   if a * b * c <= N)
    np.testing.assert_array_equal(multiset_products(3, len(brute)), brute)
    np.testing.assert_array_equal(multiset_products(1, 5), [1, 2, 3, 4, 5])
    with pytest.raises(DomainError):
        multiset_products(0, 3)


def _operator_spectrum_p2(lam):
    """Eigenvalues of k(w, w') = (wᵀHw)(w'ᵀHw') + 2(wᵀHw')² on L²(N(0, I)), in the monomial
    basis φ = (w_a w_b)_{a<=b}: k = φ(w)ᵀ B φ(w'), Gram Q = E φφᵀ (Isserlis), spectrum eig(QB)."""
    v = len(lam)
    idx = [(a, b) for a in range(v) for b in range(a, v)]
    B = np.zeros((len(idx), len(idx)))
    Q = np.zeros_like(B)
    for r, (a, b) in enumerate(idx):
        for c, (e, f) in enumerate(idx):
            Q[r, c] = (a == e) * (b == f) + (a == f) * (b == e) + (a == b) * (e == f)
            if a == b and e == f:
                B[r, c] = lam[a] * lam[e] + 2 * lam[a] ** 2 * (a == e)
            elif (a, b) == (e, f):
                B[r, c] = 4 * lam[a] * lam[b]
    return np.sort(np.linalg.eigvals(Q @ B).real)[::-1]


def test_limit_spectrum_against_the_operator_in_the_monomial_basis():
    lam = np.array([1.0, 0.6, 0.3, 0.2, 0.05])
    want = _operator_spectrum_p2(lam)                  # 15 = 10 pairs + 5 squares
    got = limit_spectrum(lam, 2, 16)                   # 10 pairs and the 6-dim block on {1, h_a}
    np.testing.assert_allclose(got[:15], want, rtol=1e-10)
    assert abs(got[15]) < 1e-12                        # the block's range is span{w_a²}: one null direction
    np.testing.assert_allclose(limit_spectrum(lam, 1, 3), lam[:3])


def test_quadratic_features_approach_the_limit_spectrum():
    # the top eigenvalues of K at d = 1000 against the d = ∞ operator (Nyström): the relative
    # error is the sketch fluctuation, O(d^{-1/2}) times the Marchenko–Pastur factor (about 10%)
    d = 1000
    ev = rf_spectrum(2.0, 4 * d, d, activation=2, rng=0)
    mu = limit_spectrum(np.arange(1, 4 * d + 1, dtype=float) ** -2.0, 2, 20)
    err = np.abs(np.log(ev[:20] / mu))
    assert np.median(err) < 0.1 and err.max() < 0.3


def test_limit_spectrum_inherits_alpha_with_the_log_correction():
    # d = ∞, p = 2: eigenvalues 4 λ_a λ_b (a < b) and the squares up to a rank-3 interlacing shift,
    # so the multiset fit is α up to index shifts <= 3 (log error <= 3α/j); the log-corrected shape
    # is its leading order, off by O(α/log² j) ≈ 0.02 on 5·10³ <= j <= 5·10⁴; a pure power law
    # sees the local exponent α(1 − 1/log j) to the same order.
    n = 50_000
    for alpha in (1.5, 2.0):
        mu = limit_spectrum(np.arange(1, n + 2, dtype=float) ** -alpha, 2, n)
        q = multiset_products(2, n)
        assert fit_exponent(mu, 500, 5000, index=q) == pytest.approx(alpha, abs=0.01)
        assert fit_exponent(mu, 5000, n, log_power=1) == pytest.approx(alpha, abs=0.03)
        assert fit_exponent(mu, 5000, n) == pytest.approx(predicted_local_exponent(math.sqrt(5000 * n),
                                                                                   alpha, 2), abs=0.03)
        # and the log correction matters: a pure power law is off by more than 0.1
        assert abs(fit_exponent(mu, 5000, n) - alpha) > 0.1


def test_predicted_local_exponent_is_the_slope_of_the_shape():
    j = np.geomspace(3, 1e5, 7)
    h = 1e-5
    slope = -(np.log(predicted_shape(j * (1 + h), 1.5, 3)) - np.log(predicted_shape(j * (1 - h), 1.5, 3))) \
        / (np.log1p(h) - np.log1p(-h))
    np.testing.assert_allclose(predicted_local_exponent(j, 1.5, 3), slope, rtol=1e-7)


def test_study_prints_the_tables():
    lines = []
    rows, lim = study(alphas=(2.0,), powers=(1, 2), ds=(120, 240), v_ratio=3, limit_n=600,
                      out=lines.append)
    assert len(rows) == 4 and len(lim) == 2
    assert len(lines) == 4 + 2 + 2 + 2 + 2 + 2
    assert rows[0]["raw"] == pytest.approx(2.0, abs=0.3)
    # p = 3 at d = ∞ joins table 3 (600 eigenvalues: decades [5, 50] and [50, 500])
    rows, lim = study(alphas=(2.0,), powers=(3,), ds=(120,), v_ratio=3, limit_n=600, out=lambda s: None)
    assert [r["p"] for r in lim] == [3, 3] and all(np.isinf(r["d"]) for r in lim)


def _operator_spectrum_p3(lam):
    """Eigenvalues of k(w, w') = 9 (wᵀHw)(w'ᵀHw')(wᵀHw') + 6 (wᵀHw')³ on L²(N(0, I)), in the
    monomial basis φ = (w_a w_b w_c)_{a<=b<=c}: k = φ(w)ᵀ B φ(w'), Gram Q = E φφᵀ by Isserlis
    (E Π w_a^{n_a} = Π (n_a − 1)!! for even n_a), spectrum eig(QB)."""
    v = len(lam)
    idx = list(itertools.combinations_with_replacement(range(v), 3))
    pos = {S: i for i, S in enumerate(idx)}
    cnt = np.array([np.bincount(S, minlength=v) for S in idx])

    def moment(n):
        return 0 if np.any(n % 2) else math.prod(math.prod(range(k - 1, 0, -2)) for k in n)

    Q = np.array([[moment(ci + cj) for cj in cnt] for ci in cnt], dtype=float)
    B = np.zeros_like(Q)
    for S, c in zip(idx, cnt):
        # (wᵀHw')³ = Σ over ordered triples: 3!/Π m_a! orderings of each multiset
        B[pos[S], pos[S]] += 6 * 6 / math.prod(math.factorial(m) for m in c) * np.prod(lam[list(S)])
    for a, b, e in itertools.product(range(v), repeat=3):
        # (wᵀHw) w_e · (w'ᵀHw') w'_e summed with weight λ_e
        B[pos[tuple(sorted((a, a, e)))], pos[tuple(sorted((b, b, e)))]] += 9 * lam[a] * lam[b] * lam[e]
    return np.sort(np.linalg.eigvals(Q @ B).real)[::-1]


def test_cubic_limit_spectrum_against_the_operator_in_the_monomial_basis():
    lam = np.array([1.0, 0.6, 0.3, 0.2, 0.05])
    want = _operator_spectrum_p3(lam)                  # C(7, 3) = 35 cubic monomials
    got = limit_spectrum(lam, 3, 40)                   # 10 distinct triples and 5 blocks of size 6
    np.testing.assert_allclose(got[:35], want, rtol=1e-10)
    np.testing.assert_allclose(got[35:], 0, atol=1e-12)   # one null direction per block
    # trace E_w k(w, w) = 15 E(wᵀHw)³ = 15 (τ³ + 6τ Σλ² + 8 Σλ³) (chi-square cumulants)
    tau, s2, s3 = lam.sum(), np.sum(lam ** 2), np.sum(lam ** 3)
    assert got.sum() == pytest.approx(15 * (tau ** 3 + 6 * tau * s2 + 8 * s3), rel=1e-12)


def test_cubic_limit_spectrum_tail_compression_is_exact():
    # the blocks keep the head a with 36 λ_a² >= 0.01 t/λ_e and compress the tail by Rayleigh–Ritz
    # on its block Krylov space; against the uncompressed blocks (eps = 0 keeps every a)
    from freespec.nn.features import _limit_spectrum_p3
    lam = np.arange(1, 301, dtype=float) ** -1.5
    np.testing.assert_allclose(_limit_spectrum_p3(lam, 1500), _limit_spectrum_p3(lam, 1500, eps=0.0),
                               rtol=1e-11)


def test_cubic_features_approach_the_limit_spectrum():
    # the top 20 eigenvalues of K against the d = ∞ operator, |log error| medians averaged over six
    # sketches: the Nyström fluctuation shrinks from d = 250 to d = 1000 (about 0.11 to 0.08)
    med = {}
    for d in (250, 1000):
        mu = limit_spectrum(np.arange(1, 4 * d + 1, dtype=float) ** -2.0, 3, 20)
        med[d] = np.mean([np.median(np.abs(np.log(rf_spectrum(2.0, 4 * d, d, activation=3, rng=s)[:20] / mu)))
                          for s in range(6)])
    assert med[1000] < 0.85 * med[250] and med[1000] < 0.1
