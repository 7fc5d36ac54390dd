"""Laws whose Cauchy transform is the inverse of an explicit map.

Two equations of random-matrix theory reduce to ``Z(w) = z`` with an explicit
``Z(w) = w + H(w)`` and an unknown ``w`` in the upper half-plane:

* **Pastur** (deformed semicircle, ``semicircle(σ²) ⊞ ν``): ``w`` is the
  subordination function, ``H(w) = σ² G_ν(w)`` and ``G(z) = G_ν(w)``
  (``G(z) = G_ν(z − σ² G(z))``).
* **Silverstein** (sample covariance, ``marchenko_pastur(γ) ⊠ ν``): with
  ``m̲ = −(1 − γ)/z + γ m`` the Stieltjes transform of the companion matrix
  ``(1/n) Xᵀ Σ X``, put ``w = −1/m̲``; Silverstein's equation
  ``z = −1/m̲ + γ ∫ t dν(t)/(1 + t m̲)`` becomes ``H(w) = γ ∫ w t/(w − t) dν(t)
  = γ w T_ν(w)`` (``T(w) = w G(w) − 1``) and ``G(z) = G_ν(w)/(1 + γ T_ν(w))``.

In both, ``w ↦ z − H(w)`` maps the upper half-plane into ``{Im w ≥ Im z}``
(a globally convergent fixed point, Denjoy–Wolff), ``Z`` is real on the real
line off the support of ``ν`` and the complement of the support of the result
is the image by ``Z`` of the real intervals where ``Z′ > 0`` (Silverstein &
Choi 1995, Thm 4.1–4.2; Biane 1997 for Pastur's case).  Edges are the values
of ``Z`` at the zeros of ``Z′`` (or at the end of a cut where ``Z′`` stays
positive), found by bracketing and refined to working precision.

Evaluation: fixed point then safeguarded Newton in the upper half-plane; on the
real axis, continuation from ``x + iη`` with ``η`` decreasing to 0 exactly, the
last Newton steps taken on the real axis itself, then verification (residual,
Herglotz sign, and ``Z′ > 0`` for real solutions).  Many real points at once
(density grids) go coarse to fine (:func:`_solve_axis`): one point in 16 by
continuation, the others by Newton on the axis from an interpolated start, each
root accepted by a uniqueness argument (docs/conventions.rst).

References: J. W. Silverstein and S.-I. Choi, "Analysis of the limiting
spectral distribution of large dimensional random matrices", J. Multivariate
Anal. 54 (1995); L. Pastur, "On the spectrum of random matrices", Teor. Mat.
Fiz. 10 (1972); P. Biane, "On the free convolution with a semi-circular
distribution", Indiana Univ. Math. J. 46 (1997).
"""

import mpmath
import numpy as np
from scipy.optimize import brentq

from .._backend import MP, NP
from ..errors import ConvergenceError
from ..laws.discrete import atomic_sums

__all__ = ["PasturMap", "SilversteinMap", "solve", "solve_mp", "support_edges", "critical_points"]


class _InverseMap:
    """``Z(w) = w + H(w)`` built on a law ``nu`` (internal protocol of the solvers)."""

    def __init__(self, nu):
        self.nu = nu
        self.poles = _pole_source(nu)

    # H, H' and the map back to G are defined by subclasses
    def Z(self, B, w):
        return w + self.H(B, w)

    def dZ(self, B, w):
        return 1 + self.dH(B, w)

    def Z_dZ(self, w):
        """(Z(w), Z′(w)) on float64 arrays; atomic ν fuses both into one pass."""
        if self._atomic_np():
            return self._fused(w)
        if self.poles is not None and hasattr(self, "_fused_poles"):
            return self._fused_poles(w)
        return self.Z(NP, w), self.dZ(NP, w)

    def _is_atomic(self):
        from ..laws.discrete import Atoms
        return isinstance(self.nu, Atoms)

    def _atomic_np(self):
        if "_atomic_small" not in self.__dict__:          # fixed for the map: once
            self.__dict__["_atomic_small"] = self._is_atomic() and len(self.nu._vw(NP)[0]) <= 4096
        return self.__dict__["_atomic_small"]

    def _pole_c(self, values):
        """Weights ``c_j`` of ``Z′(w) = 1 − Σ c_j/(w − t_j)²`` for the compressed atoms ``t_j``."""
        return self._pole_factor(NP) * self.poles.mass() * values ** self._pole_beta

    def _head_count(self):
        """Number of largest atoms of a compressed population that may leave a gap.

        Between consecutive atoms ``t_i < t_{i+1}`` (weights ``c`` of :meth:`_pole_c`),
        the two poles alone keep ``Z′ < 0`` when ``(c_i^{1/3} + c_{i+1}^{1/3})³ ≥
        (t_{i+1} − t_i)²`` (the minimum of ``c_i/u² + c_{i+1}/(L − u)²``); every pair
        below the first pair failing this test is a stretch without critical points
        (one cut).
        """
        if "_head" not in self.__dict__:
            v = self.poles.values()
            c = self._pole_c(v)
            skip = (np.cbrt(c[:-1]) + np.cbrt(c[1:])) ** 3 >= np.diff(v) ** 2
            bad = np.flatnonzero(~skip)
            first = int(bad[0]) if bad.size else len(v) - 1
            self.__dict__["_head"] = len(v) - 1 - first
        return self.__dict__["_head"]

    def step(self, B, w, z):
        return z - self.H(B, w)

    def cuts(self, B):
        """Closed real sets where ``Z`` is singular: the support and atoms of ``nu``."""
        if self.poles is not None:
            return self.poles.cuts(self._head_count())
        cuts = [tuple(iv) for iv in self.nu._support(B)]
        cuts += [(loc, loc) for loc, _ in self.nu._atoms(B) if self._atom_is_cut(loc)]
        return sorted(cuts)

    def _atom_is_cut(self, loc):
        return True

    def scale(self):
        """A length scale of the result (spread of ν plus the spread the map adds)."""
        if "_scale" not in self.__dict__:
            if self.poles is not None:
                pts = list(self.poles.range())
            else:
                pts = [p for c in self.cuts(NP) for p in c] + [a for a, _ in self.nu._atoms(NP)] or [0.0]
            lo, hi = min(pts), max(pts)
            self.__dict__["_scale"] = max(hi - lo, abs(hi), abs(lo)) + self._own_scale(max(abs(lo), abs(hi)))
        return self.__dict__["_scale"]


