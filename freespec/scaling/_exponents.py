"""Predicted scaling exponents of weight-decay–regularised networks, tuned risk curves,
and the learned-weight spectrum of the diagonal network.

The predictions follow from the denoising reduction of :mod:`._convex` by the
soft-thresholding argument: with target strengths ``s_j = j^{−γ}`` and an
effective noise level ``τ`` (``τ²`` for the LASSO, ``Δ`` for matrix sensing),
features with ``s_j`` above the threshold ``θ ∝ τ`` are recovered at a cost
``O(τ²)`` each, the others contribute ``s_j²``; with ``k* = θ^{−1/γ}``,

    d·ε ≈ k* τ² + Σ_{j > k*} j^{−2γ} ∝ τ^{2 − 1/γ}.

The effective noise is set by the sample complexity: ``τ² ≈ σ²/α`` when the
label noise dominates (tuned weight decay), ``τ² = ε/α`` (self-consistently)
without label noise.  The derivation, every step and its range of validity:
docs/scaling.rst, "Predicted exponents".
"""

import math

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import ndtr

from ..errors import ConvergenceError, DomainError
from ._convex import _atoms, _risk_function

__all__ = ["predicted_exponents", "predicted_local_exponent", "tuned_risk",
           "lasso_learned_spectrum"]

_MODELS = ("lasso", "quadratic", "nuclear")


def _gamma(target_exponent):
    try:
        g = float(target_exponent)
    except (TypeError, ValueError) as exc:
        raise DomainError(f"target_exponent must be a real number, got {target_exponent!r}") from exc
    if not g > 0.5 or not math.isfinite(g):
        raise DomainError(f"target_exponent must be > 1/2 (square-summable target), got {g!r}")
    return g


def _model(model):
    if model not in _MODELS:
        raise DomainError(f"model must be 'lasso', 'quadratic' or 'nuclear', got {model!r}")
    return model


def predicted_exponents(model, target_exponent):
    """Asymptotic exponents ``p`` of the excess risk ``R ∝ α^{−p}`` in each regime.

    Leading order of the soft-thresholding argument for a target whose
    entries (``model="lasso"``) or eigenvalues (``"quadratic"``, ``"nuclear"``)
    are ``j^{−γ}``, ``j = 1..d``.

    Parameters
    ----------
    model : {"lasso", "quadratic", "nuclear"}
        Diagonal network, quadratic network (PSD) or nuclear norm.
    target_exponent : float > 1/2
        γ.

    Returns
    -------
    dict
        ``"plateau"``: 0 (fixed weight decay λ, ``α → ∞``: the risk tends to
        the bias of the soft threshold at λ);
        ``"variance"``: 1 (label noise σ > 0 and ``λ`` small against the
        effective noise, or all ``d`` features resolved: ``R ≈ σ²/α``);
        ``"tuned"``: ``1 − 1/(2γ)`` (σ > 0, λ tuned at each α, ``1 ≪ k* ≪ d``
        features above the threshold, ``τ² ≈ σ²/α``);
        ``"noiseless"``: ``2γ − 1`` (σ = 0, λ tuned, below full recovery:
        ``k* ∝ n`` features recovered, ``d·ε ∝ k*^{1−2γ}``).  For the LASSO
        the last two carry logarithmic corrections
        (:func:`predicted_local_exponent`).

    Examples
    --------
    >>> from freespec.scaling import predicted_exponents
    >>> predicted_exponents("lasso", 1.0)
    {'plateau': 0.0, 'variance': 1.0, 'tuned': 0.5, 'noiseless': 1.0}
    """
    _model(model)
    g = _gamma(target_exponent)
    return {"plateau": 0.0, "variance": 1.0, "tuned": 1 - 1 / (2 * g), "noiseless": 2 * g - 1}


def predicted_local_exponent(model, target_exponent, d, noise, alpha):
    """Local exponent ``−∂ log R/∂ log α`` of the tuned risk, with its leading correction.

    Regime ``"tuned"`` of :func:`predicted_exponents` (σ > 0).  For matrix
    sensing the threshold sits at the edge of the semicircle, which has no
    tail: the exponent is ``p = 1 − 1/(2γ)``.  For the LASSO the threshold
    must also silence the Gaussian noise on the ``≈ d`` small entries: its
    ratio to the noise is ``κ ≈ √(2L)``, ``L = log(d τ^{1/γ})``, ``τ² = σ²/α``
    (``L = log(d/k₀)``, ``k₀ = τ^{−1/γ}`` the number of entries above the
    noise); the risk ``∝ τ^{2−1/γ} κ^{2−1/γ}`` then has the local exponent

        p (1 + 1/(2γ L)).

    Parameters
    ----------
    model : {"lasso", "quadratic", "nuclear"}
    target_exponent : float > 1/2
        γ.
    d : int
        Number of entries (eigenvalues) of the target.
    noise : float > 0
        σ.
    alpha : float or array
        Sample complexity; requires ``L > 0`` (``k₀ < d``).

    Examples
    --------
    >>> from freespec.scaling import predicted_local_exponent
    >>> round(predicted_local_exponent("lasso", 1.0, 2000, 0.05, 100.0), 4)  # L = log 10
    0.6086
    >>> predicted_local_exponent("quadratic", 1.0, 60, 0.05, 1.0)
    0.5
    """
    _model(model)
    g = _gamma(target_exponent)
    if not noise > 0:
        raise DomainError(f"noise must be > 0 in the tuned regime, got {noise!r}")
    p = 1 - 1 / (2 * g)
    if model != "lasso":
        return p if np.ndim(alpha) == 0 else np.full(np.shape(alpha), p)
    a = np.asarray(alpha, float)
    L = np.log(d) + np.log(noise ** 2 / a) / (2 * g)
    if np.any(L <= 0):
        raise DomainError("alpha beyond the tuned regime: all entries are above the noise "
                          "(d τ^(1/γ) <= 1); the exponent there is 1")
    out = p * (1 + 1 / (2 * g * L))
    return float(out) if out.ndim == 0 else out


