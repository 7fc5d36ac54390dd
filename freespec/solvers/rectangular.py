"""Rectangular free convolution: operator-valued subordination over ℂ².

Let ``A`` be ``n × m`` (ratio ``c = n/m``) with ``μ`` the eigenvalue law of
``A Aᵀ`` and ``μ̃ = cμ + (1 − c)δ₀`` that of ``Aᵀ A``.  Its hermitisation
``[[0, A], [Aᵀ, 0]]`` has, over the algebra ``D ≅ ℂ²`` of block-diagonal
scalars ``b = diag(b₁ I_n, b₂ I_m)``, the ``D``-valued Cauchy transform

    G_A(b) = (b₂ G_μ(b₁b₂), b₁ G_μ̃(b₁b₂)),

and bi-orthogonally invariant independent ``X``, ``Y`` have hermitisations
free with amalgamation over ``D``.  Belinschi–Mai–Speicher subordination:
with ``F = 1/G`` (componentwise) and ``h = F − id``, the subordination
function ``ω`` of ``X + Y`` at ``b`` is the attracting fixed point of

    ω ↦ b + h_Y(b + h_X(ω)),

a holomorphic self-map of ``{Im ω > 0}`` (globally convergent, Denjoy–Wolff
for ``Im b > 0``), and ``G_{X+Y}(b) = G_X(ω)``.  At ``b = (λ, λ)`` with
``λ = √z`` the first component is ``λ G(z)``, ``G`` the Cauchy transform of
the law of ``(X + Y)(X + Y)ᵀ``; so ``G(z) = 1 / (λ F_{X,1}(ω))``.

Information-plus-noise (``Y`` Gaussian, ``ν = MP(c, σ²)``): the equation of
Dozier and Silverstein, ``m = ∫ dH(t) / (t/(1 + σ²cm) − (1 + σ²cm) z +
σ²(1 − c))``, becomes an explicit inverse in ``w = ω₁ω₂``:

    z = Z(w) = w A(w)² + σ²(1 − c) A(w),   A(w) = 1 + σ²c G_H(w),
    G(z) = G_H(w) / A(w),

with ``ω = (λ/A, λ/A − σ²(1 − c)/λ)`` (both in the upper half-plane).  Edges
are critical values of ``Z`` on the real line, each candidate gap checked on
the physical branch.

Evaluation (both): the fixed point at ``x + i s`` (``s`` the spread of the
spectrum), Newton continuation down through ``x + 0.1 i s``, ``x + 0.01 i s``,
``x + 0.001 i s`` to the target (a slow path divides the height by 4 at a
time), then verification: residual, and the sign conditions
``Im ω_k ≥ Im λ`` and ``Im G ≤ 0``; failures raise ``ConvergenceError`` with
the point and the residual.  mpmath: float start, Newton at working precision,
same verification.

References: F. Benaych-Georges, "Rectangular random matrices, related
convolution", Probab. Theory Relat. Fields 144 (2009); S. Belinschi,
T. Mai, R. Speicher, "Analytic subordination theory of operator-valued free
additive convolution and the solution of a general random matrix problem",
J. reine angew. Math. 732 (2017), Thm 2.2; R. B. Dozier and J. W. Silverstein,
"On the empirical distribution of eigenvalues of large dimensional
information-plus-noise-type matrices", J. Multivariate Anal. 98 (2007).
"""

import mpmath
import numpy as np

from .._backend import MP, NP
from ..errors import ConvergenceError

__all__ = ["Hermitised", "RectangularProblem", "InfoNoiseProblem", "solve", "solve_mp",
           "rectangular_edges", "info_noise_edges"]


def _sqrt_upper(B, z):
    """λ = √z with Im λ ≥ 0 (principal root; the positive root on [0, ∞))."""
    return B.sqrt(z)


