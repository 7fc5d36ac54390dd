"""Scaling laws from spectra: spike cascades (closed forms, sampled spiked models)."""

import math

import numpy as np
import pytest

import freespec as fs
from freespec.scaling import (lasso_learned_spectrum, predicted_exponents, predicted_local_exponent,
                              spike_cascade, tuned_risk)


def semicircle_cascade(K, beta, v=1.0):
    theta = np.arange(1, K + 1) ** -float(beta)
    return theta, spike_cascade(theta, lambda n: fs.semicircle(var=v / n))


# ------------------------------------------------------------------ closed forms
def test_thresholds_semicircle_closed_form():
    # θ_c(n) = sqrt(v/n): n_k = v θ_k^{-2} = v k^{2β}
    theta, cas = semicircle_cascade(40, 0.8, v=3.0)
    np.testing.assert_allclose(cas.thresholds, 3.0 * np.arange(1, 41) ** 1.6, rtol=1e-10)


def test_error_semicircle_is_sum_of_minima():
    # overlap 1 - v/(n θ²) above threshold: θ²(1 - q) = v/n, so E(n) = Σ min(θ_k², v/n)
    theta, cas = semicircle_cascade(60, 1.0, v=2.0)
    ns = np.array([3.0, 50.0, 2e3, 1e5])
    expected = [np.minimum(theta ** 2, 2.0 / n).sum() for n in ns]
    np.testing.assert_allclose(cas.error(ns), expected, rtol=1e-12)
    np.testing.assert_allclose(cas.error(ns, "relative"), np.array(expected) / (theta ** 2).sum(),
                               rtol=1e-12)
    # sharp: features not yet recovered only
    sharp = [(theta[theta ** 2 <= 2.0 / n] ** 2).sum() for n in ns]
    np.testing.assert_allclose(cas.error(ns, "sharp"), sharp, rtol=1e-12)
    subspace = [np.mean(1 - np.where(theta ** 2 > 2.0 / n, 1 - 2.0 / (n * theta ** 2), 0)) for n in ns]
    np.testing.assert_allclose(cas.error(ns, "subspace"), subspace, rtol=1e-12)


def test_multiplicative_wishart_closed_form():
    # spiked covariance, γ = p/n with p = 100: θ_c = √γ, n_k = 100 θ_k^{-2},
    # overlap (1 - γ/θ²)/(1 + γ/θ) (Paul 2007)
    theta = np.arange(1, 31) ** -1.0
    cas = spike_cascade(theta, lambda n: fs.marchenko_pastur(100.0 / n), kind="multiplicative")
    np.testing.assert_allclose(cas.thresholds, 100.0 * np.arange(1, 31) ** 2.0, rtol=1e-9)
    for n in (700.0, 3e4):
        g = 100.0 / n
        q = np.where(theta > math.sqrt(g), (1 - g / theta ** 2) / (1 + g / theta), 0.0)
        np.testing.assert_allclose(cas.overlaps(n), q, atol=1e-12)


def test_rectangular_closed_form():
    # X + θ u vᵀ with X Xᵀ ~ MP(c, var=1/n): in units of 1/√n the Gaussian
    # rectangular model, threshold c^{1/4}/√n, so n_k = √c θ_k^{-2}; left overlap
    # 1 − c(1 + t²)/(t²(t² + c)), t = θ√n (Benaych-Georges–Nadakuditi 2012)
    c = 0.5
    theta = np.arange(1, 21) ** -1.0
    cas = spike_cascade(theta, lambda n: fs.marchenko_pastur(c, var=1 / n), kind="rectangular",
                        ratio=c, n_range=(0.1, 1e6))
    np.testing.assert_allclose(cas.thresholds, math.sqrt(c) * np.arange(1, 21) ** 2.0, rtol=1e-9)
    t = theta * math.sqrt(50.0)
    q = np.where(t > c ** 0.25, 1 - c * (1 + t ** 2) / (t ** 2 * (t ** 2 + c)), 0.0)
    np.testing.assert_allclose(cas.overlaps(50.0), q, atol=1e-12)


