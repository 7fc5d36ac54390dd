"""Closed-form laws against textbook formulas written independently here.

Every expected value below is computed in this file, from the textbook formula
of the quantity (density, moments, free cumulants, R/S-transforms, Cauchy
transform) or by direct numerical integration of the textbook density in
mpmath; nothing is taken from freespec's own output.  Float64 results are
compared to mpmath references evaluated at the exact binary value of the
float inputs.
"""

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy

import freespec as fs

REF_DPS = 30
mpf = mpmath.mpf


def M(v):
    """Exact mpmath value of a float / Fraction / int parameter."""
    if isinstance(v, Fraction):
        return mpf(v.numerator) / v.denominator
    return mpf(v)


# ============================================================== references
def sc_density(x, var, c):
    var, c = M(var), M(c)
    u = 4 * var - (x - c) ** 2
    return mpmath.sqrt(u) / (2 * mpmath.pi * var) if u > 0 else mpf(0)


def mp_edges(g, var):
    g, var = M(g), M(var)
    return var * (1 - mpmath.sqrt(g)) ** 2, var * (1 + mpmath.sqrt(g)) ** 2


def mp_density(x, g, var):
    a, b = mp_edges(g, var)
    if not a < x < b:
        return mpf(0)
    return mpmath.sqrt((b - x) * (x - a)) / (2 * mpmath.pi * M(g) * M(var) * x)


def mp_atoms(g):
    g = M(g)
    return [(mpf(0), 1 - 1 / g)] if g > 1 else []


def arc_density(x, a, b):
    a, b = M(a), M(b)
    if not a < x < b:
        return mpf(0)
    return 1 / (mpmath.pi * mpmath.sqrt((x - a) * (b - x)))


def unif_density(x, a, b):
    a, b = M(a), M(b)
    return 1 / (b - a) if a <= x <= b else mpf(0)


def ref_cdf(rho, lo, hi, atoms, x):
    """Σ atoms ≤ x + ∫_lo^x ρ, by tanh-sinh after u = sqrt(x - lo) (edge singularities)."""
    x = M(x)
    total = mpmath.fsum(m for loc, m in atoms if loc <= x)
    if x <= lo:
        return total
    top = min(x, hi)

    def integrand(u):
        with mpmath.workdps(2 * mpmath.mp.dps):
            return 2 * u * rho(lo + u * u)

    mid = (top - lo) / 2
    # the right part [mid, top] in v = sqrt(top - x) also removes the singularity at hi
    part1 = mpmath.quad(integrand, [0, mpmath.sqrt(mid)])

    def integrand2(v):
        with mpmath.workdps(2 * mpmath.mp.dps):
            return 2 * v * rho(top - v * v)

    part2 = mpmath.quad(integrand2, [0, mpmath.sqrt(top - lo - mid)])
    return total + part1 + part2


def ref_quantile(rho, lo, hi, atoms, q):
    """inf{x : F(x) >= q}: an atom that absorbs q, else safeguarded Newton (derivative ρ)
    on the reference cdf inside the bracket [lo, hi]."""
    q = M(q)
    for loc, m in atoms:
        F_before = ref_cdf(rho, lo, hi, [(l2, m2) for l2, m2 in atoms if l2 < loc], loc)
        if F_before < q <= F_before + m:
            return loc
    a, b = lo, hi
    x = lo + (hi - lo) * q
    tol = mpf(10) ** (-mpmath.mp.dps + 2) * (abs(lo) + abs(hi))
    for _ in range(200):
        F = ref_cdf(rho, lo, hi, atoms, x) - q
        if F == 0:
            return x
        if F > 0:
            b = x
        else:
            a = x
        d = rho(x)
        x_new = x - F / d if d > 0 else (a + b) / 2
        if abs(x_new - x) <= tol:
            return x_new
        if not a < x_new < b:
            x_new = (a + b) / 2
        x = x_new
    raise AssertionError("reference quantile did not converge")


def ref_cauchy_quad(rho, lo, hi, atoms, z):
    """G(z) = ∫ ρ(x)/(z - x) dx + Σ m/(z - loc), x = lo + (hi-lo) sin²(θ/2)."""
    z = mpmath.mpmathify(z)
    L = hi - lo

    def f(t):
        with mpmath.workdps(2 * mpmath.mp.dps):
            s2 = mpmath.sin(t / 2) ** 2
            x = lo + L * s2
            return rho(x) * L * mpmath.sin(t) / 2 / (z - x)

    total = mpmath.quad(f, mpmath.linspace(0, mpmath.pi, 5)) if hi > lo else 0
    return total + mpmath.fsum(m / (z - loc) for loc, m in atoms)


def narayana_moments(n, g, var):
    """Exact MP moments: σ^{2n} Σ_k N(n, k) γ^{k-1}, N(n,k) = C(n,k)C(n,k-1)/n."""
    return [Fraction(var) ** m * sum(Fraction(math.comb(m, k) * math.comb(m, k - 1), m) * Fraction(g) ** (k - 1)
                                     for k in range(1, m + 1)) for m in range(1, n + 1)]


def catalan(n):
    return math.comb(2 * n, n) // (n + 1)


def rel_close(got, want, rel, abs_=0.0):
    got = np.asarray(got, dtype=complex)
    want = np.asarray([complex(w) for w in np.ravel(want)]).reshape(np.shape(want))
    err = np.abs(got - want)
    tol = rel * np.abs(want) + abs_
    return bool(np.all(err <= tol)), float(np.max(err - tol))


def assert_close(got, want, rel=1e-12, abs_=0.0):
    ok, worst = rel_close(got, want, rel, abs_)
    assert ok, f"got {got}, want {[complex(w) for w in np.ravel(want)]} (excess {worst:.3g})"


