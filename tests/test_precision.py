"""Scoped precision: fs.workdps, 50-digit results against 70-digit references.

Every reference value is computed in this file at ``mp.dps = 70`` from the
textbook formula of the quantity (closed forms; the cdf by tanh-sinh
quadrature of the textbook density; the quantile by Newton's method on that
cdf; the Cauchy transform as the root of its quadratic equation, the branch
picked by a low-precision quadrature of the density; generic S-transforms by
solving ``u G(u) - 1 = z`` with mpmath.findroot).  freespec is evaluated
inside ``fs.workdps(50)`` and must agree to 1e-45 relative.
"""

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy

import freespec as fs

mpf, mpc = mpmath.mpf, mpmath.mpc
REF_DPS = 70
TOL = mpf(10) ** -45


def M(v):
    v = Fraction(v) if not isinstance(v, Fraction) else v
    return mpf(v.numerator) / v.denominator


def catalan(n):
    return math.comb(2 * n, n) // (n + 1)


# ------------------------------------------------------------ reference laws
class Ref:
    """Textbook description of one law, evaluated at the current mpmath precision."""

    def __init__(self, name, law, *, edges, rho, atoms=(), moments, cumulants, R, G=None, S=None,
                 G_roots=None):
        self.name, self.law = name, law
        self._edges, self._rho, self._atoms = edges, rho, atoms
        self._moments, self._cumulants, self._R = moments, cumulants, R
        self._G, self._G_roots, self._S = G, G_roots, S

    def edges(self):
        return self._edges()

    def rho(self, x):
        return self._rho(x)

    def atoms(self):
        return [(M(loc), M(m)) if isinstance(loc, (int, Fraction)) else (loc, m) for loc, m in self._atoms]

    def moments(self, k):
        return [M(v) for v in self._moments(k)]

    def cumulants(self, k):
        return [M(v) for v in self._cumulants(k)]

    def R(self, w):
        return self._R(w)

    # ---------------------------------------------------------------- G
    def G_quad(self, z):
        """∫ ρ(x)/(z - x) dx + atoms, x = lo + L sin²(θ/2)."""
        lo, hi = self.edges()
        L = hi - lo

        def f(t):
            with mpmath.workdps(2 * mpmath.mp.dps):
                x = lo + L * mpmath.sin(t / 2) ** 2
                return self.rho(x) * L * mpmath.sin(t) / 2 / (z - x)

        return mpmath.quad(f, mpmath.linspace(0, mpmath.pi, 5)) + \
            mpmath.fsum(m / (z - loc) for loc, m in self.atoms())

    def G(self, z):
        z = mpmath.mpmathify(z)
        if self._G is not None:
            return self._G(z)
        roots = self._G_roots(z)
        with mpmath.workdps(20):
            approx = self.G_quad(z)
        return min(roots, key=lambda r: abs(r - approx))

    # ---------------------------------------------------------------- cdf
    def cdf(self, x):
        lo, hi = self.edges()
        total = mpmath.fsum(m for loc, m in self.atoms() if loc <= x)
        if x <= lo:
            return total
        top = min(x, hi)
        mid = (top - lo) / 2

        def left(u):   # x = lo + u², removes the edge singularity at lo
            with mpmath.workdps(2 * mpmath.mp.dps):
                return 2 * u * self.rho(lo + u * u)

        def right(v):  # x = top - v²
            with mpmath.workdps(2 * mpmath.mp.dps):
                return 2 * v * self.rho(top - v * v)

        return total + mpmath.quad(left, [0, mpmath.sqrt(mid)]) + mpmath.quad(right, [0, mpmath.sqrt(top - lo - mid)])

    def quantile(self, q):
        q = mpmath.mpmathify(q)
        lo, hi = self.edges()
        for loc, m in sorted(self.atoms()):
            below = self.cdf(loc) - m
            if below < q <= below + m:
                return loc
        # safeguarded Newton, first at 20 digits, then polished at the working precision
        def solve(x, a, b, tol):
            for _ in range(100):
                F = self.cdf(x) - q
                if F == 0:
                    return x
                if F > 0:
                    b = x
                else:
                    a = x
                d = self.rho(x)
                x_new = x - F / d if d > 0 else (a + b) / 2
                if abs(x_new - x) <= tol:
                    return x_new
                if not a < x_new < b:
                    x_new = (a + b) / 2
                x = x_new
            raise AssertionError("reference quantile did not converge")

        with mpmath.workdps(20):
            x0 = solve(lo + (hi - lo) * q, lo, hi, mpf(10) ** -16)
        return solve(+x0, lo, hi, mpf(10) ** (-mpmath.mp.dps + 5))

    # ---------------------------------------------------------------- S
    def S(self, z):
        z = mpmath.mpmathify(z)
        if self._S is not None:
            return self._S(z)
        # u = 1/χ solves u G(u) - 1 = z; S = χ (1 + z)/z = (1 + z)/(z u)
        m1, m2 = self.moments(2)
        u0 = m1 / z + m2 / m1
        u = mpmath.findroot(lambda u: u * self.G(u) - 1 - z, mpmath.mpmathify(u0))
        return (1 + z) / (z * u)


