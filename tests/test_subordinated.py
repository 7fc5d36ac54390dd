"""General free convolutions by subordination (freespec/laws/subordinated.py).

Expected values never come from the code under test: they are closed forms written
here (arcsine, free Poisson, Fuss–Catalan, S-transforms of free Poisson laws), the
explicit-inverse equation solved here with mpmath on closed forms, independent
quadrature (fixed Gauss–Legendre rules written here), or random matrices built here.

Tolerances
----------
* Closed forms: 1e-12 relative in float64 (the subordination residual is checked at
  1e-14; near the real axis the boundary value is continued from above and keeps
  ~1e-13), and 1e-45 at 50 digits.
* Edges from the equations: 1e-13 relative in float64 (critical values are stationary,
  so the error is the rounding of the map), 1e-45 at 50 digits.
* Kolmogorov–Smirnov against a Haar-rotated matrix of size n = 1000: the eigenvalues of
  ``A + O B Oᵀ`` and ``A^{1/2} O B Oᵀ A^{1/2}`` are rigid (each within ``O(n^{-1+ε})`` of
  its classical location in the bulk, ``O(n^{-2/3})`` at a square-root edge where the
  cdf moves by ``O(1/n)``), so their empirical cdf is within ``O(log n / n)`` of the
  limit; with the quantile-grid populations (within ``1/(2n)`` of the laws) we allow
  ``3 log(n)/n = 0.021``, as tests/test_sampling.py does.  The same statistic against
  the classical convolution must exceed it (the test has power).
"""

import math

import mpmath
import numpy as np
import pytest

import freespec as fs
from freespec._backend import NP
from freespec.laws.subordinated import SubordinatedAdd, SubordinatedMul

N_KS = 1000
KS_TOL = 3 * math.log(N_KS) / N_KS


# ------------------------------------------------------------------------------ helpers
def gl_integral(f, lo, hi, tol=1e-13):
    """∫_lo^hi f(x) dx with x = lo + (hi − lo) sin²(t/2) (smooth at square-root and
    inverse-square-root edges): adaptive composite Gauss–Legendre in t, a panel being
    accepted when its 20-point value agrees with the sum over its halves; f is
    evaluated vectorised on all active panels at once."""
    xg, wg = np.polynomial.legendre.leggauss(20)
    L = hi - lo

    def rule(a, b):                     # nodes and weights on panels [a, b] (arrays)
        t = (a[:, None] + b[:, None]) / 2 + (b - a)[:, None] / 2 * xg
        return t, (b - a)[:, None] / 2 * wg * (L / 2) * np.sin(t)

    a, b = np.array([0.0]), np.array([np.pi])
    total = 0.0
    for _ in range(30):
        m = (a + b) / 2
        ts, ws = zip(rule(a, b), rule(a, m), rule(m, b))
        t = np.concatenate(ts, axis=1)
        vals = f(lo + L * np.sin(t.ravel() / 2) ** 2).reshape(t.shape)
        n = len(xg)
        whole = np.sum(vals[:, :n] * ws[0], axis=1)
        halves = np.sum(vals[:, n:2 * n] * ws[1], axis=1) + np.sum(vals[:, 2 * n:] * ws[2], axis=1)
        # (the density carries a relative rounding of ~1e-13: a panel cannot do better)
        ok = np.abs(whole - halves) <= tol * (b - a) / np.pi + 1e-12 * np.abs(halves)
        total += float(np.sum(halves[ok]))
        if ok.all():
            return total
        a, b = np.concatenate([a[~ok], m[~ok]]), np.concatenate([m[~ok], b[~ok]])
        assert a.size < 4096, "quadrature: too many panels"
    raise AssertionError("quadrature did not converge")


def haar(n, rng):
    """A Haar orthogonal matrix: the eigenvectors of a GOE matrix (column signs, which
    eigh fixes arbitrarily, do not change O D Oᵀ)."""
    a = rng.standard_normal((n, n))
    return np.linalg.eigh(a + a.T)[1]


def ks(cdf, ev):
    """sup |F_n − F| over the sample (F continuous here)."""
    ev = np.sort(ev)
    n = len(ev)
    F = cdf(ev)
    return max(np.max(np.arange(1, n + 1) / n - F), np.max(F - np.arange(n) / n))


