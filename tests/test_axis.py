"""Densities on many real points (the coarse-to-fine path of the explicit-inverse solvers)
against independent polynomial roots at 30 digits, on grids that straddle edges, narrow
gaps, atoms at zero and unsorted input.

For atomic ν both equations are polynomial, written out by hand here:
* Silverstein (MP(γ) ⊠ Σ p_j δ_{t_j}) in v = m̲ (companion Stieltjes transform):
  x v Π(1 + t_j v) + Π(1 + t_j v) − γ v Σ_j p_j t_j Π_{k≠j}(1 + t_k v) = 0,
  density Im v / (γπ) from the root with Im v > 0 (none: density 0);
* Pastur (semicircle(σ²) ⊞ Σ p_j δ_{a_j}) in G:
  G Π(x − σ²G − a_j) − Σ_j p_j Π_{k≠j}(x − σ²G − a_k) = 0, density −Im G/π.
"""

import mpmath
import numpy as np
import pytest

import freespec as fs
from freespec.solvers import inverse


def _poly_mul(a, b):
    out = [mpmath.mpf(0)] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        for j, y in enumerate(b):
            out[i + j] += x * y
    return out


def _poly_add(a, b):
    n = max(len(a), len(b))
    a, b = a + [0] * (n - len(a)), b + [0] * (n - len(b))
    return [x + y for x, y in zip(a, b)]


def _top_imag(coeffs_low_to_high):
    roots = mpmath.polyroots(list(reversed(coeffs_low_to_high)), maxsteps=500, extraprec=400)
    return max(mpmath.im(r) for r in roots)