def test_overlaps_shape_and_outliers():
    theta, cas = semicircle_cascade(5, 1.0)
    assert cas.overlaps(np.array([1.0, 2.0, 3.0])).shape == (3, 5)
    o = cas.outliers(4.0)[0]                          # θ = 1, v/n = 1/4: θ + v/(nθ)
    assert o.location == pytest.approx(1.25, rel=1e-12)


# ------------------------------------------------------------------ exponents
@pytest.mark.parametrize("beta, tol", [(1.0, 0.01), (1.5, 0.015)])
def test_power_law_from_sharp_transitions(beta, tol):
    # a = 1/2 (θ_c ∝ n^{-1/2}): exponent (2β - 1)/(2β).  The fitted value on the
    # default window differs by the truncation of the tail at K (relative
    # K(n)/K ≤ K^{-1/2} ≈ 3% of the tail sum) and the discreteness of K(n).
    theta, cas = semicircle_cascade(1000, beta)
    assert cas.strength_exponent() == pytest.approx(beta, rel=1e-12)
    assert cas.threshold_exponent() == pytest.approx(0.5, rel=1e-9)
    p = (2 * beta - 1) / (2 * beta)
    assert cas.predicted_exponent() == pytest.approx(p, rel=1e-9)
    assert cas.fit_exponent() == pytest.approx(p, abs=tol)


def test_errors():
    with pytest.raises(fs.DomainError):
        spike_cascade([1.0, -1.0], lambda n: fs.semicircle(1 / n))
    with pytest.raises(fs.DomainError):
        spike_cascade([1.0], lambda n: fs.semicircle(1 / n), kind="sideways")
    with pytest.raises(fs.DomainError):        # threshold increasing with n
        spike_cascade([0.5, 0.1], lambda n: fs.semicircle(var=n), n_range=(1, 10)).thresholds
    with pytest.raises(fs.DomainError):
        spike_cascade([1.0], lambda n: 3.0).critical_strength(2.0)
    with pytest.raises(fs.DomainError):
        semicircle_cascade(5, 1.0)[1].error(1.0, variant="nope")
    with pytest.raises(fs.DomainError):        # β ≤ 1/2: no power law
        semicircle_cascade(50, 0.4)[1].predicted_exponent()


# ------------------------------------------------------------------ sampled spiked models
def _sampled_check(d, trials, seed):
    K = 10
    theta, cas = semicircle_cascade(K, 1.0)
    ns = np.array([12.0, 50.0])
    sim = cas.simulate(ns, d=d, trials=trials, rng=seed)
    return theta, cas, ns, sim


def test_cascade_against_sampled_spiked_model():
    # d = 200, K = 10 spikes, 4 trials.  Away from the threshold (θ ≥ 2 θ_c) the
    # sampled overlap is unbiased to O(1/d) and fluctuates by O(d^{-1/2}) (more
    # where neighbouring outliers are close): the bound is 4 standard errors of
    # the trial mean plus 0.01.  Near the threshold the transition is smoothed
    # over a window |θ/θ_c - 1| ≲ d^{-1/3} ≈ 0.17.
    trials = 4
    theta, cas, ns, sim = _sampled_check(200, trials, 11)
    q = cas.overlaps(ns)
    ratio = theta[None, :] / cas.critical_strength(ns)[:, None]
    far = ratio >= 2
    bound = 4 * sim["overlaps_std"][far] / math.sqrt(trials - 1) + 0.01
    assert np.all(np.abs(sim["overlaps"][far] - q[far]) < bound)
    # aggregated error: each smoothed feature (ratio in [0.7, 1.3]) shifts the
    # error by at most about θ_c²/2 = 1/(2n) (overlap error below 1/2), the
    # others by O(d^{-1/2} θ_c²)
    near = ((ratio > 0.7) & (ratio < 1.3)).sum(axis=1)
    assert np.all(np.abs(sim["error"] - cas.error(ns)) < (0.5 * near + 0.5) / ns)


@pytest.mark.slow
def test_finite_size_smoothing_shrinks_with_d():
    # the distance between sampled and limit aggregated error decreases with d
    gaps = []
    for d in (150, 1200):
        theta, cas, ns, sim = _sampled_check(d, 6, 5)
        gaps.append(np.abs(sim["error"] - cas.error(ns)).sum())
    assert gaps[1] < 0.6 * gaps[0]


