"""Moment–free-cumulant relations and other power-series helpers.

With ``M(z) = 1 + sum m_n z^n`` and ``C(z) = 1 + sum k_n z^n`` the free
moment–cumulant relation is ``M(z) = C(z M(z))`` (Speicher; Nica & Speicher,
Lectures on the Combinatorics of Free Probability, Lecture 11), i.e.
``m_n = sum_{s=1}^n k_s [z^{n-s}] M(z)^s``.  Both directions run in O(n^3)
with the table ``T[s][j] = [z^j] M(z)^s``; the arithmetic is that of the
numbers given (float, mpf, Fraction or sympy Rational).
"""

__all__ = ["cumulants_to_moments", "moments_to_cumulants"]


def _convert(seq, solve_for_moments):
    n = len(seq)
    zero = seq[0] * 0 if n else 0
    one = zero + 1
    m = [one]  # m_0 = 1
    kappa = [zero]  # kappa_0 unused
    # T[s][j] = [z^j] M^s for the j computed so far
    T = [[one]]
    for order in range(1, n + 1):
        # extend T[s] by the entry j = order - s, for s = 1 .. order - 1
        for s in range(1, order):
            j = order - s
            if len(T) <= s:
                T.append([one])
            prev = T[s - 1]
            acc = zero
            for i in range(0, j + 1):
                if i < len(m) and j - i < len(prev):
                    acc = acc + m[i] * prev[j - i]
            T[s].append(acc)
        lower = zero
        for s in range(1, order):
            lower = lower + kappa[s] * T[s][order - s]
        if solve_for_moments:
            k_n = seq[order - 1]
            kappa.append(k_n)
            m.append(k_n + lower)
        else:
            m_n = seq[order - 1]
            m.append(m_n)
            kappa.append(m_n - lower)
        if len(T) <= order:
            T.append([one])
    return m[1:] if solve_for_moments else kappa[1:]


def cumulants_to_moments(kappas):
    """Moments ``m_1..m_n`` from free cumulants ``k_1..k_n``.

    Examples
    --------
    >>> cumulants_to_moments([0, 1, 0, 0, 0, 0])   # semicircle: Catalan numbers
    [0, 1, 0, 2, 0, 5]
    """
    return _convert(list(kappas), True)


def moments_to_cumulants(moments):
    """Free cumulants ``k_1..k_n`` from moments ``m_1..m_n``.

    Examples
    --------
    >>> moments_to_cumulants([1, 2, 5, 14])   # free Poisson of rate 1
    [1, 1, 1, 1]
    """
    return _convert(list(moments), False)
