"""Moment–free-cumulant conversions against a brute-force sum over non-crossing partitions.

The reference is the defining formula ``m_n = Σ_{π ∈ NC(n)} Π_{V ∈ π} κ_{|V|}``
(Nica & Speicher, Lecture 11), evaluated by enumerating every set partition of
{1..n} and keeping the non-crossing ones; it shares no code with
freespec.laws._series.
"""

import math
from fractions import Fraction
from itertools import combinations

import pytest

from freespec.laws._series import cumulants_to_moments, moments_to_cumulants


# ----------------------------------------------------------------- reference
def _set_partitions(elements):
    """All set partitions of a list (as lists of blocks)."""
    if not elements:
        yield []
        return
    first, rest = elements[0], elements[1:]
    for part in _set_partitions(rest):
        # put `first` in its own block, or into one of the existing blocks
        yield [[first]] + part
        for i in range(len(part)):
            yield part[:i] + [[first] + part[i]] + part[i + 1:]


def _is_noncrossing(partition):
    """No a < b < c < d with a, c in one block and b, d in another."""
    for B1, B2 in combinations(partition, 2):
        for a, c in combinations(sorted(B1), 2):
            for b, d in combinations(sorted(B2), 2):
                if a < b < c < d or b < a < d < c:
                    return False
    return True


_NC_CACHE = {}


def noncrossing_partitions(n):
    if n not in _NC_CACHE:
        _NC_CACHE[n] = [p for p in _set_partitions(list(range(1, n + 1))) if _is_noncrossing(p)]
    return _NC_CACHE[n]


def ref_moments(kappas):
    """m_1..m_n from κ_1..κ_n by the sum over NC(n)."""
    out = []
    for n in range(1, len(kappas) + 1):
        total = Fraction(0)
        for p in noncrossing_partitions(n):
            term = Fraction(1)
            for block in p:
                term *= kappas[len(block) - 1]
            total += term
        out.append(total)
    return out


def ref_cumulants(moments):
    """κ_1..κ_n from m_1..m_n: κ_n = m_n − Σ_{π ∈ NC(n), π ≠ 1_n} Π κ_|V|, recursively."""
    kappas = []
    for n in range(1, len(moments) + 1):
        rest = Fraction(0)
        for p in noncrossing_partitions(n):
            if len(p) == 1:
                continue
            term = Fraction(1)
            for block in p:
                term *= kappas[len(block) - 1]
            rest += term
        kappas.append(Fraction(moments[n - 1]) - rest)
    return kappas


def catalan(n):
    return math.comb(2 * n, n) // (n + 1)


# ------------------------------------------------------ the reference itself
@pytest.mark.parametrize("n", range(1, 8))
def test_reference_counts_noncrossing_partitions(n):
    # |NC(n)| is the Catalan number C_n; |P(n)| is the Bell number.
    bell = [1, 1, 2, 5, 15, 52, 203, 877]
    assert sum(1 for _ in _set_partitions(list(range(n)))) == bell[n]
    assert len(noncrossing_partitions(n)) == catalan(n)


def test_reference_crossing_detection():
    assert not _is_noncrossing([[1, 3], [2, 4]])
    assert _is_noncrossing([[1, 4], [2, 3]])
    assert _is_noncrossing([[1, 2], [3, 4]])
    assert not _is_noncrossing([[1, 3, 5], [2, 6], [4]])


# ------------------------------------------------------------ the conversions
CUMULANT_CASES = {
    "semicircle": [Fraction(0), Fraction(1)] + [Fraction(0)] * 5,
    "free_poisson_rate1": [Fraction(1)] * 7,
    "mp_ratio_half_var2": [Fraction(2) ** n * Fraction(1, 2) ** (n - 1) for n in range(1, 8)],
    "generic_rationals": [Fraction(3, 7), Fraction(-2, 5), Fraction(5, 3), Fraction(-1, 11),
                          Fraction(7, 2), Fraction(1, 13), Fraction(-9, 4)],
    "shifted_mixed": [Fraction(-1), Fraction(2), Fraction(-3), Fraction(4), Fraction(0),
                      Fraction(1, 2), Fraction(-5, 6)],
}