class PasturMap(_InverseMap):
    """``semicircle(var) ⊞ nu``: ``H(w) = var · G_ν(w)``, ``G = G_ν(w)``."""

    _pole_beta = 0             # Z′ = 1 − Σ σ² p_j/(w − t_j)²

    def __init__(self, nu, var):
        super().__init__(nu)
        self.var = var

    def _pole_factor(self, B):
        return self._v(B)

    def _fused_poles(self, w):
        g, g2 = self.poles.sums(NP, w, [(1, 0), (2, 0)])
        v = self._v(NP)
        return w + v * g, 1 - v * g2

    def _v(self, B):
        if B.is_mp:
            return B.num(self.var)
        v = self.__dict__.get("_v_float")
        if v is None:
            v = self._v_float = B.num(self.var)
        return v

    def _own_scale(self, r):
        return 2 * float(np.sqrt(NP.num(self.var)))

    def H(self, B, w):
        return self._v(B) * self.nu._cauchy(B, w)

    def dH(self, B, w):
        return self._v(B) * self.nu._cauchy_prime(B, w)

    def cauchy_from(self, B, w, z):
        return self.nu._cauchy(B, w)

    def pole_weights(self):
        """For atomic ν: Z′(w) = 1 − Σ c_j/(w − t_j)²; returns (t, c), else None."""
        if not self._is_atomic():
            return None
        t, p = self.nu._vw(NP)
        return np.asarray(t, float), self._v(NP) * np.asarray(p, float)

    def _fused(self, w):
        t, p = self.nu._vw(NP)
        v = self._v(NP)
        g, g2 = atomic_sums(w.ravel(), t, p)
        return w + v * g.reshape(w.shape), 1 - v * g2.reshape(w.shape)

    def initial(self, z):
        return z


class SilversteinMap(_InverseMap):
    """``marchenko_pastur(ratio) ⊠ nu``: ``H(w) = γ w T_ν(w)``, ``G = (1/w − (1 − γ)/z)/γ``."""

    _pole_beta = 2             # Z′ = 1 − Σ γ p_j t_j²/(w − t_j)²

    def __init__(self, nu, ratio):
        super().__init__(nu)
        self.ratio = ratio
        from ..laws.discrete import Atoms
        self._atomic = isinstance(nu, Atoms)

    def _g(self, B):
        if B.is_mp:
            return B.num(self.ratio)
        g = self.__dict__.get("_g_float")
        if g is None:                 # B.num of an exact ratio costs ~0.1 ms: once per map
            g = self._g_float = B.num(self.ratio)
        return g

    def _pole_factor(self, B):
        return self._g(B)

    def _own_scale(self, r):
        g = NP.num(self.ratio)
        return r * (1 + np.sqrt(g)) ** 2 + r

    def _atom_is_cut(self, loc):
        return loc != 0        # an atom of ν at 0 leaves H analytic

    def _T(self, B, w):
        """T_ν(w) = w G_ν(w) − 1 = ∫ t/(w − t) dν(t), summed directly for atomic ν."""
        if self.poles is not None:
            return self.poles.sums(B, w, [(1, 1)])[0]
        if self._atomic:
            t, p = self.nu._vw(B)
            if B.is_mp:
                return mpmath.fsum(pi * ti / (w - ti) for ti, pi in zip(t, p))
            t, _, pt = self._atomic_weights()
            w = np.asarray(w, dtype=complex)
            return atomic_sums(w.ravel(), t, pt, second=False)[0].reshape(w.shape)
        if B.is_mp:
            if w == 0:    # T(0) = −ν(ℝ \ {0}) exactly (w G(w) is 0 · ∞ there when ν charges 0⁺)
                return -1 + self._zero_mass(B)
            return w * self.nu._cauchy(B, w) - 1
        w = np.asarray(w)
        zero = w == 0
        if not zero.any():
            return w * self.nu._cauchy(B, w) - 1
        out = np.empty(w.shape, complex)
        out[~zero] = w[~zero] * self.nu._cauchy(B, w[~zero]) - 1
        out[zero] = -1 + self._zero_mass(B)
        return out

    def _zero_mass(self, B):
        if self.poles is not None:
            return B.num(0)          # compressed populations have positive atoms
        return sum((m for loc, m in self.nu._atoms(B) if loc == 0), B.num(0))

    def H(self, B, w):
        return self._g(B) * w * self._T(B, w)

    def dH(self, B, w):
        g = self._g(B)
        if self.poles is not None:
            T, S2 = self.poles.sums(B, w, [(1, 1), (2, 1)])
            return g * (T - w * S2)
        return g * (2 * w * self.nu._cauchy(B, w) + w * w * self.nu._cauchy_prime(B, w) - 1)

    def pole_weights(self):
        """For atomic ν: H(w) = γ Σ p (t + t²/(w − t)), so Z′(w) = 1 − Σ γ p t²/(w − t)²."""
        if not self._is_atomic():
            return None
        t, p = self.nu._vw(NP)
        t, p = np.asarray(t, float), np.asarray(p, float)
        keep = t != 0
        return t[keep], self._g(NP) * p[keep] * t[keep] ** 2

    def _fused(self, w):
        t, _, pt = self._atomic_weights()
        T, S2 = atomic_sums(w.ravel(), t, pt)
        T, S2 = T.reshape(w.shape), S2.reshape(w.shape)
        g = self._g(NP)
        return w + g * w * T, 1 + g * (T - w * S2)

    def _atomic_weights(self):
        """Atoms ``t`` of ν, the rows ``(p, p t)`` of the sums for ``G_ν`` and ``T_ν``, and
        ``p t`` alone (float64, once per map)."""
        if "_weights" not in self.__dict__:
            t, p = self.nu._vw(NP)
            t, p = np.asarray(t, dtype=float), np.asarray(p, dtype=float)
            self.__dict__["_weights"] = (t, np.stack([p, p * t]), p * t)
        return self.__dict__["_weights"]

    def _fused_poles(self, w):
        g = self._g(NP)
        T, S2 = self.poles.sums(NP, w, [(1, 1), (2, 1)])
        return w + g * w * T, 1 + g * (T - w * S2)

    def cauchy_from(self, B, w, z):
        # 1 − γ − γ z m = z/w and z/w = 1 + γ T_ν(w), so G = (w/z) G_ν(w) = G_ν(w)/(1 + γ T_ν(w)):
        # the second form has no cancellation near z = 0 when ratio < 1 (w → 0 there); where
        # 1 + γT is small (near the atom at 0 when ratio > 1) it cancels and z/w is exact,
        # giving the pole at z = 0 itself.
        if not B.is_mp and self._atomic_np():
            t, rows, _ = self._atomic_weights()
            (g, T), _ = atomic_sums(np.asarray(w, dtype=complex).ravel(), t, rows, second=False)
            g, T = g.reshape(np.shape(w)), T.reshape(np.shape(w))
        else:
            g, T = self.nu._cauchy(B, w), self._T(B, w)
        den = 1 + self._g(B) * T
        if B.is_mp:
            if w != 0 and abs(den) < 0.5:
                den = z / w
            return g / den if den != 0 else mpmath.mpc(mpmath.inf)
        w, z = np.asarray(w), np.asarray(z)
        with np.errstate(all="ignore"):
            den = np.where((w != 0) & (np.abs(den) < 0.5), z / np.where(w != 0, w, 1), den)
            return g / den

    def initial(self, z):
        return z


