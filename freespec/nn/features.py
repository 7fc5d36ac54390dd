"""Random features with power-law input: the population feature covariance and its spectrum.

Model (Paquette, Xiao, Zhu 2026): ``x ~ N(0, H)`` in ``ℝ^v`` with ``λ_j(H) = j^{−α}``,
a Gaussian sketch ``W ∈ ℝ^{v×d}`` (iid ``N(0, 1)`` entries), an activation ``f``
applied entrywise, and the *population* random-feature covariance

    K = E_x[(1/d) f(Wᵀx) f(Wᵀx)ᵀ]        (d × d, no sampling of x).

With ``C = WᵀHW`` (the covariance of ``u = Wᵀx``), ``s_i = √C_ii`` and
``ρ_ij = C_ij/(s_i s_j)``, Mehler's formula gives, for every activation with a
Hermite expansion ``f(s ξ) = Σ_k c_k(s) He_k(ξ)/√k!`` (``ξ ~ N(0, 1)``,
``c_k(s) = E[f(sξ) He_k(ξ)]/√k!``, docs/conventions.rst (h)),

    d · K_ij = Σ_k c_k(s_i) c_k(s_j) ρ_ij^k.

For a monomial ``f(y) = y^p`` the sum is finite and exact:
``c_k(s) = s^p p!/(m! 2^m √k!)`` for ``k = p − 2m ≥ 0``, so
``d · K = Σ_k h_k² C^{∘k} ∘ (s sᵀ)^{∘(p−k)}`` (Hadamard powers).  Other
activations are expanded to ``kmax`` terms with Gauss–Hermite quadrature.

Prediction (Paquette, Xiao, Zhu, "Power-law spectrum of the random feature model",
arXiv:2603.14578, 2026): ``λ_j(K) ≍ (log^{p−1}(j + 1)/j)^α`` for
``j ≤ c d / log^{p+1} d`` and ``j^{−α}`` up to polylog factors beyond.  The study
(:func:`study`) fits the decay exponent of the exact spectrum with and without the
log correction, and against the multiset-product shape
(:func:`multiset_products`: the ``d → ∞`` eigenvalues are products of ``p`` input
eigenvalues, exactly so for ``p = 2`` and, with one block per odd index, ``p = 3``, :func:`limit_spectrum`).  Run it with
``python -m freespec.nn.features``; docs/powerlaw.rst reports the numbers.
"""

import argparse
import math

import numpy as np
from numpy.polynomial import hermite_e as He

from ..errors import DomainError

__all__ = ["rf_covariance", "rf_spectrum", "monomial_hermite", "predicted_shape", "predicted_local_exponent",
           "multiset_products", "limit_spectrum", "fit_exponent",
           "head_range", "study"]