def uniform_grid(a, b, n):
    return a + (b - a) * (np.arange(n) + 0.5) / n


def arcsine_grid(a, b, n):
    q = (np.arange(n) + 0.5) / n
    return (a + b) / 2 - (b - a) / 2 * np.cos(np.pi * q)


def arcsine_cauchy(z):
    return 1 / (np.sqrt(z - 1) * np.sqrt(z + 1))


def free_poisson_cauchy(z, lam, alpha):
    # α z G² − (z + α(1 − λ)) G + 1 = 0: the root with G ~ 1/z, Im G <= 0 for Im z >= 0
    # (b² − 4αz = (z − lo)(z − hi) with b = z + α(1 − λ), lo, hi = α(1 ∓ √λ)²)
    b = z + alpha * (1 - lam)
    lo, hi = alpha * (1 - np.sqrt(lam)) ** 2, alpha * (1 + np.sqrt(lam)) ** 2
    s = np.sqrt(z - lo) * np.sqrt(z - hi)             # ~ z at infinity, analytic off [lo, hi]
    return (b - s) / (2 * alpha * z)


BERNOULLI = fs.atoms([-0.5, 0.5])


@pytest.fixture(scope="module")
def arcsine_law():
    return SubordinatedAdd(BERNOULLI, BERNOULLI)


# ---------------------------------------------------------------- Bernoulli ⊞ Bernoulli
def test_bernoulli_square_is_arcsine_cauchy(arcsine_law):
    z = np.array([0.3 + 0.2j, -2 + 1j, 0.5j, 1e-3 + 1e-3j, 1.2 + 1e-8j, -0.7 - 0.4j, 50 + 3j])
    assert np.allclose(arcsine_law.cauchy(z), arcsine_cauchy(z), rtol=1e-12, atol=0)
    # real points: boundary value from above inside, real outside; Im z = −0.0 is the lower side
    x = np.array([-0.99, -0.5, 0.0, 0.31, 0.9])
    assert np.allclose(arcsine_law.cauchy(x), arcsine_cauchy(x + 0j), rtol=1e-12, atol=0)
    lower = arcsine_law.cauchy(np.conj(x + 0j))          # Im z = -0.0
    assert np.allclose(lower, np.conj(arcsine_cauchy(x + 0j)), rtol=1e-12, atol=0)
    out = arcsine_law.cauchy(np.array([1.5, -3.0, 40.0]))
    assert out.dtype == np.float64
    assert np.allclose(out, [1 / math.sqrt(1.25), -1 / math.sqrt(8.0), 1 / math.sqrt(1599.0)], rtol=1e-13)


def test_bernoulli_square_is_arcsine_density_and_edges(arcsine_law):
    assert arcsine_law.support() == ((-1.0, 1.0),)
    assert arcsine_law.atoms() == ()
    x = np.linspace(-0.999, 0.999, 301)
    assert np.allclose(arcsine_law.density(x), 1 / (np.pi * np.sqrt(1 - x * x)), rtol=1e-10, atol=0)
    assert np.all(arcsine_law.density(np.array([-1.2, 1.0 + 1e-9, 3.0])) == 0)
    # G′ = −z G³ for the arcsine law on [−1, 1]
    z = np.array([0.2 + 0.5j, 2.0, -1.5 - 0.2j])
    assert np.allclose(arcsine_law._cauchy_prime(NP, z), -z * arcsine_cauchy(z) ** 3, rtol=1e-12)


def test_bernoulli_square_50_digits(arcsine_law):
    with fs.workdps(50):
        (lo, hi), = arcsine_law.support()
        assert lo == -1 and hi == 1
        for z in (mpmath.mpc("0.3", "0.2"), mpmath.mpf("0.25"), mpmath.mpf(0), mpmath.mpf(3), mpmath.mpc(-2, -1)):
            want = 1 / (mpmath.sqrt(z - 1) * mpmath.sqrt(z + 1))
            got = arcsine_law.cauchy(z)
            assert abs(got - want) <= mpmath.mpf(10) ** -45 * abs(want)


