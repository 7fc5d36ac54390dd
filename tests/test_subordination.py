"""Subordination solvers (freespec.solvers.subordination) against closed forms.

Expected values are textbook formulas written here (semicircle, Marchenko–
Pastur / free Poisson, arcsine Cauchy transforms; Pastur's and Silverstein's
equations; moments from the S-transform by Lagrange inversion in sympy), never
outputs of the solvers.  The laws' ``_cauchy`` callables are only the inputs.
"""

import math

import mpmath
import numpy as np
import pytest
import sympy

import freespec as fs
from freespec._backend import MP, NP
from freespec.errors import ConvergenceError, DomainError
from freespec.solvers.subordination import (additive_subordination, additive_subordination_mp,
                                            law_scale, multiplicative_subordination,
                                            multiplicative_subordination_mp, real_axis)


def np_cauchy(law):
    return lambda w: law._cauchy(NP, w)


def mp_cauchy(law):
    return lambda w: law._cauchy(MP, w)


# ------------------------------------------------------------- references
def sqrt_prod(z, a, b, sqrt=np.sqrt):
    """sqrt(z - a) sqrt(z - b): analytic off [a, b], ~ z at infinity, boundary
    value from above on [a, b] for real z (as complex with +0 imaginary part)."""
    return sqrt(z - a) * sqrt(z - b)


def G_semicircle(z, var, sqrt=np.sqrt):
    """(z - sqrt(z² - 4σ²)) / (2σ²), written without cancellation at large z."""
    r = 2 * sqrt(var)
    return 2 / (z + sqrt_prod(z, -r, r, sqrt))


def G_mp(z, ratio, var=1.0, sqrt=np.sqrt):
    """γσ²z G² - (z + σ²(γ - 1)) G + 1 = 0, physical branch (written without
    cancellation: G = 2 / (u + sqrt((z - a)(z - b))), u = z + σ²(γ - 1); for
    γ > 1 through MP(γ, σ²) = (1 - 1/γ) δ0 + (1/γ) MP(1/γ, γσ²))."""
    if ratio > 1:
        return (1 - 1 / ratio) / z + G_mp(z, 1 / ratio, ratio * var, sqrt) / ratio
    a = var * (1 - sqrt(ratio)) ** 2
    b = var * (1 + sqrt(ratio)) ** 2
    u = z + var * (ratio - 1)
    return 2 / (u + sqrt_prod(z, a, b, sqrt))


def G_arcsine(z, a, b):
    return 1 / sqrt_prod(z, a, b)


def rel(a, b):
    return np.abs(np.asarray(a) - np.asarray(b)) / np.abs(np.asarray(b))


def edge_cond(z, edges):
    """Relative condition number of G near square-root edges, ~ sqrt(R/dist)."""
    R = max(abs(e) for e in edges) + 1
    dist = np.min([np.abs(z - e) for e in edges], axis=0)
    return 1 + np.sqrt(R / dist)


UHP = (np.linspace(-6, 6, 25)[:, None]
       + 1j * np.array([1e-10, 1e-6, 1e-3, 0.1, 1.0, 10.0])[None, :]).ravel()


# ------------------------------------------------------------- free additive
@pytest.mark.parametrize("v1,v2", [(1.0, 3.0), (0.01, 2.0), (0.5, 0.5)])
def test_semicircle_plus_semicircle(v1, v2):
    a, b = fs.semicircle(var=v1), fs.semicircle(var=v2)
    z = np.concatenate([UHP, [1e6 + 1j, -3e3 + 1e-3j, 0.5 + 1e-14j]])
    G, w1, w2 = additive_subordination(z, np_cauchy(a), np_cauchy(b))
    r = 2 * math.sqrt(v1 + v2)
    assert np.max(rel(G, G_semicircle(z, v1 + v2)) / edge_cond(z, [-r, r])) < 1e-13
    # the subordination relations
    assert np.max(rel(G_semicircle(w1, v1), G)) < 1e-12
    assert np.max(rel(G_semicircle(w2, v2), G)) < 1e-12
    assert np.max(np.abs(w1 + w2 - z - 1 / G) / (np.abs(z) + np.abs(w1) + np.abs(w2))) < 1e-13
    assert np.all(w1.imag >= z.imag) and np.all(w2.imag >= z.imag) and np.all(G.imag < 0)


