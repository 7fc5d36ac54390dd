"""Exceptions raised by freespec.

Every failure of a freespec computation raises a subclass of
:class:`FreespecError`; nothing returns a silently wrong value.
"""

__all__ = ["FreespecError", "ConvergenceError", "DomainError", "NotAlgebraicError"]


class FreespecError(Exception):
    """Base class of every exception raised by freespec."""


class ConvergenceError(FreespecError):
    """A solver did not converge, or its result failed verification.

    The message names the point, the residual reached and the tolerance.
    """


class DomainError(FreespecError, ValueError):
    """A parameter or an argument lies outside its domain.

    The message names the parameter, its allowed domain and the value given,
    e.g. ``ratio must be > 0, got -0.5``.
    """


class NotAlgebraicError(FreespecError):
    """The law has no algebraic Cauchy transform (or no symbolic form yet)."""