# ------------------------------------------------------------- free Poisson semigroup
@pytest.mark.parametrize("lam1, lam2, alpha", [(0.7, 1.5, 2.0), (0.3, 0.4, 0.5)])
def test_free_poisson_semigroup(lam1, lam2, alpha):
    law = SubordinatedAdd(fs.free_poisson(lam1, alpha), fs.free_poisson(lam2, alpha))
    lam = lam1 + lam2
    lo, hi = alpha * (1 - math.sqrt(lam)) ** 2, alpha * (1 + math.sqrt(lam)) ** 2
    (got_lo, got_hi), = law.support()
    assert got_lo == pytest.approx(lo, rel=1e-13) and got_hi == pytest.approx(hi, rel=1e-13)
    # atom at 0 of mass 1 − λ when λ < 1 (Bercovici–Voiculescu: (1 − λ1) + (1 − λ2) − 1)
    want_atoms = [(0.0, 1 - lam)] if lam < 1 else []
    assert len(law.atoms()) == len(want_atoms)
    for (a, m), (wa, wm) in zip(law.atoms(), want_atoms):
        assert a == wa and m == pytest.approx(wm, abs=1e-15)
    z = np.array([1 + 1j, 0.5 * lo + 0.5 * hi + 1e-6j, hi + 1, lo / 2 + 0.1j, -1.0, 30 - 2j])
    assert np.allclose(law.cauchy(z), free_poisson_cauchy(z + 0j, lam, alpha), rtol=1e-12, atol=0)
    x = np.linspace(lo, hi, 9)[1:-1]
    dens = np.sqrt((hi - x) * (x - lo)) / (2 * np.pi * alpha * x)
    assert np.allclose(law.density(x), dens, rtol=1e-11, atol=0)
    # free cumulants κ_n = λ α^n (sums of the factors' cumulants)
    assert np.allclose(law.free_cumulants(5), lam * alpha ** np.arange(1, 6), rtol=1e-13)


def test_free_poisson_semigroup_50_digits():
    law = SubordinatedAdd(fs.free_poisson("7/10", 2), fs.free_poisson("3/2", 2))
    with fs.workdps(50):
        (lo, hi), = law.support()
        with mpmath.workdps(70):
            r = mpmath.sqrt(mpmath.mpf(22) / 10)
            want_lo, want_hi = 2 * (1 - r) ** 2, 2 * (1 + r) ** 2
        assert abs(lo - want_lo) < mpmath.mpf(10) ** -45
        assert abs(hi - want_hi) < mpmath.mpf(10) ** -45 * want_hi


# ------------------------------------------------------- uniform ⊞ uniform vs matrices
def test_uniform_sum_matches_random_matrix():
    law = SubordinatedAdd(fs.uniform(-1, 1), fs.uniform(0, 3))
    rng = np.random.default_rng(7)
    n = N_KS
    a, b = uniform_grid(-1, 1, n), uniform_grid(0, 3, n)
    o = haar(n, rng)
    m = (o * b) @ o.T
    ev = np.linalg.eigvalsh(np.diag(a) + (m + m.T) / 2)
    assert ks(law.cdf, ev) < KS_TOL
    # power: the classical convolution (a trapezoidal law) is rejected by the same statistic
    sums = np.sort((a[::5, None] + b[None, ::5]).ravel())
    assert ks(lambda x: np.searchsorted(sums, x, side="right") / sums.size, ev) > KS_TOL
    # the law's own sampler realises the same model (n = 400: 3 log(n)/n = 0.045)
    assert ks(law.cdf, law.sample(400, rng=1)) < 3 * math.log(400) / 400
    # support: one interval inside the hull [−1, 4]
    (lo, hi), = law.support()
    assert -1 < lo < hi < 4


# ------------------------------------------------------------------------- atoms
def test_large_atoms_give_atoms():
    law = SubordinatedAdd(fs.atoms([0, 1], weights=[0.7, 0.3]), fs.atoms([0, 1], weights=[0.6, 0.4]))
    ats = law.atoms()
    # μ({a}) + ν({b}) − 1 > 0: (0, 0) → 0.3 at 0 and (0, 1) → 0.1 at 1
    assert [a for a, _ in ats] == [0.0, 1.0]
    assert [m for _, m in ats] == pytest.approx([0.3, 0.1], abs=1e-15)
    # the pole: i ε G(i ε) → 0.3
    eps = 1e-7
    assert (1j * eps * law.cauchy(1j * eps)).real == pytest.approx(0.3, abs=1e-5)
    with pytest.raises(fs.DomainError):
        law.cauchy(0.0)
    with pytest.raises(fs.DomainError):
        law.cauchy(mpmath.mpf(1))
    # atoms are isolated: no support interval contains them; total mass is 1
    sup = law.support()
    assert all(not (lo <= a <= hi) for lo, hi in sup for a, _ in ats)
    ac = sum(gl_integral(law.density, lo, hi) for lo, hi in sup)
    assert ac == pytest.approx(0.6, abs=1e-10)