def _mp_quadratic_roots(z, g, v):
    # γσ² z G² - (z - σ²(1 - γ)) G + 1 = 0
    A, B = g * v * z, -(z - v * (1 - g))
    d = mpmath.sqrt(B * B - 4 * A)
    return [(-B + d) / (2 * A), (-B - d) / (2 * A)]


def _sc_ref(var, c):
    V, C = Fraction(var), Fraction(c)

    def G(z):
        v, cc = M(V), M(C)
        roots = [((z - cc) + s * mpmath.sqrt((z - cc) ** 2 - 4 * v)) / (2 * v) for s in (1, -1)]
        return min(roots, key=abs)     # the physical branch maps into |G| < 1/σ

    def S(z):
        v, cc = M(V), M(C)
        roots = [(-cc + s * mpmath.sqrt(cc * cc + 4 * v * z)) / (2 * v * z) for s in (1, -1)]
        return min(roots, key=lambda r: abs(r - 1 / cc))

    def rho(x):
        u = 4 * M(V) - (x - M(C)) ** 2
        return mpmath.sqrt(u) / (2 * mpmath.pi * M(V)) if u > 0 else mpf(0)

    def moments(k):
        central = [Fraction(1)] + [0 if n % 2 else V ** (n // 2) * catalan(n // 2) for n in range(1, k + 1)]
        return [sum(math.comb(n, i) * C ** (n - i) * central[i] for i in range(n + 1)) for n in range(1, k + 1)]

    return Ref(f"semicircle({var},{c})", fs.semicircle(var=str(V), center=str(C)),
               edges=lambda: (M(C) - 2 * mpmath.sqrt(M(V)), M(C) + 2 * mpmath.sqrt(M(V))), rho=rho,
               moments=moments, cumulants=lambda k: ([C, V] + [Fraction(0)] * k)[:k],
               R=lambda w: M(C) + M(V) * w, G=G, S=S if C != 0 else None)


def _mp_ref(g, v, law=None, name=None):
    g, v = Fraction(g), Fraction(v)

    def edges():
        return M(v) * (1 - mpmath.sqrt(M(g))) ** 2, M(v) * (1 + mpmath.sqrt(M(g))) ** 2

    def rho(x):
        a, b = edges()
        if not a < x < b:
            return mpf(0)
        return mpmath.sqrt((b - x) * (x - a)) / (2 * mpmath.pi * M(g) * M(v) * x)

    def moments(k):
        return [v ** n * sum(Fraction(math.comb(n, j) * math.comb(n, j - 1), n) * g ** (j - 1) for j in range(1, n + 1))
                for n in range(1, k + 1)]

    return Ref(name or f"mp({g},{v})", law if law is not None else fs.marchenko_pastur(str(g), var=str(v)),
               edges=edges, rho=rho, atoms=[(0, 1 - 1 / g)] if g > 1 else [],
               moments=moments, cumulants=lambda k: [v ** n * g ** (n - 1) for n in range(1, k + 1)],
               R=lambda w: M(v) / (1 - M(g) * M(v) * w),
               G_roots=lambda z: _mp_quadratic_roots(z, M(g), M(v)),
               S=lambda z: 1 / (M(v) * (1 + M(g) * z)))


def _free_poisson_ref(lam, alpha):
    lam, alpha = Fraction(lam), Fraction(alpha)
    base = _mp_ref(1 / lam, lam * alpha, law=fs.free_poisson(str(lam), jump=str(alpha)),
                   name=f"free_poisson({lam},{alpha})")
    # free-Poisson formulas proper: edges α(1 ± √λ)², κ_n = λ α^n, R = λα/(1 - αw), S = 1/(α(λ + z))
    base._edges = lambda: (M(alpha) * (1 - mpmath.sqrt(M(lam))) ** 2, M(alpha) * (1 + mpmath.sqrt(M(lam))) ** 2)
    base._cumulants = lambda k: [lam * alpha ** n for n in range(1, k + 1)]
    base._R = lambda w: M(lam) * M(alpha) / (1 - M(alpha) * w)
    base._S = lambda z: 1 / (M(alpha) * (M(lam) + z))
    base._atoms = [(0, 1 - lam)] if lam < 1 else []
    return base


def _arcsine_ref(a, b):
    A, B = Fraction(a), Fraction(b)
    c, r = (A + B) / 2, (B - A) / 2

    def rho(x):
        if not M(A) < x < M(B):
            return mpf(0)
        return 1 / (mpmath.pi * mpmath.sqrt((x - M(A)) * (M(B) - x)))

    def G(z):
        g = 1 / mpmath.sqrt((z - M(A)) * (z - M(B)))
        if mpmath.im(z) != 0:
            if mpmath.im(g) * mpmath.im(z) > 0:
                g = -g
        elif (mpmath.re(g) > 0) != (mpmath.re(z) > M(c)):
            g = -g
        return g

    def moments(k):
        # E (c + r cos θ)^n, θ uniform: E cos^i θ = C(i, i/2)/2^i for even i
        return [sum(math.comb(n, i) * c ** (n - i) * r ** i * Fraction(math.comb(i, i // 2), 2 ** i)
                    for i in range(0, n + 1, 2)) for n in range(1, k + 1)]

    def cumulants(k):
        out = []
        for n in range(1, k + 1):
            if n == 1:
                out.append(c)
            elif n % 2:
                out.append(Fraction(0))
            else:
                bh = sympy.binomial(sympy.Rational(1, 2), n // 2)
                out.append(Fraction(int(bh.p), int(bh.q)) * r ** n)
        return out

    def R(w):
        return M(c) if w == 0 else M(c) + (mpmath.sqrt(1 + M(r) ** 2 * w * w) - 1) / w

    return Ref(f"arcsine({a},{b})", fs.arcsine(str(A), str(B)), edges=lambda: (M(A), M(B)), rho=rho,
               moments=moments, cumulants=cumulants, R=R, G=G)


def _uniform_ref(a, b):
    A, B = Fraction(a), Fraction(b)
    c, L = (A + B) / 2, B - A

    def rho(x):
        return 1 / M(L) if M(A) <= x <= M(B) else mpf(0)

    def G(z):
        return (mpmath.log(z - M(A)) - mpmath.log(z - M(B))) / M(L)

    def cumulants(k):
        out = [c]
        for n in range(2, k + 1):
            bn = sympy.bernoulli(n)
            out.append(Fraction(int(bn.p), int(bn.q)) * L ** n / math.factorial(n))
        return out[:k]

    def R(w):
        r = M(L) / 2
        return M(c) if w == 0 else M(c) + r * mpmath.coth(r * w) - 1 / w

    return Ref(f"uniform({a},{b})", fs.uniform(str(A), str(B)), edges=lambda: (M(A), M(B)), rho=rho,
               moments=lambda k: [(B ** (n + 1) - A ** (n + 1)) / ((n + 1) * L) for n in range(1, k + 1)],
               cumulants=cumulants, R=R, G=G)


def _affine_ref(base, s, t, law):
    S_, T_ = Fraction(s), Fraction(t)

    def edges():
        lo, hi = base.edges()
        return tuple(sorted([M(S_) * lo + M(T_), M(S_) * hi + M(T_)]))

    def moments(k):
        mx = [Fraction(1)] + base._moments(k)
        return [sum(math.comb(n, i) * S_ ** i * mx[i] * T_ ** (n - i) for i in range(n + 1)) for n in range(1, k + 1)]

    def cumulants(k):
        kx = base._cumulants(k)
        return [S_ * kx[0] + T_] + [S_ ** n * kx[n - 1] for n in range(2, k + 1)]

    ref = Ref(f"affine({base.name},{s},{t})", law, edges=edges,
              rho=lambda y: base.rho((y - M(T_)) / M(S_)) / abs(M(S_)),
              atoms=[(M(S_) * M(loc) + M(T_), M(m)) for loc, m in base._atoms],
              moments=moments, cumulants=cumulants,
              R=lambda w: M(T_) + M(S_) * base.R(M(S_) * w),
              G=lambda z: base.G((z - M(T_)) / M(S_)) / M(S_),
              S=(lambda z: base.S(z) / M(S_)) if T_ == 0 else None)
    ref._atoms = [(M(S_) * M(loc) + M(T_), M(m)) for loc, m in base._atoms]
    return ref


REFS = [
    _sc_ref(2, Fraction(1, 3)),
    _mp_ref(Fraction(1, 2), 2),
    _mp_ref(3, 1),
    _free_poisson_ref(3, Fraction(1, 2)),
    _arcsine_ref(-1, 2),
    _uniform_ref(Fraction(1, 2), 2),
    _affine_ref(_mp_ref(Fraction(1, 2), 1), -2, 1,
                fs.affine(fs.marchenko_pastur("1/2"), scale=-2, shift=1)),
]
REF_IDS = [r.name for r in REFS]


# ------------------------------------------------------------------- helpers
def _is_mp(v):
    return isinstance(v, (mpmath.mpf, mpmath.mpc))


def assert_mp_close(got, want, tol=TOL):
    assert _is_mp(got), f"expected an mpmath number, got {type(got).__name__}: {got!r}"
    with mpmath.workdps(REF_DPS):
        err = abs(mpmath.mpmathify(got) - want)
        scale = abs(want) if want != 0 else mpf(1)
        assert err <= tol * scale, f"got {got}, want {mpmath.nstr(want, 55)}, rel err {mpmath.nstr(err / scale, 3)}"


def assert_mp_array(got, wants, shape, tol=TOL):
    assert isinstance(got, np.ndarray) and got.dtype == object and got.shape == shape
    for g, w in zip(got.ravel(), wants):
        assert_mp_close(g, w, tol)


@pytest.fixture
def ref_dps():
    """References at 70 digits; freespec inside fs.workdps(50) blocks."""
    mpmath.mp.dps = REF_DPS
    yield


# ========================================================= workdps itself
def test_workdps_context_manager_sets_and_restores():
    mpmath.mp.dps = 15
    with fs.workdps(50) as ctx:
        assert mpmath.mp.dps == 50
        assert isinstance(ctx, fs.workdps)
    assert mpmath.mp.dps == 15
    mpmath.mp.dps = 23
    with fs.workdps(40):
        assert mpmath.mp.dps == 40
    assert mpmath.mp.dps == 23


def test_workdps_restores_after_exception():
    mpmath.mp.dps = 17
    with pytest.raises(ZeroDivisionError):
        with fs.workdps(60):
            assert mpmath.mp.dps == 60
            1 / 0
    assert mpmath.mp.dps == 17
    # an error raised by freespec itself inside the block
    with pytest.raises(fs.DomainError):
        with fs.workdps(60):
            fs.semicircle().quantile(2)
    assert mpmath.mp.dps == 17
    # after the exception, evaluation is float64 again
    assert isinstance(fs.semicircle().cauchy(3.0), np.float64)


def test_workdps_decorator():
    seen = []

    @fs.workdps(45)
    def f(x):
        seen.append(mpmath.mp.dps)
        return fs.semicircle().cauchy(x)

    mpmath.mp.dps = 15
    out = f(3)
    assert seen == [45]
    assert mpmath.mp.dps == 15
    assert isinstance(out, mpmath.mpf)
    with mpmath.workdps(70):
        want = (3 - mpmath.sqrt(5)) / 2
        assert abs(out - want) < mpf(10) ** -43
    assert f.__name__ == "f"


def test_workdps_decorator_restores_after_exception():
    @fs.workdps(33)
    def boom():
        assert mpmath.mp.dps == 33
        raise RuntimeError("x")

    mpmath.mp.dps = 19
    with pytest.raises(RuntimeError):
        boom()
    assert mpmath.mp.dps == 19
    boom2 = fs.workdps(33)(lambda: fs.marchenko_pastur(2).cauchy(0))
    with pytest.raises(fs.DomainError):
        boom2()
    assert mpmath.mp.dps == 19


def test_workdps_nested():
    mpmath.mp.dps = 15
    with fs.workdps(50):
        outer = fs.semicircle().cauchy(3)
        with fs.workdps(25):
            assert mpmath.mp.dps == 25
            inner = fs.semicircle().cauchy(3)
            with fs.workdps(60):
                assert mpmath.mp.dps == 60
            assert mpmath.mp.dps == 25
        assert mpmath.mp.dps == 50
        again = fs.semicircle().cauchy(3)
    assert mpmath.mp.dps == 15
    with mpmath.workdps(70):
        want = (3 - mpmath.sqrt(5)) / 2
        assert abs(outer - want) < mpf(10) ** -48
        assert abs(again - want) < mpf(10) ** -48
        # the inner block works at 25 digits: right to ~1e-24, but not to 50 digits
        assert abs(inner - want) < mpf(10) ** -23
        assert abs(inner - want) > mpf(10) ** -40


def test_workdps_reentrant_object():
    w = fs.workdps(30)
    with w:
        with w:
            assert mpmath.mp.dps == 30
        assert mpmath.mp.dps == 30
    assert mpmath.mp.dps == 15


# ============================================ every method at 50 digits
@pytest.mark.parametrize("ref", REFS, ids=REF_IDS)
def test_cauchy_and_stieltjes_50_digits(ref, ref_dps):
    lo, hi = (float(e) for e in ref.edges())
    c, r = (lo + hi) / 2, (hi - lo) / 2
    zs_c = np.array([[c + r * (0.3 + 0.4j), c + r * (-1.2 + 0.05j)], [c + r * (2.5 - 1j), c - 0.7j]])
    zs_r = [hi + 0.75 * r, lo - 1.5 * r - 0.5]       # real, outside the spectrum
    want_c = [ref.G(mpc(z)) for z in zs_c.ravel()]
    want_r = [ref.G(mpf(x)) for x in zs_r]
    with fs.workdps(50):
        got_c = ref.law.cauchy(zs_c)
        got_r = [ref.law.cauchy(x) for x in zs_r]
        got_s = ref.law.stieltjes(zs_c)
        got_s1 = ref.law.stieltjes(mpc(zs_c[0, 0]))
    assert_mp_array(got_c, want_c, (2, 2))
    assert all(isinstance(v, mpmath.mpc) for v in got_c.ravel())
    assert_mp_array(got_s, [-w for w in want_c], (2, 2))
    assert_mp_close(got_s1, -want_c[0])
    for g, w in zip(got_r, want_r):
        assert isinstance(g, mpmath.mpf)   # real value outside the support
        assert_mp_close(g, w)


@pytest.mark.parametrize("ref", REFS, ids=REF_IDS)
def test_density_50_digits(ref, ref_dps):
    lo, hi = (float(e) for e in ref.edges())
    xs = np.array([lo + 0.013 * (hi - lo), lo + 0.4 * (hi - lo), lo + 0.77 * (hi - lo), hi - 1e-3 * (hi - lo),
                   hi + 0.5])
    want = [ref.rho(mpf(x)) for x in xs]
    with fs.workdps(50):
        got = ref.law.density(xs)
        got1 = ref.law.density(xs[1])
    assert isinstance(got, np.ndarray) and got.dtype == object and got.shape == xs.shape
    for g, w in zip(got[:4], want[:4]):
        assert w > 0
        assert_mp_close(g, w)
    assert isinstance(got[4], mpmath.mpf) and got[4] == 0
    assert_mp_close(got1, want[1])


@pytest.mark.parametrize("ref", REFS, ids=REF_IDS)
def test_cdf_50_digits(ref, ref_dps):
    lo, hi = (float(e) for e in ref.edges())
    xs = np.array([lo + 0.21 * (hi - lo), lo + 0.68 * (hi - lo)])
    want = [ref.cdf(mpf(x)) for x in xs]
    with fs.workdps(50):
        got = ref.law.cdf(xs)
        below = ref.law.cdf(lo - 1.0)
        above = ref.law.cdf(hi + 1.0)
    assert_mp_array(got, want, (2,))
    atoms_below = sum((m for loc, m in ref.atoms() if loc <= lo - 1.0), mpf(0))
    assert isinstance(below, mpmath.mpf) and below == atoms_below
    assert isinstance(above, mpmath.mpf) and above == 1


@pytest.mark.parametrize("ref", REFS, ids=REF_IDS)
def test_quantile_50_digits(ref, ref_dps):
    qs = [0.3, 0.85]
    want = [ref.quantile(mpf(q)) for q in qs]
    with fs.workdps(50):
        got = ref.law.quantile(np.array(qs))
        q0 = ref.law.quantile(0)
        q1 = ref.law.quantile(1)
    assert_mp_array(got, want, (2,))
    lo, hi = ref.edges()
    pts = [lo, hi] + [loc for loc, _ in ref.atoms()]
    assert isinstance(q0, mpmath.mpf) and isinstance(q1, mpmath.mpf)
    assert_mp_close(q0, min(pts))
    assert_mp_close(q1, max(pts))


@pytest.mark.parametrize("ref", REFS, ids=REF_IDS)
def test_support_and_atoms_50_digits(ref, ref_dps):
    lo, hi = ref.edges()
    with fs.workdps(50):
        sup = ref.law.support()
        atoms = ref.law.atoms()
    assert len(sup) == 1 and len(sup[0]) == 2
    assert_mp_close(sup[0][0], lo)
    assert_mp_close(sup[0][1], hi)
    want = sorted(ref.atoms())
    assert len(atoms) == len(want)
    for (gl, gm), (wl, wm) in zip(atoms, want):
        assert isinstance(gl, mpmath.mpf) and isinstance(gm, mpmath.mpf)
        assert abs(gl - wl) <= TOL * max(abs(wl), 1)
        assert_mp_close(gm, wm)


@pytest.mark.parametrize("ref", REFS, ids=REF_IDS)
def test_moments_and_free_cumulants_50_digits(ref, ref_dps):
    k = 7
    want_m = ref.moments(k)
    want_k = ref.cumulants(k)
    with fs.workdps(50):
        got_m = ref.law.moments(k)
        got_k = ref.law.free_cumulants(k)
    for got, want in [(got_m, want_m), (got_k, want_k)]:
        assert isinstance(got, np.ndarray) and got.dtype == object and got.shape == (k,)
        for g, w in zip(got, want):
            assert isinstance(g, mpmath.mpf)
            if w == 0:
                assert abs(g) < mpf(10) ** -48
            else:
                assert_mp_close(g, w)


@pytest.mark.parametrize("ref", REFS, ids=REF_IDS)
def test_r_transform_50_digits(ref, ref_dps):
    lo, hi = (float(e) for e in ref.edges())
    scale = max(abs(lo), abs(hi))
    ws = np.array([0.04 / scale, -0.07 / scale, (0.05 + 0.03j) / scale])
    want = [ref.R(mpmath.mpmathify(complex(w)) if w.imag else mpf(w.real)) for w in ws]
    with fs.workdps(50):
        got = ref.law.r_transform(ws)
        got0 = ref.law.r_transform(0.0)
    assert isinstance(got, np.ndarray) and got.dtype == object and got.shape == (3,)
    for g, w in zip(got, want):
        assert_mp_close(g, w)
    assert_mp_close(got0, ref.moments(1)[0])


@pytest.mark.parametrize("ref", REFS, ids=REF_IDS)
def test_s_transform_50_digits(ref, ref_dps):
    zs = [mpf(0.1), mpf(-0.01), mpc(0.05, 0.04)]
    want = [ref.S(z) for z in zs]
    with fs.workdps(50):
        got_real = ref.law.s_transform(np.array([[0.1], [-0.01]]))
        got_c = ref.law.s_transform(complex(zs[2]))
        got_1 = ref.law.s_transform(0.1)
    assert_mp_array(got_real, want[:2], (2, 1))
    assert all(isinstance(v, mpmath.mpf) for v in got_real.ravel())
    assert isinstance(got_c, mpmath.mpc)
    assert_mp_close(got_c, want[2])
    assert isinstance(got_1, mpmath.mpf)
    assert_mp_close(got_1, want[0])


# ==================================================== edges to 1e-45
@pytest.mark.parametrize("law, lo, hi", [
    (lambda: fs.semicircle(var=3, center="-2/7"),
     lambda: mpf(-2) / 7 - 2 * mpmath.sqrt(3), lambda: mpf(-2) / 7 + 2 * mpmath.sqrt(3)),
    (lambda: fs.marchenko_pastur("2/3", var="5/4"),
     lambda: mpf(5) / 4 * (1 - mpmath.sqrt(mpf(2) / 3)) ** 2, lambda: mpf(5) / 4 * (1 + mpmath.sqrt(mpf(2) / 3)) ** 2),
    (lambda: fs.marchenko_pastur(7),
     lambda: (1 - mpmath.sqrt(7)) ** 2, lambda: (1 + mpmath.sqrt(7)) ** 2),
    (lambda: fs.free_poisson("1/5", jump=2),
     lambda: 2 * (1 - mpmath.sqrt(mpf(1) / 5)) ** 2, lambda: 2 * (1 + mpmath.sqrt(mpf(1) / 5)) ** 2),
    (lambda: fs.arcsine("-1/3", "7/3"), lambda: mpf(-1) / 3, lambda: mpf(7) / 3),
    (lambda: fs.uniform("1/7", 3), lambda: mpf(1) / 7, lambda: mpf(3)),
    (lambda: fs.affine(fs.marchenko_pastur("1/3"), scale=-3, shift="1/7"),
     lambda: -3 * (1 + mpmath.sqrt(mpf(1) / 3)) ** 2 + mpf(1) / 7,
     lambda: -3 * (1 - mpmath.sqrt(mpf(1) / 3)) ** 2 + mpf(1) / 7),
    (lambda: fs.affine(fs.semicircle(var="1/3"), scale="-5/2", shift=1),
     lambda: 1 - 5 * mpmath.sqrt(mpf(1) / 3), lambda: 1 + 5 * mpmath.sqrt(mpf(1) / 3)),
    (lambda: fs.affine(fs.marchenko_pastur(2), scale="1/3", shift="-1/2"),
     lambda: (1 - mpmath.sqrt(2)) ** 2 / 3 - mpf(1) / 2, lambda: (1 + mpmath.sqrt(2)) ** 2 / 3 - mpf(1) / 2),
], ids=["semicircle", "mp<1", "mp>1", "free_poisson", "arcsine", "uniform", "affine_mp", "affine_sc",
        "affine_mp_atom"])
def test_edges_50_digits(law, lo, hi, ref_dps):
    want_lo, want_hi = lo(), hi()
    with fs.workdps(50):
        (glo, ghi), = law().support()
    assert_mp_close(glo, want_lo)
    assert_mp_close(ghi, want_hi)


# ==================================== mpmath input outside a workdps block
def test_mp_input_outside_block_uses_mp_dps():
    law = fs.semicircle()
    mpmath.mp.dps = 30
    got = law.cauchy(mpf(3))
    gotc = law.cauchy(mpc(1, 1))
    gotd = fs.marchenko_pastur("1/2").density(mpf("1.5"))
    arr = law.density([mpf("0.5"), mpf(1)])
    assert mpmath.mp.dps == 30
    with mpmath.workdps(60):
        want = (3 - mpmath.sqrt(5)) / 2
        z = mpc(1, 1)
        wantc = (z - mpmath.sqrt(z - 2) * mpmath.sqrt(z + 2)) / 2
        x = mpf("1.5")
        a, b = (1 - mpmath.sqrt(0.5)) ** 2, (1 + mpmath.sqrt(0.5)) ** 2
        wantd = mpmath.sqrt((b - x) * (x - a)) / (2 * mpmath.pi * 0.5 * x)
        assert isinstance(got, mpmath.mpf) and isinstance(gotc, mpmath.mpc) and isinstance(gotd, mpmath.mpf)
        # right to ~30 digits, i.e. well beyond float64, but not to 45
        assert abs(got - want) < mpf(10) ** -28 * want
        assert abs(got - want) > mpf(10) ** -45
        assert abs(gotc - wantc) < mpf(10) ** -28 * abs(wantc)
        assert abs(gotd - wantd) < mpf(10) ** -28 * wantd
        assert isinstance(arr, np.ndarray) and arr.dtype == object and arr.shape == (2,)
        assert abs(arr[1] - mpmath.sqrt(3) / (2 * mpmath.pi)) < mpf(10) ** -28
    # at a lower precision the result is correspondingly coarser
    mpmath.mp.dps = 10
    low = law.cauchy(mpf(3))
    with mpmath.workdps(60):
        assert abs(low - want) < mpf(10) ** -9
        assert abs(low - want) > mpf(10) ** -20


def test_float_input_outside_block_gives_numpy():
    law = fs.marchenko_pastur(0.5)
    assert isinstance(law.cauchy(-1.0), np.float64)
    assert isinstance(law.cauchy(1.0 + 1j), np.complex128)
    assert isinstance(law.cauchy(1.0), np.complex128)      # on the support: complex boundary value
    assert isinstance(law.density(1.0), np.float64)
    assert isinstance(law.cdf(1.0), np.float64)
    assert isinstance(law.quantile(0.5), np.float64)
    assert isinstance(law.r_transform(0.1), np.float64)
    assert isinstance(law.s_transform(0.1), np.float64)
    arr = law.cauchy(np.array([[1 + 1j, -1.0], [5.0, 2j]]))
    assert arr.dtype == np.complex128 and arr.shape == (2, 2)
    arr = law.density(np.linspace(0, 3, 7))
    assert arr.dtype == np.float64 and arr.shape == (7,)
    assert law.moments(3).dtype == np.float64
    assert law.free_cumulants(3).dtype == np.float64
    (lo, hi), = law.support()
    assert type(lo) is float and type(hi) is float
    # numbers match float64 formulas
    assert float(law.cauchy(-1.0)) == pytest.approx((3 - math.sqrt(17)) / 2, rel=1e-15)
    assert mpmath.mp.dps == 15


def test_python_int_and_float_inputs_inside_block_give_mp():
    with fs.workdps(50):
        a = fs.semicircle().cauchy(3)
        b = fs.semicircle().cauchy(np.float64(3.0))
        c = fs.semicircle().cauchy([3, 4])
    assert isinstance(a, mpmath.mpf) and isinstance(b, mpmath.mpf)
    assert isinstance(c, np.ndarray) and c.dtype == object and c.shape == (2,)
    with mpmath.workdps(70):
        assert abs(c[1] - (4 - mpmath.sqrt(12)) / 2) < mpf(10) ** -48


# ========================================= exact parameters keep exactness
def test_exact_parameters_keep_exactness(ref_dps):
    exact_lo = (1 - 1 / mpmath.sqrt(3)) ** 2
    exact_hi = (1 + 1 / mpmath.sqrt(3)) ** 2
    with fs.workdps(50):
        (lo_s, hi_s), = fs.marchenko_pastur("1/3").support()
        (lo_r, hi_r), = fs.marchenko_pastur(sympy.Rational(1, 3)).support()
        (lo_f, hi_f), = fs.marchenko_pastur(1 / 3).support()
        (lo_v, hi_v), = fs.marchenko_pastur(1, var="1/3").support()
        (lo_i, hi_i), = fs.marchenko_pastur(3).support()
    for lo, hi in [(lo_s, hi_s), (lo_r, hi_r)]:
        assert abs(lo - exact_lo) < mpf(10) ** -48 * exact_lo
        assert abs(hi - exact_hi) < mpf(10) ** -48 * exact_hi
    # the binary float 1/3 = 0.333...3148 is another ratio: edges differ at the 1e-17 level
    for got, want in [(lo_f, exact_lo), (hi_f, exact_hi)]:
        err = abs(got - want) / want
        assert mpf(10) ** -18 < err < mpf(10) ** -15
    # var = 1/3, ratio 1: support [0, 4/3]
    assert lo_v == 0
    assert abs(hi_v - mpf(4) / 3) < mpf(10) ** -49
    assert abs(lo_i - (1 - mpmath.sqrt(3)) ** 2) < mpf(10) ** -48
    assert abs(hi_i - (1 + mpmath.sqrt(3)) ** 2) < mpf(10) ** -48


def test_exact_parameters_in_moments_and_atoms(ref_dps):
    with fs.workdps(50):
        m = fs.semicircle(var=1, center="1/3").moments(2)
        atoms = fs.marchenko_pastur("7/3").atoms()
        c = fs.uniform(0, "1/3").free_cumulants(2)
    assert abs(m[0] - mpf(1) / 3) < mpf(10) ** -49
    assert abs(m[1] - (1 + mpf(1) / 9)) < mpf(10) ** -49
    assert abs(atoms[0][1] - mpf(4) / 7) < mpf(10) ** -49
    assert abs(c[1] - mpf(1) / 108) < mpf(10) ** -52


# ========================================= generic route at 50 digits
GENERIC = [
    (lambda: fs.semicircle(var=2, center="1/3"), _sc_ref(2, Fraction(1, 3))),
    (lambda: fs.marchenko_pastur("1/2", var=2), _mp_ref(Fraction(1, 2), 2)),
    (lambda: fs.uniform("1/2", 2), _uniform_ref(Fraction(1, 2), 2)),
    (lambda: fs.arcsine(-1, 2), _arcsine_ref(-1, 2)),
]


def _generic_case(i):
    law, ref = GENERIC[i]
    return pytest.param(law, ref, id=ref.name)


@pytest.mark.parametrize("law, ref", [_generic_case(i) for i in range(len(GENERIC))])
def test_generic_cdf_50_digits(law, ref, ref_dps):
    lo, hi = (float(e) for e in ref.edges())
    x = lo + 0.37 * (hi - lo)
    want = ref.cdf(mpf(x))
    with fs.workdps(50):
        got = law().cdf(x, method="generic")
    assert_mp_close(got, want, tol=mpf(10) ** -40)


@pytest.mark.parametrize("law, ref", [pytest.param(l, r, id=r.name) for l, r in GENERIC])
def test_generic_moments_and_r_50_digits(law, ref, ref_dps):
    want_m = ref.moments(5)
    lo, hi = (float(e) for e in ref.edges())
    w = 0.05 / max(abs(lo), abs(hi))
    want_r = ref.R(mpf(w))
    with fs.workdps(50):
        L = law()
        got_m = L.moments(5, method="generic")
        got_r = L.r_transform(w, method="generic")
    assert got_m.dtype == object and got_m.shape == (5,)
    for g, wv in zip(got_m, want_m):
        assert_mp_close(g, wv, tol=mpf(10) ** -40)
    assert_mp_close(got_r, want_r, tol=mpf(10) ** -40)