# --------------------------------------------------------------------------- D-valued maps
class Hermitised:
    """``F = 1/G`` of the hermitisation of an ``n × m`` matrix with ``AAᵀ ~ law``."""

    def __init__(self, law, ratio):
        self.law = law
        self.ratio = ratio

    def _s(self, B, w1, w2):
        s = w1 * w2
        if not B.is_mp:
            s = np.where(s.imag == 0, s.real + 0j, s)      # no signed zero from the product
        return s

    def F(self, B, w1, w2):
        c = B.num(self.ratio)
        s = self._s(B, w1, w2)
        g = self.law._cauchy(B, s)
        gt = c * g + (1 - c) / s
        return 1 / (w2 * g), 1 / (w1 * gt)

    def F_jac(self, B, w1, w2):
        """(F₁, F₂, (∂₁F₁, ∂₂F₁, ∂₁F₂, ∂₂F₂))."""
        c = B.num(self.ratio)
        s = self._s(B, w1, w2)
        g = self.law._cauchy(B, s)
        gp = self.law._cauchy_prime(B, s)
        gt = c * g + (1 - c) / s
        gtp = c * gp - (1 - c) / (s * s)
        F1, F2 = 1 / (w2 * g), 1 / (w1 * gt)
        a11 = -gp / (g * g)
        a12 = -(g + s * gp) / (w2 * w2 * g * g)
        a21 = -(gt + s * gtp) / (w1 * w1 * gt * gt)
        a22 = -gtp / (gt * gt)
        return F1, F2, (a11, a12, a21, a22)


def _hull_top(law, B=NP):
    pts = [p for iv in law._support(B) for p in iv] + [a for a, _ in law._atoms(B)]
    return max(pts) if pts else B.num(0)


class RectangularProblem:
    """Unknown ``ω ∈ ℂ²``: residual ``R(ω) = ω − b − h_Y(b + h_X(ω))``."""

    size = 2

    def __init__(self, mu, nu, ratio):
        self.X = Hermitised(mu, ratio)
        self.Y = Hermitised(nu, ratio)
        top = (np.sqrt(max(float(_hull_top(mu)), 0.0)) + np.sqrt(max(float(_hull_top(nu)), 0.0))) ** 2
        self.scale = max(top, 1e-300)
        self.wscale = np.sqrt(self.scale)

    # fixed point (globally convergent)
    def fixed_step(self, B, st, lam):
        w1, w2 = st
        F1, F2 = self.X.F(B, w1, w2)
        v1, v2 = F1 - w1 + lam, F2 - w2 + lam
        H1, H2 = self.Y.F(B, v1, v2)
        return H1 - v1 + lam, H2 - v2 + lam

    def residual(self, B, st, lam):
        n1, n2 = self.fixed_step(B, st, lam)
        return st[0] - n1, st[1] - n2

    def residual_jacobian(self, B, st, lam):
        """Residual ``(r1, r2)`` of the fixed-point equation at ``st`` and its 2×2
        Jacobian ``J = I − (J_FY − I)(J_FX − I)`` as ``(j11, j12, j21, j22)``."""
        w1, w2 = st
        F1, F2, (a11, a12, a21, a22) = self.X.F_jac(B, w1, w2)
        v1, v2 = F1 - w1 + lam, F2 - w2 + lam
        H1, H2, (b11, b12, b21, b22) = self.Y.F_jac(B, v1, v2)
        r1 = w1 - (H1 - v1 + lam)
        r2 = w2 - (H2 - v2 + lam)
        p11, p12, p21, p22 = b11 - 1, b12, b21, b22 - 1
        q11, q12, q21, q22 = a11 - 1, a12, a21, a22 - 1
        j11 = 1 - (p11 * q11 + p12 * q21)
        j12 = -(p11 * q12 + p12 * q22)
        j21 = -(p21 * q11 + p22 * q21)
        j22 = 1 - (p21 * q12 + p22 * q22)
        return (r1, r2), (j11, j12, j21, j22)

    def newton_step(self, B, st, lam):
        (r1, r2), (j11, j12, j21, j22) = self.residual_jacobian(B, st, lam)
        det = j11 * j22 - j12 * j21
        d1 = (j22 * r1 - j12 * r2) / det
        d2 = (j11 * r2 - j21 * r1) / det
        return (st[0] - d1, st[1] - d2), (d1, d2), (r1, r2)

    def start(self, lam):
        return (lam.copy(), lam.copy())

    def omegas(self, B, st, lam):
        """The subordination functions whose imaginary parts must dominate Im λ."""
        w1, w2 = st
        F1, F2 = self.X.F(B, w1, w2)
        return (w1, w2, F1 - w1 + lam, F2 - w2 + lam)

    def cauchy(self, B, st, lam):
        F1, _ = self.X.F(B, st[0], st[1])
        return 1 / (lam * F1)

    def res_scale(self, st, lam):
        """Rounding scale of the residual: h_Y(v) is formed from v = b + h_X(ω),
        which is large where G is small (v = ∞ where G vanishes in a gap)."""
        with np.errstate(all="ignore"):
            om = self.omegas(NP, st, lam)
        out = sum(np.abs(a) for a in om) + self.wscale
        return np.where(np.isfinite(out), out, np.inf)

    def cauchy_prime(self, B, st, lam):
        """dG/dz by implicit differentiation of R(ω, λ) = 0."""
        w1, w2 = st
        F1, F2, (a11, a12, a21, a22) = self.X.F_jac(B, w1, w2)
        v1, v2 = F1 - w1 + lam, F2 - w2 + lam
        _, _, (b11, b12, b21, b22) = self.Y.F_jac(B, v1, v2)
        p11, p12, p21, p22 = b11 - 1, b12, b21, b22 - 1
        q11, q12, q21, q22 = a11 - 1, a12, a21, a22 - 1
        j11 = 1 - (p11 * q11 + p12 * q21)
        j12 = -(p11 * q12 + p12 * q22)
        j21 = -(p21 * q11 + p22 * q21)
        j22 = 1 - (p21 * q12 + p22 * q22)
        # ∂R/∂λ = −(1, 1) − (J_FY − I)(1, 1)
        e1 = -1 - (p11 + p12)
        e2 = -1 - (p21 + p22)
        det = j11 * j22 - j12 * j21
        dw1 = -(j22 * e1 - j12 * e2) / det
        dw2 = -(j11 * e2 - j21 * e1) / det
        dF1 = a11 * dw1 + a12 * dw2
        dG_dlam = -(F1 + lam * dF1) / (lam * F1) ** 2
        return dG_dlam / (2 * lam)