def test_multiplicative_atoms():
    law = SubordinatedMul(fs.atoms([1, 2], weights=[0.8, 0.2]), fs.atoms([1, 3], weights=[0.7, 0.3]))
    assert [a for a, _ in law.atoms()] == [1.0, 3.0]
    assert [m for _, m in law.atoms()] == pytest.approx([0.5, 0.1], abs=1e-15)
    law = SubordinatedMul(fs.atoms([0, 1], weights=[0.3, 0.7]), fs.atoms([0, 2], weights=[0.5, 0.5]))
    # μ({0}) ∨ ν({0}) at 0, and 0.7 + 0.5 − 1 at 1·2
    assert [a for a, _ in law.atoms()] == [0.0, 2.0]
    assert [m for _, m in law.atoms()] == pytest.approx([0.5, 0.2], abs=1e-15)
    ac = sum(gl_integral(law.density, lo, hi) for lo, hi in law.support())
    assert ac == pytest.approx(0.3, abs=1e-10)


# ----------------------------------------- support from the equations, independently
def bernoulli_uniform_edges(width, dps=60):
    """Edges of atoms([−2, 2]) ⊞ uniform(−w/2, w/2) from x(ω) = ω + R_U(G_B(ω)) with the
    closed forms G_B(ω) = ω/(ω² − 4), R_U(g) = w/2 + w/expm1(w g) − 1/g, at the zeros of
    x′(ω) on ω ∈ (0, 2) (inner edges) and ω > 2 (outer edges); symmetric about 0."""
    with mpmath.workdps(dps):
        w = mpmath.mpf(width)

        def R(g):
            return w / 2 + w / mpmath.expm1(w * g) - 1 / g

        def dR(g):
            e = mpmath.expm1(w * g)
            return -w * w * (e + 1) / e ** 2 + 1 / g ** 2

        def x(om):
            return om + R(om / (om * om - 4))

        def dx(om):
            return 1 - (om * om + 4) / (om * om - 4) ** 2 * dR(om / (om * om - 4))

        edges = []
        for a, b in [(mpmath.mpf("1e-6"), 2 - mpmath.mpf("1e-9")), (2 + mpmath.mpf("1e-9"), mpmath.mpf(50))]:
            pts = [a + (b - a) * mpmath.mpf(k) / 1000 for k in range(1001)]
            vals = [dx(p) for p in pts]
            for p, q, fp, fq in zip(pts, pts[1:], vals, vals[1:]):
                if fp * fq < 0:
                    edges.append(x(mpmath.findroot(dx, (p, q), solver="anderson")))
        edges = sorted(edges)
        return sorted([-e for e in edges] + edges)


@pytest.mark.parametrize("width", [1, 6.5])
def test_bernoulli_plus_uniform_support(width):
    law = SubordinatedAdd(fs.atoms([-2, 2]), fs.uniform(-width / 2, width / 2))
    want = bernoulli_uniform_edges(width)
    assert len(want) == 4                               # two intervals: a gap around 0
    got = [e for iv in law.support() for e in iv]
    assert got == pytest.approx([float(e) for e in want], rel=1e-13, abs=1e-14)
    # density zero in the gap, positive inside
    assert law.density(0.0) == 0
    assert np.all(law.density(np.array([(got[0] + got[1]) / 2, (got[2] + got[3]) / 2])) > 0)