class _PoleSource:
    """A population with compressed pole sums (``law._pole_sums``), possibly scaled.

    Protocol of the population law: ``_pole_sums(B, z, terms, skip)`` returns
    ``[Σ_j p_j t_j^β/(z − t_j)^k for (k, β) in terms]`` over all atoms but the
    ``skip`` largest; ``_pole_values()`` the atoms ascending (float64);
    ``_pole_mass()`` the common mass of the atoms.
    """

    def __init__(self, law, factor=1):
        self.law, self.factor = law, factor

    def values(self):
        return NP.num(self.factor) * self.law._pole_values()

    def mass(self):
        return self.law._pole_mass()

    def range(self):
        v = self.law._pole_values()
        f = NP.num(self.factor)
        return f * float(v[0]), f * float(v[-1])

    def sums(self, B, z, terms, skip=0):
        if self.factor == 1:
            return self.law._pole_sums(B, z, terms, skip)
        f = B.num(self.factor)
        return [f ** (beta - k) * s for (k, beta), s in
                zip(terms, self.law._pole_sums(B, z / f, terms, skip))]

    def cuts(self, head):
        """The stretch of small atoms without critical points as one cut, then the head atoms."""
        v = self.values()
        m = len(v) - head
        out = [(float(v[0]), float(v[m - 1]))] if m > 0 else []
        out += [(float(x), float(x)) for x in v[m:]]
        return out


def _pole_source(nu):
    if hasattr(nu, "_pole_sums"):
        return _PoleSource(nu)
    from ..laws.operations import Affine
    if isinstance(nu, Affine) and hasattr(nu.params["mu"], "_pole_sums"):
        s, t = nu.params["scale"], nu.params["shift"]
        if t == 0 and NP.num(s) > 0:
            return _PoleSource(nu.params["mu"], s)
    return None


# ----------------------------------------------------------------------------- solving
def _residual_scale(z, scale):
    return np.abs(z) + scale


def _newton_or_step(M, w, z, sign_ok):
    """One safeguarded iteration: a Newton step when it stays admissible and
    decreases the residual, else a fixed-point step."""
    with np.errstate(all="ignore"):
        Zw, d = M.Z_dZ(w)
        f = Zw - z
        wn = w - f / d
        fn = M.Z(NP, wn) - z
    good = np.isfinite(wn) & np.isfinite(fn) & (np.abs(fn) < np.abs(f)) & sign_ok(wn, z)
    if np.all(good):
        return wn, np.abs(fn)
    ws = M.step(NP, w[~good], z[~good])
    out = wn.copy()
    out[~good] = ws
    res = np.abs(fn)
    res[~good] = np.abs(M.Z(NP, ws) - z[~good])
    return out, res


def _upper_ok(w, z):
    # the solution satisfies Im w >= Im z (> 0 in the open half-plane)
    return w.imag >= z.imag * (1 - 1e-12) - 1e-300


def _solve_upper(M, z, w0, tol, maxiter=400):
    w = np.array(w0, dtype=complex)
    scale = M.scale()
    done = np.zeros(z.shape, dtype=bool)
    res = np.full(z.shape, np.inf)
    for _ in range(maxiter):
        act = ~done
        if not act.any():
            break
        wa, ra = _newton_or_step(M, w[act], z[act], _upper_ok)
        w[act] = wa
        res[act] = ra
        done[act] = ra <= tol * _residual_scale(z[act], scale)
    return w, res, done


def solve(M, z, *, tol=4e-15):
    """Solve ``Z(w) = z`` for ``w`` (vectorised); real z gives the limit from above.

    Returns
    -------
    w : complex ndarray
        The solution on the physical branch.

    Raises
    ------
    ConvergenceError
        If a point fails the residual or sign verification.
    """
    z = np.asarray(z, dtype=complex)
    flat = z.ravel()
    w = np.empty_like(flat)
    lower = np.signbit(flat.imag)        # Im z = -0.0 gives the lower boundary value
    zu = np.where(lower, np.conj(flat), flat)
    scale = M.scale()
    far = zu.imag >= 0.05 * scale
    if far.any():
        w[far] = _solve_half(M, zu[far], tol)
    if (~far).any():
        w[~far] = _solve_near(M, zu[~far], tol)
    w = np.where(lower, np.conj(w), w)
    return w.reshape(z.shape)


def _solve_half(M, z, tol):
    w, res, done = _solve_upper(M, z, M.initial(z), tol)
    if not done.all():
        i = np.flatnonzero(~done)[0]
        raise ConvergenceError(f"{type(M).__name__}: no convergence at z = {z[i]} "
                               f"(residual {res[i]:.3g}, tolerance {tol:.1g})")
    return w


