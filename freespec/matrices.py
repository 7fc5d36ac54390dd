"""Random-matrix models that realise the laws (eigenvalue samplers).

Each function returns the eigenvalues of one random matrix, ascending.
Symmetric eigenproblems use ``eigvalsh``; products are formed only where the
spectrum needs them (the smaller Gram matrix of a Wishart).
"""

import numpy as np

__all__ = ["goe_eigenvalues", "wishart_eigenvalues", "haar_orthogonal", "haar_sum_eigenvalues"]


def goe_eigenvalues(n, rng):
    """Eigenvalues of the GOE matrix ``(A + Aᵀ)/√(2n)``, ``A`` iid N(0, 1).

    Off-diagonal entries have variance ``1/n``; the spectrum tends to the
    semicircle of variance 1 on [-2, 2].

    Examples
    --------
    >>> import numpy as np
    >>> ev = goe_eigenvalues(400, np.random.default_rng(1))
    >>> bool(1.9 < ev.max() < 2.1)
    True
    """
    a = rng.standard_normal((n, n))
    return np.linalg.eigvalsh((a + a.T) / np.sqrt(2.0 * n))


def wishart_eigenvalues(p, n, rng):
    """Eigenvalues of ``(1/n) X Xᵀ`` (``p × p``), ``X`` of size ``p × n`` with iid N(0, 1) entries.

    When ``p > n`` the ``n`` nonzero eigenvalues come from the ``n × n`` Gram
    matrix ``(1/n) Xᵀ X`` and ``p - n`` zeros are appended.

    Examples
    --------
    >>> import numpy as np
    >>> ev = wishart_eigenvalues(300, 600, np.random.default_rng(0))
    >>> bool(abs(ev.mean() - 1) < 0.05)
    True
    """
    x = rng.standard_normal((p, n))
    if p <= n:
        return np.linalg.eigvalsh(x @ x.T / n)
    ev = np.linalg.eigvalsh(x.T @ x / n)
    return np.sort(np.concatenate([np.zeros(p - n), ev]))


def haar_orthogonal(n, rng):
    """A Haar-distributed ``n × n`` orthogonal matrix (QR of a Gaussian matrix, signs fixed).

    Examples
    --------
    >>> import numpy as np
    >>> o = haar_orthogonal(5, np.random.default_rng(0))
    >>> bool(np.allclose(o @ o.T, np.eye(5)))
    True
    """
    q, r = np.linalg.qr(rng.standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def haar_sum_eigenvalues(a, b, rng):
    """Eigenvalues of ``diag(a) + O diag(b) Oᵀ`` with ``O`` Haar orthogonal.

    Asymptotically free: the spectrum tends to the free additive convolution
    of the laws of ``a`` and ``b``.

    Examples
    --------
    >>> import numpy as np
    >>> ev = haar_sum_eigenvalues(np.ones(4), np.zeros(4), np.random.default_rng(0))
    >>> bool(np.allclose(ev, 1))
    True
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    o = haar_orthogonal(len(a), rng)
    m = (o * b) @ o.T
    m = (m + m.T) / 2
    m[np.diag_indices_from(m)] += a
    return np.linalg.eigvalsh(m)