def test_bernoulli_plus_uniform_near_the_zero_of_g():
    # G vanishes at the centre of the gap (ω2 = ∞ there): compare with the explicit
    # inverse continued to complex ω, z = ω + R_U(G_B(ω)), G = G_B(ω), solved here
    width = 6.5
    law = SubordinatedAdd(fs.atoms([-2, 2]), fs.uniform(-width / 2, width / 2))
    zs = [1e-9j, 1e-6j, 2e-4 + 1e-7j, -3e-3 + 1e-3j, 0.02 + 0.01j, 1e-5, -2e-3]
    got = law.cauchy(np.array(zs))
    with mpmath.workdps(40):
        w = mpmath.mpf(width)
        for z, g in zip(zs, got):
            z = mpmath.mpc(z)

            def eq(om):
                gb = om / (om * om - 4)
                return om + w / 2 + w / mpmath.expm1(w * gb) - 1 / gb - z
            om = mpmath.findroot(eq, z / (1 - w * w / 48))
            want = complex(om / (om * om - 4))
            assert mpmath.im(om) >= 0                      # the branch of the subordination function
            # near its zero G is a difference of O(1) atom terms (accurate to ~eps absolutely);
            # off the axis it comes from a circle whose nodes the solver gives to ~1e-11
            assert abs(g - want) <= 1e-11 * abs(want) + 1e-15
    assert np.all(got[np.imag(zs) > 0].imag < 0)
    assert np.all(np.imag(got[5:]) == 0)
    # G′ agrees with a centred difference of G (h = 1e-6: error ~ h² G‴)
    z = np.array([1e-6j, 3e-3 + 1e-3j])
    h = 1e-6
    fd = (law.cauchy(z + h) - law.cauchy(z - h)) / (2 * h)
    assert np.allclose(law._cauchy_prime(NP, z), fd, rtol=1e-8)


def test_bernoulli_plus_uniform_gap_closes():
    # x′ = 1 + G_B′(0) κ2(U) = 1 − w²/48 at the centre: no gap beyond w = √48
    law = SubordinatedAdd(fs.atoms([-2, 2]), fs.uniform(-3.5, 3.5))
    assert len(law.support()) == 1
    assert law.density(0.0) > 0


def test_bernoulli_plus_uniform_support_50_digits():
    law = SubordinatedAdd(fs.atoms([-2, 2]), fs.uniform("-1/2", "1/2"))
    want = bernoulli_uniform_edges(1, dps=80)
    with fs.workdps(50):
        got = [e for iv in law.support() for e in iv]
    for g, w in zip(got, want):
        assert abs(g - w) < mpmath.mpf(10) ** -45


# ------------------------------------------------------------------------ products
def test_free_poisson_product_s_transform():
    # S_{FP(λ, α)}(z) = 1/(α(λ + z)) (= 1/(σ²(1 + γz)) with γ = 1/λ, σ² = λα)
    law = SubordinatedMul(fs.free_poisson(2), fs.free_poisson(3, jump=0.5))
    w = np.array([-0.3, -0.1, 0.2, 0.5, 0.1 + 0.2j, -0.2 - 0.1j])
    want = 1 / (2 + w) / (0.5 * (3 + w))
    assert np.allclose(law.s_transform(w, method="generic"), want, rtol=1e-12, atol=0)
    assert np.allclose(law.s_transform(w), want, rtol=1e-14, atol=0)


def test_marchenko_pastur_square_is_fuss_catalan():
    law = SubordinatedMul(fs.marchenko_pastur(1), fs.marchenko_pastur(1))
    # moments Fuss–Catalan C(3n, n)/(2n + 1); support [0, 27/4]
    assert np.array_equal(law.moments(6), [math.comb(3 * n, n) / (2 * n + 1) for n in range(1, 7)])
    (lo, hi), = law.support()
    assert lo == 0 and hi == pytest.approx(6.75, rel=1e-14)
    # T = zG − 1 solves z T = (1 + T)³ (S(z) = 1/(1 + z)²)
    z = np.array([1 + 1j, 3 + 0.5j, 8.0, -1.0, 2.0, 5 - 2j, 0.01 + 0.01j])
    G = law.cauchy(z)
    T = z * G - 1
    assert np.allclose(z * T, (1 + T) ** 3, rtol=1e-12, atol=1e-12)
    assert np.all(G[np.imag(z) > 0].imag < 0)
    Tp = T / (3 * (1 + T) ** 2 - z)                 # implicit derivative
    assert np.allclose(law._cauchy_prime(NP, z), (Tp - G) / z, rtol=1e-12)
    with fs.workdps(50):
        zz = mpmath.mpc(1, 1)
        T = zz * law.cauchy(zz) - 1
        assert abs(zz * T - (1 + T) ** 3) < mpmath.mpf(10) ** -45
        assert abs(law.support()[0][1] - mpmath.mpf(27) / 4) < mpmath.mpf(10) ** -45