@pytest.mark.slow
def test_smoothing_visible_below_threshold():
    # just below threshold the sampled top-eigenvector overlap is O(d^{-1/3}),
    # far below (θ < θ_c/2) it is at the O(1/d) floor of a bulk eigenvector
    theta, cas, ns, sim = _sampled_check(400, 12, 3)
    ratio = theta[None, :] / cas.critical_strength(ns)[:, None]
    below = (ratio > 0.75) & (ratio < 1.0)
    deep = ratio < 0.5
    assert sim["overlaps"][below].mean() > 2 * sim["overlaps"][deep].mean()
    assert sim["overlaps"][deep].mean() < 10.0 / 400


# ------------------------------------------------------------------ diagonal / quadratic networks
from scipy.integrate import quad  # noqa: E402
from scipy.stats import norm  # noqa: E402

from freespec.scaling import (lasso_risk, learned_spectrum, nuclear_risk, phase_diagram,  # noqa: E402
                              simulate_lasso, simulate_nuclear, soft_threshold_stats,
                              spectral_denoising_stats, tail_exponent)


def test_soft_threshold_stats_against_quadrature():
    # independent: numerical integration over z of the soft-threshold error
    vals, wts = np.array([0.0, 0.3, -1.2]), np.array([0.5, 0.3, 0.2])
    tau, theta = 0.4, 0.25
    eta = lambda x: np.sign(x) * max(abs(x) - theta, 0.0)  # noqa: E731
    mse = sum(p * quad(lambda z: (eta(w + tau * z) - w) ** 2 * norm.pdf(z), -12, 12,
                       points=[(-theta - w) / tau, (theta - w) / tau], limit=200)[0]
              for w, p in zip(vals, wts))
    act = sum(p * (norm.sf((theta - w) / tau) + norm.cdf((-theta - w) / tau)) for w, p in zip(vals, wts))
    got = soft_threshold_stats(vals, wts, tau, theta)
    assert got[0] == pytest.approx(mse, rel=1e-9)
    assert got[1] == pytest.approx(act, rel=1e-12)


def test_spectral_denoising_pure_noise_closed_form():
    # S* = 0: Y is the semicircle of variance Δ; ε = ∫ η² dρ_sc (no signal), and
    # J from the closed-form density by 2-d quadrature of the divided difference
    delta, theta = 0.7, 0.4
    r = 2 * math.sqrt(delta)
    rho = lambda x: math.sqrt(max(r * r - x * x, 0.0)) / (2 * math.pi * delta)  # noqa: E731
    eta = lambda x: max(x - theta, 0.0)  # noqa: E731
    eps = quad(lambda x: eta(x) ** 2 * rho(x), theta, r)[0]
    act = quad(rho, theta, r)[0]
    # J = 2∫∫_{x>θ} ... split: both above θ gives 1; one above: (x−θ)/(x−y)
    both = act ** 2
    one = quad(lambda x: rho(x) * quad(lambda y: (x - theta) / (x - y) * rho(y), -r, theta)[0],
               theta, r)[0]
    J = both + 2 * one
    got = spectral_denoising_stats(fs.atoms([0.0]), delta, theta, psd=True)
    assert got[0] == pytest.approx(eps, rel=2e-5)       # quadrature mass defect ≤ 1e-5
    assert got[1] == pytest.approx(J, rel=2e-5)
    assert got[2] == pytest.approx(act, rel=2e-5)


def test_spectral_denoising_symmetric_threshold_closed_form():
    # nuclear norm on symmetric matrices, S* = 0: ε = ∫ η² dρ_sc with the
    # two-sided soft threshold, active = ρ_sc(|y| > θ)
    delta, theta = 0.5, 0.6
    r = 2 * math.sqrt(delta)
    rho = lambda x: math.sqrt(max(r * r - x * x, 0.0)) / (2 * math.pi * delta)  # noqa: E731
    eps = 2 * quad(lambda x: (x - theta) ** 2 * rho(x), theta, r)[0]
    act = 2 * quad(rho, theta, r)[0]
    got = spectral_denoising_stats(fs.atoms([0.0]), delta, theta, psd=False)
    assert got[0] == pytest.approx(eps, rel=2e-5)
    assert got[2] == pytest.approx(act, rel=2e-5)