def test_semicircle_plus_semicircle_real_axis():
    v1, v2 = 1.0, 3.0
    edge = 2 * math.sqrt(v1 + v2)
    x = np.concatenate([np.linspace(-6, 6, 301), [edge, -edge, edge - 1e-9, edge + 1e-9]])
    G = real_axis(additive_subordination, x, np_cauchy(fs.semicircle(var=v1)),
                  np_cauchy(fs.semicircle(var=v2)))
    ref = G_semicircle(x + 0j, v1 + v2)
    away = np.abs(np.abs(x) - edge) > 1e-2
    assert np.max(rel(G[away], ref[away])) < 1e-13
    assert np.max(rel(G, ref)) < 1e-6            # square-root edges: sqrt(eps) conditioning
    outside = np.abs(x) > edge + 1e-12
    assert np.all(G[outside].imag == 0)          # exactly real outside the support
    inside = np.abs(x) < edge - 1e-12
    assert np.all(G[inside].imag < 0)
    # density -Im G / π against the textbook semicircle density
    xi = x[inside & away]
    dens = -G[inside & away].imag / np.pi
    assert np.max(np.abs(dens - np.sqrt(4 * (v1 + v2) - xi ** 2) / (2 * np.pi * (v1 + v2)))) < 1e-14


def test_free_poisson_plus_free_poisson():
    # free_poisson(λ, α) = MP(1/λ, λα); rates add at equal jump
    l1, l2, alpha = 0.5, 0.3, 2.0
    p1, p2 = fs.free_poisson(l1, jump=alpha), fs.free_poisson(l2, jump=alpha)
    z = UHP
    G, _, _ = additive_subordination(z, np_cauchy(p1), np_cauchy(p2))
    ref = G_mp(z, 1 / (l1 + l2), (l1 + l2) * alpha)
    a, b = alpha * (1 - math.sqrt(l1 + l2)) ** 2, alpha * (1 + math.sqrt(l1 + l2)) ** 2
    assert np.max(rel(G, ref) / edge_cond(z, [a, b])) < 1e-13
    x = np.linspace(-1, 9, 201)
    x = x[x != 0]                                 # atom of mass 0.2 at 0
    Gx = real_axis(additive_subordination, x, np_cauchy(p1), np_cauchy(p2))
    refx = G_mp(x + 0j, 1 / (l1 + l2), (l1 + l2) * alpha)
    assert np.max(rel(Gx, refx)) < 1e-6
    away = (np.abs(x - a) > 1e-2) & (np.abs(x - b) > 1e-2)
    assert np.max(rel(Gx[away], refx[away])) < 1e-13


@pytest.mark.parametrize("swap", [False, True])
def test_delta_shift(swap):
    # δ_a ⊞ μ = μ shifted by a: G(z) = G_μ(z - a); the subordination function of
    # μ is exactly z - a (on the boundary of its region: Im ω = Im z)
    shift, gamma = 1.5, 0.5
    mu, delta = fs.marchenko_pastur(gamma), fs.atoms([shift])
    args = (np_cauchy(delta), np_cauchy(mu)) if swap else (np_cauchy(mu), np_cauchy(delta))
    G, w1, w2 = additive_subordination(UHP, *args)
    assert np.max(rel(G, G_mp(UHP - shift, gamma))) < 1e-12
    w_mu = w2 if swap else w1
    assert np.max(np.abs(w_mu - (UHP - shift))) < 1e-13 * 10
    x = np.linspace(-2, 6, 161)
    Gx = real_axis(additive_subordination, x, *args)
    a, b = (1 - math.sqrt(gamma)) ** 2 + shift, (1 + math.sqrt(gamma)) ** 2 + shift
    away = (np.abs(x - a) > 1e-2) & (np.abs(x - b) > 1e-2)
    assert np.max(rel(Gx[away], G_mp(x[away] - shift + 0j, gamma))) < 1e-13