def test_arcsine_times_uniform_matches_random_matrix():
    law = SubordinatedMul(fs.arcsine(1, 2), fs.uniform(1, 3))
    rng = np.random.default_rng(11)
    n = N_KS
    a, b = arcsine_grid(1, 2, n), uniform_grid(1, 3, n)
    o = haar(n, rng)
    m = (o * b) @ o.T
    r = np.sqrt(a)
    ev = np.linalg.eigvalsh(r[:, None] * ((m + m.T) / 2) * r[None, :])
    assert ks(law.cdf, ev) < KS_TOL
    # power: the law of the product of independent (classical) variables is rejected
    prod = np.sort((a[::5, None] * b[None, ::5]).ravel())
    assert ks(lambda x: np.searchsorted(prod, x, side="right") / prod.size, ev) > 2 * KS_TOL
    assert ks(law.cdf, law.sample(400, rng=2)) < 3 * math.log(400) / 400
    # moments vs quadrature of the density (the S-transform series gives them exactly)
    (lo, hi), = law.support()
    quad = [gl_integral(lambda x, k=k: x ** k * law.density(x), lo, hi) for k in range(1, 5)]
    assert law.moments(4) == pytest.approx(quad, rel=1e-10)
    # m1 = m1(μ) m1(ν), m2 = m2(μ) m1(ν)² + m1(μ)² m2(ν) − m1(μ)² m1(ν)² (free independence)
    ma1, ma2, mb1, mb2 = 1.5, 2.375, 2.0, 13 / 3
    assert law.moments(2) == pytest.approx([ma1 * mb1, ma2 * mb1 ** 2 + ma1 ** 2 * mb2 - ma1 ** 2 * mb1 ** 2],
                                           rel=1e-14)


def test_signed_factor_is_not_implemented():
    with pytest.raises(NotImplementedError, match=r"\[0, inf\)"):
        SubordinatedMul(fs.semicircle(), fs.uniform(1, 2))


# --------------------------------------------------------- random atomic pairs (Herglotz)
def random_atoms(rng, k, positive=False):
    vals = rng.uniform(0.2, 3, k) if positive else rng.standard_normal(k) * rng.uniform(0.5, 2)
    w = rng.dirichlet(np.ones(k))
    return fs.atoms(vals, weights=w / w.sum())


def random_pair(rng, k1, k2, positive=False):
    """Two random atomic laws, generic: no pair of atoms with masses adding to nearly 1
    (μ({a}) + ν({b}) = 1 − ε puts an inverse-square-root spike of width ~ε² at a + b,
    the degenerate case tested with Bernoulli ⊞ Bernoulli above)."""
    while True:
        mu, nu = random_atoms(rng, k1, positive), random_atoms(rng, k2, positive)
        if all(abs(p + q - 1) > 0.02 for _, p in mu.atoms() for _, q in nu.atoms()):
            return mu, nu


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_herglotz_random_atomic_pairs(seed):
    rng = np.random.default_rng(seed)
    for law in (SubordinatedAdd(*random_pair(rng, 3, 5)), SubordinatedMul(*random_pair(rng, 4, 3, True))):
        sup = law.support()
        lo = min([iv[0] for iv in sup] + [a for a, _ in law.atoms()])
        hi = max([iv[1] for iv in sup] + [a for a, _ in law.atoms()])
        z = rng.uniform(lo - 1, hi + 1, 40) + 1j * 10.0 ** rng.uniform(-4, 1, 40)
        G = law.cauchy(z)
        assert np.all(G.imag < 0)
        assert np.allclose(law.cauchy(np.conj(z)), np.conj(G), rtol=1e-13, atol=0)
        assert abs(1e6 * law.cauchy(1e6 + 1e6j) * (1 + 1j) - 1) < 1e-5
        # density ≥ 0, zero off the support and positive inside; mass 1
        x = np.linspace(lo - 0.5, hi + 0.5, 200)
        x = x[np.min(np.abs(x[:, None] - np.array([a for a, _ in law.atoms()] + [np.inf])), axis=1) > 1e-9]
        d = law.density(x)
        inside = np.zeros(x.shape, dtype=bool)
        for a, b in sup:
            inside |= (x > a) & (x < b)
        assert np.all(d[~inside] == 0) and np.all(d[inside] > 0)
        mass = sum(m for _, m in law.atoms()) + sum(gl_integral(law.density, a, b) for a, b in sup)
        assert mass == pytest.approx(1, abs=1e-9)