def silverstein_density(x, ratio, t, p, dps=30):
    with mpmath.workdps(dps):
        g = mpmath.mpf(ratio)
        t = [mpmath.mpf(v) for v in t]
        p = [mpmath.mpf(v) for v in p]
        factors = [[mpmath.mpf(1), tj] for tj in t]        # 1 + t_j v, low → high
        out = []
        for xi in x:
            xi = mpmath.mpf(float(xi))
            full = [mpmath.mpf(1)]
            for f in factors:
                full = _poly_mul(full, f)
            poly = _poly_add(_poly_mul([0, xi], full), full)
            for j in range(len(t)):
                rest = [mpmath.mpf(1)]
                for k, f in enumerate(factors):
                    if k != j:
                        rest = _poly_mul(rest, f)
                poly = _poly_add(poly, _poly_mul([0, -g * p[j] * t[j]], rest))
            im = _top_imag(poly)
            out.append(float(im / (g * mpmath.pi)) if im > mpmath.mpf(10) ** (-dps // 2) else 0.0)
        return np.array(out)


def pastur_density(x, var, a, p, dps=30):
    with mpmath.workdps(dps):
        s = mpmath.mpf(var)
        a = [mpmath.mpf(v) for v in a]
        p = [mpmath.mpf(v) for v in p]
        out = []
        for xi in x:
            xi = mpmath.mpf(float(xi))
            factors = [[xi - aj, -s] for aj in a]           # x − a_j − σ² G
            full = [mpmath.mpf(1)]
            for f in factors:
                full = _poly_mul(full, f)
            poly = _poly_mul([0, 1], full)
            for j in range(len(a)):
                rest = [mpmath.mpf(1)]
                for k, f in enumerate(factors):
                    if k != j:
                        rest = _poly_mul(rest, f)
                poly = _poly_add(poly, [-p[j] * c for c in rest])
            im = _top_imag(poly)             # roots come in conjugate pairs: −Im G = max Im
            out.append(float(im / mpmath.pi) if im > mpmath.mpf(10) ** (-dps // 2) else 0.0)
        return np.array(out)


RNG_T = np.sort(np.random.default_rng(0).uniform(0.5, 5.0, 16))

CASES = {
    # 4 bulks, one gap (1.3411, 1.3574) narrower than the coarse spacing of a 1000-point grid
    "mp16": ("silverstein", 0.1, list(RNG_T), [1 / 16] * 16),
    "mp4": ("silverstein", 0.3, [0.5, 1, 3, 7], [0.1, 0.4, 0.3, 0.2]),
    # ratio > 1: an atom 1 − 1/γ at 0, the grid crosses 0 and negative x
    "mp_ratio2": ("silverstein", 2.0, [1, 4], [0.5, 0.5]),
    "sc4": ("pastur", 0.05, [-2, 0, 0.3, 2], [0.25, 0.25, 0.25, 0.25]),
    "sc2": ("pastur", 1.0, [-1, 1], [0.3, 0.7]),
}


def _law(case):
    kind, par, t, p = CASES[case]
    if kind == "silverstein":
        return fs.free_mul(fs.marchenko_pastur(par), fs.atoms(t, p))
    return fs.free_add(fs.semicircle(par), fs.atoms(t, p))


def _reference(case, x):
    kind, par, t, p = CASES[case]
    f = silverstein_density if kind == "silverstein" else pastur_density
    return f(x, par, t, p)


def _grid(law, n):
    sup = law.support()
    lo, hi = sup[0][0], sup[-1][1]
    pad = 0.05 * (hi - lo)
    return np.linspace(lo - pad, hi + pad, n)


@pytest.mark.parametrize("case", sorted(CASES))
def test_grid_density_matches_polynomial_roots(case):
    law = _law(case)
    x = _grid(law, 1000)
    assert x.size >= inverse._AXIS_MIN                   # the coarse-to-fine path runs
    d = law.density(x)
    # every 9th point (every 50th for the degree-17 polynomial of "mp16", slow at 30 digits)
    idx = np.arange(0, 1000, 50 if case == "mp16" else 9)
    ref = _reference(case, x[idx])
    # the 30-digit reference is exact to far below this; float64 densities reach ~1e-15
    # of the peak, except within ~1e-8 of an edge, where the square-root point
    # amplifies rounding of x (not on this grid)
    assert np.max(np.abs(d[idx] - ref)) <= 1e-12 * np.max(ref)


@pytest.mark.parametrize("case", sorted(CASES))
def test_grid_density_vanishes_exactly_off_the_support(case):
    law = _law(case)
    x = _grid(law, 1000)
    d = law.density(x)
    inside = np.zeros(x.shape, bool)
    for lo, hi in law.support():
        inside |= (x >= lo) & (x <= hi)
    at_atom = np.isin(x, [loc for loc, _ in law.atoms()])
    assert np.all(d[~inside & ~at_atom] == 0)
    # and strictly positive inside, away from the edges
    edges = np.array([e for iv in law.support() for e in iv])
    far = np.min(np.abs(x[:, None] - edges), axis=1) > 1e-6 * np.ptp(x)
    assert np.all(d[inside & far] > 0)


def test_narrow_gap_between_coarse_points():
    """The gap (1.3411, 1.3574) holds 2–3 points of the grid and no coarse point."""
    law = _law("mp16")
    (_, b1), (a2, _) = law.support()[1], law.support()[2]
    assert a2 - b1 < 0.02
    x = _grid(law, 1000)
    gap = (x > b1) & (x < a2)
    assert 1 <= gap.sum() < inverse._AXIS_STRIDE
    d = law.density(x)
    assert np.all(d[gap] == 0)
    # the points next to the gap are in the support: positive, and right
    nxt = np.r_[np.flatnonzero(gap)[0] - 1, np.flatnonzero(gap)[-1] + 1]
    ref = _reference("mp16", x[nxt])
    assert np.all(ref > 0)
    assert np.max(np.abs(d[nxt] - ref)) <= 1e-12 * np.max(law.density(x))


@pytest.mark.parametrize("case", ["mp4", "sc4", "mp_ratio2"])
def test_exact_edges_in_a_grid(case):
    """Points exactly at the edges (a double root: Newton is slow there, the continuation
    takes them) in a large grid: finite, and of the size of the square root of the
    rounding of x."""
    law = _law(case)
    edges = np.array([e for iv in law.support() for e in iv])
    x = np.concatenate([_grid(law, 500), edges])
    d = law.density(x)
    assert np.all(np.isfinite(d))
    peak = np.max(d)
    assert np.all(d[500:] <= 1e-6 * peak)
    # and right next to them, inside: the square-root law ρ ≈ c √(distance)
    inward = np.array([1, -1] * (edges.size // 2))
    h = 1e-6 * np.ptp(x)
    near = law.density(np.concatenate([_grid(law, 500), edges + inward * h]))[500:]
    ref = _reference(case, edges + inward * h)
    assert np.max(np.abs(near - ref)) <= 1e-8 * peak


def test_cauchy_in_gaps_is_real_and_matches_small_batches():
    """Real-axis Cauchy transform in a large batch (coarse to fine) against the same
    points in batches too small for that path (continuation in η point by point)."""
    law = _law("mp4")
    x = _grid(law, 640)
    big = law.cauchy(x + 0j)
    small = np.concatenate([law.cauchy(x[i:i + 8] + 0j) for i in range(0, x.size, 8)])
    assert np.max(np.abs(big - small)) <= 1e-13 * np.max(np.abs(small))
    inside = np.zeros(x.shape, bool)
    for lo, hi in law.support():
        inside |= (x >= lo) & (x <= hi)
    assert np.all(big[~inside].imag == 0)
    assert np.all(big[inside].imag < 0)          # Herglotz, on the boundary


def test_order_of_the_points_does_not_matter():
    law = _law("sc4")
    x = _grid(law, 1500)
    perm = np.random.default_rng(3).permutation(x.size)
    d = law.density(x)
    dp = law.density(x[perm])
    assert np.array_equal(dp, d[perm])
    # repeated points give equal values
    rep = np.repeat(x[::10], 3)
    dr = law.density(rep)
    assert np.array_equal(dr[0::3], dr[1::3]) and np.array_equal(dr[0::3], dr[2::3])
    assert np.max(np.abs(dr[0::3] - d[::10])) <= 1e-13 * np.max(d)


def test_large_grid_takes_several_levels():
    """40000 points: the coarse pass is itself coarse-to-fine (three levels)."""
    law = _law("mp4")
    x = _grid(law, 40000)
    d = law.density(x)
    idx = np.arange(7, 40000, 1601)
    ref = _reference("mp4", x[idx])
    assert np.max(np.abs(d[idx] - ref)) <= 1e-12 * np.max(ref)
    assert np.all(np.isfinite(d)) and np.all(d >= 0)


def test_power_law_population_on_a_grid():
    """Compressed population sums (power_law) through the same path: against the exact
    atomic population at n = 2000 (summed term by term)."""
    pl = fs.power_law(1.5, 2000)
    law = fs.free_mul(fs.marchenko_pastur(0.5), pl)
    vals = pl.atoms()
    exact = fs.free_mul(fs.marchenko_pastur(0.5), fs.atoms([v for v, _ in vals]))
    hi = law.support()[-1][1]
    x = np.geomspace(1e-4, 1.2 * hi, 800)
    a, b = law.density(x), exact.density(x)
    assert np.max(np.abs(a - b)) <= 1e-10 * np.max(b)


def test_pole_at_zero_when_ratio_above_one():
    """MP(2) ⊠ ν has an atom 1 − 1/γ = 1/2 at 0: G(x) = 1/(2x) + ∫ ρ(t) dt/(x − t), the
    integral by quadrature of the density over the support (away from 0). Next to 0 the
    pole dominates; G must keep full relative accuracy there and be undefined at 0."""
    from scipy.integrate import quad

    law = _law("mp_ratio2")
    assert law.atoms() == ((0.0, 0.5),)

    def smooth(x):
        total = 0.0
        for lo, hi in law.support():
            val, _ = quad(lambda t: float(law.density(t)) / (x - t), lo, hi, limit=200,
                          epsabs=1e-13, epsrel=1e-12)
            total += val
        return total

    for x in (1e-10, 1e-6, -1e-6, -0.05):
        g = law.cauchy(x)
        ref = 0.5 / x + smooth(x)
        assert abs(g - ref) <= 1e-12 * abs(ref) + 1e-9
    with pytest.raises(fs.DomainError):
        law.cauchy(0.0)
    with fs.workdps(30), pytest.raises(fs.DomainError):
        law.cauchy(0)