@pytest.fixture(autouse=True)
def _ref_precision():
    # references below are computed at REF_DPS (the conftest resets to 15 afterwards)
    mpmath.mp.dps = REF_DPS
    yield


# =============================================================== test cases
SC_CASES = [(1.0, 0.0), (0.5, 1.5), (3.0, -2.0), (0.0625, 0.25)]
MP_CASES = [(0.5, 1.0), (0.3, 1.0), (2.5, 1.0), (0.5, 2.0), (1.0, 1.0), (4.0, 0.75), (1.0, 2.5)]
ARC_CASES = [(-1.0, 2.0), (0.0, 1.0), (-2.0, 2.0)]
UNIF_CASES = [(0.5, 2.0), (-1.0, 1.0), (-3.0, -0.5)]


def interior_grid(lo, hi, n=41, margin=1e-3):
    return np.linspace(lo + margin * (hi - lo), hi - margin * (hi - lo), n)


def laws_with_refs():
    """(id, law, rho, lo, hi, atoms) with mpmath reference density and spectrum."""
    out = []
    for v, c in SC_CASES:
        lo, hi = M(c) - 2 * mpmath.sqrt(M(v)), M(c) + 2 * mpmath.sqrt(M(v))
        out.append((f"sc{v},{c}", fs.semicircle(var=v, center=c),
                    lambda x, v=v, c=c: sc_density(x, v, c), lo, hi, []))
    for g, v in MP_CASES:
        lo, hi = mp_edges(g, v)
        out.append((f"mp{g},{v}", fs.marchenko_pastur(g, var=v),
                     lambda x, g=g, v=v: mp_density(x, g, v), lo, hi, mp_atoms(g)))
    for a, b in ARC_CASES:
        out.append((f"arc{a},{b}", fs.arcsine(a, b), lambda x, a=a, b=b: arc_density(x, a, b), M(a), M(b), []))
    for a, b in UNIF_CASES:
        out.append((f"unif{a},{b}", fs.uniform(a, b), lambda x, a=a, b=b: unif_density(x, a, b), M(a), M(b), []))
    return out


LAWS = laws_with_refs()
LAW_IDS = [c[0] for c in LAWS]


# ================================================================= density
@pytest.mark.parametrize("case", LAWS, ids=LAW_IDS)
def test_density_matches_textbook_formula_on_grid(case):
    _, law, rho, lo, hi, _atoms = case
    xs = interior_grid(float(lo), float(hi))
    got = law.density(xs)
    assert isinstance(got, np.ndarray) and got.dtype == np.float64 and got.shape == xs.shape
    want = [rho(mpf(x)) for x in xs]
    assert all(w > 0 for w in want)
    assert_close(got, want, rel=1e-12)
    # scalar evaluation gives the same numbers
    assert float(law.density(float(xs[7]))) == pytest.approx(float(want[7]), rel=1e-12)


@pytest.mark.parametrize("case", LAWS, ids=LAW_IDS)
def test_density_is_zero_outside_support(case):
    _, law, _rho, lo, hi, _atoms = case
    lo, hi = float(lo), float(hi)
    width = hi - lo
    xs = np.array([lo - 5 * width - 1, lo - 0.01 * width, hi + 0.01 * width, hi + 3 * width + 1])
    got = law.density(xs)
    assert np.all(got == 0.0)


def test_semicircle_standard_density_values():
    law = fs.semicircle()
    assert float(law.density(0.0)) == pytest.approx(1 / math.pi, rel=1e-15)
    assert float(law.density(1.0)) == pytest.approx(math.sqrt(3) / (2 * math.pi), rel=1e-14)
    assert float(law.density(2.0)) == 0.0
    assert float(law.density(-2.0)) == 0.0


def test_mp_density_diverges_at_zero_for_ratio_one():
    law = fs.marchenko_pastur(1)
    # ρ(x) = sqrt((4 - x) x) / (2π x) ~ 1/(π sqrt x) at 0+
    x = 1e-10
    assert float(law.density(x)) == pytest.approx(math.sqrt((4 - x) * x) / (2 * math.pi * x), rel=1e-12)
    assert float(law.density(x)) > 1e4


def test_arcsine_density_infinite_at_edges_and_value_at_center():
    law = fs.arcsine(-1, 2)
    out = law.density(np.array([-1.0, 2.0]))
    assert np.all(np.isinf(out)) and np.all(out > 0)
    # centre c = 1/2, r = 3/2: ρ(c) = 1/(π r)
    assert float(law.density(0.5)) == pytest.approx(1 / (math.pi * 1.5), rel=1e-14)


def test_uniform_density_value():
    assert np.all(fs.uniform(0.5, 2).density(np.array([0.5, 1.0, 2.0])) == pytest.approx(1 / 1.5, rel=1e-15))


# ===================================================================== atoms
@pytest.mark.parametrize("g, v", MP_CASES)
def test_mp_support_and_atom(g, v):
    law = fs.marchenko_pastur(g, var=v)
    (lo, hi), = law.support()
    a, b = mp_edges(g, v)
    assert lo == pytest.approx(float(a), rel=1e-14, abs=1e-15)
    assert hi == pytest.approx(float(b), rel=1e-14)
    atoms = law.atoms()
    if g > 1:
        assert len(atoms) == 1
        assert atoms[0][0] == 0.0
        assert atoms[0][1] == pytest.approx(1 - 1 / g, rel=1e-14)
    else:
        assert atoms == ()


@pytest.mark.parametrize("v, c", SC_CASES)
def test_semicircle_support(v, c):
    (lo, hi), = fs.semicircle(var=v, center=c).support()
    assert lo == pytest.approx(c - 2 * math.sqrt(v), rel=1e-15, abs=1e-15)
    assert hi == pytest.approx(c + 2 * math.sqrt(v), rel=1e-15, abs=1e-15)
    assert fs.semicircle(var=v, center=c).atoms() == ()