class InfoNoiseProblem:
    """Unknown ``w`` (scalar): ``Z(w) = z`` with Dozier–Silverstein's explicit ``Z``."""

    size = 1

    def __init__(self, pop, ratio, var):
        from ..laws.classical import marchenko_pastur
        self.pop = pop
        self.ratio = ratio
        self.var = var
        self._rect = RectangularProblem(pop, marchenko_pastur(ratio, var), ratio)
        self.scale = self._rect.scale
        self.wscale = self.scale

    def _sc(self, B):
        return B.num(self.var), B.num(self.ratio)

    def A(self, B, w):
        s, c = self._sc(B)
        return 1 + s * c * self.pop._cauchy(B, w)

    def Z(self, B, w):
        s, c = self._sc(B)
        a = self.A(B, w)
        return w * a * a + s * (1 - c) * a

    def dZ(self, B, w):
        s, c = self._sc(B)
        g = self.pop._cauchy(B, w)
        gp = self.pop._cauchy_prime(B, w)
        a = 1 + s * c * g
        return a * a + s * c * gp * (2 * w * a + s * (1 - c))

    def fixed_step(self, B, st, lam):
        raise NotImplementedError

    def residual(self, B, st, lam):
        return (self.Z(B, st[0]) - lam * lam,)

    def newton_step(self, B, st, lam):
        w = st[0]
        r = self.Z(B, w) - lam * lam
        d = r / self.dZ(B, w)
        return (w - d,), (d,), (r,)

    def start(self, lam):
        return self._rect.start(lam)

    def from_rect(self, st):
        return (st[0] * st[1],)

    def omegas(self, B, st, lam):
        s, c = self._sc(B)
        a = self.A(B, st[0])
        return (lam / a, lam / a - s * (1 - c) / lam)

    def cauchy(self, B, st, lam):
        w = st[0]
        return self.pop._cauchy(B, w) / self.A(B, w)

    def res_scale(self, st, lam):
        return np.abs(st[0]) + self.wscale

    def cauchy_prime(self, B, st, lam):
        w = st[0]
        a = self.A(B, w)
        return self.pop._cauchy_prime(B, w) / (a * a * self.dZ(B, w))