# ------------------------------------------------------------------ contract essentials
CONTRACT_LAWS = {
    "bernoulli_plus_uniform": SubordinatedAdd(fs.atoms([-2, 2]), fs.uniform(-0.5, 0.5)),
    "arcsine_times_uniform": SubordinatedMul(fs.arcsine(1, 2), fs.uniform(1, 3)),
}


@pytest.mark.parametrize("name", sorted(CONTRACT_LAWS))
def test_contract_essentials(name):
    law = CONTRACT_LAWS[name]
    sup = law.support()
    assert list(sup) == sorted(sup) and all(lo < hi for lo, hi in sup)
    mass = sum(gl_integral(law.density, lo, hi) for lo, hi in sup) + sum(m for _, m in law.atoms())
    assert mass == pytest.approx(1, abs=1e-10)
    lo, hi = sup[0][0], sup[-1][1]
    x = np.linspace(lo - 0.1, hi + 0.1, 400)
    F = law.cdf(x)
    assert np.all(np.diff(F) >= 0) and F[0] == 0 and F[-1] == pytest.approx(1, abs=1e-12)
    mid = [(a + b) / 2 for a, b in sup]
    for m in mid:
        want = sum(gl_integral(law.density, a, min(b, m)) for a, b in sup if a < m)
        assert law.cdf(m) == pytest.approx(want, abs=1e-9)
    quad = [sum(gl_integral(lambda t, k=k: t ** k * law.density(t), a, b) for a, b in sup) for k in range(1, 5)]
    assert law.moments(4) == pytest.approx(quad, rel=1e-10, abs=1e-12)
    assert law.moments(4, method="generic") == pytest.approx(quad, rel=1e-10, abs=1e-12)
    q = np.array([0.1, 0.5, 0.9])
    assert law.cdf(law.quantile(q)) == pytest.approx(q, abs=1e-10)


def test_free_cumulants_and_r_transform_add():
    mu, nu = fs.atoms([-2, 2]), fs.uniform(-0.5, 0.5)
    law = SubordinatedAdd(mu, nu)
    # Bernoulli ±2: R(w) = (√(1 + 16w²) − 1)/(2w) = 4w − 16w³ + ...; uniform of length 1:
    # κ_n = B_n/n!, κ2 = 1/12, κ4 = −1/720
    assert np.allclose(law.free_cumulants(4), [0, 4 + 1 / 12, 0, -16 - 1 / 720], rtol=1e-13, atol=1e-13)
    w = np.array([0.05, -0.03 + 0.02j])
    want = (np.sqrt(1 + 16 * w * w) - 1) / (2 * w) + 0.5 + 1 / np.expm1(w) - 1 / w
    assert np.allclose(law.r_transform(w), want, rtol=1e-12)
    assert np.allclose(law.r_transform(w, method="generic"), want, rtol=1e-10)


# ------------------------------------------------------------------- object contract
def test_repr_hash_and_immutability():
    a = SubordinatedAdd(BERNOULLI, fs.uniform(0, 1))
    assert repr(a) == "free_add(atoms([-0.5, 0.5]), uniform(0, 1))"
    assert a == SubordinatedAdd(fs.atoms([-0.5, 0.5]), fs.uniform(0, 1)) and hash(a) == hash(
        SubordinatedAdd(fs.atoms([-0.5, 0.5]), fs.uniform(0, 1)))
    assert a != SubordinatedAdd(fs.uniform(0, 1), BERNOULLI)
    m = SubordinatedMul(fs.uniform(1, 2), fs.arcsine(1, 3))
    assert repr(m) == "free_mul(uniform(1, 2), arcsine(1, 3))"
    assert r"\boxtimes" in m._repr_latex_() and r"\boxplus" in a._repr_latex_()
    with pytest.raises(AttributeError):
        a.mu = 3
    with pytest.raises(fs.DomainError):
        SubordinatedAdd(BERNOULLI, 3.0)