def test_bernoulli_plus_bernoulli_is_arcsine():
    b = fs.atoms([-0.5, 0.5])
    G, _, _ = additive_subordination(UHP, np_cauchy(b), np_cauchy(b))
    err = rel(G, G_arcsine(UHP, -1, 1))
    # near the divergent edges ±1 the relative condition number is ~ 1/|z ∓ 1|
    cond = 1 + 1 / np.minimum(np.abs(UHP - 1), np.abs(UHP + 1))
    assert np.max(err / cond) < 1e-13 * 10
    assert np.max(err[cond < 1e3]) < 1e-12
    x = np.concatenate([np.linspace(-1.5, 1.5, 300), [0.0, 1e-7, 0.999, -1.001]])
    Gx = real_axis(additive_subordination, x, np_cauchy(b), np_cauchy(b))
    assert np.max(rel(Gx, G_arcsine(x + 0j, -1, 1))) < 1e-12
    assert np.all(Gx[np.abs(x) > 1].imag == 0)
    # the density diverges at ±1: no finite value is returned there
    for edge in (1.0, -1.0):
        with pytest.raises(DomainError, match="diverges"):
            real_axis(additive_subordination, np.array([edge]), np_cauchy(b), np_cauchy(b))


def test_deformed_semicircle_satisfies_pastur():
    # semicircle(σ²) ⊞ ν: G(z) = G_ν(z - σ² G(z)) (Pastur), checked on the real axis
    rng = np.random.default_rng(3)
    vals, wts = rng.uniform(-2, 2, 16), rng.dirichlet(np.ones(16))
    var = 0.3
    nu = fs.atoms(list(vals), list(wts))

    def G_nu(w):
        return (wts / (w[:, None] - vals)).sum(axis=1)

    x = np.linspace(-4, 4, 400)
    G = real_axis(additive_subordination, x, np_cauchy(fs.semicircle(var=var)), np_cauchy(nu))
    res = rel(G_nu(x - var * G), G)
    assert np.median(res) < 1e-14 and np.max(res) < 1e-8     # max: at edges
    assert np.all(G.imag <= 0)


def test_newton_with_derivatives_matches():
    a, b = fs.semicircle(var=1), fs.marchenko_pastur(0.5)
    kw = dict(cauchy_mu_prime=lambda w: a._cauchy_prime(NP, w),
              cauchy_nu_prime=lambda w: b._cauchy_prime(NP, w))
    G1 = additive_subordination(UHP, np_cauchy(a), np_cauchy(b))[0]
    G2 = additive_subordination(UHP, np_cauchy(a), np_cauchy(b), **kw)[0]
    assert np.max(rel(G1, G2)) < 1e-12
    x = np.linspace(-3, 5, 81)
    R1 = real_axis(additive_subordination, x, np_cauchy(a), np_cauchy(b))
    R2 = real_axis(additive_subordination, x, np_cauchy(a), np_cauchy(b), **kw)
    assert np.max(rel(R1, R2)) < 1e-6


def test_omega0_real_point_gives_boundary_value():
    a, b = fs.semicircle(var=1), fs.semicircle(var=3)
    z = np.array([1.0 + 1e-3j])
    _, w1, _ = additive_subordination(z, np_cauchy(a), np_cauchy(b))
    G, _, _ = additive_subordination(np.array([1.0]), np_cauchy(a), np_cauchy(b), omega0=w1)
    assert rel(G, G_semicircle(1.0 + 0j, 4.0))[0] < 1e-12


# -------------------------------------------------------- free multiplicative
def test_mp_times_delta():
    gamma, c = 0.5, 3.0
    mu, d = fs.marchenko_pastur(gamma), fs.atoms([c])
    z = np.concatenate([UHP, np.conj(UHP[::7]), [-2.0, -1e-3, -50.0 + 0j]])
    G, W1, W2 = multiplicative_subordination(z, np_cauchy(mu), np_cauchy(d))
    assert np.max(rel(G, G_mp(z, gamma, c))) < 1e-12
    # Cauchy-variable subordination functions: Ω1 = z/c, z G(z) = Ω1 G_μ(Ω1)
    assert np.max(np.abs(W1 - z / c) / np.abs(z)) < 1e-13
    assert np.max(rel(W1 * G_mp(W1, gamma), z * G)) < 1e-12
    assert np.all(G[z.imag > 0].imag < 0) and np.all(G[z.imag < 0].imag > 0)
    assert np.all(G[z.imag == 0].imag == 0) and np.all(G[z.imag == 0].real < 0)