# ------------------------------------------------------------------------ float64 driver
def _fixed_point(prob, lam, st, tol, maxiter):
    """Globally convergent iteration of the D-valued subordination map."""
    rect = prob._rect if isinstance(prob, InfoNoiseProblem) else prob
    w1, w2 = (np.array(a, dtype=complex) for a in st)
    done = np.zeros(lam.shape, bool)
    sc = rect.wscale
    with np.errstate(all="ignore"):
        for _ in range(maxiter):
            act = ~done
            if not act.any():
                break
            n1, n2 = rect.fixed_step(NP, (w1[act], w2[act]), lam[act])
            d = np.abs(n1 - w1[act]) + np.abs(n2 - w2[act])
            w1[act], w2[act] = n1, n2
            done[act] = d <= tol * (np.abs(n1) + np.abs(n2) + sc)
    if isinstance(prob, InfoNoiseProblem):
        return prob.from_rect((w1, w2)), done
    return (w1, w2), done


def _newton(prob, st, lam, iters, stol):
    st = tuple(np.array(a, dtype=complex) for a in st)
    conv = np.zeros(lam.shape, bool)
    with np.errstate(all="ignore"):
        for _ in range(iters):
            act = np.flatnonzero(~conv)
            if act.size == 0:
                break
            new, steps, _ = prob.newton_step(NP, tuple(a[act] for a in st), lam[act])
            size = sum(np.abs(d) for d in steps)
            ok = np.isfinite(size)
            for a, n in zip(st, new):
                a[act] = np.where(ok, n, a[act])
            conv[act] = ok & (size <= stol * (sum(np.abs(n) for n in new) + prob.wscale))
    return st, conv


def _sign_ok(prob, st, lam, slack=1e-9):
    """Herglotz signs: Im ω_k ≥ Im λ for the subordination functions and
    Im G ≤ 0, up to ``slack`` (relative; at a square-root edge the double root
    is only determined to about the square root of the rounding error)."""
    with np.errstate(all="ignore"):
        oms = prob.omegas(NP, st, lam)
        G = prob.cauchy(NP, st, lam)
    ok = np.isfinite(G)
    for om in oms:
        tiny = slack * (np.abs(om) + np.abs(lam))
        ok &= np.isfinite(om) & (om.imag >= lam.imag * (1 - slack) - tiny)
    ok &= G.imag <= slack * np.abs(G)
    return ok


def _residual(prob, st, lam):
    with np.errstate(all="ignore"):
        r = prob.residual(NP, st, lam)
    return sum(np.abs(a) for a in r)


def _res_scale(prob, st, lam):
    return prob.res_scale(st, lam)


def _snap_real(prob, st, lam):
    """On the real axis (real λ > 0, or z < 0): where the solution is nearly
    real (a gap), polish the real root; density exactly 0 there."""
    x = lam * lam
    near = np.ones(lam.shape, bool)
    for a in st:
        near &= np.abs(a.imag) <= 1e-8 * (np.abs(a) + prob.wscale)
    if prob.size == 2:
        # on x < 0, λ = i r: ω is purely imaginary there; nothing to snap
        near &= lam.imag == 0
    else:
        near &= True
    if not near.any():
        return st
    sub = tuple(a[near].real + 0j for a in st)
    ls = lam[near]
    with np.errstate(all="ignore"):
        for _ in range(4):
            sub, _, _ = prob.newton_step(NP, sub, ls)
            sub = tuple(a.real + 0j for a in sub)
        res = _residual(prob, sub, ls)
    ok = np.isfinite(res) & (res <= 1e-13 * _res_scale(prob, sub, ls))
    ok &= _sign_ok(prob, sub, ls)
    out = tuple(a.copy() for a in st)
    for a, s in zip(out, sub):
        v = a[near]
        v[ok] = s[ok]
        a[near] = v
    del x
    return out