def _newton(M, w, z, iters, stol):
    """Plain vectorised Newton; returns (w, converged)."""
    # converged points are frozen, so each point's result does not depend on
    # the other points of the batch
    w = w.copy()
    stol = np.broadcast_to(stol, z.shape)
    conv = np.zeros(z.shape, dtype=bool)
    for _ in range(iters):
        act = np.flatnonzero(~conv)
        if act.size == 0:
            break
        with np.errstate(all="ignore"):
            Zw, d = M.Z_dZ(w[act])
            step = (Zw - z[act]) / d
        ok = np.isfinite(step)
        w[act] = np.where(ok, w[act] - step, w[act])
        conv[act] = ok & (np.abs(step) <= stol[act])
    return w, conv


def _solve_near(M, z, tol):
    """Points at or near the real axis (0 <= Im z < 0.05 scale).

    Many points on the real axis itself: :func:`_solve_axis`; otherwise the
    continuation in η of :func:`_solve_near_robust`.
    """
    if z.size >= _AXIS_MIN and not z.imag.any():
        return _solve_axis(M, z.real, tol)
    return _solve_near_robust(M, z, tol)


def _solve_near_robust(M, z, tol):
    """Continuation in η, each point on its own.

    Fast path: solve at ``x + 0.1 i·scale``, then Newton at ``x + 0.01 i·scale``
    (when above the target) and at ``z`` itself.  Points where a Newton stage
    does not converge, or lands on a wrong branch, take the slow path: η
    decreasing geometrically from the scale down to ``Im z``.
    """
    scale = M.scale()
    x, eta = z.real, z.imag
    stol = 1e-15 * (np.abs(z) + scale)
    z1 = x + 0.1j * scale
    w, res, done = _solve_upper(M, z1, M.initial(z1), 1e-4)
    z2 = x + 1j * np.maximum(0.01 * scale, eta)
    w, c1 = _newton(M, w, z2, 12, 1e-3 * scale)
    if not eta.any():
        # on the real axis: Newton accepted by the uniqueness argument of _solve_axis
        w, c2 = _axis_newton(M, w, x, tol, scale)
        good = c1 & c2
        if not good.all():
            bad = ~good
            w[bad] = _solve_near_slow(M, z[bad], scale)
            _verify(M, z[bad], w[bad], tol, scale)
        return w
    w, c2 = _newton(M, w, z, 12, stol)
    good = c1 & c2 & _valid(M, z, w, scale)
    if not good.all():
        w[~good] = _solve_near_slow(M, z[~good], scale)
    _verify(M, z, w, tol, scale)
    return w


_AXIS_MIN = 128      # fewer real points: the continuation in η alone
_AXIS_STRIDE = 16    # one point in this many solved by the coarse pass


def _solve_axis(M, x, tol):
    """Many points on the real axis: coarse to fine.

    Every ``_AXIS_STRIDE``-th distinct point (in ascending order) is solved by
    :func:`_solve_coarse` (recursively, so large grids take several levels); the
    others start Newton's iteration on the real axis from the cubic Hermite
    interpolation of their two coarse neighbours (from each neighbour's value
    where one neighbour is in a gap and the other in the support).

    No branch can be wrong: a converged root is accepted only when it is the
    physical one by a uniqueness argument.  In the upper half-plane ``Im Z(w) =
    Im w · (1 − Σ c_j/|w − t_j|²)`` (with ``c_j ≥ 0``) vanishes on one curve
    only, which ``Z`` maps one to one onto the support (Biane 1997;
    Silverstein & Choi 1995), so a root with ``Im w`` clearly positive is the
    boundary value; a real root is the boundary value iff ``Z′ > 0`` there
    (Silverstein & Choi, Thm 4.1–4.2), and there is at most one.  Roots with
    ``0 < Im w`` below ``1e-7`` of the scale (within ~1e-14 of an edge), and
    points that do not converge, take the continuation path.
    """
    if x.size > 1 and np.all(x[1:] > x[:-1]):
        xs, inverse = x, None                       # already ascending and distinct
    else:
        xs, inverse = np.unique(x, return_inverse=True)   # each distinct point solved once
    n = xs.size
    if n < _AXIS_MIN:
        ws = _solve_near_robust(M, xs + 0j, tol)
        return ws if inverse is None else ws[inverse.ravel()]
    scale = M.scale()
    coarse = np.arange(0, n, _AXIS_STRIDE)
    if coarse[-1] != n - 1:
        coarse = np.r_[coarse, n - 1]
    ws = np.empty(n, dtype=complex)
    ws[coarse] = _solve_coarse(M, xs[coarse], tol)
    with np.errstate(all="ignore"):
        slope = np.zeros(n, dtype=complex)
        slope[coarse] = 1 / M.Z_dZ(ws[coarse])[1]          # dw/dx = 1/Z'(w)
    isfine = np.ones(n, dtype=bool)
    isfine[coarse] = False
    fine = np.flatnonzero(isfine)
    k = fine // _AXIS_STRIDE                          # coarse[k] < fine < coarse[k + 1]
    left, right = coarse[k], coarse[k + 1]
    wl, wr = ws[left], ws[right]
    mixed = (wl.imag == 0) != (wr.imag == 0)
    guess = _hermite(xs[left], xs[right], wl, wr, slope[left], slope[right], xs[fine])
    # one candidate per fine point (the interpolation; the real neighbour's value where
    # the neighbours disagree), a second one (the complex neighbour's) where they do
    first = np.where(mixed, np.where(wl.imag == 0, wl, wr), guess)
    second = np.where(wl.imag == 0, wr, wl)[mixed]
    owner = np.r_[np.arange(fine.size), np.flatnonzero(mixed)]
    xf = xs[fine][owner]
    # the first step accepts nothing (the starts are ~1e-4–1e-10 off): without bookkeeping
    w0 = _newton_lean(M, np.r_[first, second], xf, scale, 0.0, iters=1)
    w, ok = _axis_newton(M, w0, xf, tol, scale, owner=owner)
    done = np.zeros(n, dtype=bool)
    done[coarse] = True
    acc = np.flatnonzero(ok)
    ws[fine[owner[acc]]] = w[acc]
    done[fine[owner[acc]]] = True
    if not done.all():
        rest = np.flatnonzero(~done)
        ws[rest] = _solve_near_robust(M, xs[rest] + 0j, tol)
    return ws if inverse is None else ws[inverse.ravel()]