@pytest.mark.parametrize("gamma", [0.1, 0.5, 2.0])
def test_mp_times_delta_real_axis(gamma):
    c = 0.7
    x = np.linspace(-1, 1.2 * c * (1 + math.sqrt(gamma)) ** 2, 301)
    x = x[x != 0]
    G = real_axis(multiplicative_subordination, x, np_cauchy(fs.marchenko_pastur(gamma)),
                  np_cauchy(fs.atoms([c])))
    ref = G_mp(x + 0j, gamma, c)
    a, b = c * (1 - math.sqrt(gamma)) ** 2, c * (1 + math.sqrt(gamma)) ** 2
    away = (np.abs(x - a) > 1e-2) & (np.abs(x - b) > 1e-2)
    assert np.max(rel(G[away], ref[away])) < 1e-13
    assert np.max(rel(G, ref)) < 1e-6
    assert np.all(G[(x < a - 1e-9) | (x > b + 1e-9)].imag == 0)


def test_multiplicative_at_zero():
    # 0 outside both supports: G(0) = -∫ dμ⊠ν / x = -G_μ(0) G_ν(0) (freeness of a⁻¹, b⁻¹)
    mu, d = fs.marchenko_pastur(0.5), fs.atoms([3.0])
    x = np.array([-1e-3, 0.0, 1e-3])
    G = real_axis(multiplicative_subordination, x, np_cauchy(mu), np_cauchy(d))
    assert np.max(rel(G, G_mp(x + 0j, 0.5, 3.0))) < 1e-13 and np.all(G.imag == 0)
    with mpmath.workdps(40):
        G0 = multiplicative_subordination_mp(0, mp_cauchy(mu), mp_cauchy(d))[0]
        ref = G_mp(mpmath.mpc(0), mpmath.mpf(1) / 2, 3, sqrt=mpmath.sqrt)
        assert abs(G0 - ref) < mpmath.mpf(10) ** -38
    # an atom at 0 (MP(2)): G(0 + i0) is infinite
    with pytest.raises(DomainError):
        real_axis(multiplicative_subordination, np.array([0.0]), np_cauchy(fs.marchenko_pastur(2)),
                  np_cauchy(d))


def test_sample_covariance_satisfies_silverstein():
    # MP(γ) ⊠ ν, m = -G: m(z) = ∫ dν(t) / (t(1 - γ - γ z m(z)) - z)
    rng = np.random.default_rng(5)
    gamma, t, wts = 0.1, rng.uniform(0.1, 3, 16), rng.dirichlet(np.ones(16))
    nu = fs.atoms(list(t), list(wts))
    x = np.linspace(-1, 6, 400)
    x = x[x != 0]
    G = real_axis(multiplicative_subordination, x, np_cauchy(fs.marchenko_pastur(gamma)), np_cauchy(nu))
    m = -G
    rhs = (wts / (t * (1 - gamma - gamma * x[:, None] * m[:, None]) - x[:, None])).sum(axis=1)
    res = rel(rhs, m)
    assert np.median(res) < 1e-14 and np.max(res) < 1e-8
    assert np.all(G.imag <= 0)


def _moments_from_s_transform(g1, g2, kmax):
    """m_k of MP(γ1) ⊠ MP(γ2) from S = S1 S2 = 1/((1 + γ1 z)(1 + γ2 z)).

    χ(z) = z S(z)/(1 + z) = z / φ(z), φ = (1 + z)(1 + γ1 z)(1 + γ2 z); ψ = χ⁻¹ by
    Lagrange inversion: m_k = [u^k] ψ = (1/k) [z^(k-1)] φ(z)^k.
    """
    z = sympy.symbols("z")
    g1, g2 = sympy.Rational(g1), sympy.Rational(g2)
    phi = (1 + z) * (1 + g1 * z) * (1 + g2 * z)
    return [sympy.Rational(1, k) * sympy.expand(phi ** k).coeff(z, k - 1) for k in range(1, kmax + 1)]


