"""power_law: compressed sums against exact atomic sums (float64 and mpmath), the
law's methods against explicit formulas, the continuous counterpart against
quadrature, and MP ⊠ power_law against the exact atomic route."""

import math
import time

import mpmath
import numpy as np
import pytest
from scipy.integrate import quad

import freespec as fs
from freespec._backend import NP
from freespec.laws.powerlaw import power_sum


def _exact_sums(z, k, beta, vals):
    """Σ v^β/(z − v)^k over the float atoms, term by term (blocks of points)."""
    out = np.empty(z.shape, complex)
    for i in range(z.size):
        terms = vals ** beta / (z[i] - vals) ** k
        out[i] = math.fsum(terms.real) + 1j * math.fsum(terms.imag)
    return out


def _points(alpha, n, rng):
    j = np.arange(1, n + 1, dtype=float)
    t = j ** -alpha
    upper = rng.uniform(-0.1, 1.1, 12) * t[0] + 1j * 10.0 ** rng.uniform(-9, 0, 12)
    negative = -(10.0 ** rng.uniform(-6, 1, 6)) + 0j
    idx = rng.integers(60, n - 1, 8)
    between = (t[idx] + t[idx + 1]) / 2 + 0j          # real points between two atoms
    return np.concatenate([upper, negative, between])


@pytest.mark.parametrize("alpha", [0.7, 1.5, 3.0])
@pytest.mark.parametrize("k,beta", [(1, 0), (2, 0), (2, 1), (3, 2)])
def test_compressed_sum_matches_exact_atomic_sum(alpha, k, beta):
    # the compression bound (module docstring) is below 1e-17 relative; the tolerance
    # allows the rounding of the exact sum's cancellations at real points (scaled by Σ|terms|)
    n = 20000
    vals = fs.power_law(alpha, n).atoms().values
    z = _points(alpha, n, np.random.default_rng(int(10 * alpha) + k + beta))
    got = power_sum(z, k, beta, alpha, n)
    want = _exact_sums(z, k, beta, vals)
    scale = np.array([np.sum(np.abs(vals ** beta / (zi - vals) ** k)) for zi in z])
    assert np.all(np.abs(got - want) <= 1e-12 * scale)


def test_cauchy_and_derivative_match_atoms_law():
    n = 50000
    pl = fs.power_law(1.5, n, scale=2)
    ref = fs.atoms(pl.atoms().values)
    z = np.array([0.3 + 1e-4j, 1e-5 + 1e-8j, -0.2, 3.0, 2.5 + 0.5j])
    np.testing.assert_allclose(pl.cauchy(z), ref.cauchy(z), rtol=1e-12)
    np.testing.assert_allclose(pl._cauchy_prime(NP, z.astype(complex)),
                               ref._cauchy_prime(NP, z.astype(complex)), rtol=1e-11)


def test_mpmath_path_50_digits():
    # exact atoms j^(−3/2) at 70 digits, summed term by term
    n = 3000
    pl = fs.power_law("3/2", n)
    with mpmath.workdps(70):
        atoms = [mpmath.mpf(j) ** (-mpmath.mpf(3) / 2) for j in range(1, n + 1)]
        z = mpmath.mpc("0.002", "0.0003")
        want = mpmath.fsum(1 / (z - t) for t in atoms) / n
        want_neg = mpmath.fsum(1 / (-mpmath.mpf("0.25") - t) for t in atoms) / n
    with fs.workdps(50):
        got = pl.cauchy(mpmath.mpc("0.002", "0.0003"))
        got_neg = pl.cauchy(mpmath.mpf("-0.25"))
    with mpmath.workdps(70):
        assert abs(got - want) <= mpmath.mpf(10) ** -48 * abs(want)
        assert abs(got_neg - want_neg) <= mpmath.mpf(10) ** -48 * abs(want_neg)