def _solve_coarse(M, x, tol):
    """The coarse points of :func:`_solve_axis`: coarse to fine again when there are many;
    else Newton on the axis from ``x + 0.1 i·scale`` (accepted as in
    :func:`_axis_newton`: a wrong root is rejected, never returned), the continuation of
    :func:`_solve_near_robust` where it fails."""
    if x.size >= _AXIS_MIN:
        return _solve_axis(M, x, tol)
    scale = M.scale()
    w = _newton_lean(M, x + 0.1j * scale, x, scale, 1e-10 * (np.abs(x) + scale), iters=16)
    w, ok = _axis_newton(M, w, x, tol, scale)
    if not ok.all():
        w[~ok] = _solve_near_robust(M, x[~ok] + 0j, tol)
    return w


def _newton_lean(M, w, x, scale, stol, iters=12):
    """Newton on the real axis for a small batch, all points together (the cost of a
    step there is its number of array operations), roots near the axis projected onto
    it; stops once nine steps in ten are below ``stol``.  Unverified:
    :func:`_axis_newton` follows."""
    for _ in range(iters):
        with np.errstate(all="ignore"):
            Zw, d = M.Z_dZ(w)
            step = (Zw - x) / d
        fin = np.isfinite(step)
        w = np.where(fin, w - step, w)
        w = np.where(np.abs(w.imag) <= 1e-7 * (np.abs(w) + scale), w.real + 0j, w)
        if np.mean(~fin | (np.abs(step) <= stol)) >= 0.9:
            break                    # the last few (near edges) finish in _axis_newton
    return w


def _hermite(xl, xr, wl, wr, ml, mr, x):
    """Cubic Hermite interpolation of ``w`` (values and slopes at both ends);
    linear where the cubic strays beyond the span of the two values (near an
    edge the slopes blow up)."""
    h = xr - xl
    with np.errstate(all="ignore"):
        s = np.where(h > 0, (x - xl) / h, 0.0)
        lin = wl + s * (wr - wl)
        s2, s3 = s * s, s * s * s
        cub = ((2 * s3 - 3 * s2 + 1) * wl + (s3 - 2 * s2 + s) * h * ml
               + (3 * s2 - 2 * s3) * wr + (s3 - s2) * h * mr)
    good = np.isfinite(cub) & (np.abs(cub - lin) <= 0.5 * np.abs(wr - wl))
    return np.where(good, cub, lin)


def _axis_newton(M, w, x, tol, scale, iters=10, owner=None):
    """Newton on the real axis from ``w``; returns ``(w, accepted)`` (see :func:`_solve_axis`).

    A root is accepted when the residual at the last iterate is small, the step
    small enough that the next error (quadratic convergence) is at rounding, and
    it lies on the physical branch (``Im w`` clearly positive, or ``w`` real with
    ``Z′ > 0``); an iterate next to the axis goes on in real arithmetic.
    ``owner`` numbers the point each start belongs to: once one start of a point
    is accepted, its other starts stop.  Only accepted entries of the returned
    ``w`` are meaningful.
    """
    out = np.array(w, dtype=complex)
    ok = np.zeros(x.shape, dtype=bool)
    idx = np.arange(x.size)
    wa, xa = out.copy(), x
    ref = np.abs(x) + scale                  # the size of the problem at each point
    solved = None if owner is None else np.zeros(owner.max() + 1, dtype=bool)
    for _ in range(iters):
        with np.errstate(all="ignore"):
            Zw, d = M.Z_dZ(wa)
            f = Zw - xa
            step = f / d
        fin = np.isfinite(step)
        size = np.abs(step)
        new = np.where(fin, wa - step, wa)
        small = 1e-7 * (np.abs(new) + scale)
        upper = new.imag > small
        new = np.where(np.abs(new.imag) <= small, new.real + 0j, new)
        gap = (wa.imag == 0) & (d.real > 0)
        acc = fin & (size <= 1e-10 * ref) & (np.abs(f) <= 1e3 * tol * ref) & (upper | gap)
        hit = idx[acc]
        out[hit] = new[acc]
        ok[hit] = True
        keep = fin & ~acc & (size > 1e-15 * ref)
        if solved is not None:
            solved[owner[hit]] = True
            keep &= ~solved[owner[idx]]
        if not keep.any():
            break
        idx, wa, xa, ref = idx[keep], new[keep], xa[keep], ref[keep]
    return out, ok


def _valid(M, z, w, scale):
    """Branch checks: Im w >= Im z; on the axis, real roots need Z' > 0."""
    real_axis = z.imag == 0
    w[real_axis] = _snap_real(M, z.real[real_axis], w[real_axis], scale)
    with np.errstate(all="ignore"):
        dz = M.dZ(NP, w.real + 0j).real
    # Im z below the resolution of Re z (|Im z| ≤ 1e-15 |z|) is the real axis for the
    # branch check: a real w is then right only where Z increases (a gap)
    # (a rounding-size Im w of either sign there is snapped to 0 where Z increases)
    on_axis = real_axis | (z.imag <= 1e-15 * (np.abs(z) + scale))
    tiny = on_axis & (np.abs(w.imag) <= 1e-15 * (np.abs(w) + scale)) & (dz > 0)
    w[tiny] = w.real[tiny] + 0j
    above = (w.imag >= z.imag * (1 - 1e-9)) | (on_axis & (w.imag >= 0))
    return above & (~on_axis | (w.imag > 0) | (dz > 0))


