"""Time the closed-form laws of freespec.

Usage (from the repository root, with freespec installed)::

    python benchmarks/bench_closed_forms.py

For each law: ``cauchy`` on a 10**6-point complex grid and ``density`` and ``cdf``
on 10**5 real points (10**4 points for all three with the law of 1000 atoms, whose
cost grows with the number of atoms), and one 50-digit mpmath evaluation of
``cauchy`` and ``density`` inside ``freespec.workdps(50)``.
Each figure is the best of 5 runs, timed with ``time.perf_counter``.
"""
import platform
import time

import mpmath
import numpy as np

import freespec as fs

REPEAT = 5
N_COMPLEX = 10**6
N_REAL = 10**5
N_ATOMS_POINTS = 10**4


def best_of(func, repeat=REPEAT):
    """Best wall time of `repeat` calls of `func()`, in seconds."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - start)
    return best


def complex_grid(lo, hi, n):
    """About `n` points z = x + iy, x around [lo, hi], 0 < y <= (hi - lo)."""
    side = int(round(np.sqrt(n)))
    pad = 0.25 * (hi - lo)
    x = np.linspace(lo - pad, hi + pad, side)
    y = np.geomspace(1e-6, hi - lo, side)
    return (x[:, None] + 1j * y[None, :]).ravel()


def real_grid(lo, hi, n):
    """`n` points spanning [lo, hi] with a margin, avoiding the atoms' locations."""
    pad = 0.25 * (hi - lo)
    return np.linspace(lo - pad, hi + pad, n) + 1e-9 * np.pi


def laws():
    """(label, law, (lo, hi) range of the grids, complex points, real points)."""
    values = np.linspace(0.0, 1.0, 1000) ** 2
    return [
        ("semicircle()", fs.semicircle(), (-2.0, 2.0), N_COMPLEX, N_REAL),
        ("marchenko_pastur(0.5)", fs.marchenko_pastur(0.5), (0.0, 3.0), N_COMPLEX, N_REAL),
        ("arcsine(-1, 1)", fs.arcsine(-1, 1), (-1.0, 1.0), N_COMPLEX, N_REAL),
        ("uniform(0, 1)", fs.uniform(0, 1), (0.0, 1.0), N_COMPLEX, N_REAL),
        ("atoms(1000 atoms)", fs.atoms(values), (0.0, 1.0), N_ATOMS_POINTS, N_ATOMS_POINTS),
    ]


def fmt(seconds):
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.1f} us"
    if seconds < 1.0:
        return f"{seconds * 1e3:8.2f} ms"
    return f"{seconds:8.3f} s "


def main():
    print(f"freespec closed forms, best of {REPEAT}; numpy {np.__version__}, "
          f"mpmath {mpmath.__version__}, Python {platform.python_version()}")
    header = (f"{'law':22s} {'points (z / x)':>15s} {'cauchy(z)':>11s} {'density(x)':>11s}"
              f" {'cdf(x)':>11s} {'cauchy 50 dps':>14s} {'density 50 dps':>15s}")
    print(header)
    print("-" * len(header))
    for name, law, (lo, hi), n_complex, n_real in laws():
        z = complex_grid(lo, hi, n_complex)
        x = real_grid(lo, hi, n_real)
        t_cauchy = best_of(lambda: law.cauchy(z))
        t_density = best_of(lambda: law.density(x))
        t_cdf = best_of(lambda: law.cdf(x))
        x_mp = (mpmath.mpf(lo) + 2 * mpmath.mpf(hi)) / 3 + mpmath.mpf("1e-7")
        z_mp = mpmath.mpc(x_mp, mpmath.mpf(1) / 10)
        with fs.workdps(50):
            t_cauchy_mp = best_of(lambda: law.cauchy(z_mp))
            t_density_mp = best_of(lambda: law.density(x_mp))
        points = f"{z.size:.0e} / {x.size:.0e}".replace("e+0", "e")
        print(f"{name:22s} {points:>15s} {fmt(t_cauchy):>11s} {fmt(t_density):>11s}"
              f" {fmt(t_cdf):>11s} {fmt(t_cauchy_mp):>14s} {fmt(t_density_mp):>15s}")


if __name__ == "__main__":
    main()
