"""Subordination solvers for free additive and multiplicative convolutions.

Plain functions of Cauchy-transform callables (no Law objects):

* :func:`additive_subordination` -- ``μ ⊞ ν`` in the upper half-plane;
* :func:`multiplicative_subordination` -- ``μ ⊠ ν`` for laws on ``[0, ∞)``, on
  ``ℂ \\ [0, ∞)``;
* :func:`real_axis` -- boundary values ``G(x + i0)`` of either, by continuation
  in ``Im z`` down to the real axis (no smoothing ``η`` left in the answer);
* :func:`additive_subordination_mp`, :func:`multiplicative_subordination_mp` --
  one mpmath point at the working precision (float64 start, mpmath polish);
* :func:`law_scale` -- centre and spread of a law read off its Cauchy
  transform far from the spectrum (used for the continuation heights).

Conventions (docs/conventions.rst): ``G(z) = ∫ dμ(x)/(z - x)``, ``Im G < 0``
for ``Im z > 0``; ``F = 1/G``, ``Im F(z) ≥ Im z``.

Algorithm
---------
Each convolution is a fixed-point problem ``w = f_z(w)`` for the subordination
function ``ω1(z)`` whose map ``f_z`` is an analytic self-map of a hyperbolic
domain (the upper half-plane, resp. ``ℂ \\ [0, ∞)``), so that its Denjoy–Wolff
point is the unique fixed point there and the plain iteration converges to it
from anywhere (Belinschi–Bercovici 2007).  The plain iteration is slow near the
real axis, so it is accelerated:

1. *continuation*: a point closer to the real axis than ``eta0`` (the spread
   of the convolved law, from :func:`law_scale`) is first solved at height
   ``eta0`` above it, then at heights divided by 10 reusing the previous
   ``ω1`` as start, down to the point itself;
2. *safeguarded secant/Newton* on ``Φ(w) = f_z(w) - w``: a step is taken only
   if it stays in the closed region where ``ω1`` must lie and decreases
   ``|Φ|``; otherwise a fixed-point step ``w ← f_z(w)`` (which always makes
   progress towards the Denjoy–Wolff point) is taken instead.  The derivative
   is the secant slope through the last two iterates (derivative free,
   self-scaling; a probe at distance ``1e-6 s`` replaces a slope drowned in
   rounding noise), or exact Newton when ``G'`` callables are given.  At
   ``η = 0`` (:func:`real_axis`) steps are projected onto the region instead,
   the start being a verified point ``1e-12 eta0`` above.

Every returned point is verified: residual ``|Φ(ω1)| ≤ tol · s`` with ``s`` the
sum of the magnitudes of the terms of the equation (so the test is relative
and scale invariant; where that fails, ``s`` is enlarged by the rounding error
propagated through ``ν``'s transform, ``|h_ν'(ω2)|`` resp. the condition number
of ``k_ν``, estimated at the point), ``ω1`` and ``ω2`` in their regions
(``Im ω ≥ Im z``, resp. ``arg ω ≥ arg z``) and ``Im G ≤ 0``, all within
rounding.  A point that
fails raises :class:`~freespec.errors.ConvergenceError` naming it; nothing is
returned unverified.  By uniqueness of the fixed point in the open domain, a
verified ``ω1`` with ``Im z > 0`` *is* the subordination function.
"""

import math

import mpmath
import numpy as np

from ..errors import ConvergenceError, DomainError

__all__ = ["additive_subordination", "multiplicative_subordination", "real_axis",
           "additive_subordination_mp", "multiplicative_subordination_mp", "law_scale"]

_EPS = np.finfo(float).eps
_FACTOR = 10.0          # continuation: heights divided by this at each stage
_ETA_MIN = 1e-12        # real_axis: last height, relative to eta0, before η = 0
_N_FIXED = 3            # plain fixed-point steps on a cold start


# =============================================================================
# scale of a law from its Cauchy transform
# =============================================================================
def law_scale(cauchy):
    """Centre and spread ``(c, s)`` of a law, read off its Cauchy transform.

    With ``h(z) = 1/G(z) - z = -κ1 + ∫ dρ(t)/(t - z)`` (``ρ`` a measure of mass
    ``κ2``), ``-Re h(iy) → κ1`` and ``y Im h(c + iy) ↑ κ2`` as ``y → ∞``.  Both
    limits are read on logarithmic grids of ``y``, keeping only the values
    that rounding leaves meaningful, so the estimate needs no prior scale.

    Parameters
    ----------
    cauchy : callable
        Vectorised ``G``: complex ndarray in, complex ndarray out.

    Returns
    -------
    (float, float)
        Mean ``c`` and standard deviation ``s`` (approximately: good to a few
        digits, enough to choose heights); ``(0.0, 0.0)`` for ``δ0``.

    Examples
    --------
    >>> import freespec as fs
    >>> from freespec._backend import NP
    >>> from freespec.solvers.subordination import law_scale
    >>> c, s = law_scale(lambda z: fs.semicircle(var=4, center=1)._cauchy(NP, z))
    >>> round(c, 6), round(s, 6)
    (1.0, 2.0)
    """
    ys = 10.0 ** np.arange(-30.0, 31.0)
    with np.errstate(all="ignore"):
        F = 1 / np.asarray(cauchy(1j * ys), dtype=complex)
        ah = np.hypot(F.real, F.imag - ys)
        # |h(iy)| for y beyond the spectrum's radius, where rounding leaves it meaningful
        ok = np.isfinite(ah) & (ah <= ys) & (ah >= 1e3 * _EPS * ys)
        if not np.any(ok):
            return 0.0, 0.0
        M = float(np.max(ah[ok]))
        y1 = 1e4 * M
        c = float(-(1 / np.asarray(cauchy(np.array([1j * y1])), dtype=complex)[0]).real)
        if not math.isfinite(c):
            c = 0.0
        ys2 = M * 10.0 ** np.arange(-8.0, 9.0)
        F2 = 1 / np.asarray(cauchy(c + 1j * ys2), dtype=complex)
        b = ys2 * (F2.imag - ys2)
    okb = np.isfinite(b) & (b > 1e3 * _EPS * ys2 ** 2)
    s = math.sqrt(float(np.max(b[okb]))) if np.any(okb) else 0.0
    return c, s


def _positive(v, fallback):
    return v if (math.isfinite(v) and v > 0) else fallback


def _eta0_additive(Gm, Gn):
    cm, sm = law_scale(Gm)
    cn, sn = law_scale(Gn)
    # variances add under ⊞
    return _positive(math.hypot(sm, sn), _positive(abs(cm + cn), 1.0))


def _eta0_multiplicative(Gm, Gn):
    cm, sm = law_scale(Gm)
    cn, sn = law_scale(Gn)
    # Var(μ ⊠ ν) = Var μ · m1(ν)² + m1(μ)² · Var ν
    return _positive(math.hypot(sm * cn, cm * sn), _positive(abs(cm * cn), 1.0))