def test_atoms_cdf_quantile_moments():
    n = 10 ** 6
    pl = fs.power_law(2, n, scale=3)
    at = pl.atoms()
    assert len(at) == n and at[0] == (3.0 / n ** 2, 1 / n) and at[-1] == (3.0, 1 / n)
    assert pl.support() == ()
    # F(x) = #{j : 3 j^−2 <= x}/n = (n − ceil(sqrt(3/x)) + 1)/n
    x = np.array([3.0, 1.0, 0.3, 3e-6, 1e-13])
    want = np.array([n - math.ceil(math.sqrt(3 / v)) + 1 for v in x[:-1]] + [0]) / n
    np.testing.assert_allclose(pl.cdf(x), want, atol=1e-15)
    np.testing.assert_allclose(pl.quantile(np.array([1.0, 0.5, 0.0])),
                               [3.0, 3 / (n / 2 + 1) ** 2, 3 / n ** 2], rtol=1e-15)
    # m_k = 3^k H_n^(2k) / n with generalized harmonic numbers
    with mpmath.workdps(30):
        want = [float(3 ** k * (mpmath.zeta(2 * k) - mpmath.zeta(2 * k, n + 1)) / n) for k in (1, 2, 3)]
    np.testing.assert_allclose(pl.moments(3), want, rtol=1e-14)
    assert repr(pl) == "power_law(2, 1000000, scale=3)"
    assert pl == fs.power_law(2.0, 10 ** 6, scale=3) and pl != fs.power_law(2, n)


def test_domain_errors():
    for bad in [dict(alpha=0, n=5), dict(alpha=1, n=0), dict(alpha=1, n=2.5), dict(alpha=1, n=3, scale=-1)]:
        with pytest.raises(fs.DomainError):
            fs.power_law(**bad)


# ----------------------------------------------------------------------- continuous
def test_continuous_counterpart():
    alpha, n = 1.5, 1000
    law = fs.power_law(alpha, n, continuous=True)
    lo, hi = law.support()[0]
    assert lo == pytest.approx((n + 0.5) ** -alpha, rel=1e-15) and hi == pytest.approx(2 ** alpha)

    def rho(t):
        return t ** (-1 - 1 / alpha) / (alpha * n)

    pts = np.geomspace(lo, hi, 9)[1:-1]
    np.testing.assert_allclose(law.density(pts), rho(pts), rtol=1e-14)
    # G off the axis and on the negative axis from scipy quadrature of the density
    for z in [0.01 + 0.002j, 1.0 + 0.5j, -0.3]:
        re = quad(lambda t: (rho(t) / (z - t)).real, lo, hi, points=[abs(z)], limit=400, epsrel=1e-13)[0]
        im = quad(lambda t: (rho(t) / (z - t)).imag, lo, hi, points=[abs(z)], limit=400, epsrel=1e-13)[0]
        assert complex(law.cauchy(z)) == pytest.approx(re + 1j * im, rel=1e-10)
    # inside the support: −Im G(x + i0)/π is the density
    x = np.array([0.001, 0.05, 1.5])
    np.testing.assert_allclose(-law.cauchy(x).imag / np.pi, rho(x), rtol=1e-11)
    # the atomic law is the n-quantile grid: quantile((j − 1/2)/n) = (n + 1 − j)^−α ... in ascending order
    q = (np.arange(1, n + 1) - 0.5) / n
    np.testing.assert_allclose(law.quantile(q), fs.power_law(alpha, n).atoms().values, rtol=1e-13)
    np.testing.assert_allclose(law.moments(3), law.moments(3, method="generic"), rtol=1e-10)
    assert float(law.cdf(hi)) == 1.0


# ------------------------------------------------------------------ MP ⊠ power law
@pytest.fixture(scope="module")
def mp_pl():
    pl = fs.power_law(1.5, 4000)
    ref = fs.atoms(pl.atoms().values)
    return fs.free_mul(fs.marchenko_pastur(0.5), pl), fs.free_mul(fs.marchenko_pastur(0.5), ref)


def test_mp_times_power_law_density_matches_atomic_route(mp_pl):
    law, ref = mp_pl
    x = np.concatenate([np.linspace(1e-5, 0.01, 60), np.linspace(0.01, 2.6, 60)])
    np.testing.assert_allclose(law.density(x), ref.density(x), rtol=1e-9, atol=1e-12)
    z = np.array([0.02 + 0.001j, -0.5, 1.0 + 0.3j])
    np.testing.assert_allclose(law.cauchy(z), ref.cauchy(z), rtol=1e-11)


