"""Atomic laws: finitely many atoms, and the empirical law of a spectrum."""

import bisect
import fractions
import itertools
import math

import mpmath
import numpy as np
import sympy

from .._backend import is_symbolic, param, param_latex, param_repr, to_float
from ..errors import DomainError
from .base import Law

__all__ = ["atoms", "empirical", "Atoms", "Empirical"]

_CHUNK = 2 ** 22  # complex entries per block of the (points × atoms) table
_BLOCK = 2 ** 16  # entries per block of the real-arithmetic sums (temporaries stay in cache)
_ROWWISE_MAX = 128  # batches below this size are summed row by row (batch-independent values)


class Atoms(Law):
    """A finite combination of point masses ``Σ w_i δ_{v_i}``."""

    _ctor = "atoms"
    _positional = ("values",)

    def _vw(self, B):
        if B.is_mp:
            return ([B.num(v) for v in self.params["values"]], [B.num(w) for w in self.params["weights"]])
        key = "np_vw"
        if key not in self._cache:
            self._cache[key] = (np.array([to_float(v) for v in self.params["values"]]),
                                np.array([to_float(w) for w in self.params["weights"]]))
        return self._cache[key]

    def __repr__(self):
        vals = ", ".join(param_repr(v) for v in self.params["values"])
        ws = self.params["weights"]
        n = len(ws)
        if all(w == sympy.Rational(1, n) for w in ws):
            return f"atoms([{vals}])"
        return f"atoms([{vals}], weights=[{', '.join(param_repr(w) for w in ws)}])"

    def _latex(self):
        terms = " + ".join(rf"{param_latex(w)}\,\delta_{{{param_latex(v)}}}"
                           for v, w in zip(self.params["values"], self.params["weights"]))
        return terms

    def _fractions(self):
        """Exact weights as Fractions (binary floats are exact rationals too)."""
        return [_fraction(w) for w in self.params["weights"]]

    def _cum(self, B):
        """Cumulative masses, summed exactly and rounded once (cdf(v_k) = exact partial sums)."""
        key = ("cum", mpmath.mp.prec) if B.is_mp else "np_cum"
        if key not in self._cache:
            partial = list(itertools.accumulate(self._fractions()))
            if B.is_mp:
                self._cache[key] = [mpmath.mpf(f.numerator) / f.denominator for f in partial]
            else:
                self._cache[key] = np.array([float(f) for f in partial])
        return self._cache[key]

    def _support(self, B):
        return ()

    def _atoms(self, B):
        v, w = self._vw(B)
        return tuple(zip(list(v), list(w)))

    def _cauchy(self, B, z):
        v, w = self._vw(B)
        if B.is_mp:
            return mpmath.fsum(wi / (z - vi) for vi, wi in zip(v, w))
        return _atomic_cauchy_np(z, v, w)

    def _cauchy_prime(self, B, z):
        v, w = self._vw(B)
        if B.is_mp:
            return -mpmath.fsum(wi / (z - vi) ** 2 for vi, wi in zip(v, w))
        return _atomic_cauchy_np(z, v, w, power=2) * -1

    def _density(self, B, x):
        return B.zeros_like(x) if not B.is_mp else mpmath.mpf(0)

    def _cdf(self, B, x):
        v, _ = self._vw(B)
        cum = self._cum(B)
        if B.is_mp:
            k = bisect.bisect_right(v, x)
            return min(cum[k - 1], mpmath.mpf(1)) if k else mpmath.mpf(0)
        table = np.concatenate([[0.0], np.minimum(cum, 1.0)])
        return table[np.searchsorted(v, x, side="right")]

    def _quantile(self, B, q):
        v, _ = self._vw(B)
        cum = self._cum(B)
        if B.is_mp:
            k = bisect.bisect_left(cum, q)
            return v[min(k, len(v) - 1)]
        idx = np.minimum(np.searchsorted(cum, q, side="left"), len(v) - 1)
        return v[idx]

    def _moments(self, B, k):
        v, w = self._vw(B)
        if B.is_mp:
            return [mpmath.fsum(wi * vi ** n for vi, wi in zip(v, w)) for n in range(1, k + 1)]
        out = []
        p = np.array(w, dtype=float)
        for _ in range(k):
            p = p * v
            out.append(math.fsum(p))
        return out

    def _sample(self, n, rng):
        v, w = self._vw(_np())
        return rng.choice(v, size=n, p=w / w.sum())


def _atomic_cauchy_np(z, v, w, power=1):
    """Σ w_i / (z - v_i)^power (power 1 or 2), in blocks of the (points × atoms) table."""
    z = np.asarray(z, dtype=complex)
    return atomic_sums(z.ravel(), v, w, second=power == 2)[power - 1].reshape(z.shape)