# =============================================================================
# the two fixed-point problems (formulas shared by the NumPy and mpmath paths)
# =============================================================================
class _Additive:
    """``Φ(w) = z + h_ν(z + h_μ(w)) - w``, ``h = F - id``; ``ω1`` in ``{Im w ≥ Im z}``."""

    name = "additive"

    def __init__(self, Gm, Gn, dGm=None, dGn=None):
        self.Gm, self.Gn, self.dGm, self.dGn = Gm, Gn, dGm, dGn
        self.has_derivative = dGm is not None and dGn is not None

    def eval(self, z, w):
        Gmw = self.Gm(w)
        Fm = 1 / Gmw
        # Im ω2 ≥ Im z exactly (Im h_μ ≥ 0): clamp the rounding, so that on the
        # real axis G_ν gets the boundary value from above (imaginary part +0.0)
        w2 = self.project(z, z + Fm - w) if not _is_mp(w) else self.project_mp(z, z + Fm - w)
        Fn = 1 / self.Gn(w2)
        phi = z + Fn - w2 - w
        return phi, {"w2": w2, "G": Gmw, "Fm": Fm, "Fn": Fn}

    @staticmethod
    def rscale(z, w, aux):
        return abs(z) + abs(w) + abs(aux["w2"]) + abs(aux["Fm"]) + abs(aux["Fn"])

    def rscale_cond(self, z, w, aux, mp=False):
        """:meth:`rscale` plus the rounding error of ``ω2`` amplified by ``h_ν'(ω2)``."""
        dFn = _dF(self.Gn, self.dGn, aux["w2"], aux["Fn"], mp)
        return self.rscale(z, w, aux) + abs(dFn - 1) * (abs(z) + abs(w) + abs(aux["Fm"]))

    def derivative(self, z, w, aux):
        # h' = F' - 1 = -G' F² - 1
        hm = -self.dGm(w) * aux["Fm"] ** 2 - 1
        hn = -self.dGn(aux["w2"]) * aux["Fn"] ** 2 - 1
        return hn * hm - 1

    @staticmethod
    def fixed_step(z, w, phi, aux):
        return z + aux["Fn"] - aux["w2"]          # f_z(w) = w + Φ(w)

    @staticmethod
    def probe_dir(z, w):
        return 1j                                 # upwards: stays in {Im w ≥ Im z}

    @staticmethod
    def start(z):
        return z.copy() if isinstance(z, np.ndarray) else z

    @staticmethod
    def result(z, w, aux):
        return aux["G"], w, aux["w2"]

    @staticmethod
    def distance(z):
        """How far the point is from where the iteration is slow."""
        return z.imag

    @staticmethod
    def lift(z, eta):
        return z.real + 1j * eta

    # ---- regions (NumPy)
    @staticmethod
    def project(z, w):
        # (+ 0.0 turns a -0.0 imaginary part into +0.0: the upper boundary value)
        return w.real + 1j * (np.maximum(w.imag, z.imag) + 0.0)

    @staticmethod
    def max_step(z, w, s):
        """Largest ``t`` with ``w + t s`` in the region (``inf`` if unbounded)."""
        with np.errstate(all="ignore"):
            return np.where(s.imag < 0, np.maximum(w.imag - z.imag, 0) / -s.imag, np.inf)

    @staticmethod
    def admissible(z, w, aux, slack):
        G = aux["G"]
        return ((w.imag >= z.imag - slack) & (aux["w2"].imag >= z.imag - slack)
                & (G.imag <= 8 * _EPS * np.abs(G)))

    # ---- regions (mpmath scalars)
    @staticmethod
    def project_mp(z, w):
        w = mpmath.mpc(w)
        return mpmath.mpc(w.real, z.imag) if w.imag < z.imag else w

    @staticmethod
    def admissible_mp(z, w, aux, slack, eps):
        G = aux["G"]
        return (mpmath.im(w) >= mpmath.im(z) - slack and mpmath.im(aux["w2"]) >= mpmath.im(z) - slack
                and mpmath.im(G) <= 8 * eps * abs(G))


class _Multiplicative:
    """Multiplicative subordination in the Cauchy variable (see the docstring of
    :func:`multiplicative_subordination`): ``Φ(Ω) = z / k_ν(z / k_μ(Ω)) - Ω``
    with ``k(Ω) = Ω - F(Ω)``; ``Ω1`` in the sector ``arg z ≤ arg Ω ≤ π``."""

    name = "multiplicative"

    def __init__(self, Gm, Gn, dGm=None, dGn=None):
        self.Gm, self.Gn, self.dGm, self.dGn = Gm, Gn, dGm, dGn
        self.has_derivative = dGm is not None and dGn is not None

    def eval(self, z, w):
        Gmw = self.Gm(w)
        Fm = 1 / Gmw
        km = w - Fm
        # Ω2 lies in the sector: clamp the rounding (see _Additive.eval)
        w2 = self.project(z, z / km) if not _is_mp(w) else self.project_mp(z, z / km)
        Fn = 1 / self.Gn(w2)
        kn = w2 - Fn
        phi = z / kn - w
        return phi, {"w2": w2, "Gm": Gmw, "Fm": Fm, "Fn": Fn, "km": km, "kn": kn}

    @staticmethod
    def rscale(z, w, aux):
        # |Ω1| times (1 + the cancellation factors of the two subtractions Ω - F(Ω))
        return abs(w) * (1 + (abs(w) + abs(aux["Fm"])) / abs(aux["km"])
                         + (abs(aux["w2"]) + abs(aux["Fn"])) / abs(aux["kn"]))

    def rscale_cond(self, z, w, aux, mp=False):
        """:meth:`rscale` plus the relative error of ``Ω2`` amplified by the
        condition number ``|Ω2 k_ν'(Ω2)/k_ν(Ω2)|`` of ``k_ν``."""
        w2, kn, km = aux["w2"], aux["kn"], aux["km"]
        dkn = 1 - _dF(self.Gn, self.dGn, w2, aux["Fn"], mp)
        cond = abs(w2 * dkn / kn)
        return self.rscale(z, w, aux) + abs(w) * cond * (1 + (abs(w) + abs(aux["Fm"])) / abs(km))

    def derivative(self, z, w, aux):
        km, kn = aux["km"], aux["kn"]
        dkm = 1 + self.dGm(w) * aux["Fm"] ** 2          # k' = 1 - F' = 1 + G' F²
        dkn = 1 + self.dGn(aux["w2"]) * aux["Fn"] ** 2
        return z * z * dkn * dkm / (kn * kn * km * km) - 1

    @staticmethod
    def fixed_step(z, w, phi, aux):
        return z / aux["kn"]

    @staticmethod
    def probe_dir(z, w):
        return w / abs(w)                         # radial: stays in the sector (a cone)

    @staticmethod
    def start(z):
        return z.copy() if isinstance(z, np.ndarray) else z

    @staticmethod
    def result(z, w, aux):
        return w * aux["Gm"] / z, w, aux["w2"]

    @staticmethod
    def distance(z):
        return np.where(z.real > 0, z.imag, np.abs(z))

    @staticmethod
    def lift(z, eta):
        return z.real + 1j * eta

    # ---- regions (NumPy): the sector between the ray through z and (-∞, 0]
    @staticmethod
    def project(z, w):
        e = z / np.abs(z)
        cross = (np.conj(e) * w).imag
        neg_axis = (e.imag == 0) & (e.real < 0)
        inside = (cross >= 0) & (w.imag >= 0) & (~neg_axis | (w.real <= 0))
        p1 = np.maximum((np.conj(e) * w).real, 0) * e
        p2 = np.minimum(w.real, 0) + 0j
        p = np.where(np.abs(w - p1) <= np.abs(w - p2), p1, p2)
        p = np.where(neg_axis, p2, p)
        out = np.where(inside, w, p)
        return out.real + 1j * (out.imag + 0.0)

    @staticmethod
    def max_step(z, w, s):
        """Largest ``t`` with ``w + t s`` in the sector (``inf`` if unbounded)."""
        e = z / np.abs(z)
        neg_axis = (e.imag == 0) & (e.real < 0)
        with np.errstate(all="ignore"):
            c_w, c_s = (np.conj(e) * w).imag, (np.conj(e) * s).imag
            t1 = np.where(c_s < 0, np.maximum(c_w, 0) / -c_s, np.inf)
            t2 = np.where(s.imag < 0, np.maximum(w.imag, 0) / -s.imag, np.inf)
            t3 = np.where(neg_axis & (s.real > 0), np.maximum(-w.real, 0) / s.real, np.inf)
        return np.minimum(np.minimum(t1, t2), t3)

    @staticmethod
    def _in_sector(z, w, slack):
        e = z / np.abs(z)
        tol = slack * np.abs(w)
        neg_axis = (e.imag == 0) & (e.real < 0)
        return (((np.conj(e) * w).imag >= -tol) & (w.imag >= -tol)
                & (~neg_axis | (w.real <= tol)))

    @classmethod
    def admissible(cls, z, w, aux, slack):
        G = w * aux["Gm"] / z
        rel = slack / np.maximum(np.abs(w), 1e-300)
        return (cls._in_sector(z, w, rel) & cls._in_sector(z, aux["w2"], rel)
                & (G.imag <= 8 * _EPS * np.abs(G) * (1 + rel / _EPS)))

    # ---- regions (mpmath scalars)
    @staticmethod
    def project_mp(z, w):
        w = mpmath.mpc(w)
        e = z / abs(z)
        cross = mpmath.im(mpmath.conj(e) * w)
        neg_axis = mpmath.im(e) == 0 and mpmath.re(e) < 0
        if cross >= 0 and mpmath.im(w) >= 0 and (not neg_axis or mpmath.re(w) <= 0):
            return w
        p2 = mpmath.mpc(min(mpmath.re(w), 0), 0)
        if neg_axis:
            return p2
        p1 = max(mpmath.re(mpmath.conj(e) * w), 0) * e
        return p1 if abs(w - p1) <= abs(w - p2) else p2

    @staticmethod
    def admissible_mp(z, w, aux, slack, eps):
        e = z / abs(z)
        G = w * aux["Gm"] / z
        neg_axis = mpmath.im(e) == 0 and mpmath.re(e) < 0
        for v in (w, aux["w2"]):
            if mpmath.im(mpmath.conj(e) * v) < -slack or mpmath.im(v) < -slack:
                return False
            if neg_axis and mpmath.re(v) > slack:
                return False
        return mpmath.im(G) <= 8 * eps * abs(G) + slack * abs(G) / max(abs(w), eps)