def _solve_far(prob, z, lam):
    st0 = prob.start(lam)
    st, _ = _fixed_point(prob, lam, st0, 1e-10, 3000)
    st, _ = _newton(prob, st, lam, 30, 1e-15)
    return st


def _solve_near(prob, z):
    """Continuation in η from x + i·scale down to the target."""
    S = prob.scale
    x, eta = z.real, z.imag
    z0 = x + 1j * S
    lam0 = _sqrt_upper(NP, z0)
    st, _ = _fixed_point(prob, lam0, prob.start(lam0), 1e-6, 3000)
    for h in (0.1, 0.01, 0.001):
        zz = x + 1j * np.maximum(h * S, eta)
        st, _ = _newton(prob, st, _sqrt_upper(NP, zz), 20, 1e-6)
    lam = _sqrt_upper(NP, z)
    st, _ = _newton(prob, st, lam, 40, 1e-15)
    good = np.ones(z.shape, bool)
    if np.any(eta == 0):
        st = _snap_real(prob, st, lam)
    good &= _sign_ok(prob, st, lam)
    good &= _residual(prob, st, lam) <= 1e-12 * _res_scale(prob, st, lam)
    if not good.all():
        bad = ~good
        sub = _solve_slow(prob, z[bad])
        for a, s in zip(st, sub):
            a[bad] = s
    return st


def _solve_slow(prob, z):
    S = prob.scale
    x, target = z.real, z.imag
    eta = np.full(x.shape, S)
    lam = _sqrt_upper(NP, x + 1j * eta)
    st, _ = _fixed_point(prob, lam, prob.start(lam), 1e-12, 5000)
    while np.any(eta > target):
        eta = np.maximum(eta / 4, target)
        eta = np.where(eta < 1e-15 * S, target, eta)
        lam = _sqrt_upper(NP, x + 1j * eta)
        new, _ = _newton(prob, st, lam, 25, 1e-13)
        okk = _sign_ok(prob, new, lam) & (_residual(prob, new, lam) <= 1e-10 * _res_scale(prob, new, lam))
        if not okk.all():
            # fall back on the fixed point from the previous solution (warm start)
            bad = ~okk & (eta > 0)
            if bad.any():
                fp, _ = _fixed_point(prob, lam[bad], tuple(a[bad] for a in _rect_state(prob, st, lam, bad)),
                                     1e-13, 2000)
                for a, s in zip(new, fp):
                    a[bad] = s
        st = new
    lam = _sqrt_upper(NP, z)
    st, _ = _newton(prob, st, lam, 60, 1e-15)
    if np.any(target == 0):
        st = _snap_real(prob, st, lam)
    return st


def _rect_state(prob, st, lam, idx):
    """A fixed-point start for the D-valued map from the current state."""
    if isinstance(prob, InfoNoiseProblem):
        with np.errstate(all="ignore"):
            om = prob.omegas(NP, st, lam)
        return om
    return st


def _verify(prob, z, st, lam):
    res = _residual(prob, st, lam)
    bad = ~(res <= 1e-11 * _res_scale(prob, st, lam)) | ~_sign_ok(prob, st, lam, slack=1e-6)
    if bad.any():
        i = np.flatnonzero(bad)[0]
        raise ConvergenceError(f"{type(prob).__name__}: solution at z = {z[i]} failed verification "
                               f"(residual {res[i]:.3g})")


def solve(prob, z):
    """Solve at complex points ``z`` (vectorised).  Returns ``(state, λ)``;
    real points give the boundary value from above, ``Im z = −0.0`` from below."""
    z = np.asarray(z, dtype=complex).ravel()
    lower = np.signbit(z.imag)
    zu = np.where(lower, np.conj(z), z)
    lam = _sqrt_upper(NP, zu)
    st = tuple(np.empty(z.shape, complex) for _ in range(prob.size))
    far = zu.imag >= 0.05 * prob.scale
    if far.any():
        sub = _solve_far(prob, zu[far], lam[far])
        for a, s in zip(st, sub):
            a[far] = s
    if (~far).any():
        sub = _solve_near(prob, zu[~far])
        for a, s in zip(st, sub):
            a[~far] = s
    _verify(prob, zu, st, lam)
    return st, lam, lower