def test_mp_times_power_law_support_matches_atomic_route(mp_pl):
    law, ref = mp_pl
    got, want = law.support(), ref.support()
    assert len(got) == len(want) > 10
    np.testing.assert_allclose(np.array(got), np.array(want), rtol=1e-10)


def test_mp_with_variance_goes_through_scaled_population():
    pl = fs.power_law(2, 2500)
    law = fs.free_mul(fs.marchenko_pastur(0.25, var=2), pl)
    ref = fs.free_mul(fs.marchenko_pastur(0.25), fs.atoms(2 * pl.atoms().values))
    x = np.linspace(1e-4, 3.0, 25)
    np.testing.assert_allclose(law.density(x), ref.density(x), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(np.array(law.support()), np.array(ref.support()), rtol=1e-10)


def test_million_atoms_grid():
    # the timing is in benchmarks/bench_powerlaw.py; here: zero exactly off the support,
    # positive inside (away from the edges), on a 1000-point grid through the fast path
    law = fs.free_mul(fs.marchenko_pastur(0.5), fs.power_law(1.5, 10 ** 6))
    x = np.linspace(1e-4, 2.5, 1000)
    d = law.density(x)
    sup = np.array(law.support())
    inside = ((x[:, None] >= sup[:, 0]) & (x[:, None] <= sup[:, 1])).any(axis=1)
    far = np.min(np.abs(x[:, None] - sup.ravel()), axis=1) > 1e-9
    assert np.all(d[~inside] == 0)
    assert np.all(d[inside & far] > 0)


def test_hundred_thousand_atoms_match_exact_atomic_route():
    # the exact atomic route sums 10⁵ atoms per evaluation: two points only
    pl = fs.power_law(1.5, 10 ** 5)
    law = fs.free_mul(fs.marchenko_pastur(0.5), pl)
    ref = fs.free_mul(fs.marchenko_pastur(0.5), fs.atoms(pl.atoms().values))
    x = np.array([2e-4, 0.03])
    np.testing.assert_allclose(law.density(x), ref.density(x), rtol=1e-9)


@pytest.mark.slow
def test_million_atoms_match_exact_atomic_route():
    pl = fs.power_law(1.5, 10 ** 6)
    law = fs.free_mul(fs.marchenko_pastur(0.5), pl)
    ref = fs.free_mul(fs.marchenko_pastur(0.5), fs.atoms(pl.atoms().values))
    x = np.array([1e-4, 0.002, 0.3, 1.2])
    np.testing.assert_allclose(law.density(x), ref.density(x), rtol=1e-9)


@pytest.mark.slow
def test_sample_covariance_of_power_law_population():
    # eigenvalues of (1/N) Σ^{1/2} X Xᵀ Σ^{1/2}, p = 2000, N = 4000, spec Σ = power_law(1, p):
    # the empirical cdf is within O(1/p) of the limit law's (plus O(1/p) fluctuations)
    p, N = 2000, 4000
    rng = np.random.default_rng(1)
    lam = fs.power_law(1.0, p).atoms().values
    x = rng.standard_normal((p, N)) * np.sqrt(lam)[:, None]
    ev = np.linalg.eigvalsh(x @ x.T / N)
    law = fs.free_mul(fs.marchenko_pastur(p / N), fs.power_law(1.0, p))
    for q in (0.005, 0.05, 0.3):
        assert np.mean(ev <= q) == pytest.approx(float(law.cdf(q)), abs=0.005)


# --------------------------------------------------- semicircle ⊞ power law (Pastur)
@pytest.fixture(scope="module")
def sc_pl():
    pl = fs.power_law(1.5, 3000)
    ref = fs.atoms(pl.atoms().values)
    return fs.free_add(fs.semicircle(1e-4), pl), fs.free_add(fs.semicircle(1e-4), ref)


def test_sc_plus_power_law_support_matches_atomic_route(sc_pl):
    law, ref = sc_pl
    got, want = law.support(), ref.support()
    assert len(got) == len(want) > 10          # the largest atoms stand out as bulks
    np.testing.assert_allclose(np.array(got), np.array(want), rtol=1e-12, atol=1e-15)


def test_sc_plus_power_law_density_matches_atomic_route(sc_pl):
    law, ref = sc_pl
    x = np.concatenate([np.linspace(-0.03, 0.05, 300), np.linspace(0.05, 1.05, 300)])
    np.testing.assert_allclose(law.density(x), ref.density(x), rtol=1e-10, atol=1e-12)
    z = np.array([0.02 + 0.001j, -0.5, 1.2, 0.3 + 0.01j])
    np.testing.assert_allclose(law.cauchy(z), ref.cauchy(z), rtol=1e-12)


def test_sc_plus_power_law_30_digit_top_edge():
    """The top bulk of semicircle(σ²) ⊞ power_law(1, n) at 30 digits: Z(w) = w + σ² G_ν(w)
    with the top atom 1 isolated, the right edge is Z at the zero of Z′ right of 1,
    computed here by mpmath on the exact atomic sum."""
    n = 200
    law = fs.free_add(fs.semicircle("1/10000"), fs.power_law(1, n))
    with mpmath.workdps(40):
        var = mpmath.mpf(1) / 10 ** 4
        t = [mpmath.mpf(1) / j for j in range(1, n + 1)]

        def dZ(w):
            return 1 - var * mpmath.fsum(1 / (w - tj) ** 2 for tj in t) / n

        # Z′ increases from −∞ at the pole 1 to 1 at +∞: one zero, by bisection
        a, b = mpmath.mpf(1) + mpmath.mpf(10) ** -6, mpmath.mpf(2)
        assert dZ(a) < 0 < dZ(b)
        for _ in range(140):
            m = (a + b) / 2
            a, b = (m, b) if dZ(m) < 0 else (a, m)
        wc = (a + b) / 2
        edge = wc + var * mpmath.fsum(1 / (wc - tj) for tj in t) / n
    with fs.workdps(30):
        top = law.support()[-1][1]
    assert abs(top - edge) < mpmath.mpf(10) ** -28


def test_sc_plus_million_atoms_grid():
    law = fs.free_add(fs.semicircle(1e-4), fs.power_law(1.5, 10 ** 6))
    sup = np.array(law.support())
    assert sup[-1, 1] > 1 and sup[0, 0] < 0
    x = np.linspace(-0.05, 1.1, 1000)
    d = law.density(x)
    inside = ((x[:, None] >= sup[:, 0]) & (x[:, None] <= sup[:, 1])).any(axis=1)
    assert np.all(d[~inside] == 0) and np.all(d[inside] >= 0)
    # against the exact atomic sum, at two points (10⁶ atoms per evaluation)
    ref = fs.free_add(fs.semicircle(1e-4), fs.atoms(fs.power_law(1.5, 10 ** 6).atoms().values))
    xs = np.array([0.005, 0.6])
    np.testing.assert_allclose(law.density(xs), ref.density(xs), rtol=1e-9)


def test_continuous_cauchy_is_real_off_the_support():
    """Off the support G is a real integral: compare with mpmath quadrature of the density
    s^{1/α} t^{−1−1/α}/(α n) (s = 1) over the support, and the density vanishes there."""
    import mpmath
    law = fs.power_law(1.5, 300, continuous=True)
    (lo, hi), = law.support()
    x = np.array([-8.5, -0.28, lo * 0.99, hi * 1.01, 11.3])
    g = law.cauchy(x)
    assert g.dtype == np.float64
    assert np.all(law.density(np.array([lo * 0.99, hi * 1.01])) == 0)
    a, n = mpmath.mpf(1.5), 300
    for xi, gi in zip(x, g):
        ref = mpmath.quad(lambda t: t ** (-1 - 1 / a) / (a * n) / (xi - t), [lo, 2 * lo, 10 * lo, hi])
        assert abs(gi - ref) <= 1e-10 * abs(ref)