@pytest.mark.parametrize("ctor, a, b", [(fs.arcsine, *ab) for ab in ARC_CASES] + [(fs.uniform, *ab) for ab in UNIF_CASES])
def test_interval_laws_support(ctor, a, b):
    law = ctor(a, b)
    assert law.support() == ((a, b),)
    assert law.atoms() == ()


# ======================================================================= cdf
@pytest.mark.parametrize("case", LAWS, ids=LAW_IDS)
def test_cdf_matches_integral_of_density(case):
    _, law, rho, lo, hi, atoms = case
    lo_f, hi_f = float(lo), float(hi)
    xs = np.array([lo_f - 1.0, lo_f + 0.1 * (hi_f - lo_f), (lo_f + hi_f) / 2 + 0.01,
                   lo_f + 0.83 * (hi_f - lo_f), hi_f + 0.5])
    with mpmath.workdps(20):
        want = [ref_cdf(rho, lo, hi, atoms, x) for x in xs]
    got = law.cdf(xs)
    assert got.dtype == np.float64
    assert_close(got, want, rel=1e-12, abs_=1e-14)
    assert float(got[-1]) == pytest.approx(1.0, abs=1e-14)


@pytest.mark.parametrize("g", [2.5, 4.0])
def test_mp_cdf_jumps_by_the_atom_at_zero(g):
    law = fs.marchenko_pastur(g)
    assert float(law.cdf(-1e-300)) == 0.0
    assert float(law.cdf(0.0)) == pytest.approx(1 - 1 / g, rel=1e-14)


def test_semicircle_cdf_closed_form():
    # F(x) = 1/2 + (t sqrt(1 - t²) + asin t)/π, t = (x - c)/(2σ)
    law = fs.semicircle(var=0.5, center=1.5)
    for x in [0.2, 1.0, 1.5, 2.3, 2.8]:
        t = (x - 1.5) / (2 * math.sqrt(0.5))
        want = 0.5 + (t * math.sqrt(1 - t * t) + math.asin(t)) / math.pi
        assert float(law.cdf(x)) == pytest.approx(want, rel=1e-13)


# ================================================================== quantile
@pytest.mark.parametrize("case", [c for c in LAWS if c[0] in ("sc0.5,1.5", "mp0.5,1.0", "mp2.5,1.0", "arc-1.0,2.0",
                                                              "unif0.5,2.0", "mp1.0,1.0")],
                         ids=lambda c: c[0])
def test_quantile_inverts_reference_cdf(case):
    _, law, rho, lo, hi, atoms = case
    qs = np.array([0.05, 0.3, 0.5, 0.77, 0.95])
    with mpmath.workdps(20):
        want = [ref_quantile(rho, lo, hi, atoms, q) for q in qs]
    got = law.quantile(qs)
    assert got.dtype == np.float64
    assert_close(got, want, rel=1e-10, abs_=1e-12)


def test_quantile_ends_and_closed_forms():
    law = fs.arcsine(-1, 2)
    for q in [0.0, 0.1, 0.25, 0.5, 0.9, 1.0]:
        # F(x) = 1/2 + asin((x - c)/r)/π  =>  Q(q) = c + r sin(π(q - 1/2))
        assert float(law.quantile(q)) == pytest.approx(0.5 + 1.5 * math.sin(math.pi * (q - 0.5)), abs=1e-14)
    u = fs.uniform(0.5, 2)
    for q in [0.0, 0.3, 1.0]:
        assert float(u.quantile(q)) == pytest.approx(0.5 + 1.5 * q, rel=1e-15)
    sc = fs.semicircle(var=4, center=1)
    assert float(sc.quantile(0.0)) == pytest.approx(-3.0)
    assert float(sc.quantile(1.0)) == pytest.approx(5.0)
    assert float(sc.quantile(0.5)) == pytest.approx(1.0, abs=1e-13)


def test_mp_quantile_inside_atom():
    law = fs.marchenko_pastur(4)   # atom 3/4 at 0
    assert np.all(law.quantile(np.array([0.01, 0.5, 0.75])) == 0.0)
    assert float(law.quantile(0.8)) > 0