def test_lasso_state_evolution_identities():
    # σ > 0: τ² = (σ² + ε)/α and λ = θ(1 − P/α) at the solution
    r = lasso_risk(fs.power_law(1.0, 300), alpha=0.7, weight_decay=0.02, noise=0.2)
    mse, act = soft_threshold_stats(np.arange(1, 301) ** -1.0, np.full(300, 1 / 300),
                                    math.sqrt(r.noise), r.threshold)
    assert r.mse == pytest.approx(mse, rel=1e-12)
    assert r.noise == pytest.approx((0.04 + mse) / 0.7, rel=1e-10)
    assert 0.02 == pytest.approx(r.threshold * (1 - act / 0.7), rel=1e-8)


def test_lasso_against_proximal_gradient():
    # d = 400, 6 sampled problems: ‖ŵ − w*‖²/d fluctuates by ~12% per problem at
    # this size (measured spread), so the mean of 6 is within ~5% (1 s.e.); tolerance 15%
    d = 400
    w = np.arange(1, d + 1) ** -1.0
    theory = lasso_risk(fs.power_law(1.0, d), alpha=1.0, weight_decay=0.05).mse
    sims = [simulate_lasso(w, 1.0, 0.05, rng=s) for s in range(6)]
    assert np.mean(sims) == pytest.approx(theory, rel=0.15)


def test_quadratic_network_against_proximal_gradient():
    # d = 30, n = d² = 900 GOE measurements, one sampled problem.  Finite-d
    # corrections to the deformed-semicircle reduction are O(1/d) ≈ 3% and the
    # per-problem spread at this size is ~3% (measured over seeds): tolerance 10%.
    d = 30
    ev = np.arange(1, d + 1) ** -1.0
    r = nuclear_risk(fs.power_law(1.0, d), alpha=1.0, weight_decay=0.05)
    assert r.noise == pytest.approx(r.mse / 2, rel=1e-10)        # Δ = ε/(2α), σ = 0
    sims = [simulate_nuclear(ev, 1.0, 0.05, rng=0)]
    assert np.mean([m for m, _ in sims]) == pytest.approx(r.mse, rel=0.10)
    # spectrum of the learned weights: fraction of non-zero eigenvalues
    active = np.mean([np.mean(e > 1e-8) for _, e in sims])
    assert active == pytest.approx(r.active, abs=2.5 / d)
    # the top learned eigenvalues (signal spikes) against the quantiles of the
    # thresholded deformed semicircle: O(d^{-1/2}) fluctuations, tolerance 0.03
    pred = learned_spectrum(fs.power_law(1.0, d), r)
    for _, e in sims:
        np.testing.assert_allclose(np.sort(e)[::-1][:6], pred[:6], atol=0.03)


@pytest.mark.slow
def test_quadratic_network_d60_and_weight_spectrum():
    # d = 60, n = 2 d² = 7200 measurements: risk within 5% (O(1/d) corrections),
    # tail exponent of the learned spectrum within 0.05
    d = 60
    ev = np.arange(1, d + 1) ** -1.0
    r = nuclear_risk(fs.power_law(1.0, d), alpha=2.0, weight_decay=0.01)
    mse, e = simulate_nuclear(ev, 2.0, 0.01, rng=1)
    assert mse == pytest.approx(r.mse, rel=0.05)
    assert tail_exponent(e) == pytest.approx(tail_exponent(learned_spectrum(fs.power_law(1.0, d), r)),
                                             abs=0.05)


def test_lasso_plateau_and_decay():
    # fixed λ: the risk decays with α, then saturates at the bias of the soft
    # threshold at λ (θ → λ, τ → 0): R(∞) = mean over atoms of min(w², λ²)
    w = np.arange(1, 501) ** -1.0
    lam = 0.02
    out = phase_diagram("lasso", fs.power_law(1.0, 500), np.geomspace(0.3, 3e4, 6), [lam])
    R = out["risk"][0]
    assert np.all(np.diff(R) < 0)
    assert R[-1] == pytest.approx(np.mean(np.minimum(w ** 2, lam ** 2)), rel=0.02)
    assert out["exponent"][0, -1] < 0.05 < out["exponent"][0, 0]


