"""Direct numerical solution of the convex problems of :mod:`._convex` at small size.

Proximal gradient (FISTA with the exact Lipschitz constant of the quadratic
part) on sampled Gaussian designs; used to check the asymptotic risks.
"""

import numpy as np

from ..errors import ConvergenceError, DomainError

__all__ = ["simulate_lasso", "simulate_nuclear"]


def _lipschitz(M, rng, iters=40):
    """Upper estimate of ``‖M‖₂²`` by power iteration on ``MᵀM`` (5% margin)."""
    v = rng.standard_normal(M.shape[1])
    for _ in range(iters):
        v = M.T @ (M @ v)
        v /= np.linalg.norm(v)
    return 1.05 * float(np.linalg.norm(M @ v) ** 2)


def _fista(grad, prox, lipschitz, x0, tol=1e-9, maxiter=20000):
    x, z, t = x0.copy(), x0.copy(), 1.0
    for _ in range(maxiter):
        x_new = prox(z - grad(z) / lipschitz, 1.0 / lipschitz)
        t_new = (1 + np.sqrt(1 + 4 * t * t)) / 2
        z = x_new + (t - 1) / t_new * (x_new - x)
        if np.linalg.norm(x_new - x) <= tol * max(1.0, np.linalg.norm(x_new)):
            return x_new
        x, t = x_new, t_new
    raise ConvergenceError(f"proximal gradient did not converge in {maxiter} iterations")


def simulate_lasso(target, alpha, weight_decay, noise=0.0, rng=None, return_weights=False):
    """Solve one sampled LASSO of :func:`lasso_risk`; returns ``‖ŵ − w*‖²/d``.

    ``target``: the vector ``w*`` (length ``d``); inputs ``x_μ ~ N(0, I_d/d)``,
    ``n = round(α d)``; minimises ``(1/(2α)) Σ (y_μ − ⟨x_μ, w⟩)² + λ‖w‖₁``.
    With ``return_weights``, returns ``(‖ŵ − w*‖²/d, ŵ)``.

    Examples
    --------
    >>> import numpy as np
    >>> from freespec.scaling import simulate_lasso
    >>> simulate_lasso(np.zeros(50), 2.0, 1.0, rng=0)   # zero target, large λ: ŵ = 0
    0.0
    """
    w0 = np.asarray(target, float)
    d = w0.size
    n = int(round(alpha * d))
    if n < 1:
        raise DomainError("alpha * d must be at least 1")
    rng = np.random.default_rng(rng)
    X = rng.standard_normal((n, d)) / np.sqrt(d)
    y = X @ w0 + noise * rng.standard_normal(n)
    L = _lipschitz(X, rng) / alpha
    w = _fista(lambda w: X.T @ (X @ w - y) / alpha,
               lambda v, s: np.sign(v) * np.maximum(np.abs(v) - s * weight_decay, 0.0), L,
               np.zeros(d))
    mse = float(np.sum((w - w0) ** 2) / d)
    return (mse, w) if return_weights else mse


def simulate_nuclear(eigenvalues, alpha, weight_decay, noise=0.0, psd=True, rng=None):
    """Solve one sampled matrix-sensing problem of :func:`nuclear_risk`.

    ``S* = O diag(eigenvalues) Oᵀ`` (``O`` Haar), ``n = round(α d²)``
    measurements ``y_μ = Tr(Z_μ S*)/√d + σ ξ_μ`` with GOE ``Z_μ``; minimises
    ``(1/(4αd)) Σ (y_μ − Tr(Z_μ S)/√d)² + λ‖S‖_*`` (PSD cone with ``psd``).

    Returns
    -------
    (float, numpy.ndarray)
        ``‖Ŝ − S*‖_F²/d`` and the eigenvalues of ``Ŝ``.
    """
    s0 = np.asarray(eigenvalues, float)
    d = s0.size
    n = int(round(alpha * d * d))
    rng = np.random.default_rng(rng)
    q, r = np.linalg.qr(rng.standard_normal((d, d)))
    O = q * np.sign(np.diag(r))
    S0 = (O * s0) @ O.T
    G = rng.standard_normal((n, d, d))
    Z = (G + np.transpose(G, (0, 2, 1))) / np.sqrt(2)          # GOE: off-diag N(0,1), diag N(0,2)
    M = Z.reshape(n, d * d) / np.sqrt(d)                        # S ↦ Tr(Z S)/√d
    y = M @ S0.ravel() + noise * rng.standard_normal(n)
    c = 1.0 / (2 * alpha * d)                                   # gradient of (1/(4αd)) Σ r²
    L = c * _lipschitz(M, rng)

    def grad(S):
        g = (c * (M.T @ (M @ S.ravel() - y))).reshape(d, d)
        return (g + g.T) / 2

    def prox(V, step):
        lam, vec = np.linalg.eigh((V + V.T) / 2)
        t = step * weight_decay
        lam = np.maximum(lam - t, 0.0) if psd else np.sign(lam) * np.maximum(np.abs(lam) - t, 0.0)
        return (vec * lam) @ vec.T

    S = _fista(grad, prox, L, np.zeros((d, d)))
    return float(np.sum((S - S0) ** 2) / d), np.linalg.eigvalsh(S)