def cauchy_np(prob, z, prime=False):
    shape = np.shape(z)
    st, lam, lower = solve(prob, z)
    with np.errstate(all="ignore"):
        g = prob.cauchy_prime(NP, st, lam) if prime else prob.cauchy(NP, st, lam)
    if not prime:       # a rounding-level positive Im G at an edge is 0
        g = np.where(g.imag > 0, g.real + 0j, g)
    g = np.where(lower, np.conj(g), g)
    return g.reshape(shape)


# ------------------------------------------------------------------------ mpmath driver
def solve_mp(prob, z):
    """Float start, then Newton at the working precision; verified."""
    z = mpmath.mpc(z)
    lower = mpmath.im(z) < 0
    zu = mpmath.conj(z) if lower else z
    st_f, _, _ = solve(prob, np.array([complex(zu)]))
    st = tuple(mpmath.mpc(complex(a[0])) for a in st_f)
    if mpmath.im(zu) == 0 and all(mpmath.im(a) == 0 for a in st):
        st = tuple(mpmath.mpc(mpmath.re(a), 0) for a in st)
    lam = mpmath.sqrt(zu)
    tol = mpmath.mpf(10) ** (-mpmath.mp.dps + 3)
    for _ in range(80):
        new, steps, _ = prob.newton_step(MP, st, lam)
        size = sum(abs(d) for d in steps)
        st = new
        if size <= tol * (sum(abs(a) for a in st) + 1):
            break
    else:
        raise ConvergenceError(f"{type(prob).__name__}: mpmath Newton did not converge at z = {z}")
    res = sum(abs(r) for r in prob.residual(MP, st, lam))
    if res > mpmath.mpf(10) ** (-mpmath.mp.dps + 6) * (sum(abs(a) for a in st) + 1):
        raise ConvergenceError(f"{type(prob).__name__}: residual {mpmath.nstr(res, 3)} at z = {z}")
    slack = mpmath.mpf(10) ** -10
    for om in prob.omegas(MP, st, lam):
        if mpmath.im(om) < mpmath.im(lam) * (1 - slack) - slack * abs(lam):
            raise ConvergenceError(f"{type(prob).__name__}: wrong branch at z = {z} "
                                   f"(residual {mpmath.nstr(res, 3)})")
    return st, lam, lower


def cauchy_mp(prob, z, prime=False):
    st, lam, lower = solve_mp(prob, z)
    g = prob.cauchy_prime(MP, st, lam) if prime else prob.cauchy(MP, st, lam)
    return mpmath.conj(g) if lower else g


# --------------------------------------------------------------------------- support
def _critical_points(prob):
    """Zeros of Z′ on the real intervals off the cuts of Z (supp H, atoms of H)."""
    from .inverse import _admissible, _samples
    H = prob.pop

    class _Cuts:
        def cuts(self, B):
            cs = [tuple(iv) for iv in H._support(B)] + [(a, a) for a, _ in H._atoms(B)]
            return sorted(cs)

    out = []
    for lo, hi in _admissible(_Cuts()):
        v = _samples(lo, hi, prob.scale, n=513)
        with np.errstate(all="ignore"):
            d = prob.dZ(NP, v + 0j).real
        ok = np.isfinite(d)
        v, d = v[ok], d[ok]
        pts = []
        for i in range(len(v) - 1):
            if d[i] * d[i + 1] < 0:
                a, b = v[i], v[i + 1]
                for _ in range(200):
                    m = 0.5 * (a + b)
                    if m <= a or m >= b:
                        break
                    dm = prob.dZ(NP, np.array([m + 0j]))[0].real
                    if (dm > 0) == (d[i] > 0):
                        a = m
                    else:
                        b = m
                pts.append(0.5 * (a + b))
        signs = [np.sign(d[0])] if len(d) else [1.0]
        for _ in pts:
            signs.append(-signs[-1])
        out.append((lo, hi, pts, signs))
    return out


