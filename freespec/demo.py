"""A first look at freespec: laws against one sampled random matrix each.

Run it with ``python -m freespec.demo``. For each law it prints the support edges,
the atoms, the first four moments (theory against the eigenvalues of one sampled
1000 x 1000 matrix) and the density at five points against a histogram estimate
from the same eigenvalues, then saves a figure of density against histogram to
``freespec_demo.png`` in the current directory. The figure needs matplotlib
(``pip install -e ".[plot]"``); see docs/conventions.rst for the conventions.
"""
import os

import numpy as np

import freespec as fs

SIZE = 1000
SEED = 0


def demo_laws():
    """The laws shown by the demo, as (label, law) pairs."""
    return [
        ("marchenko_pastur(ratio=0.5)", fs.marchenko_pastur(ratio=0.5)),
        ("semicircle()", fs.semicircle()),
        ("affine(arcsine(-1, 1), scale=2, shift=1)", fs.affine(fs.arcsine(-1, 1), scale=2, shift=1)),
        # sample covariance with population eigenvalues 1 and 3 (half each), p/n = 0.05
        ("free_mul(marchenko_pastur(0.05), atoms([1, 3]))",
         fs.free_mul(fs.marchenko_pastur(0.05), fs.atoms([1, 3]))),
        # deformed semicircle: GOE plus a diagonal of -2 and 2
        ("free_add(semicircle(), atoms([-2, 2]))", fs.free_add(fs.semicircle(), fs.atoms([-2, 2]))),
    ]


def support_hull(law):
    """Smallest interval holding the absolutely continuous part and the atoms."""
    points = [edge for interval in law.support() for edge in interval]
    points += [loc for loc, _ in law.atoms()]
    return float(min(points)), float(max(points))


def histogram_density(eigenvalues, x, half_width):
    """Fraction of eigenvalues within `half_width` of each x, per unit length."""
    eigenvalues = np.sort(eigenvalues)
    inside = (np.searchsorted(eigenvalues, x + half_width, side="right")
              - np.searchsorted(eigenvalues, x - half_width, side="left"))
    return inside / (len(eigenvalues) * 2 * half_width)


def report(label, law, eigenvalues):
    """Print edges, atoms, moments and densities of `law` against `eigenvalues`."""
    print(f"\n== {label}  (one sampled matrix of size {len(eigenvalues)}, seed {SEED})")
    edges = ", ".join(f"[{float(lo):.6f}, {float(hi):.6f}]" for lo, hi in law.support())
    print(f"support: {edges or 'none'}")
    atoms = ", ".join(f"mass {float(mass):.6f} at {float(loc):.6f}" for loc, mass in law.atoms())
    print(f"atoms:   {atoms or 'none'}")

    print(f"{'moment':>8s} {'theory':>12s} {'sampled':>12s}")
    for k, theory in enumerate(law.moments(4), start=1):
        print(f"{k:>8d} {float(theory):>12.6f} {np.mean(eigenvalues ** k):>12.6f}")

    lo, hi = support_hull(law)
    # five points inside the support (two per interval when there are several)
    x = np.concatenate([a + (b - a) * np.array([0.3, 0.7]) for a, b in law.support()])
    x = x if len(x) <= 5 else x[:5]
    if len(law.support()) == 1:
        (a, b), = law.support()
        x = a + (b - a) * np.array([0.1, 0.3, 0.5, 0.7, 0.9])
    half_width = 0.02 * (hi - lo)
    estimate = histogram_density(eigenvalues, x, half_width)
    print(f"{'x':>8s} {'density':>12s} {'histogram':>12s}   (window +-{half_width:.3f})")
    for xi, rho, est in zip(x, law.density(x), estimate):
        print(f"{xi:>8.4f} {rho:>12.6f} {est:>12.6f}")


def plot(samples, path):
    """Density against histogram for each (label, law, eigenvalues); saved to `path`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols = min(3, len(samples))
    rows = -(-len(samples) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 3.8 * rows))
    axes = np.atleast_1d(axes).ravel()
    for ax in axes[len(samples):]:
        ax.set_visible(False)
    for ax, (label, law, eigenvalues) in zip(axes, samples):
        lo, hi = support_hull(law)
        pad = 0.05 * (hi - lo)
        heights, _, _ = ax.hist(eigenvalues, bins=60, range=(lo - pad, hi + pad), density=True,
                                color="0.8", label=f"eigenvalues, n = {len(eigenvalues)}")
        x = np.linspace(lo - pad, hi + pad, 2001)
        ax.plot(x, law.density(x), color="C0", label="density")
        ax.set_ylim(0, 1.3 * heights.max())   # an inverse-square-root edge would dwarf the rest
        ax.set_title(label, fontsize=9)
        ax.set_xlabel("x")
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main():
    """Print the comparison for each demo law and save ``freespec_demo.png``."""
    samples = []
    for label, law in demo_laws():
        eigenvalues = np.asarray(law.sample(SIZE, rng=np.random.default_rng(SEED)), dtype=float)
        report(label, law, eigenvalues)
        samples.append((label, law, eigenvalues))

    path = os.path.abspath("freespec_demo.png")
    try:
        plot(samples, path)
    except ImportError:
        print('\nNo figure: matplotlib is missing (pip install "freespec[plot]").')
        return
    print(f"\nFigure saved to {path}")


if __name__ == "__main__":
    main()