def _snap_real(M, x, w, scale):
    """Where ``w`` is nearly real, try the real root: if ``Z`` is increasing
    there and the residual vanishes, ``x`` lies in a gap and ``w`` is real."""
    near = np.abs(w.imag) <= 1e-7 * (np.abs(w) + scale)
    if not near.any():
        return w
    wr = w.real[near].astype(complex)
    xr = x[near].astype(complex)
    for _ in range(3):
        with np.errstate(all="ignore"):
            Zw, d = M.Z_dZ(wr)
            wr = wr - np.where(np.isfinite(d) & (d != 0), (Zw - xr) / d, 0)
        wr = wr.real + 0j
    with np.errstate(all="ignore"):
        Zw, d = M.Z_dZ(wr)
    ok = (d.real > 0) & (np.abs(Zw - xr) <= 1e-13 * (np.abs(xr) + scale))
    out = w.copy()
    sub = out[near]
    sub[ok] = wr[ok]
    out[near] = sub
    return out


def _solve_near_slow(M, z, scale):
    x, target = z.real, z.imag
    eta = np.full(x.shape, scale)
    zz = x + 1j * eta
    w, res, done = _solve_upper(M, zz, M.initial(zz), 1e-10)
    while np.any(eta > np.maximum(target, 1e-14 * scale)):
        eta = np.maximum(eta / 8.0, target)
        w, res, done = _solve_upper(M, x + 1j * eta, w, 1e-10, maxiter=60)
    w, _ = _newton(M, w, z, 8, 1e-15 * (np.abs(z) + scale))
    real_axis = target == 0
    w[real_axis] = _snap_real(M, x[real_axis], w[real_axis], scale)
    return w


def _verify(M, z, w, tol, scale):
    res = np.abs(M.Z(NP, w) - z)
    bad = ~(res <= 1e3 * tol * (np.abs(z) + scale))
    bad |= ~_valid(M, z, w.copy(), scale)
    if bad.any():
        i = np.flatnonzero(bad)[0]
        raise ConvergenceError(f"{type(M).__name__}: solution at z = {z[i]} failed verification "
                               f"(residual {res[i]:.3g}, Im w = {w[i].imag:.3g})")


def solve_mp(M, z):
    """The same solution at mpmath precision: float start, Newton polish, verification."""
    zc = mpmath.mpc(z)
    w0 = complex(solve(M, np.array([complex(zc)]))[0])
    w = mpmath.mpc(w0)
    tol = mpmath.mpf(10) ** (-mpmath.mp.dps + 4)
    # At an edge z = Z(w_c) with Z'(w_c) = 0 the root is double and Newton only halves
    # the error per step: once three successive steps shrink by ~1/2, take the step of
    # Newton for a double root (2 f/f'), which converges quadratically there.
    prev, halvings, mult = None, 0, 1
    res_tol = mpmath.mpf(10) ** (-mpmath.mp.dps + 2) * (abs(zc) + 1)
    for _ in range(200):
        f = M.Z(MP, w) - zc
        if f == 0 or (prev is not None and abs(f) <= res_tol):
            # near an edge Z' is small and the steps stall at rounding / Z' > tol
            break
        step = mult * f / M.dZ(MP, w)
        w -= step
        size = abs(step)
        if size <= tol * (abs(w) + 1):
            break
        if prev is not None and prev > 0:
            r = size / prev
            halvings = halvings + 1 if 0.4 < r < 0.6 else 0
            if halvings >= 3 and mult == 1:
                mult, halvings = 2, 0
            elif mult == 2 and r > 0.9:
                mult = 1                    # not a double root after all
        prev = size
    else:
        raise ConvergenceError(f"{type(M).__name__}: mpmath Newton did not converge at z = {z}")
    res = abs(M.Z(MP, w) - zc)
    if res > mpmath.mpf(10) ** (-mpmath.mp.dps + 6) * (abs(zc) + 1):
        raise ConvergenceError(f"{type(M).__name__}: residual {mpmath.nstr(res, 3)} at z = {z}")
    if mpmath.im(zc) > 0 and mpmath.im(w) < mpmath.im(zc) * (1 - mpmath.mpf(10) ** -10):
        raise ConvergenceError(f"{type(M).__name__}: wrong branch at z = {z} (Im w < Im z)")
    if mpmath.im(zc) == 0 and abs(mpmath.im(w)) <= tol * (abs(w) + 1):
        w = mpmath.mpc(mpmath.re(w), 0)
    return w


# ------------------------------------------------------------------------------ support
def _admissible(M):
    """Open real intervals off the cuts, ascending, with ±inf ends."""
    cuts = M.cuts(NP)
    out = []
    left = -np.inf
    for lo, hi in cuts:
        if lo > left:
            out.append((left, lo))
        left = max(left, hi)
    out.append((left, np.inf))
    return out


def _samples(lo, hi, scale, n=257):
    th = np.linspace(0, np.pi, n + 2)[1:-1]
    if np.isfinite(lo) and np.isfinite(hi):
        return lo + (hi - lo) * (1 - np.cos(th)) / 2
    u = (1 - np.cos(th)) / 2                       # (0, 1), clustered at both ends
    if np.isfinite(hi):                            # (-inf, hi)
        return hi - scale * (1 / u - 1) if np.isfinite(scale) else None
    if np.isfinite(lo):                            # (lo, inf)
        return lo + scale * (1 / (1 - u) - 1)
    return scale * np.tan(np.pi * (u - 0.5))


def critical_points(M):
    """Zeros of ``Z′`` on each admissible real interval, with the sign pattern.

    Returns a list of ``(lo, hi, points, signs)``: the interval, its ascending
    critical points and the sign of ``Z′`` on each of the ``len(points) + 1``
    pieces.
    """
    pw = M.pole_weights()
    if pw is not None and len(pw[0]):
        return _atomic_critical_points(*pw)
    if M.poles is not None:
        return _compressed_critical_points(M)
    scale = M.scale()
    out = []

    def dz(v):
        return float(M.dZ(NP, np.array([v + 0j]))[0].real)

    for lo, hi in _admissible(M):
        v = _samples(lo, hi, scale)
        with np.errstate(all="ignore"):
            d = M.dZ(NP, v + 0j).real
        ok = np.isfinite(d)
        v, d = v[ok], d[ok]
        pts = []
        for i in range(len(v) - 1):
            if d[i] == 0:
                pts.append(v[i])
            elif d[i] * d[i + 1] < 0:
                pts.append(brentq(dz, v[i], v[i + 1], xtol=1e-300, rtol=1e-15))
        signs = [np.sign(d[0])] if len(d) else [1.0]
        for p in pts:
            signs.append(-signs[-1])
        out.append((lo, hi, pts, signs))
    return out


