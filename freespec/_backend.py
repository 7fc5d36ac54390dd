"""Number backends and parameter handling shared by every law.

A law's formulas are written once against a backend ``B``: :data:`NP`
(vectorised NumPy, float64/complex128) or :data:`MP` (mpmath scalars at the
working precision).  Parameters are stored exactly as given (int, float,
sympy number or Symbol, mpmath number, or a string such as ``'1/3'`` turned
into a sympy Rational) and converted to the backend on use.
"""

import fractions
import math
import numbers

import mpmath
import numpy as np
import sympy

from .errors import DomainError, FreespecError

__all__ = ["NP", "MP", "param", "to_float", "to_mp", "param_repr", "is_symbolic"]


class _NumpyBackend:
    is_mp = False
    name = "float64"
    pi = np.pi
    sqrt = staticmethod(np.sqrt)
    log = staticmethod(np.log)
    log1p = staticmethod(np.log1p)
    exp = staticmethod(np.exp)
    expm1 = staticmethod(np.expm1)
    asin = staticmethod(np.arcsin)
    acos = staticmethod(np.arccos)
    sin = staticmethod(np.sin)
    cos = staticmethod(np.cos)
    abs = staticmethod(np.abs)
    conj = staticmethod(np.conj)
    real = staticmethod(np.real)
    imag = staticmethod(np.imag)

    @staticmethod
    def num(v):
        return to_float(v)

    @staticmethod
    def where(cond, a, b):
        return np.where(cond, a, b)

    @staticmethod
    def clip(x, lo, hi):
        return np.clip(x, lo, hi)

    @staticmethod
    def complex(x):
        return np.asarray(x, dtype=complex)

    @staticmethod
    def zeros_like(x):
        return np.zeros(np.shape(x))

    @staticmethod
    def eps():
        return np.finfo(float).eps


class _MpBackend:
    is_mp = True
    name = "mpmath"
    sqrt = staticmethod(mpmath.sqrt)
    log = staticmethod(mpmath.log)
    log1p = staticmethod(mpmath.log1p)
    exp = staticmethod(mpmath.exp)
    expm1 = staticmethod(mpmath.expm1)
    asin = staticmethod(mpmath.asin)
    acos = staticmethod(mpmath.acos)
    sin = staticmethod(mpmath.sin)
    cos = staticmethod(mpmath.cos)
    abs = staticmethod(abs)
    conj = staticmethod(mpmath.conj)
    real = staticmethod(mpmath.re)
    imag = staticmethod(mpmath.im)

    @property
    def pi(self):
        return +mpmath.pi

    @staticmethod
    def num(v):
        return to_mp(v)

    @staticmethod
    def where(cond, a, b):
        return a if cond else b

    @staticmethod
    def clip(x, lo, hi):
        return min(max(x, lo), hi)

    @staticmethod
    def complex(x):
        return mpmath.mpc(x)

    @staticmethod
    def zeros_like(x):
        return mpmath.mpf(0)

    @staticmethod
    def eps():
        return mpmath.eps


NP = _NumpyBackend()
MP = _MpBackend()


def is_symbolic(v):
    return isinstance(v, sympy.Basic) and bool(v.free_symbols)


def _symbolic_error(v):
    return FreespecError(
        f"parameter {v} is symbolic; rebuild the law with numbers to evaluate it "
        "numerically, or use law.symbolic()"
    )


def to_float(v):
    """Convert a stored parameter to a Python float."""
    if isinstance(v, sympy.Basic):
        if is_symbolic(v):
            raise _symbolic_error(v)
        return float(v)
    return float(v)


def to_mp(v):
    """Convert a stored parameter to an mpmath number at the working precision."""
    if isinstance(v, (mpmath.mpf, mpmath.mpc)):
        return +v
    if isinstance(v, bool):
        return mpmath.mpf(int(v))
    if isinstance(v, numbers.Integral):
        return mpmath.mpf(int(v))
    if isinstance(v, fractions.Fraction):
        return mpmath.mpf(v.numerator) / v.denominator
    if isinstance(v, sympy.Basic):
        if is_symbolic(v):
            raise _symbolic_error(v)
        if isinstance(v, sympy.Rational):
            return mpmath.mpf(int(v.p)) / int(v.q)
        val = sympy.N(v, mpmath.mp.dps + 10)
        if val.is_real:
            return mpmath.mpf(sympy.Float(val)._mpf_)
        return mpmath.mpc(complex(val))
    return mpmath.mpf(v)


