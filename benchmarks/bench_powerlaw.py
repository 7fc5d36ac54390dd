"""Speed and accuracy of MP(γ) ⊠ power_law(α, n), and the figures of docs/powerlaw.rst.

Prints, in one run:

* the CPU time of ``law.density(x)`` on 1000 points for ``n = 10⁶`` atoms (a new law
  each repetition: nothing cached but the evaluator of the compressed sums), and of
  ``law.support()``;
* the same for ``semicircle(1e-4) ⊞ power_law(α, 10⁶)`` (Pastur's equation);
* the accuracy at ``n = 10⁴`` against the exact atomic route (``fs.atoms`` with the
  same values: every evaluation sums the 10⁴ atoms): maximum density error on the
  same 1000 points and maximum relative edge error.

``--figures DIR`` also writes ``powerlaw_density.png`` (log–log density against a
sampled sample-covariance spectrum) and ``ridge_risk.png`` (deterministic
equivalent of the ridge risk against sampled regressions) into DIR.

Run: ``python benchmarks/bench_powerlaw.py [--figures docs/_static]``
"""

import argparse
import os
import time

import numpy as np

import freespec as fs
from freespec.deterministic import ridge_risk

ALPHA, RATIO = 1.5, 0.5


def timing(make, x, label, reps=3):
    """Best CPU time of ``make().density(x)`` (a new law each repetition), then the support."""
    best = np.inf
    for _ in range(reps):
        law = make()
        t0 = time.process_time()
        d = law.density(x)
        best = min(best, time.process_time() - t0)
    t0 = time.process_time()
    sup = law.support()
    t_sup = time.process_time() - t0
    print(f"{label}: density on {len(x)} points {best:.3f} s CPU, finite: {bool(np.all(np.isfinite(d)))}; "
          f"support {t_sup:.2f} s ({len(sup)} intervals)")


def accuracy(n=10 ** 4):
    x = np.linspace(1e-4, 2.5, 1000)
    pl = fs.power_law(ALPHA, n)
    law = fs.free_mul(fs.marchenko_pastur(RATIO), pl)
    ref = fs.free_mul(fs.marchenko_pastur(RATIO), fs.atoms(pl.atoms().values))
    t0 = time.process_time()
    d = law.density(x)
    t1 = time.process_time()
    dr = ref.density(x)
    t2 = time.process_time()
    err = np.max(np.abs(d - dr) / np.maximum(np.abs(dr), 1e-300) * (dr > 1e-8))
    s, sr = np.array(law.support()), np.array(ref.support())
    edge = np.max(np.abs(s - sr) / np.abs(sr)) if s.shape == sr.shape else np.inf
    print(f"n = {n:.0e}: compressed {t1 - t0:.2f} s, exact atomic {t2 - t1:.2f} s; max relative density "
          f"error {err:.1e}; {len(s)} intervals, max relative edge error {edge:.1e}")


def figures(out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    os.makedirs(out, exist_ok=True)
    # 1. density of MP(γ) ⊠ power_law(α, p) against eigenvalues of a sampled covariance
    p, N = 1000, 2000
    rng = np.random.default_rng(0)
    lam = fs.power_law(ALPHA, p).atoms().values
    xs = rng.standard_normal((p, N)) * np.sqrt(lam)[:, None]
    ev = np.linalg.eigvalsh(xs @ xs.T / N)
    law = fs.free_mul(fs.marchenko_pastur(p / N), fs.power_law(ALPHA, p))
    grid = np.geomspace(1e-5, 3, 3000)
    fig, ax = plt.subplots(figsize=(6, 4))
    bins = np.geomspace(max(ev.min(), 1e-5), ev.max() * 1.01, 60)
    ax.hist(ev, bins=bins, density=True, alpha=0.4, label=f"sampled, p = {p}, n = {N}")
    ax.loglog(grid, law.density(grid), lw=1, label=r"MP(1/2) $\boxtimes$ power_law(1.5, 1000)")
    ax.set_xlabel("eigenvalue")
    ax.set_ylabel("density")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "powerlaw_density.png"), dpi=120)
    plt.close(fig)
    # 2. ridge risk against λ: deterministic equivalent and sampled regressions
    p, n, r, s2 = 400, 800, 1.0, 0.05
    pl = fs.power_law(ALPHA, p)
    lamj = pl.atoms().values[::-1]
    beta = np.sqrt(lamj ** r / p)
    ridges = np.geomspace(1e-6, 1, 25)
    theory = [ridge_risk(pl, p / n, lam, noise=s2, target=r).excess_risk for lam in ridges]
    sampled = []
    for lam in ridges[::3]:
        vals = []
        for sd in range(5):
            X = np.random.default_rng(sd).standard_normal((n, p)) * np.sqrt(lamj)
            y = X @ beta + np.sqrt(s2) * np.random.default_rng(100 + sd).standard_normal(n)
            b = np.linalg.solve(X.T @ X / n + lam * np.eye(p), X.T @ y / n) - beta
            vals.append(b @ (lamj * b))
        sampled.append(np.mean(vals))
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.loglog(ridges, theory, label="deterministic equivalent")
    ax.loglog(ridges[::3], sampled, "o", label="sampled (5 seeds)")
    ax.set_xlabel(r"ridge $\lambda$")
    ax.set_ylabel("excess risk")
    ax.set_title(rf"power_law(1.5, {p}), $\gamma$ = 1/2, target $t^{{{r}}}$, $\sigma^2$ = {s2}")
    ax.legend()
    fig.tight_layout()
    fig.savefig(os.path.join(out, "ridge_risk.png"), dpi=120)
    plt.close(fig)
    print(f"figures written to {out}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--figures", metavar="DIR", default=None)
    args = ap.parse_args()
    n = 10 ** 6
    timing(lambda: fs.free_mul(fs.marchenko_pastur(RATIO), fs.power_law(ALPHA, n)),
           np.linspace(1e-4, 2.5, 1000), f"marchenko_pastur({RATIO}) ⊠ power_law({ALPHA}, {n:.0e})")
    # the deformed semicircle of the spectral-denoising reductions (freespec.scaling)
    timing(lambda: fs.free_add(fs.semicircle(1e-4), fs.power_law(ALPHA, n)),
           np.linspace(-0.05, 1.1, 1000), f"semicircle(1e-4) ⊞ power_law({ALPHA}, {n:.0e})")
    accuracy()
    if args.figures:
        figures(args.figures)


if __name__ == "__main__":
    main()