# ------------------------------------------------------------------ predicted exponents
@pytest.mark.parametrize("gamma", [1.0, 1.5])
def test_predicted_exponents_against_oracle_thresholding(gamma):
    # independent route: the oracle soft-threshold risk of the target j^{-γ}
    # under noise τ² = σ²/α is Σ_j min(w_j², τ²) (recovered: τ², not: w_j²),
    # summed here over 10^7 entries (k* = τ^{-1/γ} ≤ 3·10^4 ≪ d); its slope in
    # α is the "tuned" exponent.  Noiseless: k* ∝ n entries recovered, the
    # residual Σ_{j>k*} j^{-2γ} has slope 2γ − 1 in n.
    w2 = np.arange(1, 10 ** 7 + 1, dtype=float) ** (-2 * gamma)
    alphas = np.geomspace(1e2, 1e4, 5)
    oracle = [np.minimum(w2, 0.05 ** 2 / a).sum() for a in alphas]
    slope = -np.polyfit(np.log(alphas), np.log(oracle), 1)[0]
    tail = [w2[int(k):].sum() for k in (1e3, 1e4)]
    slope0 = -np.log(tail[1] / tail[0]) / np.log(10)
    pe = predicted_exponents("quadratic", gamma)
    assert pe["tuned"] == pytest.approx(slope, abs=0.005)        # discreteness of k*: O(1/k*)
    assert pe["noiseless"] == pytest.approx(slope0, abs=0.005)   # O(1/k*) Euler–Maclaurin
    assert pe["plateau"] == 0.0 and pe["variance"] == 1.0
    assert predicted_exponents("lasso", gamma) == pe
    with pytest.raises(fs.DomainError):
        predicted_exponents("lasso", 0.5)
    with pytest.raises(fs.DomainError):
        predicted_exponents("ridge", 1.0)


def test_lasso_tuned_exponent_approaches_prediction():
    # σ = 0.05, λ tuned at each α ∈ [5, 50] (1 ≪ k₀ = √α/σ ≪ d).  The measured
    # local exponent exceeds p = 1/2 by the logarithmic correction p/(2γL),
    # L = log(d τ^{1/γ}); the neglected terms are O(p log L/(γ L²)): 0.06 at
    # d = 10³ (L ≈ 2–3), 0.03 at d = 10⁴ (L ≈ 4.5–5.4).  Both measured
    # exponents approach p as d grows.
    alphas = np.geomspace(5, 50, 3)
    p = predicted_exponents("lasso", 1.0)["tuned"]
    gaps = []
    for d, tol in ((1000, 0.05), (10000, 0.02)):
        out = tuned_risk("lasso", fs.power_law(1.0, d), alphas, noise=0.05)
        pred = predicted_local_exponent("lasso", 1.0, d, 0.05, alphas)
        np.testing.assert_array_less(np.abs(out["exponent"] - pred), tol)
        gaps.append(np.abs(out["exponent"] - p).max())
        # the tuned risk is below any fixed weight decay
        fixed = lasso_risk(fs.power_law(1.0, d), alphas[1], 1e-3, 0.05).excess_risk
        assert out["risk"][1] <= fixed
    assert gaps[1] < 0.6 * gaps[0]
    assert 0 < gaps[1] < 0.08


def test_predicted_local_exponent_limits():
    # matrix sensing: no Gaussian leakage, no correction; LASSO correction
    # vanishes as d → ∞ at fixed α
    assert predicted_local_exponent("quadratic", 1.5, 60, 0.1, 2.0) == pytest.approx(2 / 3)
    big = predicted_local_exponent("lasso", 1.0, 1e12, 0.05, 10.0)
    assert big == pytest.approx(0.5, abs=0.02)
    with pytest.raises(fs.DomainError):               # all entries above the noise
        predicted_local_exponent("lasso", 1.0, 100, 0.05, 1e6)
    with pytest.raises(fs.DomainError):
        predicted_local_exponent("lasso", 1.0, 100, 0.0, 1.0)


