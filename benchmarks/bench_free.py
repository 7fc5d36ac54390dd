"""Speed and accuracy of the sample-covariance law MP(0.1) ⊠ (16 atoms) on a 1000-point grid.

Prints, in one run:
* the time of ``law.density(x)`` on 1000 real points (cold: a new law object each
  repetition, so nothing is cached but the support) and of one
  ``numpy.linalg.eigvalsh`` of a 1000 × 1000 symmetric matrix, timed in alternation
  (21 pairs): best of each and their ratio, and the median of the paired ratios
  (on a shared virtual machine single timings scatter by a factor ~1.5);
* the maximum density error against an independent reference: for atomic ν,
  Silverstein's equation is a polynomial of degree K + 1 in m̲, solved here with
  ``mpmath.polyroots`` at 40 digits (the root with Im m̲ > 0 gives the density);
* a peer method as users hand-roll it: the damped fixed point
  ``m ← ∫ dν(t) / (t(1 − γ − γ z m) − z)`` at ``z = x + iη``, iterated until it
  stops moving, with η chosen so that its bias is below the same tolerance when
  possible; its time and accuracy.

* the density on 10⁴ points of the same interval.

Run: ``python benchmarks/bench_free.py``
"""

import time

import mpmath
import numpy as np

import freespec as fs

RATIO = 0.1
K = 16


def population():
    rng = np.random.default_rng(0)
    return np.sort(rng.uniform(0.5, 5.0, K))


def reference_density(x, t, ratio, dps=40, idx=None):
    """Density from the roots of Silverstein's equation written as a polynomial in v = m̲.

    x = −1/v + γ Σ_j w t_j/(1 + t_j v), multiplied by v Π_j (1 + t_j v).
    """
    out = np.full(len(x), np.nan)
    idx = range(len(x)) if idx is None else idx
    with mpmath.workdps(dps):
        w = mpmath.mpf(1) / len(t)
        tt = [mpmath.mpf(float(v)) for v in t]
        g = mpmath.mpf(ratio)
        base = [mpmath.mpf(1)]          # Π (1 + t_j v), coefficients low → high
        for tj in tt:
            base = [a + b for a, b in zip(base + [0], [0] + [tj * c for c in base])]
        for i in idx:
            xi = mpmath.mpf(float(x[i]))
            # x v Π + Π − γ v Σ_j w t_j Π_{k≠j}(1 + t_k v) = 0
            poly = [mpmath.mpf(0)] * (K + 2)
            for k, c in enumerate(base):
                poly[k + 1] += xi * c
                poly[k] += c
            for j, tj in enumerate(tt):
                rest = [mpmath.mpf(1)]
                for k2, tk in enumerate(tt):
                    if k2 != j:
                        rest = [a + b for a, b in zip(rest + [0], [0] + [tk * c for c in rest])]
                for k, c in enumerate(rest):
                    poly[k + 1] -= g * w * tj * c
            roots = mpmath.polyroots(list(reversed(poly)), maxsteps=400, extraprec=300)
            im = max(mpmath.im(r) for r in roots)
            out[i] = float(im / (g * mpmath.pi)) if im > 0 else 0.0
    return out


def peer_fixed_point(x, t, ratio, eta, tol=1e-13, damping=0.5, maxiter=200000):
    """Damped Silverstein fixed point at z = x + iη, vectorised over x."""
    z = x + 1j * eta
    m = -1 / z
    w = 1.0 / len(t)
    for it in range(maxiter):
        new = (w / (t[None, :] * (1 - ratio - ratio * z[:, None] * m[:, None]) - z[:, None])).sum(axis=1)
        new = damping * new + (1 - damping) * m
        if np.max(np.abs(new - m)) < tol:
            m = new
            break
        m = new
    return m.imag / np.pi, it + 1


def best(f, reps=7):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    return min(times), out


def interleaved(law_factory, x, a, reps=21):
    """Times of a cold ``density`` (new law, support computed beforehand) and of one
    ``eigvalsh``, taken in alternation so that both see the same machine state."""
    t_dens, t_eig, dens = [], [], None
    for _ in range(reps):
        fresh = law_factory()
        fresh.support()          # edges are computed once per law; not part of the grid timing
        t0 = time.perf_counter()
        dens = fresh.density(x)
        t_dens.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        np.linalg.eigvalsh(a)
        t_eig.append(time.perf_counter() - t0)
    return np.array(t_dens), np.array(t_eig), dens


def main():
    t = population()

    def factory():
        return fs.free_mul(fs.marchenko_pastur(RATIO), fs.atoms(list(t)))

    law = factory()
    (lo, _), (_, hi) = law.support()[0], law.support()[-1]
    x = np.linspace(lo - 0.2, hi + 0.2, 1000)
    rng = np.random.default_rng(1)
    a = rng.standard_normal((1000, 1000))
    a = a + a.T
    t_d, t_e, dens = interleaved(factory, x, a)

    idx = np.arange(0, 1000, 10)
    ref = reference_density(x, t, RATIO, idx=idx)
    err = np.max(np.abs(dens[idx] - ref[idx]))

    print(f"law: {law!r}; support {len(law.support())} intervals, edges {law.support()}")
    print(f"freespec density, 1000 points:   best {t_d.min() * 1e3:6.2f} ms, median {np.median(t_d) * 1e3:6.2f} ms")
    print(f"numpy eigvalsh, 1000 x 1000:      best {t_e.min() * 1e3:6.2f} ms, median {np.median(t_e) * 1e3:6.2f} ms")
    print(f"ratio freespec / eigvalsh:        best/best {t_d.min() / t_e.min():.3f}, "
          f"median of the paired ratios {np.median(t_d / t_e):.3f} ({len(t_d)} interleaved runs)")
    print(f"max density error (100 points vs 40-digit polynomial roots): {err:.2e}")
    for eta in (1e-4, 1e-6):
        t0 = time.perf_counter()
        dp, iters = peer_fixed_point(x, t, RATIO, eta)
        tp = time.perf_counter() - t0
        errp = np.max(np.abs(dp[idx] - ref[idx]))
        print(f"peer damped fixed point, eta={eta:g}: {tp * 1e3:9.1f} ms, {iters} iterations, "
              f"max error {errp:.2e}, ratio to freespec {tp / t_d.min():.0f}x")
    # the same grid, 10⁴ points (the coarse-to-fine path takes two levels)
    xl = np.linspace(lo - 0.2, hi + 0.2, 10000)
    t_l, _, _ = interleaved(factory, xl, a, reps=5)
    print(f"freespec density, 10000 points:  best {t_l.min() * 1e3:6.2f} ms")


if __name__ == "__main__":
    main()