def monomial_hermite(p):
    """Hermite coefficients ``h_k = E[ξ^p He_k(ξ)]/√k!`` of ``ξ^p``, ``k = 0..p``.

    ``ξ^p = Σ_m p!/(m! 2^m (p − 2m)!) He_{p−2m}(ξ)``, so ``h_{p−2m} = p!/(m! 2^m √(p−2m)!)``.

    Examples
    --------
    >>> from freespec.nn.features import monomial_hermite
    >>> monomial_hermite(2)        # ξ² = He_2 + 1: h_0 = 1, h_2 = √2
    array([1.        , 0.        , 1.41421356])
    """
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 0:
        raise DomainError(f"p must be a non-negative integer, got {p!r}")
    h = np.zeros(p + 1)
    for m in range(p // 2 + 1):
        k = p - 2 * m
        h[k] = math.factorial(p) / (math.factorial(m) * 2 ** m * math.sqrt(math.factorial(k)))
    return h


def _hermite_coefficients(f, s, kmax, nodes=120):
    """c_k(s_i) = E[f(s_i ξ) He_k(ξ)]/√k!, k = 0..kmax, by Gauss–Hermite quadrature."""
    x, w = He.hermegauss(nodes)
    w = w / np.sqrt(2 * np.pi)
    vals = np.asarray(f(s[:, None] * x[None, :]), dtype=float)        # (d, nodes)
    out = np.empty((len(s), kmax + 1))
    for k in range(kmax + 1):
        hk = He.hermeval(x, [0] * k + [1]) / math.sqrt(math.factorial(k))
        out[:, k] = vals @ (w * hk)
    return out


def rf_covariance(W, input_eigenvalues, activation=1, *, kmax=12, centered=False):
    """The population random-feature covariance ``K = E_x[(1/d) f(Wᵀx) f(Wᵀx)ᵀ]``.

    Parameters
    ----------
    W : array (v, d)
        The sketch.
    input_eigenvalues : array (v,)
        ``x ~ N(0, diag(λ))`` (the input covariance in its eigenbasis).
    activation : int or callable
        ``p`` for the monomial ``y^p`` (exact), or a vectorised function (Hermite
        expansion to ``kmax`` terms, Gauss–Hermite quadrature with 120 nodes).  The
        truncation error is the tail ``Σ_{k>kmax} |c_k(s_i) c_k(s_j)|``: fast decay for
        entire activations (sin, cos, polynomials), slow for activations with
        singularities near the real axis (tanh at large ``s``), where ``kmax`` must grow.
    centered : bool
        Drop the mean term (``k = 0``): the covariance of the features instead of
        their second moment.

    Returns
    -------
    ndarray (d, d)

    Examples
    --------
    >>> import numpy as np
    >>> from freespec.nn.features import rf_covariance
    >>> W = np.array([[1.0, 0.5], [0.0, 2.0]])
    >>> K = rf_covariance(W, np.array([1.0, 0.25]), activation=2)
    >>> C = W.T @ np.diag([1.0, 0.25]) @ W      # Isserlis: E u_i² u_j² = C_ii C_jj + 2 C_ij²
    >>> bool(np.allclose(2 * K, np.outer(np.diag(C), np.diag(C)) + 2 * C ** 2))
    True
    """
    W = np.asarray(W, dtype=float)
    lam = np.asarray(input_eigenvalues, dtype=float)
    if W.ndim != 2 or lam.shape != (W.shape[0],):
        raise DomainError(f"W must be (v, d) and input_eigenvalues (v,), got {W.shape} and {lam.shape}")
    if np.any(lam < 0):
        raise DomainError("input_eigenvalues must be >= 0")
    d = W.shape[1]
    C = W.T @ (lam[:, None] * W)
    s = np.sqrt(np.diag(C))
    if isinstance(activation, (int, np.integer)) and not isinstance(activation, bool):
        p = int(activation)
        h = monomial_hermite(p)
        K = np.zeros((d, d))
        ss = np.outer(s, s)
        Ck = np.ones((d, d))
        for k in range(p + 1):
            if h[k] != 0 and not (centered and k == 0):
                K += h[k] ** 2 * Ck * ss ** (p - k)
            Ck = Ck * C
        return K / d
    if not callable(activation):
        raise DomainError(f"activation must be an int (monomial degree) or a callable, got {activation!r}")
    c = _hermite_coefficients(activation, s, kmax)
    rho = C / np.outer(s, s)
    K = np.zeros((d, d))
    rk = np.ones((d, d))
    for k in range(kmax + 1):
        if not (centered and k == 0):
            K += np.outer(c[:, k], c[:, k]) * rk
        rk = rk * rho
    return K / d


def rf_spectrum(alpha, v, d, activation=1, *, rng=None, centered=False):
    """Eigenvalues (descending) of ``K`` for ``λ_j(H) = j^{−α}``, ``j = 1..v``, one sketch W.

    Examples
    --------
    >>> from freespec.nn.features import rf_spectrum
    >>> ev = rf_spectrum(2.0, 400, 100, activation=1, rng=0)
    >>> ev.shape, bool(ev[0] > ev[-1] > 0)
    ((100,), True)
    """
    if not (alpha > 0) or v < 1 or d < 1:
        raise DomainError(f"need alpha > 0, v >= 1, d >= 1, got {alpha}, {v}, {d}")
    rng = np.random.default_rng(rng)
    lam = np.arange(1, v + 1, dtype=float) ** -alpha
    W = rng.standard_normal((v, d))
    K = rf_covariance(W, lam, activation, centered=centered)
    return np.sort(np.linalg.eigvalsh(K))[::-1]


def predicted_shape(j, alpha, p):
    """``(log^{p−1}(j + 1)/j)^α``, the predicted order of ``λ_j`` in the head.

    Examples
    --------
    >>> from freespec.nn.features import predicted_shape
    >>> float(predicted_shape(1, 2.0, 1)), round(float(predicted_shape(9, 1.0, 2)), 6)
    (1.0, 0.25584)
    """
    j = np.asarray(j, dtype=float)
    return (np.log(j + 1) ** (p - 1) / j) ** alpha


def predicted_local_exponent(j, alpha, p):
    """``−d log shape/d log j = α (1 − (p − 1) j/((j + 1) log(j + 1)))`` for :func:`predicted_shape`.

    The slope a pure power-law fit of the predicted shape sees near ``j``; it tends to
    ``α`` only like ``α(1 − (p − 1)/log j)``.

    Examples
    --------
    >>> from freespec.nn.features import predicted_local_exponent
    >>> float(predicted_local_exponent(10.0, 2.0, 1))
    2.0
    >>> round(float(predicted_local_exponent(1e4, 2.0, 3)), 4)     # 2 (1 − 2/log 10⁴)
    1.5658
    """
    j = np.asarray(j, dtype=float)
    return alpha * (1 - (p - 1) * j / ((j + 1) * np.log(j + 1)))


def multiset_products(p, n):
    """The ``n`` smallest products ``a_1⋯a_p`` over ``1 <= a_1 <= ⋯ <= a_p`` (integers), ascending.

    The eigenfunctions of the ``d → ∞`` feature operator of ``f(y) = y^p`` are indexed
    by the multisets ``{a_1, …, a_p}`` of input directions (its Wick chaos
    decomposition), with eigenvalue ``κ λ_{a_1}⋯λ_{a_p}`` (``κ`` a bounded
    combinatorial factor, 4 for ``p = 2`` and 36 for ``p = 3`` up to rank-3 shifts, see
    :func:`limit_spectrum`).  For
    ``λ_a = a^{−α}`` the ordering does not depend on ``α``, so
    ``λ_j ≈ A q_j^{−α}`` with ``q = multiset_products(p, n)``.  The number of
    multisets with product ``<= N`` is ``N log^{p−1}N/((p − 1)! p!)`` to leading order,
    hence ``q_j^{−α} ≍ (log^{p−1}(j + 1)/j)^α``, the paper's shape, whose lower-order
    log terms are large at ``j <= 10⁴``.

    Examples
    --------
    >>> from freespec.nn.features import multiset_products
    >>> multiset_products(2, 8)          # 1·1, 1·2, 1·3, 2·2 and 1·4, 1·5, 2·3, 1·6
    array([1., 2., 3., 4., 4., 5., 6., 6.])
    """
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 1:
        raise DomainError(f"p must be a positive integer, got {p!r}")
    if n < 1:
        raise DomainError(f"n must be >= 1, got {n}")
    bound = max(4, 2 * n)
    while True:
        prods = np.ones(1, dtype=np.int64)       # products of the first factors
        last = np.ones(1, dtype=np.int64)        # the largest factor so far
        for k in range(p, 0, -1):
            # next factor a >= last with prod · a^k <= bound (k factors still to choose)
            amax = np.floor((bound / prods) ** (1.0 / k) + 1e-9).astype(np.int64)
            cnt = np.maximum(amax - last + 1, 0)
            base = np.repeat(last, cnt)
            offs = np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
            last = base + offs
            prods = np.repeat(prods, cnt) * last
        keep = prods[prods <= bound]
        if keep.size >= n:
            return np.sort(keep).astype(float)[:n]
        bound *= 2


def _p3_block(lam, e, m, tau, s2, tail_sums=None):
    """Eigenvalues of the block of odd index ``e`` (0-based) of the p = 3 operator, divided by ``λ_e``.

    Basis: ``u = w_e`` and ``ê_a = :w_a² w_e:/‖·‖`` (``:w_e³:/√6`` at ``a = e``).  The block is
    ``N = diag(0, 36 λ_a²) + 9 F Fᵀ + u rᵀ + r uᵀ + γ u uᵀ`` with ``F = (τ + 2λ_e, √2 λ_a, √6 λ_e at e)``,
    ``r = (0, 18√2 λ_a², 18√6 λ_e² at e)``, ``γ = 18 Σλ² + 36 λ_e²``.  The head ``a < m`` (and ``e``)
    is kept; the tail enters by Rayleigh–Ritz on ``span{λ_a^s ê_a, s = 1..4}`` over the tail (the
    block Krylov space of its two couplings), built from ``tail_sums(m, e)``: the power sums
    ``Σ_tail (λ_a/λ_ref)^s``, ``s = 1..10``, and ``λ_ref``.
    """
    v = len(lam)
    head = np.arange(min(m, v))
    if e >= m:
        head = np.append(head, e)
    lh = lam[head]
    at_e = head == e
    F = np.concatenate([[tau + 2 * lam[e]], np.where(at_e, math.sqrt(6), math.sqrt(2)) * lh])
    r = np.concatenate([[0.0], np.where(at_e, 18 * math.sqrt(6), 18 * math.sqrt(2)) * lh ** 2])
    dg = np.concatenate([[0.0], 36 * lh ** 2])
    if tail_sums is not None and m < v - (e >= m):
        ps, ref = tail_sums(m, e)                        # ps[s] = Σ_tail x^s, x = λ/ref
        s = np.arange(1, 5)
        G = ps[s[:, None] + s[None, :]]
        g, U = np.linalg.eigh(G)
        keep = g > 1e-13 * g.max()
        C = U[:, keep] / np.sqrt(g[keep])                # orthonormal tail basis Φ C
        F = np.concatenate([F, C.T @ (math.sqrt(2) * ref * ps[s + 1])])
        r = np.concatenate([r, C.T @ (18 * math.sqrt(2) * ref ** 2 * ps[s + 2])])
        Dt = C.T @ (36 * ref ** 2 * ps[s[:, None] + s[None, :] + 2]) @ C
    else:
        Dt = np.zeros((0, 0))
    k = len(dg)
    N = np.zeros((k + Dt.shape[0],) * 2)
    N[np.arange(k), np.arange(k)] = dg
    N[k:, k:] = Dt
    N += 9 * np.outer(F, F)
    N[0, :] += r
    N[:, 0] += r
    N[0, 0] += 18 * s2 + 36 * lam[e] ** 2
    return np.linalg.eigvalsh(N)


def _triples(lam, t, distinct):
    """The products ``λ_a λ_b λ_c >= t`` over ``a <= b <= c`` (``a < b < c`` if ``distinct``); lam descending."""
    v = len(lam)
    neg = -lam

    def last_at_least(x):                                  # number of indices with λ >= x
        return np.searchsorted(neg, -x, side="right")

    if not t > 0:
        t = 0.0
    amax = last_at_least(t ** (1 / 3)) if t > 0 else v
    a = np.arange(amax)
    bcnt = np.maximum((last_at_least(np.sqrt(t / lam[a])) if t > 0 else v) - a, 0)
    A = np.repeat(a, bcnt)
    B = A + np.arange(bcnt.sum()) - np.repeat(np.cumsum(bcnt) - bcnt, bcnt)
    if distinct:
        keep = B > A
        A, B = A[keep], B[keep]
    first = B + 1 if distinct else B
    cmax = np.minimum(last_at_least(t / (lam[A] * lam[B])), v) if t > 0 else np.full(A.shape, v)
    ccnt = np.maximum(cmax - first, 0)
    Ar, Br = np.repeat(A, ccnt), np.repeat(B, ccnt)
    Cr = np.repeat(first, ccnt) + np.arange(ccnt.sum()) - np.repeat(np.cumsum(ccnt) - ccnt, ccnt)
    return lam[Ar] * lam[Br] * lam[Cr]


def _limit_spectrum_p3(lam, n, eps=1e-2):
    """Top n eigenvalues of the p = 3 operator: 36 λ_aλ_bλ_c (a < b < c) and the blocks of odd index."""
    v = len(lam)
    tau, s2 = lam.sum(), np.sum(lam ** 2)
    powers = np.arange(11)
    # suffix power sums Σ_{a >= k} λ_a^s (0-based k), for the tails
    suff = np.vstack([np.cumsum((lam[::-1, None] ** powers)[::], axis=0)[::-1], np.zeros((1, 11))])

    def tail_sums(m, e):
        ref = lam[m] if m != e else lam[m + 1]
        ps = suff[m].copy()
        if e >= m:
            ps -= lam[e] ** powers
        return np.maximum(ps, 0) / ref ** powers, ref

    # threshold: the n-th value of the leading-order spectrum (36 λ-products and 9τ²λ_e), halved
    def approx_count(t):
        return _triples(lam, t / 36, False).size + np.sum(9 * tau ** 2 * lam >= t)

    lo, hi = 0.0, 36 * lam[0] ** 3 + 9 * tau ** 2 * lam[0]
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if approx_count(mid) >= n else (lo, mid)
    t = lo / 2
    if n > math.comb(v, 3) + v * v:                       # the null directions (one per block) too
        t = -np.inf
    while True:
        vals = [36 * _triples(lam, t / 36, True)]
        # block e: eigenvalues <= λ_e (9|F|² + ‖G‖²), ‖G‖² <= 36λ_1² + 18 Σλ² + 36 λ_e²
        bound = lam * (9 * ((tau + 2 * lam) ** 2 + 2 * s2 + 4 * lam ** 2) + 36 * lam[0] ** 2 + 18 * s2
                       + 36 * lam ** 2)
        for e in np.flatnonzero(bound >= t):
            te = t / lam[e]
            m = v if te == -np.inf else max(4, int(np.searchsorted(-36 * lam ** 2, -eps * te, side="right")))
            ev = _p3_block(lam, e, m, tau, s2, tail_sums)
            vals.append(lam[e] * ev[ev >= te])
        vals = np.concatenate(vals)
        if vals.size >= n or t == 0:
            break
        t /= 4
    out = np.sort(vals)[::-1][:n]
    return np.concatenate([out, np.zeros(n - out.size)])


def limit_spectrum(input_eigenvalues, p, n):
    """The top ``n`` eigenvalues of the ``d → ∞`` limit of ``K`` for ``f(y) = y^p``, ``p <= 3``.

    As ``d → ∞`` the top eigenvalues of ``K`` tend to those of the integral operator
    with kernel ``k(w, w') = E_x[f(wᵀx) f(w'ᵀx)]`` on ``L²(N(0, I_v))`` (``K`` is its
    Nyström matrix at the ``d`` columns of ``W``).  With ``τ = tr H`` and
    ``h_a = He_2(w_a)/√2``:

    * ``p = 1``: ``k = wᵀHw'``, eigenvalues ``λ_a``;
    * ``p = 2``: ``k = (wᵀHw)(w'ᵀHw') + 2(wᵀHw')²``.  The products ``w_a w_b``,
      ``a < b``, are eigenfunctions with eigenvalue ``4 λ_a λ_b``; on
      ``span{1, h_1, …, h_v}`` the operator is the matrix ``u uᵀ + 2 Σ_a λ_a² g_a g_aᵀ``
      with ``u = (τ, √2 λ)``, ``g_a = e_0 + √2 e_a`` (``4 λ_a²`` on the diagonal plus
      rank ≤ 3).  That block is formed for the top ``2000`` input eigenvalues
      (the rest of it lies below ``4 λ_2000²``);
    * ``p = 3``: ``k = 9 (wᵀHw)(w'ᵀHw')(wᵀHw') + 6 (wᵀHw')³``.  By Wick,
      ``w_a w_b w_c = :w_a w_b w_c: + δ_ab w_c + δ_ac w_b + δ_bc w_a``, so the operator
      splits: the products ``w_a w_b w_c``, ``a < b < c``, are eigenfunctions with
      eigenvalue ``36 λ_a λ_b λ_c``, and for each odd index ``e`` the span of
      ``u = w_e`` and ``ê_a = :w_a² w_e:/√2`` (``:w_e³:/√6`` at ``a = e``) is invariant,
      with matrix ``λ_e (diag(0, 36 λ_a²) + 9 F Fᵀ + u rᵀ + r uᵀ + γ u uᵀ)``,
      ``F = (τ + 2λ_e, √2 λ_a)``, ``r = (0, 18√2 λ_a²)`` (``√6`` for ``√2`` at ``a = e``),
      ``γ = 18 Σλ² + 36 λ_e²``: ``36 λ_e λ_a²`` plus rank ≤ 3, the largest about
      ``9 τ² λ_e`` (the degree-1 chaos).  Each block keeps the ``a`` with
      ``36 λ_a² >= 0.01 t/λ_e`` (``t`` the threshold of the top ``n``) and compresses
      the rest by Rayleigh–Ritz on ``span{λ_a^s ê_a, s <= 4}`` (the block Krylov space
      of its couplings), exact to about ``1e-13`` relative.

    Parameters
    ----------
    input_eigenvalues : array (v,)
        ``λ(H)``, any order; ``v`` should exceed ``n`` for the top ``n`` to be
        those of the untruncated input.
    p : {1, 2, 3}
    n : int

    Returns
    -------
    ndarray (n,), descending.

    Examples
    --------
    >>> import numpy as np
    >>> from freespec.nn.features import limit_spectrum
    >>> lam = np.array([1.0, 0.5, 0.25])
    >>> mu = limit_spectrum(lam, 2, 7)           # all of it: 3 pairs and the 4-dim block
    >>> float(mu[1])                             # 4 λ_1 λ_2
    2.0
    >>> round(float(mu.sum()), 10)               # trace E_w k(w, w) = 3 E(wᵀHw)² = 3(τ² + 2 Σλ²)
    17.0625
    >>> mu = limit_spectrum(lam, 3, 13)          # 1 triple, 3 blocks of size 4, one null each
    >>> round(float(mu.sum()), 10)               # 15 E(wᵀHw)³ = 15(τ³ + 6τΣλ² + 8Σλ³)
    423.984375
    """
    lam = np.sort(np.asarray(input_eigenvalues, dtype=float))[::-1]
    if lam.ndim != 1 or np.any(lam < 0):
        raise DomainError("input_eigenvalues must be a 1-d array of values >= 0")
    if p == 1:
        return lam[:n].copy()
    if p == 3:
        return _limit_spectrum_p3(lam, n)
    if p != 2:
        raise DomainError(f"limit_spectrum is implemented for p in (1, 2, 3), got {p!r}")
    v = len(lam)
    m = min(v, 2000)
    top = lam[:m]
    u = np.concatenate([[lam.sum()], math.sqrt(2) * top])
    M = np.outer(u, u)
    M[0, 0] += 2 * np.sum(lam ** 2)
    M[0, 1:] += 2 * math.sqrt(2) * top ** 2
    M[1:, 0] += 2 * math.sqrt(2) * top ** 2
    M[1:, 1:] += np.diag(4 * top ** 2)
    diag = np.linalg.eigvalsh(M)
    # pairs a < b with 4 λ_a λ_b >= t, t the largest threshold leaving at least n of them
    neg = -lam
    first = np.arange(1, v + 1)

    def pairs_above(t):
        return np.maximum(np.searchsorted(neg, -t / (4 * np.maximum(lam, 1e-300)), side="right") - first, 0)

    lo, hi = 0.0, 4 * lam[0] * lam[min(1, v - 1)]
    for _ in range(100):
        mid = 0.5 * (lo + hi)
        if pairs_above(mid).sum() >= n:
            lo = mid
        else:
            hi = mid
    cnt = pairs_above(lo)
    a = np.repeat(np.arange(v), cnt)
    b = a + 1 + np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    out = np.sort(np.concatenate([4 * lam[a] * lam[b], diag]))[::-1]
    return out[:n]


def head_range(d, p, c=1.0):
    """The head ``1 <= j <= c d / log^{p+1} d`` where the log-corrected shape is proven.

    Examples
    --------
    >>> from freespec.nn.features import head_range
    >>> head_range(4000, 1), head_range(4000, 3)
    (58, 2)
    """
    return max(2, int(c * d / math.log(d) ** (p + 1)))


def fit_exponent(eigenvalues, jmin, jmax, *, log_power=0, index=None):
    """Least-squares decay exponent β of ``λ_j ≈ A (log^q(j + 1)/j)^β`` on ``jmin <= j <= jmax``.

    ``log_power = q`` (``p − 1`` for the prediction); ``q = 0`` fits a pure power law.
    With ``index`` (an array ``r_j``, ``j = 1, 2, …``) the model is ``λ_j ≈ A r_j^{−β}``
    instead, e.g. ``index = multiset_products(p, n)``.  β is the only exponent and
    ``A`` the only other parameter.

    Examples
    --------
    >>> import numpy as np
    >>> from freespec.nn.features import fit_exponent
    >>> j = np.arange(1, 1001)
    >>> round(fit_exponent((np.log(j + 1) ** 2 / j) ** 1.5, 5, 500, log_power=2), 10)
    1.5
    """
    ev = np.asarray(eigenvalues, dtype=float)
    j = np.arange(jmin, jmax + 1)
    y = np.log(ev[j - 1])
    if index is not None:
        x = np.log(np.asarray(index, dtype=float)[j - 1])
    else:
        x = np.log(j) - log_power * np.log(np.log(j + 1))
    slope = np.polyfit(x, y, 1)[0]
    return float(-slope)


def _fits(ev, alpha, p, lo, hi):
    q = multiset_products(p, hi)
    j = np.arange(lo, hi + 1)
    return dict(raw=fit_exponent(ev, lo, hi),
                raw_pred=fit_exponent(q ** -alpha, lo, hi),
                raw_shape=fit_exponent(predicted_shape(np.arange(1, hi + 1), alpha, p), lo, hi),
                local_pred=float(predicted_local_exponent(math.sqrt(lo * hi), alpha, p)),
                log=fit_exponent(ev, lo, hi, log_power=p - 1),
                multiset=fit_exponent(ev, lo, hi, index=q),
                spread=float(np.ptp(np.log(ev[j - 1]) + alpha * np.log(q[j - 1]))))


def study(alphas=(1.5, 2.0), powers=(1, 2, 3), ds=(250, 500, 1000, 2000), v_ratio=4, seed=0,
          limit_n=10 ** 5, out=print):
    """Fit the decay exponent of the exact random-feature spectrum; print three tables.

    For each ``α``, ``p`` and ``d`` in ``ds``: one sketch ``W`` (``v = v_ratio·d``),
    the exact population covariance (uncentred, as in the paper) and its eigenvalues,
    fitted on ``5 <= j <= d/10`` with β the only exponent:

    * ``raw``: ``λ_j ≈ A j^{−β}``, next to ``raw_pred``, the same fit of the predicted
      ``q_j^{−α}`` (``q = multiset_products(p, ·)``), and ``local_pred``,
      :func:`predicted_local_exponent` at the geometric centre of the range;
    * ``log``: ``λ_j ≈ A (log^{p−1}(j + 1)/j)^β``;
    * ``multiset``: ``λ_j ≈ A q_j^{−β}``;
    * ``spread``: the range of ``log λ_j + α log q_j`` (0 for an exact fit with β = α).

    Table 1 is the largest ``d``, table 2 the trend of the two shape fits in ``d``,
    table 3 the ``d = ∞`` spectrum (:func:`limit_spectrum`, ``p = 2`` and ``3`` when in
    ``powers``, ``limit_n`` eigenvalues) on decades of ``j`` (skipped when ``limit_n`` is 0).  Returns
    ``(rows, limit_rows)``, lists of dicts.

    Examples
    --------
    >>> from freespec.nn.features import study
    >>> rows, lim = study(alphas=(2.0,), powers=(1,), ds=(200,), limit_n=0, out=lambda s: None)
    >>> abs(rows[0]["raw"] - 2.0) < 0.1
    True
    """
    rows = []
    for a in alphas:
        for p in powers:
            for d in ds:
                ev = rf_spectrum(a, v_ratio * d, d, activation=p, rng=seed)
                r = dict(alpha=a, p=p, d=d, jmin=5, jmax=d // 10, head=d / math.log(d) ** (p + 1))
                r.update(_fits(ev, a, p, 5, d // 10))
                rows.append(r)
    D = max(ds)
    out(f"random features, f(y) = y^p, lambda_j(H) = j^-alpha, v = {v_ratio} d, one Gaussian sketch "
        f"(seed {seed}); exact population covariance")
    out(f"fits with beta the only exponent on 5 <= j <= d/10; q_j = j-th smallest multiset product "
        f"(multiset_products)")
    out(f"table 1: d = {D}")
    out(f"{'alpha':>5} {'p':>2} {'d/log^(p+1)d':>12} {'j^-b':>6} {'pred':>6} {'local':>6} "
        f"{'(log^(p-1)/j)^b':>15} {'q_j^-b':>7} {'spread':>6}")
    for r in rows:
        if r["d"] == D:
            out(f"{r['alpha']:>5} {r['p']:>2} {r['head']:>12.1f} {r['raw']:>6.3f} {r['raw_pred']:>6.3f} "
                f"{r['local_pred']:>6.3f} {r['log']:>15.3f} {r['multiset']:>7.3f} {r['spread']:>6.2f}")
    out("table 2: trend in d of the log-corrected / multiset fits")
    out(f"{'alpha':>5} {'p':>2} " + " ".join(f"{'d=' + str(d):>13}" for d in ds))
    for a in alphas:
        for p in powers:
            cells = [f"{r['log']:.3f}/{r['multiset']:.3f}" for r in rows if r["alpha"] == a and r["p"] == p]
            out(f"{a:>5} {p:>2} " + " ".join(f"{c:>13}" for c in cells))
    limit_rows = []
    if limit_n:
        out(f"table 3: d = infinity (limit_spectrum, {limit_n} eigenvalues); "
            f"fits on decades of j; 'local' = predicted local exponent at the centre")
        out(f"{'alpha':>5} {'p':>2} {'range':>14} {'j^-b':>6} {'local':>6} {'(log^(p-1)/j)^b':>15} {'q_j^-b':>7}")
        for a in alphas:
            for p in [p for p in powers if p in (2, 3)]:
                lam = np.arange(1, limit_n + 2, dtype=float) ** -a
                mu = limit_spectrum(lam, p, limit_n)
                lo = 5
                while 10 * lo <= limit_n:
                    r = dict(alpha=a, p=p, d=math.inf, jmin=lo, jmax=10 * lo)
                    r.update(_fits(mu, a, p, lo, 10 * lo))
                    limit_rows.append(r)
                    out(f"{a:>5} {p:>2} {f'[{lo}, {10 * lo}]':>14} {r['raw']:>6.3f} {r['local_pred']:>6.3f} "
                        f"{r['log']:>15.3f} {r['multiset']:>7.3f}")
                    lo *= 10
    return rows, limit_rows


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m freespec.nn.features",
                                 description="Fitted decay exponents of the random-feature spectrum "
                                             "with power-law input.")
    ap.add_argument("--d", type=int, nargs="+", default=[250, 500, 1000, 2000],
                    help="numbers of features (default 250 500 1000 2000)")
    ap.add_argument("--v-ratio", type=int, default=4, help="input dimension / d (default 4)")
    ap.add_argument("--limit-n", type=int, default=10 ** 5,
                    help="eigenvalues of the d = infinity spectrum for p = 2, 3 (default 1e5; 0 skips)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    study(ds=tuple(args.d), v_ratio=args.v_ratio, seed=args.seed, limit_n=args.limit_n)


if __name__ == "__main__":
    main()