def atomic_sums(z, v, c, second=True):
    """``(Σ_j c_j/(z − v_j), Σ_j c_j/(z − v_j)²)`` for a flat complex ``z`` (float64).

    ``c`` holds real weights, shape ``(K,)``, or ``(m, K)`` for ``m`` sums at once
    (results then of shape ``(m, N)``); the second sum is ``None`` unless
    ``second``.  Real arithmetic on the (points × atoms) table, in blocks: with
    ``d = Re z − v``, ``b = Im z`` and ``r = 1/(d² + b²)``, ``1/(z − v) = d r − i b r``
    and ``1/(z − v)² = (d r)² − (b r)² − 2 i b (d r) r``.  Below 128 points
    (where the cost is the number of array operations) complex arithmetic with
    each row summed on its own (``einsum``), so that a point's value does not
    depend on the others; larger batches use matrix products (equal to rounding).
    """
    v = np.asarray(v, dtype=float)
    c = np.asarray(c, dtype=float)
    rows = c.reshape(-1, c.shape[-1])
    n = z.shape[0]
    if n < _ROWWISE_MAX:
        return _atomic_sums_small(z, v, c, rows, second)
    s1 = np.empty((len(rows), n), dtype=complex)
    s2 = np.empty((len(rows), n), dtype=complex) if second else None
    step = max(1, _BLOCK // max(1, len(v)))
    for i in range(0, n, step):
        blk = slice(i, i + step)
        b = z.imag[blk]
        d = z.real[blk, None] - v
        r = d * d
        r += (b * b)[:, None]
        np.reciprocal(r, out=r)
        u = d * r
        for k in range(len(rows)):
            s1[k, blk].real = u @ rows[k]
            s1[k, blk].imag = -b * (r @ rows[k])
        if second:
            ur = u * r
            u *= u
            r *= r
            for k in range(len(rows)):
                s2[k, blk].real = u @ rows[k] - b * b * (r @ rows[k])
                s2[k, blk].imag = -2 * b * (ur @ rows[k])
    if c.ndim == 1:
        return s1[0], (s2[0] if second else None)
    return s1, s2


def _atomic_sums_small(z, v, c, rows, second):
    """:func:`atomic_sums` for a small batch: few array operations (their cost is the
    call overhead), each row summed on its own (``einsum``)."""
    inv = np.reciprocal(z[:, None] - v)
    if c.ndim == 1:
        s1 = np.einsum("ij,j->i", inv, c)
        if not second:
            return s1, None
        inv *= inv
        return s1, np.einsum("ij,j->i", inv, c)
    s1 = np.stack([np.einsum("ij,j->i", inv, r) for r in rows])
    s2 = None
    if second:
        inv *= inv
        s2 = np.stack([np.einsum("ij,j->i", inv, r) for r in rows])
    return s1, s2


def _np():
    from .._backend import NP
    return NP


def _fraction(w):
    if isinstance(w, fractions.Fraction):
        return w
    if isinstance(w, sympy.Rational):
        return fractions.Fraction(int(w.p), int(w.q))
    if isinstance(w, sympy.Basic):
        return fractions.Fraction(float(w))
    return fractions.Fraction(w)


def _exact_sum(ws):
    if all(isinstance(w, (int, sympy.Rational)) for w in ws):
        return sympy.Add(*ws)
    return None


def atoms(values, weights=None):
    """A purely atomic law ``Σ w_i δ_{v_i}``.

    Parameters
    ----------
    values : sequence of real
        Atom locations (finite); repeated values are merged.
    weights : sequence of real >= 0, optional
        Masses summing to 1 (exactly for exact weights, to 1e-12 relative
        for floats).  Default: equal weights ``1/len(values)``, kept exact.

    Returns
    -------
    Law
        ``G(z) = Σ w_i/(z - v_i)``, no absolutely continuous part
        (``support() == ()``, ``density == 0``).

    Raises
    ------
    DomainError
        Empty or non-finite values, negative weights, weights not summing to
        1, or mismatched lengths.

    Notes
    -----
    ``sample(n)`` returns the diagonal of a diagonal matrix with iid entries
    drawn from the law.  Conventions: docs/conventions.rst.

    Examples
    --------
    >>> import freespec as fs
    >>> law = fs.atoms([1, 3], weights=['1/4', '3/4'])
    >>> law.atoms()
    ((1.0, 0.25), (3.0, 0.75))
    >>> float(law.cauchy(0.0))
    -0.5
    """
    vals = [param(v, "values") for v in np.ravel(np.asarray(values, dtype=object))]
    if not vals:
        raise DomainError("values must contain at least one atom, got an empty sequence")
    if weights is None:
        ws = [sympy.Rational(1, len(vals))] * len(vals)
    else:
        ws = [param(w, "weights", op=">=") for w in np.ravel(np.asarray(weights, dtype=object))]
        if len(ws) != len(vals):
            raise DomainError(f"weights must have the length of values ({len(vals)}), got {len(ws)}")
        exact = _exact_sum(ws)
        if exact is not None:
            if exact != 1:
                raise DomainError(f"weights must sum to 1, got sum {exact}")
        elif not any(is_symbolic(w) for w in ws):
            total = math.fsum(to_float(w) for w in ws)
            if abs(total - 1) > 1e-12 * max(1, len(ws)) ** 0.5 * 4:
                raise DomainError(f"weights must sum to 1, got sum {total!r}")
    # merge repeated values, drop zero masses, sort
    merged = {}
    for v, w in zip(vals, ws):
        if w == 0:
            continue
        merged[v] = merged[v] + w if v in merged else w
    order = sorted(merged, key=to_float)
    return Atoms(values=tuple(order), weights=tuple(merged[v] for v in order))


class Empirical(Atoms):
    """The empirical spectral law ``(1/n) Σ δ_{λ_i}`` of ``n`` eigenvalues."""

    _ctor = "empirical"

    def _key(self):
        return (self.params["eigenvalues"].tobytes(),)

    def _vw(self, B):
        ev = self.params["eigenvalues"]
        if B.is_mp:
            key = ("mp_vw", mpmath.mp.prec)
            if key not in self._cache:
                vals, counts = np.unique(ev, return_counts=True)
                n = len(ev)
                self._cache[key] = ([mpmath.mpf(float(v)) for v in vals],
                                    [mpmath.mpf(int(c)) / n for c in counts])
            return self._cache[key]
        if "np_vw" not in self._cache:
            vals, counts = np.unique(ev, return_counts=True)
            self._cache["np_vw"] = (vals, counts / len(ev))
        return self._cache["np_vw"]

    def _fractions(self):
        _, counts = np.unique(self.params["eigenvalues"], return_counts=True)
        n = len(self.params["eigenvalues"])
        return [fractions.Fraction(int(c), n) for c in counts]

    def _cauchy(self, B, z):
        if B.is_mp:
            return super()._cauchy(B, z)
        v, w = self._vw(B)
        return _atomic_cauchy_np(z, v, w)

    def __repr__(self):
        ev = self.params["eigenvalues"]
        if len(ev) > 1000:
            body = np.array2string(ev, separator=", ", threshold=6)
            return f"empirical({body})"
        return f"empirical([{', '.join(repr(float(v)) for v in ev)}])"

    def _latex(self):
        n = len(self.params["eigenvalues"])
        return rf"\frac{{1}}{{{n}}}\sum_{{i=1}}^{{{n}}} \delta_{{\lambda_i}}"

    def _sample(self, n, rng):
        return rng.choice(self.params["eigenvalues"], size=n)


def empirical(eigenvalues):
    """The empirical spectral law of a set of eigenvalues, ``(1/n) Σ δ_{λ_i}``.

    Parameters
    ----------
    eigenvalues : array_like of real
        Finite; any shape (flattened).  Stored sorted, as float64.

    Returns
    -------
    Law
        Equal laws for equal multisets of eigenvalues.  ``repr`` rebuilds the
        law for up to 1000 eigenvalues and abbreviates beyond.

    Raises
    ------
    DomainError
        Empty, complex or non-finite input.

    Notes
    -----
    ``sample(n)`` draws ``n`` eigenvalues iid from the list (bootstrap).
    Conventions: docs/conventions.rst.

    Examples
    --------
    >>> import freespec as fs
    >>> law = fs.empirical([0.0, 1.0, 1.0, 2.0])
    >>> law.atoms()
    ((0.0, 0.25), (1.0, 0.5), (2.0, 0.25))
    >>> law.moments(2)
    array([1. , 1.5])
    """
    arr = np.asarray(eigenvalues)
    if np.iscomplexobj(arr):
        if np.any(arr.imag != 0):
            raise DomainError("eigenvalues must be real, got complex values")
        arr = arr.real
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        try:
            arr = np.asarray(eigenvalues, dtype=float)
        except (TypeError, ValueError) as exc:
            raise DomainError(f"eigenvalues must be real numbers, got dtype {arr.dtype}") from exc
    arr = np.sort(arr.astype(float).ravel())
    if arr.size == 0:
        raise DomainError("eigenvalues must contain at least one value, got an empty array")
    if not np.all(np.isfinite(arr)):
        raise DomainError("eigenvalues must be finite, got a non-finite value")
    arr.setflags(write=False)
    return Empirical(eigenvalues=arr)