def _on_branch(prob, w):
    """Is real ``w`` the physical solution at ``x = Z(w)``?"""
    x = float(prob.Z(NP, np.array([w + 0j]))[0].real)
    if not np.isfinite(x):
        return False, x
    try:
        st, lam, _ = solve(prob, np.array([x + 0j]))
    except ConvergenceError:
        return False, x
    got = st[0][0]
    return bool(abs(got.imag) <= 1e-9 * (abs(got) + prob.scale)
                and abs(got.real - w) <= 1e-6 * (abs(w) + prob.scale)), x


def info_noise_edges(prob, B=NP):
    """Support intervals of the information-plus-noise law.

    Candidate gaps are the images by ``Z`` of the real intervals where
    ``Z′ > 0`` (ends: zeros of ``Z′`` or cut ends); a candidate is kept when a
    point of it is the physical solution (checked with the verified solver).
    Inside ``workdps`` the zeros of ``Z′`` are refined by mpmath.
    """
    S = prob.scale
    gaps = []
    for lo, hi, pts, signs in _critical_points(prob):
        ends = [lo, *pts, hi]
        for k, sg in enumerate(signs):
            if sg <= 0:
                continue
            a, b = ends[k], ends[k + 1]
            if np.isfinite(a) and np.isfinite(b):
                mid = 0.5 * (a + b)
            elif np.isfinite(a):
                mid = a + S
            elif np.isfinite(b):
                mid = b - S
            else:
                mid = 0.0
            ok, _ = _on_branch(prob, mid)
            if not ok:
                continue
            gaps.append((_edge_z(prob, B, a, k == 0, lo), _edge_z(prob, B, b, k == len(signs) - 1, hi)))
    gaps.sort(key=lambda g: float(g[0]))
    intervals = []
    for (a0, b0), (a1, b1) in zip(gaps, gaps[1:]):
        if float(a1) > float(b0):
            intervals.append((b0, a1))
    return tuple(intervals)


def _edge_z(prob, B, v, is_cut_end, cut):
    if not np.isfinite(v):
        if B.is_mp:
            return mpmath.inf if v > 0 else -mpmath.inf
        return float(v)
    if not B.is_mp:
        return float(prob.Z(NP, np.array([v + 0j]))[0].real)
    if is_cut_end and v == cut:
        return mpmath.re(prob.Z(MP, mpmath.mpc(v)))
    vv = mpmath.findroot(lambda u: mpmath.re(prob.dZ(MP, mpmath.mpc(u))), mpmath.mpf(v),
                         tol=mpmath.mpf(10) ** (-2 * mpmath.mp.dps))
    return mpmath.re(prob.Z(MP, mpmath.mpc(vv)))


# ------------------------------------------------------------- general support (folds)
def _is_real_solution(prob, x):
    st, lam, _ = solve(prob, x.astype(complex))
    real = np.ones(x.shape, bool)
    for a in st:
        real &= a.imag == 0
    return real, st


def _fold_system(prob, B, p):
    """Real fold equations in (u₁, u₂, λ): R(ω; λ) = 0 and det ∂R/∂ω = 0."""
    u1, u2, lam = p
    if B.is_mp:
        st = (mpmath.mpc(u1), mpmath.mpc(u2))
        lm = mpmath.mpc(lam)
    else:
        st = (np.array([u1 + 0j]), np.array([u2 + 0j]))
        lm = np.array([lam + 0j])
    (r1, r2), (j11, j12, j21, j22) = prob.residual_jacobian(B, st, lm)
    det = j11 * j22 - j12 * j21
    if B.is_mp:
        return [mpmath.re(r1), mpmath.re(r2), mpmath.re(det)]
    return np.array([r1[0].real, r2[0].real, det[0].real])


def _fold_newton(prob, p0):
    p = np.array(p0, float)
    for _ in range(40):
        f = _fold_system(prob, NP, p)
        J = np.empty((3, 3))
        for k in range(3):
            h = 1e-7 * (abs(p[k]) + prob.wscale)
            e = np.zeros(3)
            e[k] = h
            J[:, k] = (_fold_system(prob, NP, p + e) - _fold_system(prob, NP, p - e)) / (2 * h)
        try:
            d = np.linalg.solve(J, f)
        except np.linalg.LinAlgError:
            return None
        p = p - d
        if not np.all(np.isfinite(p)):
            return None
        if np.max(np.abs(d)) <= 1e-15 * (np.max(np.abs(p)) + prob.wscale):
            break
    f = _fold_system(prob, NP, p)
    if np.max(np.abs(f[:2])) > 1e-11 * (np.max(np.abs(p)) + prob.wscale):
        return None
    return p


