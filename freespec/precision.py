"""Scoped working precision.

``with freespec.workdps(n):`` (or ``@freespec.workdps(n)``) makes every
freespec evaluation inside the block run in mpmath and return results correct
to about ``n`` significant digits.  Outside such a block, mpmath inputs
(``mpf``/``mpc``) select the mpmath path at the current ``mpmath.mp.dps``;
everything else runs vectorised in float64/complex128.  See
docs/conventions.rst, "Precision".
"""

import contextvars
import functools
import numbers

import mpmath
import numpy as np

from .errors import DomainError

__all__ = ["workdps", "current_dps", "GUARD_DIGITS"]

#: Extra decimal digits used internally by the mpmath path before rounding.
GUARD_DIGITS = 12

_DPS = contextvars.ContextVar("freespec_workdps", default=None)


class workdps:
    """Evaluate freespec at ``n`` decimal digits inside a block or function.

    Usable as a context manager and as a decorator, like
    :func:`mpmath.workdps`.  Inside the block every freespec method returns
    mpmath numbers correct to about ``n`` digits (internally ``n`` plus guard
    digits are used), whatever the type of its inputs.  ``mpmath.mp.dps`` is
    set to ``n`` inside the block and restored on exit, also on error.

    Parameters
    ----------
    n : int
        Decimal digits, ``n >= 1``.

    Raises
    ------
    DomainError
        If ``n`` is not a positive integer.

    Examples
    --------
    >>> import freespec as fs
    >>> with fs.workdps(30):
    ...     print(fs.semicircle().cauchy(3))
    0.381966011250105151795413165634
    >>> @fs.workdps(20)
    ... def edge():
    ...     return fs.marchenko_pastur(ratio=2).support()[0][1]
    >>> edge()
    mpf('5.8284271247461900976')
    """

    def __init__(self, n):
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
            raise DomainError(f"n must be a positive integer, got {n!r}")
        self.n = int(n)
        self._tokens = []

    def __enter__(self):
        ctx = mpmath.workdps(self.n)
        ctx.__enter__()
        self._tokens.append((_DPS.set(self.n), ctx))
        return self

    def __exit__(self, *exc):
        token, ctx = self._tokens.pop()
        _DPS.reset(token)
        ctx.__exit__(*exc)
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapped(*args, **kwargs):
            with workdps(self.n):
                return func(*args, **kwargs)

        return wrapped

    def __repr__(self):
        return f"workdps({self.n})"


def current_dps():
    """Digits of the enclosing :class:`workdps` block, or ``None`` outside one."""
    return _DPS.get()


def _is_mp_scalar(x):
    return isinstance(x, (mpmath.mpf, mpmath.mpc))


def wants_mp(x=None):
    """Return the decimal digits to use if ``x`` should go the mpmath path, else None.

    Inside a :class:`workdps` block this is the block's precision; outside,
    it is ``mpmath.mp.dps`` when ``x`` holds mpmath numbers.
    """
    dps = _DPS.get()
    if dps is not None:
        return dps
    if x is None:
        return None
    if _is_mp_scalar(x):
        return mpmath.mp.dps
    if isinstance(x, (list, tuple)):
        if any(_is_mp_scalar(v) for v in np.ravel(np.array(x, dtype=object))):
            return mpmath.mp.dps
        return None
    if isinstance(x, np.ndarray) and x.dtype == object:
        if any(_is_mp_scalar(v) for v in x.ravel()):
            return mpmath.mp.dps
    return None
