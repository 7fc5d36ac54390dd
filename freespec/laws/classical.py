"""Closed-form laws: semicircle, Marchenko–Pastur, free Poisson, arcsine, uniform.

Every formula is written once against a number backend ``B`` (NumPy arrays or
mpmath scalars, see :mod:`freespec._backend`).  Branches: the products
``sqrt(z - a) * sqrt(z - b)`` of principal square roots are analytic off
``[a, b]`` and behave as ``z`` at infinity, so every Cauchy transform below is
on the physical sheet everywhere in ℂ \\ support, including the real axis
outside the support; on the support, real input (``Im z = +0``) gives the
boundary value from the upper half-plane.  Conventions: docs/conventions.rst.
"""

import fractions
import math
from functools import lru_cache

import mpmath
import numpy as np
import sympy

from .._backend import param
from ..errors import DomainError
from ..matrices import goe_eigenvalues, haar_sum_eigenvalues, wishart_eigenvalues
from .base import Law

__all__ = ["semicircle", "marchenko_pastur", "free_poisson", "arcsine", "uniform",
           "Semicircle", "MarchenkoPastur", "FreePoisson", "Arcsine", "Uniform"]


def _sqrt_product(B, z, a, b):
    """``sqrt(z - a) sqrt(z - b)``: analytic on ℂ \\ [a, b], ~ z at infinity."""
    return B.sqrt(z - a) * B.sqrt(z - b)


def _inside(B, x, a, b):
    return (x > a) & (x < b) if not B.is_mp else (a < x < b)


def _catalan(j):
    return math.comb(2 * j, j) // (j + 1)