def rectangular_edges(prob, mu_atoms_zero, B=NP, grid=400):
    """Support intervals of the rectangular free convolution.

    Brackets: a grid on ``(0, (√b_μ + √b_ν)²]`` (clustered at both ends)
    classified by whether the verified solution at ``x + i0`` is real (a
    gap).  Each transition is bisected on that predicate, then refined as a
    fold of the real equations (``R(ω; λ) = 0``, ``det ∂R/∂ω = 0``, Newton in
    ``(u₁, u₂, λ)``); the edge is ``λ²``.  Inside ``workdps`` the fold is
    refined by mpmath.  Gaps narrower than the grid spacing are not resolved.
    """
    S = prob.scale
    th = np.linspace(0, np.pi, grid)
    x = S * 1.02 * (1 - np.cos(th)) / 2
    x[0] = 0.0
    pos = x[1:]
    real, _ = _is_real_solution(prob, pos)
    inb = ~real
    edges = []
    for i in range(len(pos) - 1):
        if inb[i] != inb[i + 1]:
            edges.append((pos[i], pos[i + 1], bool(inb[i])))   # (a, b, a inside the bulk)
    if inb[0]:
        # the bulk reaches the first grid point: edge between 0 and it
        edges.insert(0, (0.0, pos[0], None))
    if not edges:
        return ()
    # bisection on the predicate, vectorised
    a = np.array([e[0] for e in edges])
    b = np.array([e[1] for e in edges])
    left_in = np.array([e[2] if e[2] is not None else False for e in edges])
    hard = np.array([e[2] is None for e in edges])
    for _ in range(60):
        m = 0.5 * (a + b)
        if np.all(b - a <= 1e-7 * (b + 1e-3 * S)):
            break            # the fold refinement takes it from here
        mr, _ = _is_real_solution(prob, np.maximum(m, 1e-300))
        m_in = ~mr
        # keep a with left_in state, b with the other
        move_a = (m_in == left_in)
        a = np.where(move_a, m, a)
        b = np.where(move_a, b, m)
    values = []
    for k in range(len(edges)):
        gap_side = b[k] if left_in[k] else a[k]
        if hard[k] and a[k] <= 1e-12 * S:
            values.append(B.num(0) if B.is_mp else 0.0)
            continue
        real_k, st = _is_real_solution(prob, np.array([gap_side]))
        e = 0.5 * (a[k] + b[k])
        if real_k[0]:
            p0 = (st[0][0].real, st[1][0].real, np.sqrt(gap_side))
            p = _fold_newton(prob, p0)
            if p is not None and abs(p[2] ** 2 - e) <= 1e-6 * (abs(e) + S):
                e = p[2] ** 2
                if B.is_mp:
                    e = _fold_mp(prob, p)
        values.append(e if B.is_mp is False else (e if isinstance(e, mpmath.mpf) else mpmath.mpf(e)))
    # pair edges into intervals: walk along x
    intervals = []
    start = None
    for k, e in enumerate(values):
        entering = (not left_in[k]) if not hard[k] else True
        if entering:
            start = e
        else:
            if start is None:
                start = B.num(0) if B.is_mp else 0.0
            intervals.append((start, e))
            start = None
    if start is not None:
        raise ConvergenceError("rectangular support: unterminated interval (grid too coarse?)")
    return tuple(intervals)


def _fold_mp(prob, p):
    p0 = [mpmath.mpf(v) for v in p]
    try:
        sol = mpmath.findroot(lambda u1, u2, lam: _fold_system(prob, MP, (u1, u2, lam)), p0,
                              tol=mpmath.mpf(10) ** (-2 * mpmath.mp.dps + 10))
    except (ValueError, ZeroDivisionError) as exc:
        raise ConvergenceError(f"rectangular support: fold refinement failed near x = {p[2] ** 2}: {exc}")
    return sol[2] ** 2