def test_mp_times_mp_moments_from_s_transform():
    g1, g2, kmax = "1/2", "1/4", 6
    exact = _moments_from_s_transform(g1, g2, kmax)
    assert exact[0] == 1 and exact[1] == 1 + sympy.Rational(1, 2) + sympy.Rational(1, 4)
    mu, nu = fs.marchenko_pastur(0.5), fs.marchenko_pastur(0.25)
    # m_k = (1/2πi) ∮ z^k G(z) dz on a circle around the spectrum ⊂ [0, 6.6]
    # (trapezoidal rule, no node on the real axis)
    c, r, n = 3.3, 5.0, 160
    theta = 2 * np.pi * (np.arange(n) + 0.5) / n
    zc = c + r * np.exp(1j * theta)
    G, _, _ = multiplicative_subordination(zc, np_cauchy(mu), np_cauchy(nu))
    for k in range(0, kmax + 1):
        mk = np.mean(zc ** k * G * (zc - c))
        want = 1 if k == 0 else float(exact[k - 1])
        assert abs(mk.real - want) < 1e-11 * want and abs(mk.imag) < 1e-11 * want


# ------------------------------------------------------------------ Herglotz
@pytest.mark.parametrize("seed", range(4))
def test_herglotz_random_atomic_laws(seed):
    rng = np.random.default_rng(seed)
    n1, n2 = rng.integers(2, 10, 2)
    a = fs.atoms(list(rng.uniform(-2, 2, n1)), list(rng.dirichlet(np.ones(n1))))
    b = fs.atoms(list(rng.uniform(-1, 1, n2)), list(rng.dirichlet(np.ones(n2))))
    G, w1, w2 = additive_subordination(UHP, np_cauchy(a), np_cauchy(b))
    assert np.all(G.imag < 0) and np.all(w1.imag >= UHP.imag) and np.all(w2.imag >= UHP.imag)
    # a probability measure: i y G(i y) → 1
    Ginf = additive_subordination(np.array([1e7j]), np_cauchy(a), np_cauchy(b))[0]
    assert abs(1e7j * Ginf[0] - 1) < 1e-6
    x = np.linspace(-4, 4, 200)
    Gx = real_axis(additive_subordination, x, np_cauchy(a), np_cauchy(b))
    assert np.all(Gx.imag <= 0)
    # positive atoms: ⊠
    pa = fs.atoms(list(rng.uniform(0.1, 2, n1)), list(rng.dirichlet(np.ones(n1))))
    pb = fs.atoms(list(rng.uniform(0.1, 2, n2)), list(rng.dirichlet(np.ones(n2))))
    H, W1, W2 = multiplicative_subordination(UHP, np_cauchy(pa), np_cauchy(pb))
    assert np.all(H.imag < 0)
    # arg Ω ≥ arg z
    assert np.all(np.angle(W1) >= np.angle(UHP) - 1e-12) and np.all(np.angle(W2) >= np.angle(UHP) - 1e-12)
    Hinf = multiplicative_subordination(np.array([1e7j]), np_cauchy(pa), np_cauchy(pb))[0]
    assert abs(1e7j * Hinf[0] - 1) < 1e-6


# ---------------------------------------------------------------- 50 digits
def test_additive_mp_50_digits():
    v1, v2 = mpmath.mpf(1), mpmath.mpf(2)
    a, b = fs.semicircle(var=1), fs.semicircle(var=2)
    with mpmath.workdps(50):
        for z in (mpmath.mpc("0.3", "0.7"), mpmath.mpc("-2.5", "1e-20"), mpmath.mpf("1.25"),
                  mpmath.mpf("-4.5")):
            G, w1, w2 = additive_subordination_mp(z, mp_cauchy(a), mp_cauchy(b),
                                                  cauchy_mu_np=np_cauchy(a), cauchy_nu_np=np_cauchy(b))
            ref = G_semicircle(mpmath.mpc(z), v1 + v2, sqrt=mpmath.sqrt)
            assert abs(G - ref) < mpmath.mpf(10) ** -45 * abs(ref)
            assert abs(w1 + w2 - z - 1 / G) < mpmath.mpf(10) ** -45 * (abs(w1) + abs(w2))
    # without float64 callables, and with exact derivatives (Newton)
    with mpmath.workdps(50):
        z = mpmath.mpc("0.3", "0.7")
        ref = G_semicircle(z, v1 + v2, sqrt=mpmath.sqrt)
        G = additive_subordination_mp(z, mp_cauchy(a), mp_cauchy(b))[0]
        assert abs(G - ref) < mpmath.mpf(10) ** -45
        G = additive_subordination_mp(z, mp_cauchy(a), mp_cauchy(b),
                                      cauchy_mu_prime=lambda w: a._cauchy_prime(MP, w),
                                      cauchy_nu_prime=lambda w: b._cauchy_prime(MP, w))[0]
        assert abs(G - ref) < mpmath.mpf(10) ** -45