# --------------------------------------------------------------------------- semicircle
class Semicircle(Law):
    """Wigner's semicircle law of variance ``var`` centred at ``center``."""

    _ctor = "semicircle"
    _defaults = {"var": 1, "center": 0}

    def _pars(self, B):
        return B.num(self.params["var"]), B.num(self.params["center"])

    def _latex(self):
        from .._backend import param_latex
        p = self.params
        return rf"\mathrm{{SC}}(\sigma^2={param_latex(p['var'])},\ c={param_latex(p['center'])})"

    def _support(self, B):
        v, c = self._pars(B)
        r = 2 * B.sqrt(v)
        return ((c - r, c + r),)

    def _cauchy(self, B, z):
        v, c = self._pars(B)
        r = 2 * B.sqrt(v)
        return 2 / ((z - c) + _sqrt_product(B, z, c - r, c + r))

    def _cauchy_prime(self, B, z):
        # σ²G² - (z - c)G + 1 = 0  =>  G' = G / (2σ²G - (z - c))
        v, c = self._pars(B)
        g = self._cauchy(B, z)
        return g / (2 * v * g - (z - c))

    def _density(self, B, x):
        v, c = self._pars(B)
        u = 4 * v - (x - c) ** 2
        u = max(u, 0 * u) if B.is_mp else np.maximum(u, 0.0)
        return B.sqrt(u) / (2 * B.pi * v)

    def _cdf(self, B, x):
        v, c = self._pars(B)
        t = B.clip((x - c) / (2 * B.sqrt(v)), -1, 1)
        return 0.5 + (t * B.sqrt(1 - t * t) + B.asin(t)) / B.pi if not B.is_mp else \
            mpmath.mpf(1) / 2 + (t * mpmath.sqrt(1 - t * t) + mpmath.asin(t)) / mpmath.pi

    def _moments(self, B, k):
        v, c = self._pars(B)
        return [sum(math.comb(n, 2 * j) * c ** (n - 2 * j) * _catalan(j) * v ** j
                    for j in range(n // 2 + 1)) for n in range(1, k + 1)]

    def _free_cumulants(self, B, k):
        v, c = self._pars(B)
        zero = v * 0
        return [c, v, *([zero] * (k - 2))][:k]

    def _r(self, B, w):
        v, c = self._pars(B)
        return c + v * w

    def _s(self, B, w):
        # S(w) = 2 / (c (1 + sqrt(1 + 4σ²w/c²))): branch point at w = -c²/(4σ²);
        # beyond it on the real axis the continuation is not single-valued.
        v, c = self._pars(B)
        u = 1 + 4 * v * w / (c * c)
        cut = (B.imag(u) == 0) & (B.real(u) < 0) if not B.is_mp else (mpmath.im(u) == 0 and mpmath.re(u) < 0)
        if np.any(cut):
            bad = w[cut].ravel()[0] if not B.is_mp else w
            raise DomainError(f"S-transform of {self!r}: z = {bad} lies on the branch cut "
                              f"z < -c²/(4σ²) = {-(c * c) / (4 * v)}")
        return 2 / (c * (1 + B.sqrt(u)))

    def _sample(self, n, rng):
        v, c = self._pars(_np_backend())
        return c + math.sqrt(v) * goe_eigenvalues(n, rng)


def semicircle(var=1, center=0):
    """Semicircle law of variance ``var`` centred at ``center``.

    Density ``sqrt(4 var - (x - c)^2) / (2 π var)`` on ``[c - 2σ, c + 2σ]``,
    Cauchy transform ``G(z) = (z - c - sqrt((z - c)^2 - 4σ²)) / (2σ²)``,
    ``R(w) = c + σ² w``; free cumulants ``κ1 = c``, ``κ2 = σ²``, others 0.

    Parameters
    ----------
    var : real > 0
        Variance ``σ²``.
    center : real
        Centre ``c``.

    Returns
    -------
    Law

    Raises
    ------
    DomainError
        If ``var <= 0`` or a parameter is not finite.

    Notes
    -----
    ``sample(n)`` returns the eigenvalues of ``c + σ (A + Aᵀ)/√(2n)`` (GOE).
    Conventions: docs/conventions.rst.

    Examples
    --------
    >>> import freespec as fs
    >>> law = fs.semicircle(var=0.25, center=1)
    >>> law
    semicircle(var=0.25, center=1)
    >>> law.support()
    ((0.0, 2.0),)
    >>> law.moments(2)
    array([1.  , 1.25])
    """
    return Semicircle(var=param(var, "var", op=">"), center=param(center, "center"))


# ------------------------------------------------------------------- Marchenko-Pastur
class MarchenkoPastur(Law):
    """Marchenko–Pastur law of ratio ``γ = p/n`` and variance ``σ²``."""

    _ctor = "marchenko_pastur"
    _defaults = {"var": 1}
    _positional = ("ratio",)

    def _pars(self, B):
        p = self.params
        return B.num(p["ratio"]), B.num(p["var"])

    def _latex(self):
        from .._backend import param_latex
        p = self.params
        return rf"\mathrm{{MP}}(\gamma={param_latex(p['ratio'])},\ \sigma^2={param_latex(p['var'])})"

    def _edges(self, B):
        g, v = self._pars(B)
        sg = B.sqrt(g)
        return v * (1 - sg) ** 2, v * (1 + sg) ** 2

    def _support(self, B):
        return (self._edges(B),)

    def _atoms(self, B):
        g, _ = self._pars(B)
        if g > 1:
            return ((B.num(0), 1 - 1 / g),)
        return ()

    def _cauchy(self, B, z):
        g, v = self._pars(B)
        a, b = self._edges(B)
        s = _sqrt_product(B, z, a, b)
        if g > 1:
            # MP(γ) = (1 - 1/γ) δ0 + (1/γ) MP(1/γ, γσ²): no cancellation near 0
            return (1 - 1 / g) / z + (2 / g) / (z + v * (1 - g) + s)
        return 2 / (z + v * (g - 1) + s)

    def _cauchy_prime(self, B, z):
        # γσ²z G² - (z + σ²(γ - 1)) G + 1 = 0
        g, v = self._pars(B)
        G = self._cauchy(B, z)
        return -(g * v * G * G - G) / (2 * g * v * z * G - (z + v * (g - 1)))

    def _density(self, B, x):
        g, v = self._pars(B)
        a, b = self._edges(B)
        if B.is_mp:
            if not a < x < b:
                return mpmath.inf if (g == 1 and x == 0) else mpmath.mpf(0)
            return mpmath.sqrt((b - x) * (x - a)) / (2 * mpmath.pi * g * v * x)
        inside = (x > a) & (x < b)
        xs = np.where(inside, x, (a + b) / 2)
        val = np.sqrt((b - xs) * (xs - a)) / (2 * np.pi * g * v * xs)
        out = np.where(inside, val, 0.0)
        if g == 1:
            out = np.where(x == 0, np.inf, out)
        return out

    def _moments(self, B, k):
        g, v = self._pars(B)
        out = []
        for n in range(1, k + 1):
            narayana = sum(B.num(fractions.Fraction(math.comb(n, j) * math.comb(n, j - 1), n)) * g ** (j - 1)
                           for j in range(1, n + 1))
            out.append(narayana * v ** n)
        return out

    def _free_cumulants(self, B, k):
        g, v = self._pars(B)
        return [v ** n * g ** (n - 1) for n in range(1, k + 1)]

    def _r(self, B, w):
        g, v = self._pars(B)
        return v / (1 - g * v * w)

    def _s(self, B, w):
        g, v = self._pars(B)
        return 1 / (v * (1 + g * w))

    def _sample(self, n, rng):
        g, v = self._pars(_np_backend())
        cols = max(1, int(round(n / g)))
        return v * wishart_eigenvalues(n, cols, rng)


def marchenko_pastur(ratio, var=1):
    """Marchenko–Pastur law: limit spectrum of ``(σ²/n) X Xᵀ``, ``X`` of size ``p × n``, ``γ = p/n``.

    Support ``[σ²(1 - √γ)², σ²(1 + √γ)²]``, an atom of mass ``1 - 1/γ`` at 0
    when ``γ > 1``; mean ``σ²``; free cumulants ``κ_n = σ^{2n} γ^{n-1}``;
    ``R(w) = σ²/(1 - γσ²w)``; ``S(z) = 1/(σ²(1 + γz))``.

    Parameters
    ----------
    ratio : real > 0
        ``γ = p/n`` (matrix dimension over number of samples).
    var : real > 0
        Entry variance ``σ²``.

    Returns
    -------
    Law

    Raises
    ------
    DomainError
        If ``ratio <= 0`` or ``var <= 0``.

    Notes
    -----
    ``sample(n)`` returns the eigenvalues of ``(σ²/N) X Xᵀ`` with ``X`` of size
    ``n × N``, ``N = round(n/γ)``.  Conventions: docs/conventions.rst.

    Examples
    --------
    >>> import freespec as fs
    >>> mp = fs.marchenko_pastur(ratio=0.25)
    >>> mp.support()
    ((0.25, 2.25),)
    >>> fs.marchenko_pastur(ratio=4).atoms()
    ((0.0, 0.75),)
    >>> mp.s_transform(0.5)
    np.float64(0.888888888888...)
    """
    return MarchenkoPastur(ratio=param(ratio, "ratio", op=">"), var=param(var, "var", op=">"))


class FreePoisson(MarchenkoPastur):
    """Free Poisson law of rate ``λ`` and jump size ``α`` (= MP(1/λ, λα))."""

    _ctor = "free_poisson"
    _defaults = {"jump": 1}
    _positional = ("rate",)

    def _pars(self, B):
        p = self.params
        lam, alpha = B.num(p["rate"]), B.num(p["jump"])
        return 1 / lam, lam * alpha

    def _latex(self):
        from .._backend import param_latex
        p = self.params
        return rf"\mathrm{{FreePoisson}}(\lambda={param_latex(p['rate'])},\ \alpha={param_latex(p['jump'])})"


def free_poisson(rate, jump=1):
    """Free Poisson law of rate ``λ`` and jump size ``α``.

    ``R(w) = λα/(1 - αw)``, free cumulants ``κ_n = λ α^n``; it equals
    ``marchenko_pastur(ratio=1/λ, var=λα)``: support ``α(1 ± √λ)²`` and an atom
    ``1 - λ`` at 0 when ``λ < 1``.

    Parameters
    ----------
    rate : real > 0
    jump : real > 0

    Returns
    -------
    Law

    Raises
    ------
    DomainError
        If ``rate <= 0`` or ``jump <= 0``.

    Notes
    -----
    ``sample(n)`` uses the Wishart model of the equal Marchenko–Pastur law.
    Conventions: docs/conventions.rst.

    Examples
    --------
    >>> import freespec as fs
    >>> fs.free_poisson(2, jump=3).free_cumulants(3)
    array([ 6., 18., 54.])
    >>> fs.free_poisson(0.5).atoms()
    ((0.0, 0.5),)
    """
    return FreePoisson(rate=param(rate, "rate", op=">"), jump=param(jump, "jump", op=">"))


# ------------------------------------------------------------------------------ arcsine
@lru_cache(maxsize=None)
def _binom_half(k):
    out = fractions.Fraction(1)
    for i in range(k):
        out *= fractions.Fraction(1, 2) - i
    return out / math.factorial(k)


class _OnInterval(Law):
    """A law with parameters ``a < b`` and support ``[a, b]`` (arcsine, uniform)."""

    _positional = ("a", "b")
    _latex_name = None

    def _pars(self, B):
        p = self.params
        return B.num(p["a"]), B.num(p["b"])

    def _latex(self):
        from .._backend import param_latex
        p = self.params
        return rf"\mathrm{{{self._latex_name}}}[{param_latex(p['a'])}, {param_latex(p['b'])}]"

    def _support(self, B):
        return (self._pars(B),)


def _interval(a, b):
    """Validated ``(a, b)`` with ``a < b`` (undecided symbolic parameters pass)."""
    a = param(a, "a")
    b = param(b, "b")
    if _decided_le(b, a):
        raise DomainError(f"a must be < b, got a={a}, b={b}")
    return a, b


class Arcsine(_OnInterval):
    """Arcsine law on ``[a, b]``."""

    _ctor = "arcsine"
    _latex_name = "Arcsine"

    def _cauchy(self, B, z):
        a, b = self._pars(B)
        return 1 / _sqrt_product(B, z, a, b)

    def _cauchy_prime(self, B, z):
        a, b = self._pars(B)
        G = self._cauchy(B, z)
        return -G ** 3 * (z - (a + b) / 2)

    def _density(self, B, x):
        a, b = self._pars(B)
        if B.is_mp:
            if a < x < b:
                return 1 / (mpmath.pi * mpmath.sqrt((x - a) * (b - x)))
            return mpmath.inf if x in (a, b) else mpmath.mpf(0)
        inside = (x > a) & (x < b)
        val = 1 / (np.pi * np.sqrt(np.where(inside, (x - a) * (b - x), 1.0)))
        return np.where(inside, val, np.where((x == a) | (x == b), np.inf, 0.0))

    def _cdf(self, B, x):
        a, b = self._pars(B)
        c, r = (a + b) / 2, (b - a) / 2
        t = B.clip((x - c) / r, -1, 1)
        return B.num(fractions.Fraction(1, 2)) + B.asin(t) / B.pi

    def _quantile(self, B, q):
        a, b = self._pars(B)
        c, r = (a + b) / 2, (b - a) / 2
        return c - r * B.cos(B.pi * q)

    def _moments(self, B, k):
        a, b = self._pars(B)
        c, r = (a + b) / 2, (b - a) / 2
        return [sum(math.comb(n, i) * c ** (n - i) * r ** i * B.num(fractions.Fraction(math.comb(i, i // 2), 2 ** i))
                    for i in range(0, n + 1, 2)) for n in range(1, k + 1)]

    def _free_cumulants(self, B, k):
        a, b = self._pars(B)
        c, r = (a + b) / 2, (b - a) / 2
        out = []
        for n in range(1, k + 1):
            if n == 1:
                out.append(c)
            elif n % 2:
                out.append(r * 0)
            else:
                out.append(B.num(_binom_half(n // 2)) * r ** n)
        return out

    def _r(self, B, w):
        a, b = self._pars(B)
        c, r = (a + b) / 2, (b - a) / 2
        return c + r * r * w / (B.sqrt(1 + r * r * w * w) + 1)

    def _sample(self, n, rng):
        a, b = self._pars(_np_backend())
        c, r = (a + b) / 2, (b - a) / 2
        d = np.where(np.arange(n) < n // 2, r / 2, -r / 2)
        return c + haar_sum_eigenvalues(d, rng.permutation(d), rng)


def arcsine(a, b):
    """Arcsine law on ``[a, b]``: density ``1/(π sqrt((x - a)(b - x)))``.

    ``G(z) = 1/sqrt((z - a)(z - b))``; with ``c = (a + b)/2``, ``r = (b - a)/2``:
    ``R(w) = c + (sqrt(1 + r²w²) - 1)/w``, free cumulants ``κ_{2k} =
    binom(1/2, k) r^{2k}``.  It is the free additive convolution of two
    symmetric Bernoulli laws ``±r/2`` (shifted by ``c``).

    Parameters
    ----------
    a, b : real, a < b

    Returns
    -------
    Law

    Raises
    ------
    DomainError
        If ``a >= b``.

    Notes
    -----
    ``sample(n)`` returns the eigenvalues of ``c + D₁ + O D₂ Oᵀ`` with
    ``D = diag(±r/2)`` (half each) and ``O`` Haar orthogonal.  The density is
    ``inf`` at the edges and the Cauchy transform diverges there (DomainError).
    Conventions: docs/conventions.rst.

    Examples
    --------
    >>> import freespec as fs
    >>> law = fs.arcsine(-1, 1)
    >>> law.moments(4)
    array([0.   , 0.5  , 0.   , 0.375])
    >>> float(law.quantile(0.5))
    0.0
    """
    a, b = _interval(a, b)
    return Arcsine(a=a, b=b)


# ------------------------------------------------------------------------------ uniform
@lru_cache(maxsize=None)
def _bernoulli(n):
    return fractions.Fraction(int(sympy.bernoulli(n).p), int(sympy.bernoulli(n).q)) if n != 1 \
        else fractions.Fraction(-1, 2)


class Uniform(_OnInterval):
    """Uniform law on ``[a, b]``."""

    _ctor = "uniform"
    _latex_name = "U"

    def _cauchy(self, B, z):
        a, b = self._pars(B)
        L = b - a
        c = (a + b) / 2
        if B.is_mp:
            if abs(z - c) > 2 * L:
                return mpmath.log1p(L / (z - b)) / L
            return (mpmath.log(z - a) - mpmath.log(z - b)) / L
        far = np.abs(z - c) > 2 * L
        zf = np.where(far, z, c + 4 * L)
        zn = np.where(far, c + 4 * L, z)
        return np.where(far, np.log1p(L / (zf - b)), np.log(zn - a) - np.log(zn - b)) / L

    def _cauchy_prime(self, B, z):
        a, b = self._pars(B)
        return -1 / ((z - a) * (z - b))

    def _density(self, B, x):
        a, b = self._pars(B)
        L = b - a
        if B.is_mp:
            return 1 / L if a <= x <= b else mpmath.mpf(0)
        return np.where((x >= a) & (x <= b), 1 / L, 0.0)

    def _cdf(self, B, x):
        a, b = self._pars(B)
        return B.clip((x - a) / (b - a), 0, 1)

    def _quantile(self, B, q):
        a, b = self._pars(B)
        return a + q * (b - a)

    def _moments(self, B, k):
        a, b = self._pars(B)
        c, h = (a + b) / 2, (b - a) / 2
        return [sum(math.comb(n, i) * c ** (n - i) * h ** i / (i + 1) for i in range(0, n + 1, 2))
                for n in range(1, k + 1)]

    def _free_cumulants(self, B, k):
        a, b = self._pars(B)
        c, L = (a + b) / 2, b - a
        out = []
        for n in range(1, k + 1):
            if n == 1:
                out.append(c)
            else:
                out.append(B.num(_bernoulli(n) / math.factorial(n)) * L ** n)
        return out

    def _r(self, B, w):
        # R(w) = b + L/expm1(Lw) - 1/w = c + sum_{n>=2} B_n L^n w^(n-1) / n!
        a, b = self._pars(B)
        c, L = (a + b) / 2, b - a
        if B.is_mp:
            u = L * w
            if abs(mpmath.im(u)) >= mpmath.pi:
                raise DomainError(f"R-transform of {self!r}: w = {w} is outside the domain |Im((b-a)w)| < π")
            if abs(u) < mpmath.mpf(1) / 2:
                terms = int(mpmath.mp.dps / 1.0) + 10
                tot = mpmath.mpf(0)
                for n in range(2, terms, 2):
                    tot += mpmath.mpf(_bernoulli(n).numerator) / _bernoulli(n).denominator \
                        / mpmath.factorial(n) * L ** n * w ** (n - 1)
                return c + tot
            return b + L / mpmath.expm1(u) - 1 / w
        u = L * w
        if np.any(np.abs(u.imag) >= np.pi):
            bad = w[np.abs(u.imag) >= np.pi].ravel()[0]
            raise DomainError(f"R-transform of {self!r}: w = {bad} is outside the domain |Im((b-a)w)| < π")
        small = np.abs(u) < 0.5
        us = np.where(small, u, 0)
        series = np.zeros_like(u)
        for n in range(20, 1, -2):
            series = series * us * us + float(_bernoulli(n) / math.factorial(n))
        series = series * us * L  # sum_{n even >= 2} B_n u^(n-1) L / n!
        wl = np.where(small, 1.0, w)
        direct = b + L / np.expm1(np.where(small, 1.0, u)) - 1 / wl
        return np.where(small, c + series, direct)

    def _sample(self, n, rng):
        a, b = self._pars(_np_backend())
        return rng.uniform(a, b, size=n)


def uniform(a, b):
    """Uniform law on ``[a, b]``.

    ``G(z) = log((z - a)/(z - b)) / (b - a)``; free cumulants ``κ1 = (a + b)/2``,
    ``κ_n = B_n (b - a)^n / n!`` (Bernoulli numbers) for ``n >= 2``; the
    R-transform ``R(w) = b + (b - a)/expm1((b - a)w) - 1/w`` is defined for
    ``|Im((b - a)w)| < π``.

    Parameters
    ----------
    a, b : real, a < b

    Returns
    -------
    Law

    Raises
    ------
    DomainError
        If ``a >= b``.

    Notes
    -----
    ``sample(n)`` returns the diagonal of an ``n × n`` diagonal matrix with iid
    uniform entries.  Conventions: docs/conventions.rst.

    Examples
    --------
    >>> import freespec as fs
    >>> law = fs.uniform(-1, 1)
    >>> law.free_cumulants(4)     # 0, 1/3, 0, -1/45
    array([ 0.        ,  0.33333333,  0.        , -0.02222222])
    >>> float(law.cauchy(2.0))    # atanh(1/2)
    0.5493061443340...
    """
    a, b = _interval(a, b)
    return Uniform(a=a, b=b)


def _decided_le(b, a):
    """True when b <= a is decided (False for undecided symbolic parameters)."""
    if isinstance(a, sympy.Basic) or isinstance(b, sympy.Basic):
        rel = sympy.sympify(b) <= sympy.sympify(a)
        return rel is sympy.true
    return b <= a


def _np_backend():
    from .._backend import NP
    return NP