def _normalise(v, name):
    """Turn an accepted parameter value into the exact stored form."""
    if isinstance(v, bool):
        raise DomainError(f"{name} must be a real number, got {v!r}")
    if isinstance(v, str):
        try:
            v = sympy.Rational(v)
        except (TypeError, ValueError):
            try:
                v = sympy.sympify(v, rational=True)
            except (sympy.SympifyError, SyntaxError, TypeError, ZeroDivisionError) as exc:
                raise DomainError(f"{name} must be a real number, got {v!r}") from exc
        except ZeroDivisionError as exc:
            raise DomainError(f"{name} must be a finite real number, got {v!r}") from exc
        if isinstance(v, sympy.Integer):
            return int(v)
        return v
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, numbers.Integral):
        return int(v)
    if isinstance(v, fractions.Fraction):
        return sympy.Rational(v.numerator, v.denominator)
    if isinstance(v, float):
        return v
    if isinstance(v, mpmath.mpf):
        # an mpf is an exact binary rational: keep it exactly (and rebuildably)
        if not mpmath.isfinite(v):
            raise DomainError(f"{name} must be finite, got {v}")
        num, den = mpmath.libmp.to_rational(v._mpf_)
        if float(v) == v:
            return float(v)          # a binary64 number: keep it as a float
        return sympy.Rational(int(num), int(den))
    if isinstance(v, sympy.Basic):
        if isinstance(v, sympy.Integer):
            return int(v)
        return v
    if isinstance(v, (complex, mpmath.mpc)):
        raise DomainError(f"{name} must be a real number, got {v!r}")
    raise DomainError(f"{name} must be a real number, got {v!r}")


def _check_finite(v, name):
    if isinstance(v, sympy.Basic):
        if is_symbolic(v):
            return
        if not v.is_real or not v.is_finite:
            raise DomainError(f"{name} must be a finite real number, got {v}")
        return
    if isinstance(v, mpmath.mpf):
        if not mpmath.isfinite(v):
            raise DomainError(f"{name} must be finite, got {v}")
        return
    if not math.isfinite(v):
        raise DomainError(f"{name} must be finite, got {v!r}")


def _compare(v, op, bound):
    """Return True/False, or None when a symbolic parameter leaves it undecided."""
    if isinstance(v, sympy.Basic) and is_symbolic(v):
        rel = {">": v > bound, ">=": v >= bound, "<": v < bound, "!=": sympy.Ne(v, bound)}[op]
        if rel in (sympy.true, sympy.false):
            return bool(rel)
        return None
    if isinstance(v, sympy.Basic):
        v = sympy.Rational(v) if v.is_Rational else v
        return bool({">": v > bound, ">=": v >= bound, "<": v < bound, "!=": v != bound}[op])
    return {">": v > bound, ">=": v >= bound, "<": v < bound, "!=": v != bound}[op]


_DOMAIN_TEXT = {">": "> {}", ">=": ">= {}", "<": "< {}", "!=": "!= {}"}


def param(v, name, *, op=None, bound=0):
    """Validate and normalise a real scalar parameter.

    ``op`` and ``bound`` state the domain (e.g. ``op='>'``, ``bound=0``).
    Symbolic sympy parameters pass when the domain is not decidably violated.
    """
    v = _normalise(v, name)
    _check_finite(v, name)
    if op is not None:
        ok = _compare(v, op, bound)
        if ok is False:
            raise DomainError(f"{name} must be {_DOMAIN_TEXT[op].format(bound)}, got {param_repr(v)}")
    return v


def canonical(v):
    """Canonical exact form for equality and hashing: numbers as Fractions.

    ``semicircle(var=1)``, ``semicircle(var=1.0)`` and ``semicircle(var='1')``
    are one law; Python's numeric tower hashes equal Fractions and floats alike.
    """
    if isinstance(v, tuple):
        return tuple(canonical(x) for x in v)
    if isinstance(v, bool):
        return v
    if isinstance(v, (int, float)):
        return fractions.Fraction(v)
    if isinstance(v, fractions.Fraction):
        return v
    if isinstance(v, sympy.Rational):
        return fractions.Fraction(int(v.p), int(v.q))
    return v


def param_repr(v):
    """A repr of a stored parameter that rebuilds it through the constructors."""
    if isinstance(v, sympy.Rational) and not isinstance(v, sympy.Integer):
        return repr(f"{v.p}/{v.q}")
    if isinstance(v, sympy.Basic):
        if isinstance(v, sympy.Symbol):
            return f"sympy.{sympy.srepr(v)}"
        return f"sympy.sympify({str(v)!r})"
    if isinstance(v, mpmath.mpf):
        return f"mpmath.{v!r}"
    return repr(v)


def param_latex(v):
    if isinstance(v, sympy.Basic):
        return sympy.latex(v)
    if isinstance(v, mpmath.mpf):
        return mpmath.nstr(v, 15)
    return repr(v)