def _inv_pow_sum(w, t, c, power):
    """Σ_j c_j / (w_i − t_j)^power for real arrays, in row blocks."""
    out = np.empty(w.shape)
    step = max(1, 2 ** 21 // max(1, len(t)))
    for i in range(0, len(w), step):
        d = w[i:i + step, None] - t
        out[i:i + step] = (c / d ** power).sum(axis=1)
    return out


def _bisect(f, a, b, increasing, iters=200):
    """Vectorised bisection for a monotone f on [a, b] with a sign change."""
    a, b = a.copy(), b.copy()
    for _ in range(iters):
        m = 0.5 * (a + b)
        if np.all((m <= a) | (m >= b)):
            break
        pos = f(m) > 0
        up = pos if increasing else ~pos
        b = np.where(up, m, b)
        a = np.where(up, a, m)
    return 0.5 * (a + b)


def _atomic_critical_points(t, c):
    """Zeros of Z′(w) = 1 − Σ c_j/(w − t_j)² (c_j > 0), exactly located.

    Z′ is strictly concave between consecutive poles (Z‴ < 0) and tends to −∞
    at them, so each inner interval holds 0 or 2 zeros, on either side of the
    maximum of Z′ (the zero of the decreasing Z″); the outer intervals hold one
    each.  An inner interval of length L is skipped when the two neighbouring
    poles alone keep Z′ < 0: (c_j^(1/3) + c_(j+1)^(1/3))³ ≥ L².  Vectorised
    over intervals, so thousands of atoms cost a few bisections.
    """
    order = np.argsort(t)
    t, c = t[order], c[order]

    def dz(w):
        return 1 - _inv_pow_sum(w, t, c, 2)

    def d2z(w):
        return 2 * _inv_pow_sum(w, t, c, 3)

    span = max(t[-1] - t[0], np.abs(t).max(), 1e-300)
    reach = np.sqrt(c.sum()) + span
    out = []
    # left outer interval: Z′ decreases from 1 to −∞
    lo_end = np.array([t[0] - 2 * reach])
    while dz(lo_end)[0] <= 0:
        lo_end = t[0] - 2 * (t[0] - lo_end)
    p = _bisect(dz, lo_end, np.array([t[0]]), increasing=False)[0]
    out.append((-np.inf, t[0], [p], [1.0, -1.0]))
    # inner intervals
    L = np.diff(t)
    cand = np.flatnonzero((np.cbrt(c[:-1]) + np.cbrt(c[1:])) ** 3 < L ** 2)
    inner = {}
    if cand.size:
        a, b = t[cand], t[cand + 1]
        wmax = _bisect(d2z, a, b, increasing=False)
        has = dz(wmax) > 0
        idx, a, b, wmax = cand[has], a[has], b[has], wmax[has]
        if idx.size:
            left = _bisect(dz, a, wmax, increasing=True)
            right = _bisect(dz, wmax, b, increasing=False)
            inner = {int(j): (l, r) for j, l, r in zip(idx, left, right)}
    for j in range(len(t) - 1):
        if j in inner:
            out.append((t[j], t[j + 1], list(inner[j]), [-1.0, 1.0, -1.0]))
        else:
            out.append((t[j], t[j + 1], [], [-1.0]))
    hi_end = np.array([t[-1] + 2 * reach])
    while dz(hi_end)[0] <= 0:
        hi_end = t[-1] + 2 * (hi_end - t[-1])
    p = _bisect(dz, np.array([t[-1]]), hi_end, increasing=True)[0]
    out.append((t[-1], np.inf, [p], [-1.0, 1.0]))
    return out


def _safe_newton(fdf, a, b, increasing, iters=100):
    """Vectorised Newton kept inside the brackets [a, b] of a monotone f
    (bisection where a step leaves them), to float64 resolution."""
    a, b = a.astype(float).copy(), b.astype(float).copy()
    x = 0.5 * (a + b)
    act = np.arange(x.size)
    for _ in range(iters):
        if act.size == 0:
            break
        xa = x[act]
        f, df = fdf(xa)
        pos = f > 0
        up = pos if increasing else ~pos
        b[act] = np.where(up, xa, b[act])
        a[act] = np.where(up, a[act], xa)
        with np.errstate(all="ignore"):
            xn = xa - f / df
        aa, bb = a[act], b[act]
        small = np.isfinite(xn) & (np.abs(xn - xa) <= 4e-16 * np.abs(xa))
        bad = ~np.isfinite(xn) | (xn <= aa) | (xn >= bb)
        xn = np.where(small, xa, np.where(bad, 0.5 * (aa + bb), xn))
        done = (f == 0) | small | (bb - aa <= 4e-16 * np.maximum(np.abs(aa), np.abs(bb)))
        x[act] = np.where(f == 0, xa, xn)
        act = act[~done]
    return x


def _side_sums(w, t, c, power):
    """(Σ_{t_j < w} c_j/(w − t_j)^power, Σ_{t_j > w} c_j/(t_j − w)^power) for real arrays."""
    left, right = np.zeros(w.shape), np.zeros(w.shape)
    step = max(1, 2 ** 21 // max(1, len(t)))
    for i in range(0, len(w), step):
        d = w[i:i + step, None] - t
        q = c / np.abs(d) ** power
        left[i:i + step] = np.where(d > 0, q, 0).sum(axis=1)
        right[i:i + step] = np.where(d < 0, q, 0).sum(axis=1)
    return left, right


def _compressed_critical_points(M):
    """Zeros of Z′ for a compressed population (head atoms exact, tail as sums).

    The small atoms below the first pair that may leave a gap form one cut
    without critical points (:meth:`SilversteinMap._head_count`); between the
    remaining poles Z′ = 1 − Σ c_j/(w − t_j)² is concave, as in
    :func:`_atomic_critical_points`, with the tail's share from the compressed
    sums.  Newton runs on functions that are nearly linear next to a pole:
    ``Σ^{−1/2} − 1`` (same zeros and sign as Z′, Σ = Σ c_j/(w − t_j)²) and,
    for the maximum of Z′, ``A₊^{−1/3} − A₋^{−1/3}`` with ``A±`` the sums of
    ``c_j/|w − t_j|³`` over the poles left and right of w (Z″ = 2(A₊ − A₋)).
    """
    v = M.poles.values()
    g, beta = M._pole_factor(NP), M._pole_beta
    p = M.poles.mass()
    K = M._head_count()
    t = v[len(v) - K:]
    c = g * p * t ** beta

    def tail(w, terms):
        return [s.real for s in M.poles.sums(NP, w + 0j, terms, skip=K)]

    def phi(w):
        # Σ^{−1/2} − 1 and its derivative Σ^{−3/2} Σ₃ (Σ₃ = Σ c/(w − t)³)
        s2, s3 = tail(w, [(2, beta), (3, beta)])
        h2 = _inv_pow_sum(w, t, c, 2) if K else 0
        h3 = _inv_pow_sum(w, t, c, 3) if K else 0
        S2, S3 = h2 + g * s2, h3 + g * s3
        return S2 ** -0.5 - 1, S2 ** -1.5 * S3

    def psi(w):
        # A₊^{−1/3} − A₋^{−1/3}; the tail lies left of every inner interval
        s3, s4 = tail(w, [(3, beta), (4, beta)])
        l3, r3 = _side_sums(w, t, c, 3) if K else (0, 0)
        l4, r4 = _side_sums(w, t, c, 4) if K else (0, 0)
        Ap, Am = l3 + g * s3, r3
        Bp, Bm = l4 + g * s4, r4
        return Ap ** (-1 / 3) - Am ** (-1 / 3), Ap ** (-4 / 3) * Bp + Am ** (-4 / 3) * Bm

    def dz(w):
        f, _ = phi(w)
        return -f          # sign only: Z′ < 0 ⇔ Σ > 1 ⇔ φ < 0

    lo_atom, hi_atom = float(v[0]), float(v[-1])
    reach = np.sqrt(g * p * float(np.sum(v ** beta))) + hi_atom
    out = []
    lo_end = np.array([lo_atom - 2 * reach])
    while phi(lo_end)[0][0] <= 0:
        lo_end = lo_atom - 2 * (lo_atom - lo_end)
    x = _safe_newton(phi, lo_end, np.array([lo_atom]), increasing=False)[0]
    out.append((-np.inf, lo_atom, [x], [1.0, -1.0]))
    # inner intervals: from the top of the cut through the head
    poles = v[len(v) - K - 1:] if K < len(v) else v
    cp = g * p * poles ** beta
    L = np.diff(poles)
    cand = np.flatnonzero((np.cbrt(cp[:-1]) + np.cbrt(cp[1:])) ** 3 < L ** 2)
    inner = {}
    if cand.size and K:
        a, b = poles[cand], poles[cand + 1]
        wmax = _safe_newton(psi, a, b, increasing=True)
        has = phi(wmax)[0] > 0
        idx, a, b, wmax = cand[has], a[has], b[has], wmax[has]
        if idx.size:
            left = _safe_newton(phi, a, wmax, increasing=True)
            right = _safe_newton(phi, wmax, b, increasing=False)
            inner = {int(j): (l, r) for j, l, r in zip(idx, left, right)}
    for j in range(len(poles) - 1):
        if j in inner:
            out.append((float(poles[j]), float(poles[j + 1]), list(inner[j]), [-1.0, 1.0, -1.0]))
        else:
            out.append((float(poles[j]), float(poles[j + 1]), [], [-1.0]))
    hi_end = np.array([hi_atom + 2 * reach])
    while phi(hi_end)[0][0] <= 0:
        hi_end = hi_atom + 2 * (hi_end - hi_atom)
    x = _safe_newton(phi, np.array([hi_atom]), hi_end, increasing=True)[0]
    out.append((hi_atom, np.inf, [x], [-1.0, 1.0]))
    return out


def _limit(M, B, v, side):
    """Z at an interval end (a cut end: the real boundary value of H there)."""
    if not np.isfinite(v):
        return v
    val = M.Z(B, B.complex(v) if B.is_mp else np.array([complex(v)]))
    val = val if B.is_mp else val[0]
    return B.real(val)


def support_edges(M, B=NP):
    """Intervals of the support of the result, from the critical points of ``Z``.

    With ``B = MP`` the critical points are refined by mpmath's root finder on
    ``Z′`` and the edges evaluated at the working precision.
    """
    gaps = []
    for lo, hi, pts, signs in critical_points(M):
        ends = [lo, *pts, hi]
        for k, sg in enumerate(signs):
            if sg <= 0:
                continue
            a, b = ends[k], ends[k + 1]
            za = _edge_value(M, B, a, is_cut_end=(k == 0), lo=lo, hi=hi)
            zb = _edge_value(M, B, b, is_cut_end=(k == len(signs) - 1), lo=lo, hi=hi)
            gaps.append((za, zb))
    gaps.sort(key=lambda g: float(g[0]) if np.isfinite(float(g[0])) else -np.inf)
    intervals = []
    for (a0, b0), (a1, b1) in zip(gaps, gaps[1:]):
        if float(a1) > float(b0):
            intervals.append((b0, a1))
        elif float(a1) < float(b0) - 1e-9 * (1 + abs(float(b0))):
            raise ConvergenceError(f"{type(M).__name__}: overlapping gaps while locating the support")
    return tuple(intervals)


def _edge_value(M, B, v, *, is_cut_end, lo, hi):
    if not np.isfinite(v):
        return -mpmath.inf if (B.is_mp and v < 0) else (mpmath.inf if B.is_mp else v)
    if not B.is_mp:
        return float(_limit(M, NP, v, None))
    if is_cut_end and (v == lo or v == hi):
        return mpmath.re(M.Z(MP, mpmath.mpf(v)))
    # refine the critical point at working precision
    vv = mpmath.findroot(lambda u: mpmath.re(M.dZ(MP, mpmath.mpc(u))), mpmath.mpf(v),
                         tol=mpmath.mpf(10) ** (-2 * mpmath.mp.dps))
    return mpmath.re(M.Z(MP, mpmath.mpc(vv)))