def test_multiplicative_mp_50_digits():
    mu, d = fs.marchenko_pastur("1/2"), fs.atoms([3])
    with mpmath.workdps(50):
        for z in (mpmath.mpc(1, 1), mpmath.mpc(2, "-0.5"), mpmath.mpf(-2), mpmath.mpf(3),
                  mpmath.mpf(20)):
            G, W1, _ = multiplicative_subordination_mp(z, mp_cauchy(mu), mp_cauchy(d),
                                                       cauchy_mu_np=np_cauchy(mu),
                                                       cauchy_nu_np=np_cauchy(d))
            zz = mpmath.mpc(z) if mpmath.im(z) >= 0 else mpmath.conj(z)
            ref = G_mp(zz, mpmath.mpf(1) / 2, 3, sqrt=mpmath.sqrt)
            ref = ref if mpmath.im(z) >= 0 else mpmath.conj(ref)
            assert abs(G - ref) < mpmath.mpf(10) ** -45 * abs(ref)
            assert abs(W1 - z / 3) < mpmath.mpf(10) ** -45 * abs(z)


# ------------------------------------------------------------------- errors
def test_domain_errors():
    a = np_cauchy(fs.semicircle())
    for bad in ([1.0 + 0j], [1.0 - 1j], [np.nan + 1j], [complex(np.inf, 1)], ["x"]):
        with pytest.raises(DomainError):
            additive_subordination(np.array(bad), a, a)
    p = np_cauchy(fs.marchenko_pastur(0.5))
    for bad in ([2.0], [0.0], [np.nan]):
        with pytest.raises(DomainError):
            multiplicative_subordination(np.array(bad), p, p)
    with pytest.raises(DomainError, match="δ0"):
        multiplicative_subordination(np.array([1j]), p, np_cauchy(fs.atoms([0])))
    with pytest.raises(DomainError):
        real_axis(additive_subordination, np.array([1 + 1j]), a, a)
    with pytest.raises(DomainError):
        real_axis(len, np.array([1.0]), a, a)
    with pytest.raises(DomainError):
        additive_subordination_mp(mpmath.mpc(1, -1), mp_cauchy(fs.semicircle()), mp_cauchy(fs.semicircle()))
    with pytest.raises(DomainError):
        additive_subordination_mp(mpmath.inf, mp_cauchy(fs.semicircle()), mp_cauchy(fs.semicircle()))


def test_convergence_errors_name_the_point():
    a, b = fs.semicircle(var=1), fs.atoms([-1, 0, 1])
    z = np.array([0.3 + 1e-9j])
    with pytest.raises(ConvergenceError, match=r"z = \(0\.3"):
        additive_subordination(z, np_cauchy(a), np_cauchy(b), maxiter=1, omega0=np.array([5 + 5j]))
    with mpmath.workdps(30):
        with pytest.raises(ConvergenceError, match="residual"):
            additive_subordination_mp(mpmath.mpc("0.3", "1e-9"), mp_cauchy(a), mp_cauchy(b),
                                      omega0=mpmath.mpc(5, 5), maxiter=1)


def test_law_scale():
    c, s = law_scale(np_cauchy(fs.semicircle(var=4, center=1e4)))
    assert abs(c - 1e4) < 1e-3 and abs(s - 2) < 1e-3
    c, s = law_scale(np_cauchy(fs.atoms([-0.5, 0.5])))
    assert abs(c) < 1e-12 and abs(s - 0.5) < 1e-6
    c, s = law_scale(np_cauchy(fs.atoms([2.0])))
    assert abs(c - 2) < 1e-14 and s == 0