def _is_mp(v):
    return isinstance(v, (mpmath.mpc, mpmath.mpf))


def _dF(G, dG, w, F, mp):
    """``F'(w)`` for ``F = 1/G``: exact from ``G'`` when given, else an upward
    one-sided difference (only used to size rounding errors, never for a
    returned value)."""
    if dG is not None:
        return -dG(w) * F * F
    if mp:
        s = mpmath.mpf(10) ** (-mpmath.mp.dps // 3) * (abs(w) + mpmath.mpf(10) ** (-mpmath.mp.dps))
        return (1 / G(w + mpmath.mpc(0, s)) - F) / mpmath.mpc(0, s)
    s = 1e-7 * (np.abs(w) + 1e-300)
    with np.errstate(all="ignore"):
        d = (1 / G(w + 1j * s) - F) / (1j * s)
    return np.where(np.isfinite(d), d, np.inf)


# =============================================================================
# NumPy iteration
# =============================================================================
def _take(aux, idx):
    return {k: v[idx] for k, v in aux.items()}


def _put(aux, idx, sub):
    for k, v in sub.items():
        aux[k][idx] = v


def _eval(prob, z, w):
    with np.errstate(all="ignore"):
        phi, aux = prob.eval(z, w)
        phi = np.asarray(phi, dtype=complex)
        aux = {k: np.asarray(np.broadcast_to(v, z.shape), dtype=complex).copy() for k, v in aux.items()}
        rs = prob.rscale(z, w, aux)
    return phi, aux, rs


def _converged(phi, rs, tol):
    with np.errstate(invalid="ignore"):
        return np.abs(phi) <= tol * rs


def _iterate(prob, z, w, tol, maxiter, n_fixed=0, min_iter=0, project=False):
    """Safeguarded secant (or Newton) iteration on ``Φ(w) = f_z(w) - w``, vectorised.

    Only unconverged points are iterated (every point at least ``min_iter``
    times: polishing steps, each accepted only if it decreases ``|Φ|``, for a
    start that passes the test but is not yet a root to rounding, as on the
    real axis near an edge where ``Φ'`` is small).  A Newton/secant step that
    would leave the region is replaced by a fixed-point step (unless it
    projects onto a root on the boundary); with ``project=True`` it is
    projected onto the region instead (final polish from a verified nearby
    start, where the root may lie on the boundary).  Returns ``w, phi, aux, rs``.
    """
    w = np.array(w, dtype=complex)
    phi, aux, rs = _eval(prob, z, w)
    wprev = np.full(z.shape, np.nan + 0j)
    fprev = np.full(z.shape, np.nan + 0j)
    # best point so far (fixed-point steps may increase |Φ|; the best is returned)
    bw, bphi, brs = w.copy(), phi.copy(), rs.copy()
    baux = {k: v.copy() for k, v in aux.items()}
    # iterations without halving the best |Φ| while it is at the rounding floor
    # near the root: after 4 such the point is left to _verify (whose residual
    # scale accounts for the conditioning of the equation)
    stalls = np.zeros(z.shape, dtype=int)
    near = math.sqrt(tol)
    for it in range(n_fixed + maxiter):
        if it < n_fixed + min_iter:
            idx = np.flatnonzero(bphi != 0)
        else:
            idx = np.flatnonzero(~_converged(bphi, brs, tol) & (stalls < 4))
        if idx.size == 0:
            break
        zi, wi, fi = z[idx], w[idx], phi[idx]
        ai = _take(aux, idx)
        with np.errstate(all="ignore"):
            if it < n_fixed:
                step = np.full(idx.shape, np.nan + 0j)
            elif prob.has_derivative:
                step = -fi / prob.derivative(zi, wi, ai)
            else:
                df = fi - fprev[idx]
                step = -fi * (wi - wprev[idx]) / df
                # a secant slope from a difference of Φ near its rounding noise is
                # no slope: probe at a distance where Φ' shows above the noise
                weak = ~(np.abs(df) > 32 * _EPS * rs[idx])
                if np.any(weak):
                    k = np.flatnonzero(weak)
                    wq = prob.project(zi[k], wi[k] + 1e-6 * rs[idx[k]] * prob.probe_dir(zi[k], wi[k]))
                    pq = _eval(prob, zi[k], wq)[0]
                    dq = pq - fi[k]
                    step[k] = np.where(np.abs(dq) > 32 * _EPS * rs[idx[k]],
                                       -fi[k] * (wq - wi[k]) / dq, np.nan)
            good = np.isfinite(step)
            fixed = prob.fixed_step(zi, wi, fi, ai)
            wt = prob.project(zi, np.where(good, wi + step, fixed))
            # A step that leaves the region points away from the (interior) root:
            # Newton's basin is not reached yet, and following the step shortened
            # to the boundary would creep along it towards a constrained minimum of
            # |Φ|.  Its projection is kept only if it is a root on the boundary
            # (ν = δ_a gives ω1 = z - a); otherwise a fixed-point step is taken.
            limited = (good & ~(prob.max_step(zi, wi, np.where(good, step, 0)) > 1)
                       if not project else np.zeros(idx.shape, dtype=bool))
        pt, at, rt = _eval(prob, zi, wt)
        if np.any(limited):
            k = np.flatnonzero(limited)
            pt[k] = np.where(_converged(pt[k], rt[k], tol), pt[k], np.inf)
        with np.errstate(invalid="ignore"):
            accepted = ~good | (np.isfinite(pt) & (np.abs(pt) < np.abs(fi)))
        rej = np.flatnonzero(~accepted)
        if rej.size:
            # the Newton/secant step did not decrease |Φ|: plain fixed-point step
            with np.errstate(all="ignore"):
                wf = prob.project(zi[rej], fixed[rej])
            pf, af, rf = _eval(prob, zi[rej], wf)
            wt[rej], pt[rej], rt[rej] = wf, pf, rf
            _put(at, rej, af)
        # never step onto a non-finite value (it could not be recovered from)
        fin = np.isfinite(pt) & np.isfinite(wt)
        upd = idx[fin]
        wprev[upd], fprev[upd] = w[upd], phi[upd]
        w[upd], phi[upd], rs[upd] = wt[fin], pt[fin], rt[fin]
        _put(aux, upd, _take(at, np.flatnonzero(fin)))
        with np.errstate(invalid="ignore"):
            better = fin & (np.abs(pt) < np.abs(bphi[idx]))
            halved = fin & (np.abs(pt) < 0.5 * np.abs(bphi[idx]))
            floor = np.abs(bphi[idx]) <= near * brs[idx]
        stalls[idx] = np.where(halved | ~floor, 0, stalls[idx] + 1)
        j = idx[better]
        bw[j], bphi[j], brs[j] = w[j], phi[j], rs[j]
        _put(baux, j, _take(aux, j))
    return bw, bphi, baux, brs


def _slack(tol, rs):
    return max(tol, 4 * _EPS) * 10 * rs


def _accept(prob, z, w, phi, aux, rs, tol):
    """Verification mask (residual, regions, sign) and the residual scales used."""
    plain = _converged(phi, rs, tol)
    if not np.all(plain):
        # size the rounding error of Φ with the conditioning of the equation
        j = np.flatnonzero(~plain)
        with np.errstate(all="ignore"):
            rs = rs.copy()
            rs[j] = np.maximum(rs[j], prob.rscale_cond(z[j], w[j], _take(aux, j)))
    ok = _converged(phi, rs, tol) & np.isfinite(w)
    with np.errstate(all="ignore"):
        ok &= prob.admissible(z, w, aux, _slack(tol, rs))
    return ok, rs


def _verify(prob, z, w, phi, aux, rs, tol, where=""):
    ok, rs = _accept(prob, z, w, phi, aux, rs, tol)
    if not np.all(ok):
        i = int(np.flatnonzero(~ok)[0])
        G = prob.result(z[i:i + 1], w[i:i + 1], _take(aux, slice(i, i + 1)))[0][0]
        reason = ("residual" if not _converged(phi[i:i + 1], rs[i:i + 1], tol)[0]
                  else "Herglotz/region check")
        raise ConvergenceError(
            f"{prob.name} subordination failed ({reason}){where} at z = {complex(z[i])!r}: "
            f"residual |Φ(ω1)| = {abs(phi[i]):.3g} > {tol:.3g} × {rs[i]:.3g} or out of region; "
            f"ω1 = {complex(w[i])!r}, ω2 = {complex(aux['w2'][i])!r}, G = {complex(G)!r} "
            f"({int(np.count_nonzero(~ok))} of {z.size} points failed)")


def _solve(prob, z, w0, tol, maxiter, n_fixed=0, where="", min_iter=0):
    w, phi, aux, rs = _iterate(prob, z, w0, tol, maxiter, n_fixed, min_iter)
    _verify(prob, z, w, phi, aux, rs, tol, where)
    return w, aux


def _continue(prob, z, eta0, tol, maxiter):
    """Cold solve: continuation in the height from ``eta0`` down to each point."""
    w = prob.start(z)
    aux = None
    d = prob.distance(z)
    near = d < eta0
    far = np.flatnonzero(~near)
    out_w = np.empty(z.shape, dtype=complex)
    out_aux = {}
    if far.size:
        wf, af = _solve(prob, z[far], w[far], tol, maxiter, _N_FIXED)
        out_w[far] = wf
        out_aux = {k: np.empty(z.shape, dtype=complex) for k in af}
        _put(out_aux, far, af)
    idx = np.flatnonzero(near)
    eta = eta0
    n_fixed = _N_FIXED
    wi = w[idx]
    while idx.size:
        stage = d[idx] < eta
        zs = np.where(stage, prob.lift(z[idx], eta), z[idx])
        wi, ai = _solve(prob, zs, wi, tol, maxiter, n_fixed,
                        where=f" (continuation stage at height {eta:.3g})")
        n_fixed = 0
        done = ~stage
        if np.any(done):
            j = idx[done]
            out_w[j] = wi[done]
            if not out_aux:
                out_aux = {k: np.empty(z.shape, dtype=complex) for k in ai}
            _put(out_aux, j, _take(ai, np.flatnonzero(done)))
        idx, wi = idx[stage], wi[stage]
        eta /= _FACTOR
    return out_w, out_aux


# =============================================================================
# argument handling
# =============================================================================
def _points(z, name="z"):
    """Complex128 1-D copy of ``z`` and its shape; DomainError on bad input."""
    arr = np.asarray(z)
    if arr.dtype == bool or arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise DomainError(f"{name} must be numeric (float64/complex128), got dtype {arr.dtype}")
    arr = arr.astype(complex)
    if not np.all(np.isfinite(arr)):
        bad = arr[~np.isfinite(arr)].ravel()[0]
        raise DomainError(f"{name} must be finite, got {bad}")
    return arr.ravel().copy(), arr.shape


def _start_points(omega0, shape, n):
    w0 = np.asarray(omega0)
    if w0.dtype == object or not np.issubdtype(w0.dtype, np.number):
        raise DomainError(f"omega0 must be numeric, got dtype {w0.dtype}")
    try:
        w0 = np.broadcast_to(w0.astype(complex), shape).ravel().copy()
    except ValueError as exc:
        raise DomainError(f"omega0 of shape {np.shape(omega0)} does not broadcast to z of shape {shape}") from exc
    if not np.all(np.isfinite(w0)):
        raise DomainError("omega0 must be finite")
    return w0


def _check_tol(tol, maxiter):
    if not (isinstance(tol, (int, float, np.floating)) and 0 < tol < 1):
        raise DomainError(f"tol must be a float in (0, 1), got {tol!r}")
    if isinstance(maxiter, bool) or not isinstance(maxiter, (int, np.integer)) or maxiter < 1:
        raise DomainError(f"maxiter must be a positive integer, got {maxiter!r}")


def _shape_out(prob, z, w, aux, shape, conj=None):
    G, w1, w2 = prob.result(z, w, aux)
    G, w1, w2 = (np.asarray(v, dtype=complex).copy() for v in (G, w1, w2))
    if conj is not None and np.any(conj):
        G[conj], w1[conj], w2[conj] = np.conj(G[conj]), np.conj(w1[conj]), np.conj(w2[conj])
    return G.reshape(shape), w1.reshape(shape), w2.reshape(shape)


# =============================================================================
# public float64 solvers
# =============================================================================
def additive_subordination(z, cauchy_mu, cauchy_nu, *, omega0=None, tol=1e-14, maxiter=100,
                           cauchy_mu_prime=None, cauchy_nu_prime=None, eta0=None):
    """Free additive convolution ``μ ⊞ ν`` by subordination (Belinschi–Bercovici).

    With ``F = 1/G`` and ``h(w) = F(w) - w``, the subordination function
    ``ω1`` is the Denjoy–Wolff fixed point of ``w ↦ z + h_ν(z + h_μ(w))`` in
    the upper half-plane; ``ω2 = z + h_μ(ω1)``.  Then

        ``G_{μ⊞ν}(z) = G_μ(ω1) = G_ν(ω2)``,   ``ω1 + ω2 = z + 1/G_{μ⊞ν}(z)``,

    and ``Im ω1, Im ω2 ≥ Im z``.

    Parameters
    ----------
    z : array_like
        Points with ``Im z > 0`` (``Im z ≥ 0`` when ``omega0`` is given: a
        real ``z`` then gives the boundary value ``G(x + i0)`` on the branch
        continued from ``omega0``; :func:`real_axis` does this for you).
    cauchy_mu, cauchy_nu : callable
        Vectorised Cauchy transforms ``G_μ``, ``G_ν`` (complex ndarray in and
        out, e.g. ``lambda w: law._cauchy(NP, w)``), valid on the closed upper
        half-plane (boundary values on the real axis).
    omega0 : array_like, optional
        Starting ``ω1`` (broadcast to ``z``).  Without it, points closer than
        ``eta0`` to the real axis are reached by continuation from height
        ``eta0``, dividing the height by 10 at each stage.
    tol : float
        Residual tolerance, relative to the magnitudes of the terms of the
        equation: ``|Φ(ω1)| ≤ tol (|z| + |ω1| + |ω2| + |F_μ(ω1)| + |F_ν(ω2)|)``
        where ``Φ(w) = z + h_ν(z + h_μ(w)) - w``.
    maxiter : int
        Iterations per point and per continuation stage.
    cauchy_mu_prime, cauchy_nu_prime : callable, optional
        Vectorised ``G'``; when both are given, the accelerator is Newton's
        method with the exact derivative instead of the secant method.
    eta0 : float, optional
        Continuation start height; default the spread (standard deviation) of
        ``μ ⊞ ν`` estimated by :func:`law_scale`.

    Returns
    -------
    G, omega1, omega2 : complex ndarray
        Shaped like ``z``.

    Raises
    ------
    DomainError
        Non-finite or non-numeric ``z``, or ``Im z ≤ 0`` (``< 0`` with
        ``omega0``).
    ConvergenceError
        A point whose residual or Herglotz/region check fails; the message
        names the first such point and its residual.

    Examples
    --------
    Semicircle ⊞ semicircle is a semicircle (variances add):

    >>> import numpy as np, freespec as fs
    >>> from freespec._backend import NP
    >>> from freespec.solvers.subordination import additive_subordination
    >>> a, b = fs.semicircle(var=1), fs.semicircle(var=3)
    >>> z = np.array([0.5 + 1j, -3 + 0.01j])
    >>> G, w1, w2 = additive_subordination(z, lambda w: a._cauchy(NP, w), lambda w: b._cauchy(NP, w))
    >>> bool(np.allclose(G, fs.semicircle(var=4).cauchy(z), rtol=1e-13, atol=0))
    True
    >>> bool(np.allclose(w1 + w2, z + 1 / G))
    True
    """
    z, shape = _points(z)
    _check_tol(tol, maxiter)
    prob = _Additive(cauchy_mu, cauchy_nu, cauchy_mu_prime, cauchy_nu_prime)
    if omega0 is None:
        if np.any(z.imag <= 0):
            bad = z[z.imag <= 0][0]
            raise DomainError(f"additive_subordination needs Im z > 0, got z = {bad} "
                              "(use real_axis for boundary values on the real line)")
        if z.size == 0:
            return _empty(shape)
        eta = eta0 if eta0 is not None else _eta0_additive(cauchy_mu, cauchy_nu)
        w, aux = _continue(prob, z, eta, tol, maxiter)
    else:
        if np.any(z.imag < 0):
            bad = z[z.imag < 0][0]
            raise DomainError(f"additive_subordination needs Im z >= 0, got z = {bad}")
        w0 = _start_points(omega0, shape, z.size)
        if z.size == 0:
            return _empty(shape)
        w, aux = _solve(prob, z, prob.project(z, w0), tol, maxiter)
    return _shape_out(prob, z, w, aux, shape)


def multiplicative_subordination(z, cauchy_mu, cauchy_nu, *, omega0=None, tol=1e-14, maxiter=100,
                                 cauchy_mu_prime=None, cauchy_nu_prime=None, eta0=None):
    """Free multiplicative convolution ``μ ⊠ ν`` of laws on ``[0, ∞)`` by subordination.

    Transforms (docs/conventions.rst): ``ψ(u) = ∫ ux/(1 - ux) dμ(x) =
    (1/u) G(1/u) - 1`` and ``η(u) = ψ(u)/(1 + ψ(u)) = 1 - u F(1/u)``, ``F =
    1/G``.  Belinschi–Bercovici: there are analytic ``ω1, ω2`` on
    ``ℂ \\ [0, ∞)`` with ``η_{μ⊠ν}(u) = η_μ(ω1(u)) = η_ν(ω2(u))`` and
    ``ω1(u) ω2(u) = u η_{μ⊠ν}(u)``; ``ω1`` is the Denjoy–Wolff fixed point of
    ``w ↦ u h_ν(u h_μ(w))``, ``h(w) = η(w)/w``.

    **Variable.**  ``η`` and ``ψ`` are functions of ``u = 1/z``; this function
    works, and returns ``ω1``, ``ω2``, in the *Cauchy variable* ``z`` of
    ``G``: ``Ω_j = 1/ω_j(1/z)``.  With ``k(Ω) = Ω - F(Ω)`` (``= h(1/Ω)``) the
    fixed-point map becomes ``Ω ↦ z / k_ν(z / k_μ(Ω))``, ``Ω2 = z/k_μ(Ω1)``,
    and

        ``z G_{μ⊠ν}(z) = Ω1 G_μ(Ω1) = Ω2 G_ν(Ω2)``,
        ``F_{μ⊠ν}(z)/z = F_μ(Ω1)/Ω1 = F_ν(Ω2)/Ω2``,   ``Ω1 Ω2 = z² / (z - F_{μ⊠ν}(z))``.

    For ``Im z > 0``, ``arg z ≤ arg Ω_j ≤ π``; for ``z < 0`` the ``Ω_j`` are
    negative reals.  (Example: ``ν = δ_c`` gives ``Ω1 = z/c`` and
    ``G = G_μ(z/c)/c``.)

    Parameters
    ----------
    z : array_like
        Points of ``ℂ \\ [0, ∞)``; with ``omega0`` also ``z > 0`` (boundary
        value ``G(x + i0)``, see :func:`real_axis`).  Points with ``Im z < 0``
        are solved at ``z̄`` and conjugated.
    cauchy_mu, cauchy_nu : callable
        Vectorised Cauchy transforms of laws supported on ``[0, ∞)``, neither
        of them ``δ0`` (``μ ⊠ δ0 = δ0``).  The support is not checked: for a
        law charging ``(-∞, 0)`` the region checks fail and
        :class:`ConvergenceError` is raised.
    omega0 : array_like, optional
        Starting ``Ω1`` (Cauchy variable).
    tol : float
        Residual tolerance, relative: ``|Φ(Ω1)| ≤ tol |Ω1| (1 + c_μ + c_ν)``,
        ``Φ(Ω) = z/k_ν(z/k_μ(Ω)) - Ω``, where ``c = (|Ω| + |F(Ω)|)/|k(Ω)|`` is
        the cancellation factor of the subtraction ``Ω - F(Ω)`` (rounding makes
        ``k`` lose that many digits far from the spectrum, a property of
        computing ``η`` from ``G``).
    maxiter, cauchy_mu_prime, cauchy_nu_prime, eta0 :
        As in :func:`additive_subordination`; the default ``eta0`` is the
        spread of ``μ ⊠ ν``, and points within ``eta0`` of ``[0, ∞)`` are
        reached by continuation from height ``eta0``.

    Returns
    -------
    G, omega1, omega2 : complex ndarray
        ``G_{μ⊠ν}(z)`` and ``Ω1``, ``Ω2`` (Cauchy variable), shaped like ``z``.

    Raises
    ------
    DomainError
        Non-finite ``z``, ``z ∈ [0, ∞)`` (``z = 0`` always), or a ``δ0`` factor.
    ConvergenceError
        As in :func:`additive_subordination`.

    Examples
    --------
    ``MP(γ) ⊠ δ_c = MP(γ, var=c)``:

    >>> import numpy as np, freespec as fs
    >>> from freespec._backend import NP
    >>> from freespec.solvers.subordination import multiplicative_subordination
    >>> mp, d = fs.marchenko_pastur(0.5), fs.atoms([3.0])
    >>> z = np.array([1 + 1j, -2.0, 4 - 0.1j])
    >>> G, W1, W2 = multiplicative_subordination(z, lambda w: mp._cauchy(NP, w), lambda w: d._cauchy(NP, w))
    >>> bool(np.allclose(G, fs.marchenko_pastur(0.5, var=3).cauchy(z), rtol=1e-13, atol=0))
    True
    >>> bool(np.allclose(W1, z / 3))
    True
    """
    z, shape = _points(z)
    _check_tol(tol, maxiter)
    prob = _Multiplicative(cauchy_mu, cauchy_nu, cauchy_mu_prime, cauchy_nu_prime)
    if np.any(z == 0):
        raise DomainError("multiplicative_subordination: z = 0 is not in the domain ℂ \\ [0, ∞)")
    on_axis = (z.imag == 0) & (z.real > 0)
    if omega0 is None and np.any(on_axis):
        raise DomainError(f"multiplicative_subordination needs z in ℂ \\ [0, ∞), got z = {z[on_axis][0]} "
                          "(use real_axis for boundary values on the positive axis)")
    if z.size == 0:
        return _empty(shape)
    _check_not_delta0(cauchy_mu, "mu")
    _check_not_delta0(cauchy_nu, "nu")
    conj = z.imag < 0
    zz = np.where(conj, np.conj(z), z)
    if omega0 is None:
        eta = eta0 if eta0 is not None else _eta0_multiplicative(cauchy_mu, cauchy_nu)
        w, aux = _continue(prob, zz, eta, tol, maxiter)
    else:
        w0 = _start_points(omega0, shape, z.size)
        w0 = np.where(conj, np.conj(w0), w0)
        w, aux = _solve(prob, zz, prob.project(zz, w0), tol, maxiter)
    return _shape_out(prob, zz, w, aux, shape, conj)


def _check_not_delta0(G, name):
    pts = np.array([1j, -1.0 + 0j, 2.0 + 3j])
    with np.errstate(all="ignore"):
        v = np.asarray(G(pts), dtype=complex)
    if np.all(np.abs(v * pts - 1) <= 4 * _EPS):
        raise DomainError(f"multiplicative_subordination: {name} is δ0 "
                          "(μ ⊠ δ0 = δ0; no subordination function)")


def _empty(shape):
    e = np.empty(shape, dtype=complex)
    return e, e.copy(), e.copy()


# =============================================================================
# boundary values on the real axis
# =============================================================================
_KINDS = {}


def _kind(solver):
    if isinstance(solver, str) and solver in ("additive", "multiplicative"):
        return solver
    kind = _KINDS.get(solver)
    if kind is None:
        raise DomainError("real_axis: solver must be additive_subordination or "
                          f"multiplicative_subordination (or their names), got {solver!r}")
    return kind


def real_axis(solver, x, cauchy_mu, cauchy_nu, *, eta0=None, tol=1e-14, maxiter=100,
              cauchy_mu_prime=None, cauchy_nu_prime=None, full_output=False):
    """Boundary values ``G(x + i0)`` of ``μ ⊞ ν`` or ``μ ⊠ ν`` on the real axis.

    Continuation: each point is solved at ``x + iη0`` (``η0`` ~ the spread of
    the convolved law), then at heights divided by 10, each stage starting
    from the previous ``ω1`` and verified (residual, regions, sign), down to
    ``η ≈ 1e-12 η0``; finally at ``η = 0`` exactly, by the same safeguarded
    iteration started from the last point, and verified again.  No smoothing
    ``η`` remains in the answer.  Where ``ω1`` and ``ω2`` end real (outside
    the support) and the real point passes the residual test, the result is
    exactly real.

    Parameters
    ----------
    solver : {additive_subordination, multiplicative_subordination} or {'additive', 'multiplicative'}
    x : array_like
        Real points.  For ``⊠``, ``x < 0`` is solved directly (it is in the
        domain), and ``x = 0`` is ``G(0) = -G_μ(0) G_ν(0)`` when both factors
        keep away from 0 (:class:`DomainError` otherwise).
    cauchy_mu, cauchy_nu : callable
        Vectorised Cauchy transforms, valid on the closed upper half-plane
        (boundary values on the real axis).
    eta0 : float, optional
        Start height; default from :func:`law_scale`.
    tol, maxiter, cauchy_mu_prime, cauchy_nu_prime :
        Passed to the solver.
    full_output : bool
        Return ``(G, omega1, omega2)`` instead of ``G``.

    Returns
    -------
    complex ndarray
        ``G(x + i0)``, shaped like ``x`` (``Im G = -π × density``).

    Raises
    ------
    DomainError
        Non-real or non-finite ``x``; ``x`` where ``G`` diverges (an atom of
        the convolution or an edge where its density diverges, detected as a
        jump of ``G`` between the last height and ``η = 0``; also raised
        within about ``1e-12 η0`` of such a point).
    ConvergenceError
        A stage fails verification.

    Examples
    --------
    >>> import numpy as np, freespec as fs
    >>> from freespec._backend import NP
    >>> from freespec.solvers.subordination import additive_subordination, real_axis
    >>> a = fs.semicircle(var=0.5)
    >>> x = np.array([0.3, 1.9, 2.5])
    >>> G = real_axis(additive_subordination, x, lambda w: a._cauchy(NP, w), lambda w: a._cauchy(NP, w))
    >>> bool(np.allclose(G, fs.semicircle(var=1).cauchy(x + 0j), rtol=1e-10, atol=0))
    True
    >>> float(G[2].imag)        # outside the support: exactly real
    0.0
    """
    kind = _kind(solver)
    arr = np.asarray(x)
    if arr.dtype == bool or arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise DomainError(f"x must be real numbers, got dtype {arr.dtype}")
    if np.iscomplexobj(arr):
        if np.any(arr.imag != 0):
            raise DomainError("x must be real")
        arr = arr.real
    xs, shape = _points(arr.astype(float), name="x")
    _check_tol(tol, maxiter)
    args = (cauchy_mu, cauchy_nu, cauchy_mu_prime, cauchy_nu_prime)
    if kind == "additive":
        prob = _Additive(*args)
        eta = eta0 if eta0 is not None else _eta0_additive(cauchy_mu, cauchy_nu)
    else:
        prob = _Multiplicative(*args)
        if xs.size:
            _check_not_delta0(cauchy_mu, "mu")
            _check_not_delta0(cauchy_nu, "nu")
        eta = eta0 if eta0 is not None else _eta0_multiplicative(cauchy_mu, cauchy_nu)
    if xs.size == 0:
        out = _empty(shape)
        return out if full_output else out[0]
    if not (math.isfinite(eta) and eta > 0):
        raise DomainError(f"eta0 must be a finite positive height, got {eta!r}")
    w = np.empty(xs.shape, dtype=complex)
    aux = None
    pos = np.flatnonzero(xs > 0) if kind == "multiplicative" else np.arange(xs.size)
    neg = np.flatnonzero(xs < 0) if kind == "multiplicative" else np.array([], dtype=int)
    parts = []
    if neg.size:
        # in the domain: a cold solve (continuation in |z| where needed)
        parts.append((neg, *_continue(prob, xs[neg] + 0j, eta, tol, maxiter)))
    if pos.size:
        zp = xs[pos] + 0j
        z_low = zp + 1j * (_ETA_MIN * eta)
        w_low, a_low = _continue(prob, z_low, eta, tol, maxiter)
        wp, phi, ap, rs = _iterate(prob, zp, prob.project(zp, w_low), tol, maxiter, min_iter=3, project=True)
        _check_finite_limit(prob, zp, wp, ap, z_low, w_low, a_low)
        _verify(prob, zp, wp, phi, ap, rs, tol, where=" (final stage, η = 0)")
        wp, ap = _snap_real(prob, zp, wp, ap, tol)
        parts.append((pos, wp, ap))
    z = xs + 0j
    zero = np.flatnonzero(xs == 0) if kind == "multiplicative" else np.array([], dtype=int)
    if zero.size:
        G_zero = _multiplicative_at_zero(cauchy_mu, cauchy_nu)
        z = np.where(xs == 0, 1.0, xs) + 0j      # placeholder, patched below
    for idx, wi, ai in parts:
        w[idx] = wi
        if aux is None:
            aux = {k: np.zeros(xs.shape, dtype=complex) for k in ai}
        _put(aux, idx, ai)
    if aux is None:
        aux = {k: np.zeros(xs.shape, dtype=complex) for k in ("w2", "Gm")}
    G, w1, w2 = (v.ravel() for v in _shape_out(prob, z, w, aux, (xs.size,)))
    if zero.size:
        G[zero], w1[zero], w2[zero] = G_zero, 0, 0
    out = G.reshape(shape), w1.reshape(shape), w2.reshape(shape)
    return out if full_output else out[0]


def _multiplicative_at_zero(Gm, Gn):
    """``G_{μ⊠ν}(0) = -G_μ(0) G_ν(0)`` (``= -φ(a⁻¹) φ(b⁻¹)`` for free positive
    ``a``, ``b``), where both laws keep away from 0 (``G(0)`` finite and real);
    ``Ω1 = Ω2 = 0`` there.  Otherwise 0 is in the closed support of ``μ ⊠ ν``
    and ``G(0 + i0)`` is infinite or undetermined here: DomainError."""
    with np.errstate(all="ignore"):
        gm = complex(np.asarray(Gm(np.zeros(1, dtype=complex)), dtype=complex)[0])
        gn = complex(np.asarray(Gn(np.zeros(1, dtype=complex)), dtype=complex)[0])
    if not (np.isfinite(gm) and np.isfinite(gn) and gm.imag == 0 and gn.imag == 0
            and gm.real < 0 and gn.real < 0):
        raise DomainError("multiplicative convolution at x = 0: 0 is in the closed support of a "
                          f"factor (G_mu(0) = {gm}, G_nu(0) = {gn}); G(0 + i0) is not computed")
    return -gm.real * gn.real


def _check_finite_limit(prob, z, w, aux, z_low, w_low, a_low):
    """``G(x + i0)`` must continue ``G(x + iη_min)``: a relative jump of more than
    1/2 means ``G`` diverges at (or within about ``η_min`` of) ``x``: an atom of
    the convolution or an edge where the density diverges."""
    G0 = prob.result(z, w, aux)[0]
    Gl = prob.result(z_low, w_low, a_low)[0]
    with np.errstate(all="ignore"):
        bad = ~np.isfinite(G0) | ~(np.abs(G0 - Gl) <= 0.5 * np.abs(Gl))
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        raise DomainError(
            f"{prob.name} convolution: G(x + i0) diverges at x = {z[i].real!r} (an atom of the "
            f"convolution, or an edge where its density diverges; G = {complex(Gl[i])!r} at "
            f"height {z_low[i].imag:.3g} above it)")


def _snap_real(prob, z, w, aux, tol):
    """Make ω1 exactly real where it is real up to rounding and stays verified."""
    w2 = aux["w2"]
    cand = np.flatnonzero((np.abs(w.imag) <= 1e-10 * np.abs(w))
                          & (np.abs(w2.imag) <= 1e-10 * np.abs(w2))
                          & ((w.imag != 0) | (w2.imag != 0)))
    if cand.size == 0:
        return w, aux
    zc = z[cand]
    wr = w[cand].real + 0j
    phi, ac, rs = _eval(prob, zc, wr)
    G = prob.result(zc, wr, ac)[0]
    ok, _ = _accept(prob, zc, wr, phi, ac, rs, tol)
    ok &= (ac["w2"].imag == 0) & (G.imag == 0)
    j = np.flatnonzero(ok)
    w = w.copy()
    w[cand[j]] = wr[j]
    _put(aux, cand[j], _take(ac, j))
    return w, aux


_KINDS[additive_subordination] = "additive"
_KINDS[multiplicative_subordination] = "multiplicative"


# =============================================================================
# mpmath
# =============================================================================
def _vectorise_mp(G):
    """A float64 stand-in for an mpmath callable (only for the float start)."""
    def f(a):
        a = np.asarray(a, dtype=complex)
        out = np.empty(a.shape, dtype=complex)
        for i, v in enumerate(a.ravel()):
            try:
                out.flat[i] = complex(G(mpmath.mpc(v)))
            except (ZeroDivisionError, ValueError, OverflowError):
                out.flat[i] = complex(np.nan, np.nan)
        return out
    return f


def _mp_point(z, name="z"):
    try:
        v = mpmath.mpmathify(z)
    except (TypeError, ValueError) as exc:
        raise DomainError(f"{name} must be a number, got {z!r}") from exc
    if not mpmath.isfinite(v):
        raise DomainError(f"{name} must be finite, got {z!r}")
    return mpmath.mpc(v)


def _iterate_mp(prob, z, w, maxiter):
    eps = mpmath.eps
    stop = 10 * eps

    def ev(v):
        try:
            phi, aux = prob.eval(z, v)
            return phi, aux, prob.rscale(z, v, aux)
        except (ZeroDivisionError, ValueError, OverflowError):
            return None

    cur = ev(w)
    if cur is None:
        raise ConvergenceError(f"{prob.name} subordination (mpmath): cannot evaluate at the start "
                               f"ω1 = {w} for z = {z}")
    phi, aux, rs = cur
    wprev = fprev = None
    stalls = 0
    for _ in range(maxiter):
        if abs(phi) <= stop * rs or stalls >= 3:
            break
        step = None
        try:
            if prob.has_derivative:
                step = -phi / prob.derivative(z, w, aux)
            elif wprev is not None and phi != fprev:
                step = -phi * (w - wprev) / (phi - fprev)
        except ZeroDivisionError:
            step = None
        new = None
        if step is not None and mpmath.isfinite(step):
            wt = prob.project_mp(z, w + step)
            new = ev(wt)
            if new is not None and not abs(new[0]) < abs(phi):
                new = None
        if new is None:
            wt = prob.project_mp(z, prob.fixed_step(z, w, phi, aux))
            new = ev(wt)
            if new is None:
                break
        stalls = stalls + 1 if not abs(new[0]) < abs(phi) else 0
        wprev, fprev = w, phi
        w, (phi, aux, rs) = wt, new
    return w, phi, aux, rs


def _solve_mp(prob, z, w0, maxiter):
    w, phi, aux, rs = _iterate_mp(prob, z, mpmath.mpc(w0), maxiter)
    dps = mpmath.mp.dps
    tol = mpmath.mpf(10) ** (-dps + 5)
    eps = mpmath.eps
    if not abs(phi) <= tol * rs:
        try:
            rs = max(rs, prob.rscale_cond(z, w, aux, mp=True))
        except (ZeroDivisionError, ValueError):
            pass
    slack = 10 * tol * rs
    if not (abs(phi) <= tol * rs and prob.admissible_mp(z, w, aux, slack, eps)):
        raise ConvergenceError(
            f"{prob.name} subordination (mpmath, {dps} digits) failed at z = {mpmath.nstr(z, 17)}: "
            f"residual |Φ(ω1)| = {mpmath.nstr(abs(phi), 5)} (tolerance "
            f"{mpmath.nstr(tol * rs, 5)}) or Herglotz/region check; ω1 = {mpmath.nstr(w, 17)}")
    G, w1, w2 = prob.result(z, w, aux)
    return G, w1, w2


def additive_subordination_mp(z, cauchy_mu, cauchy_nu, *, cauchy_mu_np=None, cauchy_nu_np=None,
                              cauchy_mu_prime=None, cauchy_nu_prime=None, omega0=None, maxiter=100):
    """:func:`additive_subordination` at one mpmath point, at the working precision.

    Starts from the float64 solution at ``complex(z)`` (:func:`real_axis` when
    ``z`` is real or its imaginary part underflows in float64), then iterates
    in mpmath at ``mpmath.mp.dps`` (secant, or Newton with the exact
    derivative when ``cauchy_mu_prime`` and ``cauchy_nu_prime`` are given),
    and verifies ``|Φ(ω1)| ≤ 10^(5 - dps) × s`` (``s`` as in
    :func:`additive_subordination`), ``Im ω1, Im ω2 ≥ Im z`` and ``Im G ≤ 0``
    within rounding.

    Parameters
    ----------
    z : mpmath number (or anything :func:`mpmath.mpmathify` accepts)
        ``Im z ≥ 0``; real ``z`` gives the boundary value ``G(x + i0)``.
    cauchy_mu, cauchy_nu : callable
        ``G_μ``, ``G_ν`` on mpmath scalars at the working precision
        (e.g. ``lambda w: law._cauchy(MP, w)``).
    cauchy_mu_np, cauchy_nu_np : callable, optional
        Vectorised float64 versions for the start; by default the mpmath
        callables are applied point by point (slower).
    cauchy_mu_prime, cauchy_nu_prime : callable, optional
        mpmath ``G'`` callables (Newton instead of secant).
    omega0 : mpmath number, optional
        Start instead of the float64 solution.
    maxiter : int

    Returns
    -------
    G, omega1, omega2 : mpmath.mpc

    Raises
    ------
    DomainError, ConvergenceError

    Examples
    --------
    >>> import mpmath, freespec as fs
    >>> from freespec._backend import MP, NP
    >>> from freespec.solvers.subordination import additive_subordination_mp
    >>> a = fs.semicircle(var=1)
    >>> with mpmath.workdps(40):
    ...     G, w1, w2 = additive_subordination_mp(mpmath.mpc(0.5, 1), lambda w: a._cauchy(MP, w),
    ...                                           lambda w: a._cauchy(MP, w),
    ...                                           cauchy_mu_np=lambda w: a._cauchy(NP, w),
    ...                                           cauchy_nu_np=lambda w: a._cauchy(NP, w))
    ...     err = abs(G - fs.semicircle(var=2)._cauchy(MP, mpmath.mpc(0.5, 1)))
    >>> bool(err < mpmath.mpf(10) ** -38)
    True
    """
    z = _mp_point(z)
    if mpmath.im(z) < 0:
        raise DomainError(f"additive_subordination_mp needs Im z >= 0, got z = {z}")
    prob = _Additive(cauchy_mu, cauchy_nu, cauchy_mu_prime, cauchy_nu_prime)
    if omega0 is None:
        omega0 = _float_start("additive", z, cauchy_mu, cauchy_nu, cauchy_mu_np, cauchy_nu_np)
    else:
        omega0 = _mp_point(omega0, "omega0")
    return _solve_mp(prob, z, omega0, maxiter)


def multiplicative_subordination_mp(z, cauchy_mu, cauchy_nu, *, cauchy_mu_np=None, cauchy_nu_np=None,
                                    cauchy_mu_prime=None, cauchy_nu_prime=None, omega0=None, maxiter=100):
    """:func:`multiplicative_subordination` at one mpmath point, at the working precision.

    Same variables as :func:`multiplicative_subordination` (``Ω1``, ``Ω2`` in
    the Cauchy variable, ``z G(z) = Ω1 G_μ(Ω1)``), same start/polish/verify
    scheme as :func:`additive_subordination_mp`.  ``z > 0`` gives the boundary
    value ``G(x + i0)``, ``Im z < 0`` is solved at ``z̄`` and conjugated, and
    ``z = 0`` is ``-G_μ(0) G_ν(0)`` as in :func:`real_axis`.

    Examples
    --------
    >>> import mpmath, freespec as fs
    >>> from freespec._backend import MP, NP
    >>> from freespec.solvers.subordination import multiplicative_subordination_mp
    >>> mp, d = fs.marchenko_pastur(0.5), fs.atoms([2])
    >>> with mpmath.workdps(30):
    ...     G, W1, W2 = multiplicative_subordination_mp(mpmath.mpc(1, 1), lambda w: mp._cauchy(MP, w),
    ...                                                 lambda w: d._cauchy(MP, w),
    ...                                                 cauchy_mu_np=lambda w: mp._cauchy(NP, w),
    ...                                                 cauchy_nu_np=lambda w: d._cauchy(NP, w))
    ...     err = abs(G - fs.marchenko_pastur(0.5, var=2)._cauchy(MP, mpmath.mpc(1, 1)))
    >>> bool(err < mpmath.mpf(10) ** -28)
    True
    """
    z = _mp_point(z)
    if z == 0:
        # G(0) = -G_μ(0) G_ν(0) when both factors keep away from 0 (see real_axis)
        try:
            gm, gn = mpmath.mpc(cauchy_mu(mpmath.mpc(0))), mpmath.mpc(cauchy_nu(mpmath.mpc(0)))
        except (ZeroDivisionError, ValueError) as exc:
            raise DomainError("multiplicative_subordination_mp at z = 0: 0 is an atom of a factor") from exc
        if not (mpmath.isfinite(gm) and mpmath.isfinite(gn) and gm.imag == 0 and gn.imag == 0
                and gm.real < 0 and gn.real < 0):
            raise DomainError("multiplicative_subordination_mp at z = 0: 0 is in the closed support "
                              f"of a factor (G_mu(0) = {gm}, G_nu(0) = {gn})")
        zero = mpmath.mpc(0)
        return -gm * gn, zero, zero
    conj = mpmath.im(z) < 0
    if conj:
        z = mpmath.conj(z)
    prob = _Multiplicative(cauchy_mu, cauchy_nu, cauchy_mu_prime, cauchy_nu_prime)
    if omega0 is None:
        omega0 = _float_start("multiplicative", z, cauchy_mu, cauchy_nu, cauchy_mu_np, cauchy_nu_np)
    else:
        omega0 = _mp_point(omega0, "omega0")
        if conj:
            omega0 = mpmath.conj(omega0)
    G, w1, w2 = _solve_mp(prob, z, omega0, maxiter)
    if conj:
        G, w1, w2 = mpmath.conj(G), mpmath.conj(w1), mpmath.conj(w2)
    return G, w1, w2


def _float_start(kind, z, Gm, Gn, Gm_np, Gn_np):
    Gm_np = Gm_np if Gm_np is not None else _vectorise_mp(Gm)
    Gn_np = Gn_np if Gn_np is not None else _vectorise_mp(Gn)
    zc = complex(z)
    solver = additive_subordination if kind == "additive" else multiplicative_subordination
    if zc.imag > 0 or (kind == "multiplicative" and zc.real < 0):
        _, w1, _ = solver(np.array([zc]), Gm_np, Gn_np)
    else:
        # real to float64 precision: the boundary value's branch, by continuation
        _, w1, _ = real_axis(solver, np.array([zc.real]), Gm_np, Gn_np, full_output=True)
    return mpmath.mpc(complex(w1[0]))