# =================================================================== moments
def test_semicircle_moments_are_catalan():
    got = fs.semicircle().moments(12)
    want = [0 if n % 2 else catalan(n // 2) for n in range(1, 13)]
    assert np.array_equal(got, np.array(want, dtype=float))


@pytest.mark.parametrize("v, c", SC_CASES)
def test_semicircle_moments_scale(v, c):
    # the centred law has moments σ^{2k} C_k; raw moments by the binomial expansion
    got = fs.semicircle(var=v, center=c).moments(8)
    V, C = Fraction(v), Fraction(c)
    central = [Fraction(1)] + [0 if n % 2 else V ** (n // 2) * catalan(n // 2) for n in range(1, 9)]
    want = [sum(math.comb(n, i) * C ** (n - i) * central[i] for i in range(n + 1)) for n in range(1, 9)]
    assert_close(got, [float(w) for w in want], rel=1e-13, abs_=1e-13)


def test_mp_moments_narayana_half():
    got = fs.marchenko_pastur(0.5).moments(4)
    assert np.array_equal(got, np.array([1, 3 / 2, 11 / 4, 45 / 8]))


@pytest.mark.parametrize("g, v", MP_CASES)
def test_mp_moments_narayana(g, v):
    got = fs.marchenko_pastur(g, var=v).moments(9)
    want = narayana_moments(9, Fraction(g), Fraction(v))
    assert_close(got, [float(w) for w in want], rel=1e-13)


def test_arcsine_moments_central_binomials():
    # arcsine(-2, 2): m_{2k} = C(2k, k), odd moments 0
    got = fs.arcsine(-2, 2).moments(10)
    want = [0 if n % 2 else math.comb(n, n // 2) for n in range(1, 11)]
    assert_close(got, want, rel=1e-14, abs_=1e-14)


@pytest.mark.parametrize("a, b", ARC_CASES)
def test_arcsine_moments_by_integration(a, b):
    # m_n = (1/π) ∫_0^π (c - r cos t)^n dt
    c, r = (M(a) + M(b)) / 2, (M(b) - M(a)) / 2
    want = [mpmath.quad(lambda t: (c - r * mpmath.cos(t)) ** n, [0, mpmath.pi]) / mpmath.pi for n in range(1, 8)]
    assert_close(fs.arcsine(a, b).moments(7), want, rel=1e-13, abs_=1e-14)


@pytest.mark.parametrize("a, b", UNIF_CASES)
def test_uniform_moments(a, b):
    A, B = Fraction(a), Fraction(b)
    want = [(B ** (k + 1) - A ** (k + 1)) / ((k + 1) * (B - A)) for k in range(1, 10)]
    assert_close(fs.uniform(a, b).moments(9), [float(w) for w in want], rel=1e-13, abs_=1e-14)


@pytest.mark.parametrize("case", LAWS, ids=LAW_IDS)
def test_moments_match_integral_of_density(case):
    _, law, rho, lo, hi, atoms = case
    L = hi - lo

    def moment(n):
        def f(t):
            with mpmath.workdps(2 * mpmath.mp.dps):
                x = lo + L * mpmath.sin(t / 2) ** 2
                return x ** n * rho(x) * L * mpmath.sin(t) / 2
        return mpmath.quad(f, [0, mpmath.pi]) + mpmath.fsum(m * loc ** n for loc, m in atoms)

    with mpmath.workdps(20):
        want = [moment(n) for n in range(1, 6)]
    assert_close(law.moments(5), want, rel=1e-12, abs_=1e-13)


def test_moments_zero_order():
    out = fs.semicircle().moments(0)
    assert isinstance(out, np.ndarray) and out.shape == (0,)


# ============================================================ free cumulants
@pytest.mark.parametrize("v, c", SC_CASES)
def test_semicircle_free_cumulants(v, c):
    got = fs.semicircle(var=v, center=c).free_cumulants(7)
    assert np.array_equal(got, np.array([c, v, 0, 0, 0, 0, 0], dtype=float))


@pytest.mark.parametrize("g, v", MP_CASES)
def test_mp_free_cumulants(g, v):
    got = fs.marchenko_pastur(g, var=v).free_cumulants(8)
    want = [Fraction(v) ** n * Fraction(g) ** (n - 1) for n in range(1, 9)]
    assert_close(got, [float(w) for w in want], rel=1e-14)


@pytest.mark.parametrize("lam, alpha", [(3, 0.5), (0.5, 1), (2, 2.0), (0.25, 3)])
def test_free_poisson_free_cumulants(lam, alpha):
    got = fs.free_poisson(lam, jump=alpha).free_cumulants(8)
    want = [Fraction(lam) * Fraction(alpha) ** n for n in range(1, 9)]
    assert_close(got, [float(w) for w in want], rel=1e-13)


@pytest.mark.parametrize("a, b", UNIF_CASES)
def test_uniform_free_cumulants_bernoulli(a, b):
    got = fs.uniform(a, b).free_cumulants(10)
    L = sympy.Rational(Fraction(b) - Fraction(a))
    want = [sympy.Rational(Fraction(a) + Fraction(b)) / 2] + \
        [sympy.bernoulli(n) * L ** n / sympy.factorial(n) for n in range(2, 11)]
    assert_close(got, [float(w) for w in want], rel=1e-13, abs_=1e-15)
    # κ_2 is the variance (b - a)²/12
    assert got[1] == pytest.approx((b - a) ** 2 / 12, rel=1e-14)


@pytest.mark.parametrize("a, b", ARC_CASES)
def test_arcsine_free_cumulants(a, b):
    got = fs.arcsine(a, b).free_cumulants(10)
    c, r = sympy.Rational(Fraction(a) + Fraction(b)) / 2, sympy.Rational(Fraction(b) - Fraction(a)) / 2
    want = []
    for n in range(1, 11):
        if n == 1:
            want.append(c)
        elif n % 2:
            want.append(0)
        else:
            want.append(sympy.binomial(sympy.Rational(1, 2), n // 2) * r ** n)
    assert_close(got, [float(w) for w in want], rel=1e-13, abs_=1e-15)


# ============================================================== R-transforms
W_REAL = np.array([-0.3, -0.05, 0.0, 0.1, 0.25])
W_CPLX = np.array([0.1 + 0.2j, -0.2 - 0.05j, 0.3j])


@pytest.mark.parametrize("v, c", SC_CASES)
def test_semicircle_r_transform(v, c):
    law = fs.semicircle(var=v, center=c)
    w = W_REAL / math.sqrt(v)
    assert_close(law.r_transform(w), c + v * w, rel=1e-14, abs_=1e-15)
    wc = W_CPLX / math.sqrt(v)
    assert_close(law.r_transform(wc), c + v * wc, rel=1e-14, abs_=1e-15)


@pytest.mark.parametrize("g, v", MP_CASES)
def test_mp_r_transform(g, v):
    law = fs.marchenko_pastur(g, var=v)
    w = W_REAL / (g * v)
    assert_close(law.r_transform(w), v / (1 - g * v * w), rel=1e-14)
    wc = W_CPLX / (g * v)
    assert_close(law.r_transform(wc), v / (1 - g * v * wc), rel=1e-14)


@pytest.mark.parametrize("lam, alpha", [(3, 0.5), (0.5, 1), (2, 2.0)])
def test_free_poisson_r_transform(lam, alpha):
    w = W_REAL / alpha
    assert_close(fs.free_poisson(lam, jump=alpha).r_transform(w), lam * alpha / (1 - alpha * w), rel=1e-14)


@pytest.mark.parametrize("a, b", ARC_CASES)
def test_arcsine_r_transform(a, b):
    c, r = (a + b) / 2, (b - a) / 2
    law = fs.arcsine(a, b)
    for w in list(W_REAL) + list(W_CPLX):
        w = complex(w)
        want = c if w == 0 else c + (mpmath.sqrt(1 + r * r * mpmath.mpc(w) ** 2) - 1) / w
        assert_close(law.r_transform(w), [want], rel=1e-13, abs_=1e-15)


@pytest.mark.parametrize("a, b", UNIF_CASES)
def test_uniform_r_transform(a, b):
    c, r = (a + b) / 2, (b - a) / 2
    law = fs.uniform(a, b)
    for w in list(W_REAL) + list(W_CPLX) + [1.5, -2.0]:
        w = complex(w)
        want = c if w == 0 else c + r * mpmath.coth(r * mpmath.mpc(w)) - 1 / mpmath.mpc(w)
        assert_close(law.r_transform(w), [want], rel=1e-12, abs_=1e-15)


@pytest.mark.parametrize("case", LAWS, ids=LAW_IDS)
def test_r_transform_inverts_cauchy(case):
    # G(R(w) + 1/w) = w on the branch through 0 (small w: near infinity)
    _, law, *_ = case
    (lo, hi), = law.support()
    scale = max(abs(lo), abs(hi), 1.0)
    for w in [0.05 / scale, -0.04 / scale, (0.03 + 0.02j) / scale]:
        z = complex(law.r_transform(w)) + 1 / w
        assert complex(law.cauchy(z)) == pytest.approx(w, rel=1e-11)


# ============================================================== S-transforms
Z_S = np.array([-0.3, -0.1, 0.0, 0.2, 0.5, 0.1 + 0.2j])


@pytest.mark.parametrize("g, v", MP_CASES)
def test_mp_s_transform(g, v):
    law = fs.marchenko_pastur(g, var=v)
    z = Z_S / g
    assert_close(law.s_transform(z), 1 / (v * (1 + g * z)), rel=1e-14)


@pytest.mark.parametrize("lam, alpha", [(3, 0.5), (0.5, 1), (2, 2.0)])
def test_free_poisson_s_transform(lam, alpha):
    z = Z_S
    assert_close(fs.free_poisson(lam, jump=alpha).s_transform(z), 1 / (alpha * (lam + z)), rel=1e-14)


def test_semicircle_s_transform_solves_quadratic():
    # S(z) R(z S(z)) = 1 with R(w) = c + σ² w:  σ² z S² + c S - 1 = 0, S(0) = 1/c
    v, c = 0.5, 1.5
    law = fs.semicircle(var=v, center=c)
    for z in [-0.3, -0.05, 0.2, 0.5, 0.1 + 0.2j]:
        z = mpmath.mpc(z)
        roots = [(-c + s * mpmath.sqrt(c * c + 4 * v * z)) / (2 * v * z) for s in (1, -1)]
        want = min(roots, key=lambda r: abs(r - 1 / c))
        assert_close(law.s_transform(complex(z)), [want], rel=1e-13)


def _psi(law, u):
    """ψ(u) = (1/u) G(1/u) - 1, from the library's (separately tested) Cauchy transform."""
    return complex(law.cauchy(1 / u)) / u - 1


@pytest.mark.parametrize("law", [fs.marchenko_pastur(0.5), fs.semicircle(var=0.5, center=1.5), fs.arcsine(1, 3),
                                 fs.uniform(1, 2), fs.affine(fs.marchenko_pastur(0.5), scale=-2),
                                 fs.free_poisson(3, jump=0.5)], ids=repr)
def test_s_transform_inverts_psi(law):
    # χ(z) = z S(z)/(1 + z) must satisfy ψ(χ(z)) = z
    for z in [-0.1, 0.05, 0.2, 0.05 + 0.05j]:
        S = complex(law.s_transform(z))
        chi = z * S / (1 + z)
        assert _psi(law, chi) == pytest.approx(z, rel=1e-10, abs=1e-13)
    m1 = float(law.moments(1)[0])
    assert complex(law.s_transform(0.0)) == pytest.approx(1 / m1, rel=1e-13)


# =========================================================== Cauchy transforms
def test_semicircle_cauchy_real_outside():
    law = fs.semicircle()
    for x in [2.5, 3.0, 10.0, 1e6]:
        got = law.cauchy(x)
        assert isinstance(got, np.float64)
        want = (mpf(x) - mpmath.sqrt(mpf(x) ** 2 - 4)) / 2
        assert float(got) == pytest.approx(float(want), rel=1e-13)
        got_neg = law.cauchy(-x)
        assert float(got_neg) < 0
        assert float(got_neg) == pytest.approx(float(-want), rel=1e-13)
    # the golden-ratio value G(3) = (3 - √5)/2
    assert float(law.cauchy(3.0)) == pytest.approx((3 - math.sqrt(5)) / 2, rel=1e-15)


def test_semicircle_cauchy_on_support_is_upper_boundary_value():
    # G(x + i0) = (x - i sqrt(4 - x²))/2 on (-2, 2)
    law = fs.semicircle()
    xs = np.array([-1.9, -0.5, 0.0, 0.3, 1.7])
    want = (xs - 1j * np.sqrt(4 - xs ** 2)) / 2
    assert_close(law.cauchy(xs), want, rel=1e-13)
    assert_close(law.stieltjes(xs), -want, rel=1e-13)


@pytest.mark.parametrize("v, c", SC_CASES)
def test_semicircle_cauchy_complex(v, c):
    law = fs.semicircle(var=v, center=c)
    s = math.sqrt(v)
    zs = [c + s * z for z in (0.3 + 0.1j, -1.5 + 2j, 4 - 1j, -0.2 - 0.01j, 25 + 25j)]
    for z in zs:
        # σ² G² - (z - c) G + 1 = 0; the physical branch maps into |G| < 1/σ
        z = mpmath.mpc(z)
        roots = [((z - c) + sg * mpmath.sqrt((z - c) ** 2 - 4 * v)) / (2 * v) for sg in (1, -1)]
        want = min(roots, key=abs)
        assert_close(law.cauchy(complex(z)), [want], rel=1e-12)
        assert_close(law.stieltjes(complex(z)), [-want], rel=1e-12)


def _mp_quadratic_roots(z, g, v):
    # γσ² z G² - (z - σ²(1 - γ)) G + 1 = 0
    g, v, z = M(g), M(v), mpmath.mpmathify(z)
    A, B = g * v * z, -(z - v * (1 - g))
    d = mpmath.sqrt(B * B - 4 * A)
    return [(-B + d) / (2 * A), (-B - d) / (2 * A)]


@pytest.mark.parametrize("g, v", MP_CASES)
def test_mp_cauchy_negative_real(g, v):
    # deterministic-equivalent use: z < 0, where G < 0 (the negative root)
    law = fs.marchenko_pastur(g, var=v)
    zs = np.array([-1e-3, -0.1, -1.0, -7.5, -1e4])
    got = law.cauchy(zs)
    assert got.dtype == np.float64
    for z, gz in zip(zs, got):
        roots = _mp_quadratic_roots(mpf(z), g, v)
        neg = [r for r in roots if r < 0]
        assert len(neg) == 1
        assert float(gz) == pytest.approx(float(neg[0]), rel=1e-12)
        assert float(law.stieltjes(z)) == pytest.approx(-float(neg[0]), rel=1e-12)


def test_mp_stieltjes_example_value():
    # MP(1/2) at z = -1: m = -G, G the negative root of (z/2) G² - (z - 1/2) G + 1
    # i.e. -G² /2 + 3G/2 + 1 = 0  ->  G = (3 - sqrt(17))/2
    assert float(fs.marchenko_pastur(0.5).stieltjes(-1.0)) == pytest.approx((math.sqrt(17) - 3) / 2, rel=1e-15)


@pytest.mark.parametrize("g, v", MP_CASES)
def test_mp_cauchy_right_of_support(g, v):
    law = fs.marchenko_pastur(g, var=v)
    _, b = mp_edges(g, v)
    for x in [float(b) * 1.01 + 1e-3, float(b) + 2, 1e3]:
        roots = _mp_quadratic_roots(mpf(x), g, v)
        want = min(roots)   # G decreases from G(b+) to 0, the other root grows to 1/(γσ²)
        assert float(law.cauchy(x)) == pytest.approx(float(want), rel=1e-12)
        assert float(want) > 0


@pytest.mark.parametrize("case", LAWS, ids=LAW_IDS)
def test_cauchy_complex_against_quadrature(case):
    _, law, rho, lo, hi, atoms = case
    c, r = float(lo + hi) / 2, float(hi - lo) / 2
    zs = [c + r * z for z in (0.2 + 0.3j, -0.7 + 0.1j, 1.3 - 0.4j, 3 + 2j, -2.0 - 1.5j)]
    with mpmath.workdps(22):
        want = [ref_cauchy_quad(rho, lo, hi, atoms, z) for z in zs]
    got = law.cauchy(np.array(zs))
    assert got.dtype == np.complex128
    assert_close(got, want, rel=1e-12)
    # Herglotz sign
    for z, gz in zip(zs, got):
        assert np.sign(gz.imag) == -np.sign(z.imag)


@pytest.mark.parametrize("a, b", ARC_CASES)
def test_arcsine_cauchy_real(a, b):
    law = fs.arcsine(a, b)
    for x in [b + 0.5, b + 10.0]:
        assert float(law.cauchy(x)) == pytest.approx(1 / math.sqrt((x - a) * (x - b)), rel=1e-14)
    for x in [a - 0.5, a - 10.0]:
        assert float(law.cauchy(x)) == pytest.approx(-1 / math.sqrt((a - x) * (b - x)), rel=1e-14)


@pytest.mark.parametrize("a, b", UNIF_CASES)
def test_uniform_cauchy_real(a, b):
    law = fs.uniform(a, b)
    for x in [b + 0.01, b + 3.0, b + 1e5]:
        want = mpmath.log((mpf(x) - a) / (mpf(x) - b)) / (b - a)
        assert float(law.cauchy(x)) == pytest.approx(float(want), rel=1e-12)
    for x in [a - 0.01, a - 3.0, a - 1e5]:
        want = mpmath.log((a - mpf(x)) / (b - mpf(x))) / (b - a)
        assert float(law.cauchy(x)) < 0
        assert float(law.cauchy(x)) == pytest.approx(float(want), rel=1e-12)


def test_uniform_cauchy_atanh_value():
    assert float(fs.uniform(-1, 1).cauchy(2.0)) == pytest.approx(math.atanh(0.5), rel=1e-15)


# ============================================ free Poisson = MP(1/λ, λα)
FP_CASES = [(3, 0.5), (0.5, 1), (2, 2.0), (0.25, 3), (1, 1.5)]


@pytest.mark.parametrize("lam, alpha", FP_CASES)
def test_free_poisson_equals_marchenko_pastur_all_methods(lam, alpha):
    fp = fs.free_poisson(lam, jump=alpha)
    mp = fs.marchenko_pastur(1 / lam, var=lam * alpha)
    (lo, hi), = mp.support()
    # support and atoms against the free-Poisson formulas α(1 ± √λ)², mass 1 - λ at 0 when λ < 1
    (flo, fhi), = fp.support()
    assert flo == pytest.approx(alpha * (1 - math.sqrt(lam)) ** 2, rel=1e-13, abs=1e-15)
    assert fhi == pytest.approx(alpha * (1 + math.sqrt(lam)) ** 2, rel=1e-13)
    assert fp.support()[0] == pytest.approx(mp.support()[0], rel=1e-14, abs=1e-15)
    if lam < 1:
        (loc, mass), = fp.atoms()
        assert loc == 0 and mass == pytest.approx(1 - lam, rel=1e-14)
    else:
        assert fp.atoms() == ()
    assert len(fp.atoms()) == len(mp.atoms())
    xs = np.linspace(lo - 0.5, hi + 0.5, 23)
    xs = xs[xs != 0]
    zs = np.array([0.3 + 0.2j, -1.0 + 0.0j, hi + 1 + 0j, (lo + hi) / 2 + 1e-3j])
    qs = np.array([0.1, 0.45, 0.9])
    pairs = [
        (fp.cauchy(zs), mp.cauchy(zs)),
        (fp.stieltjes(zs), mp.stieltjes(zs)),
        (fp.density(xs), mp.density(xs)),
        (fp.cdf(xs), mp.cdf(xs)),
        (fp.quantile(qs), mp.quantile(qs)),
        (fp.moments(6), mp.moments(6)),
        (fp.free_cumulants(6), mp.free_cumulants(6)),
        (fp.r_transform(np.array([-0.1, 0.05, 0.02j]) / alpha), mp.r_transform(np.array([-0.1, 0.05, 0.02j]) / alpha)),
        (fp.s_transform(np.array([-0.1, 0.3, 0.1j])), mp.s_transform(np.array([-0.1, 0.3, 0.1j]))),
    ]
    for got, want in pairs:
        assert np.shape(got) == np.shape(want)
        assert_close(got, want, rel=1e-12, abs_=1e-14)


# ==================================================================== affine
X_LAW = fs.marchenko_pastur(0.5)
X_RHO = lambda x: mp_density(x, 0.5, 1)  # noqa: E731
X_LO, X_HI = mp_edges(0.5, 1)


@pytest.mark.parametrize("s, t", [(-2, 1), (-0.5, 0), (3, -1)])
def test_affine_of_marchenko_pastur_transformed_formulas(s, t):
    Y = fs.affine(X_LAW, scale=s, shift=t)
    S, T = M(s), M(t)

    def rho_y(y):
        return X_RHO((y - T) / S) / abs(S)

    lo, hi = sorted([S * X_LO + T, S * X_HI + T])
    # support
    (glo, ghi), = Y.support()
    assert glo == pytest.approx(float(lo), rel=1e-14, abs=1e-14)
    assert ghi == pytest.approx(float(hi), rel=1e-14, abs=1e-14)
    assert Y.atoms() == ()
    # density
    xs = interior_grid(float(lo), float(hi), n=17)
    assert_close(Y.density(xs), [rho_y(mpf(x)) for x in xs], rel=1e-12)
    assert float(Y.density(float(hi) + 0.1)) == 0.0
    # cdf: continuous law, F_Y(y) = F_X((y - t)/s) for s > 0 and 1 - F_X((y - t)/s) for s < 0
    ys = np.array([float(lo) + 0.1 * float(hi - lo), float(lo + hi) / 2, float(lo) + 0.9 * float(hi - lo)])
    with mpmath.workdps(20):
        FX = [ref_cdf(X_RHO, X_LO, X_HI, [], (mpf(y) - T) / S) for y in ys]
        want = [f if s > 0 else 1 - f for f in FX]
        # against the reference cdf of Y built from its own density, too
        want2 = [ref_cdf(rho_y, lo, hi, [], y) for y in ys]
    assert_close(want, want2, rel=1e-15)
    assert_close(Y.cdf(ys), want, rel=1e-11, abs_=1e-13)
    # quantile: Q_Y(q) = t + s Q_X(q) (s > 0), t + s Q_X(1 - q) (s < 0)
    qs = [0.2, 0.6]
    with mpmath.workdps(20):
        want = [T + S * ref_quantile(X_RHO, X_LO, X_HI, [], q if s > 0 else 1 - q) for q in qs]
    assert_close(Y.quantile(np.array(qs)), want, rel=1e-10, abs_=1e-12)
    # Cauchy transform G_Y(z) = G_X((z - t)/s)/s, G_X by quadrature of the MP density
    zs = [complex(T + S * 1.2) + 0.3j, -3 + 1j, 5 - 2j, complex(T + S * 3.5)]
    with mpmath.workdps(22):
        want = [ref_cauchy_quad(X_RHO, X_LO, X_HI, [], (mpmath.mpc(z) - T) / S) / S for z in zs]
    assert_close(Y.cauchy(np.array(zs)), want, rel=1e-12)
    # moments: E(sX + t)^n with the exact Narayana moments of X
    mx = [Fraction(1)] + narayana_moments(7, Fraction(1, 2), 1)
    Sf, Tf = Fraction(s), Fraction(t)
    want = [sum(math.comb(n, i) * Sf ** i * mx[i] * Tf ** (n - i) for i in range(n + 1)) for n in range(1, 8)]
    assert_close(Y.moments(7), [float(w) for w in want], rel=1e-13, abs_=1e-13)
    # free cumulants: κ_1 = s κ_1 + t, κ_n = s^n κ_n, with κ_n(X) = (1/2)^{n-1}
    kx = [Fraction(1, 2) ** (n - 1) for n in range(1, 8)]
    want = [Sf * kx[0] + Tf] + [Sf ** n * kx[n - 1] for n in range(2, 8)]
    assert_close(Y.free_cumulants(7), [float(w) for w in want], rel=1e-13, abs_=1e-14)
    # R-transform t + s R_X(s w), R_X(u) = 1/(1 - u/2)
    w = np.array([-0.15, 0.1, 0.05 + 0.1j]) / abs(s)
    assert_close(Y.r_transform(w), t + s / (1 - s * w / 2), rel=1e-12, abs_=1e-14)


def test_affine_s_transform_shift_free_and_shifted():
    # t = 0: S_Y(z) = S_X(z)/s with S_X(z) = 1/(1 + z/2)
    Y = fs.affine(X_LAW, scale=-2)
    z = np.array([-0.2, 0.1, 0.3])
    assert_close(Y.s_transform(z), 1 / (-2 * (1 + z / 2)), rel=1e-13)
    # t = 1, s = -2: R_Y(w) = 1 - 2/(1 + w); S R(zS) = 1 gives z S² - (1 + z) S - 1 = 0, S(0) = -1
    Y = fs.affine(X_LAW, scale=-2, shift=1)
    for zz in [-0.05, 0.04, 0.03j]:
        zz = mpmath.mpc(zz)
        d = mpmath.sqrt((1 + zz) ** 2 + 4 * zz)
        want = min([((1 + zz) + sg * d) / (2 * zz) for sg in (1, -1)], key=lambda r: abs(r + 1))
        assert_close(Y.s_transform(complex(zz)), [want], rel=1e-9)


def test_affine_with_atom():
    # 0.5 X - 1 for X = MP(2): atom 1/2 at -1, support 0.5 (1 ± √2)² - 1
    Y = fs.affine(fs.marchenko_pastur(2), scale=0.5, shift=-1)
    (loc, mass), = Y.atoms()
    assert loc == pytest.approx(-1.0) and mass == pytest.approx(0.5, rel=1e-14)
    (lo, hi), = Y.support()
    assert lo == pytest.approx(0.5 * (1 - math.sqrt(2)) ** 2 - 1, rel=1e-14)
    assert hi == pytest.approx(0.5 * (1 + math.sqrt(2)) ** 2 - 1, rel=1e-14)
    assert float(Y.cdf(-1.0)) == pytest.approx(0.5, rel=1e-14)
    assert float(Y.cdf(-1.0 - 1e-12)) == 0.0
    # mean of MP(2) is 1, so E Y = -1/2; variance γσ⁴/4 = 1/2
    m = Y.moments(2)
    assert m[0] == pytest.approx(-0.5, rel=1e-14)
    assert m[1] - m[0] ** 2 == pytest.approx(0.5, rel=1e-13)
    # Cauchy transform near (not at) the atom: G_Y(z) = 2 G_X(2(z + 1))
    z = -1 + 0.01j
    roots = _mp_quadratic_roots(2 * (mpmath.mpc(z) + 1), 2, 1)
    want = 2 * min(roots, key=lambda r: abs(r - 0.5 / (2 * (mpmath.mpc(z) + 1))))
    assert complex(Y.cauchy(z)) == pytest.approx(complex(want), rel=1e-10)


def test_affine_of_semicircle_is_semicircle():
    law = fs.affine(fs.semicircle(var=2, center=1), scale=-3, shift=2)
    assert type(law) is type(fs.semicircle())
    assert law == fs.semicircle(var=18, center=-1)
    assert law.params["var"] == 18 and law.params["center"] == -1
    law = fs.affine(fs.semicircle(var=0.25, center=0.5), scale=2, shift=-1)
    assert type(law) is type(fs.semicircle())
    assert float(law.params["var"]) == pytest.approx(1.0)
    assert float(law.params["center"]) == pytest.approx(0.0, abs=1e-15)
    (lo, hi), = law.support()
    assert (lo, hi) == pytest.approx((-2.0, 2.0))


def test_affine_of_interval_laws_and_atoms_stay_closed():
    law = fs.affine(fs.uniform(1, 3), scale=-2, shift=1)
    assert law == fs.uniform(-5, -1)
    law = fs.affine(fs.arcsine(-1, 2), scale=-1, shift=0)
    assert law == fs.arcsine(-2, 1)
    law = fs.affine(fs.atoms([1, 2], weights=['1/4', '3/4']), scale=-1, shift=3)
    assert type(law) is type(fs.atoms([0]))
    assert law.atoms() == ((1.0, 0.75), (2.0, 0.25))


def test_affine_positive_scaling_of_mp_is_mp():
    law = fs.affine(fs.marchenko_pastur(0.5, var=2), scale=3)
    assert law == fs.marchenko_pastur(0.5, var=6)
    law = fs.affine(fs.free_poisson(2, jump=1), scale=2)
    assert law == fs.free_poisson(2, jump=2)
    # a reflection or a shift leaves the family
    assert type(fs.affine(fs.marchenko_pastur(0.5), scale=-1)) is not type(fs.marchenko_pastur(0.5))
    assert type(fs.affine(fs.marchenko_pastur(0.5), shift=1)) is not type(fs.marchenko_pastur(0.5))


def test_nested_affine_composes():
    inner = fs.affine(X_LAW, scale=2, shift=1)
    outer = fs.affine(inner, scale=-1, shift=3)
    # -(2X + 1) + 3 = -2X + 2
    assert outer == fs.affine(X_LAW, scale=-2, shift=2)
    assert outer.params["mu"] == X_LAW
    assert float(outer.params["scale"]) == -2 and float(outer.params["shift"]) == 2
    (lo, hi), = outer.support()
    assert lo == pytest.approx(float(-2 * X_HI + 2), rel=1e-14)
    assert hi == pytest.approx(float(-2 * X_LO + 2), rel=1e-14)
    # composing back to the identity map of a closed family
    sc = fs.semicircle(var=3, center=1)
    assert fs.affine(fs.affine(sc, scale=2, shift=1), scale='1/2', shift='-1/2') == sc


def test_affine_identity_returns_same_law():
    for mu in [X_LAW, fs.semicircle(), fs.atoms([1, 2]), fs.affine(X_LAW, scale=-2, shift=1)]:
        assert fs.affine(mu) is mu
        assert fs.affine(mu, scale=1, shift=0) is mu