@pytest.mark.slow
def test_quadratic_noiseless_exponent():
    # σ = 0, λ = 1e-4 (≈ 0⁺), d = 60 eigenvalues j^{-1}: below full recovery
    # the slope between α = 0.05 and 0.1 (k* ≈ αd = 3–6 directions) is within
    # 0.15 of 2γ − 1 = 1 (finite k*: the residual tail sum deviates from its
    # integral by O(1/k*)); closer to recovery (α → 1/2) the exponent grows.
    t = fs.power_law(1.0, 60)
    R = [nuclear_risk(t, a, 1e-4).excess_risk for a in (0.05, 0.1)]
    slope = -math.log(R[1] / R[0]) / math.log(2)
    assert slope == pytest.approx(predicted_exponents("quadratic", 1.0)["noiseless"], abs=0.15)


# ------------------------------------------------------------------ learned weights, diagonal network
def test_lasso_learned_spectrum_against_proximal_gradient():
    # d = 400, α = 1, λ = 0.01, σ = 0.05, 4 sampled problems.  The law of ŵ is
    # η(W + τZ; θ): its active fraction fluctuates by √(a(1−a)/d) ≈ 0.023 per
    # problem (tolerance 0.05 on the mean of 4), the rank profile at ranks
    # 10–150 (density of order d, order statistics within a few %) by at most
    # 6 % in mean |log ratio| (measured spread 2–6 %; tolerance 0.1), and the
    # fitted tail exponent (both through tail_exponent) by 0.02 per problem.
    d = 400
    w = np.arange(1, d + 1) ** -1.0
    t = fs.power_law(1.0, d)
    r = lasso_risk(t, 1.0, 0.01, 0.05)
    v = lasso_learned_spectrum(t, r)
    assert np.all(np.diff(v) <= 0) and v.size == d
    # independent check of the law: P(|ŵ| > v_r) = (r − ½)/d by Monte Carlo over
    # 200 d draws (≥ 900 draws above each checked level: quantiles to ~3 %)
    z = np.random.default_rng(0).standard_normal((200, d))
    y = w + math.sqrt(r.noise) * z
    mags = np.sort(np.maximum(np.abs(y) - r.threshold, 0).ravel())[::-1]
    ranks = np.array([5, 50, 200])              # level (r − ½)/d ↔ index 200(r − ½) of 200 d
    np.testing.assert_allclose(mags[200 * ranks - 100], v[ranks - 1], rtol=0.03)
    sims = [simulate_lasso(w, 1.0, 0.01, 0.05, rng=10 + s, return_weights=True) for s in range(4)]
    mags = [np.sort(np.abs(wh))[::-1] for _, wh in sims]
    assert np.mean([np.mean(a > 0) for a in mags]) == pytest.approx(r.active, abs=0.05)
    dev = np.mean([np.mean(np.abs(np.log(a[9:150] / v[9:150]))) for a in mags])
    assert dev < 0.1
    assert np.mean([tail_exponent(a) for a in mags]) == pytest.approx(tail_exponent(v), abs=0.05)


def test_lasso_variance_regime_exponent():
    # λ = 1e-4 ≪ τ ≈ σ/√α (nothing thresholded), σ = 0.05, α ∈ [50, 500] below
    # the plateau crossover σ²/λ² = 2.5·10⁵: ε ≈ τ² = (σ² + ε)/α ≈ σ²/α, slope
    # 1; the self-consistent ε/σ² ≈ 0.02 and the leftover shrinkage shift it by
    # a few 0.01 (tolerance 0.05).
    alphas = np.geomspace(50, 500, 3)
    R = [lasso_risk(fs.power_law(1.0, 2000), a, 1e-4, 0.05).excess_risk for a in alphas]
    slope = -np.polyfit(np.log(alphas), np.log(R), 1)[0]
    assert slope == pytest.approx(predicted_exponents("lasso", 1.0)["variance"], abs=0.05)
    assert R[-1] == pytest.approx(0.05 ** 2 / 500, rel=0.1)