@pytest.mark.parametrize("name", sorted(CUMULANT_CASES))
@pytest.mark.parametrize("n", [1, 2, 3, 5, 7])
def test_cumulants_to_moments_matches_nc_sum(name, n):
    kappas = CUMULANT_CASES[name][:n]
    got = cumulants_to_moments(kappas)
    assert len(got) == n
    assert all(isinstance(v, Fraction) for v in got)  # exact arithmetic kept
    assert got == ref_moments(kappas)


@pytest.mark.parametrize("name", sorted(CUMULANT_CASES))
@pytest.mark.parametrize("n", [1, 2, 4, 6, 7])
def test_moments_to_cumulants_matches_nc_recursion(name, n):
    moments = ref_moments(CUMULANT_CASES[name][:n])
    got = moments_to_cumulants(moments)
    assert len(got) == n
    assert all(isinstance(v, Fraction) for v in got)
    assert got == ref_cumulants(moments)
    assert got == CUMULANT_CASES[name][:n]


def test_known_sequences():
    # semicircle: Catalan numbers at even orders
    assert cumulants_to_moments([0, 1, 0, 0, 0, 0, 0, 0]) == [0, 1, 0, 2, 0, 5, 0, 14]
    # free Poisson of rate 1: Catalan numbers
    assert cumulants_to_moments([1] * 7) == [catalan(n) for n in range(1, 8)]
    assert moments_to_cumulants([catalan(n) for n in range(1, 8)]) == [1] * 7
    # free cumulants of a Bernoulli ±1: κ_2k = (−1)^(k−1) C_(k−1)
    bern = [0, 1, 0, 1, 0, 1, 0, 1]
    assert moments_to_cumulants(bern) == [0, 1, 0, -1, 0, 2, 0, -5]


@pytest.mark.parametrize("n", range(1, 8))
def test_generic_moment_sequence_vs_brute_force(n):
    # moments of the law (1/3)δ_{-1} + (1/2)δ_{1/2} + (1/6)δ_{3}; cumulants by brute force
    atoms = [(Fraction(-1), Fraction(1, 3)), (Fraction(1, 2), Fraction(1, 2)), (Fraction(3), Fraction(1, 6))]
    moments = [sum(w * x ** k for x, w in atoms) for k in range(1, n + 1)]
    expected = ref_cumulants(moments)
    assert moments_to_cumulants(moments) == expected
    assert cumulants_to_moments(expected) == moments


@pytest.mark.parametrize("name", sorted(CUMULANT_CASES))
def test_round_trip_exact(name):
    kappas = CUMULANT_CASES[name]
    assert moments_to_cumulants(cumulants_to_moments(kappas)) == kappas
    moments = ref_moments(kappas)
    assert cumulants_to_moments(moments_to_cumulants(moments)) == moments


def test_round_trip_float():
    kappas = [0.3, -1.25, 2.0, 0.7, -0.4, 1.1, 0.05]
    moms = cumulants_to_moments(kappas)
    ref = ref_moments([Fraction(k) for k in kappas])
    for got, want in zip(moms, ref):
        assert got == pytest.approx(float(want), rel=1e-13, abs=1e-13)
    back = moments_to_cumulants(moms)
    for got, want in zip(back, kappas):
        assert got == pytest.approx(want, rel=1e-10, abs=1e-11)


def test_empty_and_order_one():
    assert cumulants_to_moments([]) == []
    assert moments_to_cumulants([]) == []
    assert cumulants_to_moments([Fraction(5, 3)]) == [Fraction(5, 3)]
    assert moments_to_cumulants([Fraction(-2, 9)]) == [Fraction(-2, 9)]