def tuned_risk(model, target, alphas, noise=0.0, bounds=(1e-7, 1.0), xatol=1e-3):
    """Excess risk at the optimal weight decay, and its local exponent, over α.

    For each α, λ minimises the asymptotic excess risk (bounded Brent search
    in ``log λ`` over ``bounds``, to ``xatol`` in ``log λ``; weight decays at
    which the state evolution has no solution count as infinite risk).

    Parameters
    ----------
    model : {"lasso", "quadratic", "nuclear"}
    target : Law
        Atomic law of the target's entries or eigenvalues.
    alphas : sequence of float
        Increasing sample complexities.
    noise : float
        σ.
    bounds : (float, float)
        Search interval for λ.
    xatol : float
        Tolerance in ``log λ``.

    Returns
    -------
    dict
        ``"alpha"``, ``"risk"``, ``"weight_decay"`` (the optimal λ) and
        ``"exponent"`` (``−∂ log R/∂ log α``, ``numpy.gradient``).

    Examples
    --------
    >>> import numpy as np
    >>> import freespec as fs
    >>> out = fs.scaling.tuned_risk("lasso", fs.power_law(1.0, 500), [10.0, 100.0], noise=0.1)
    >>> fixed = fs.scaling.lasso_risk(fs.power_law(1.0, 500), 10.0, 1e-3, 0.1).excess_risk
    >>> bool(out["risk"][0] <= fixed), bool(out["risk"][1] < out["risk"][0])
    (True, True)
    """
    risk = _risk_function(_model(model))
    alphas = np.asarray(alphas, float)
    if alphas.ndim != 1 or alphas.size < 2 or np.any(np.diff(alphas) <= 0):
        raise DomainError("alphas must be an increasing sequence of at least two values")
    lo, hi = (math.log(float(b)) for b in bounds)

    def f(loglam, a):
        try:
            return math.log(risk(target, a, math.exp(loglam), noise).excess_risk)
        except ConvergenceError:
            return math.inf

    R, lams = [], []
    for a in alphas:
        res = minimize_scalar(f, bounds=(lo, hi), args=(a,), method="bounded",
                              options={"xatol": xatol})
        if not math.isfinite(res.fun):
            raise ConvergenceError(f"no weight decay in {bounds} solves the state evolution "
                                   f"at alpha = {a}")
        R.append(math.exp(res.fun))
        lams.append(math.exp(res.x))
    R = np.array(R)
    return {"alpha": alphas, "risk": R, "weight_decay": np.array(lams),
            "exponent": -np.gradient(np.log(R), np.log(alphas))}


def lasso_learned_spectrum(target, result):
    """Rank-ordered magnitudes ``|ŵ|_(1) ≥ … ≥ |ŵ|_(d)`` of the diagonal network's weights.

    In law ``ŵ_i = η(W + τZ; θ)`` (:func:`lasso_risk`; ``τ² = result.noise``,
    ``θ = result.threshold``), so
    ``P(|ŵ| > t) = E[Φ((W − t − θ)/τ) + Φ((−W − t − θ)/τ)]`` and, with ``d`` the
    number of atoms of the target, the ``r``-th largest magnitude is the
    solution of ``P(|ŵ| > t) = (r − ½)/d`` (bisection), 0 beyond the active
    fraction.  The learned weights of the network ``u_i² − v_i²`` are these
    ``ŵ_i``; the magnitudes of the first layer are ``|ŵ_i|^{1/2}``.

    Parameters
    ----------
    target : Law
        Atomic law of the entries of ``w*``.
    result : ConvexRisk
        Output of :func:`lasso_risk` for this target.

    Returns
    -------
    numpy.ndarray
        ``d`` values, decreasing.

    Examples
    --------
    >>> import numpy as np
    >>> import freespec as fs
    >>> t = fs.power_law(1.0, 200)
    >>> r = fs.scaling.lasso_risk(t, alpha=2.0, weight_decay=0.02, noise=0.05)
    >>> v = fs.scaling.lasso_learned_spectrum(t, r)
    >>> bool(abs(np.mean(v > 0) - r.active) <= 1 / 200)     # active fraction
    True
    """
    vals, wts = _atoms(target)
    d = len(vals)
    tau, theta = math.sqrt(result.noise), float(result.threshold)
    q = (np.arange(1, d + 1) - 0.5) / d

    def sf(t):
        t = np.asarray(t)[..., None]
        return np.sum(wts * (ndtr((vals - t - theta) / tau) + ndtr((-vals - t - theta) / tau)), -1)

    lo = np.zeros(d)
    hi = np.full(d, float(np.max(np.abs(vals))) + 40 * tau)
    on = sf(lo) > q
    for _ in range(60):                     # sf decreases in t; 2^-60 of the bracket
        mid = (lo + hi) / 2
        above = sf(mid) > q
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    return np.where(on, (lo + hi) / 2, 0.0)
