"""Diagonal and quadratic networks with weight decay: risk curves, exponents, spectra.

Run:  python examples/scaling_networks.py [--plot out.png] [--figures DIR] [--quick]

(--figures docs/_static writes the committed figures scaling_phase_diagram.png
and scaling_risk_curves.png.)

1. Diagonal network (LASSO), target w*_j = j^{-γ} (d = 2000): local exponent
   −∂ log R/∂ log α over (α, λ), printed and drawn as a phase diagram; the
   plateau at large α against its closed form mean(min(w*², λ²)).
2. Quadratic network (nuclear-norm / PSD sensing), target eigenvalues j^{-γ}
   (d = 30): theory (deformed semicircle from the engine) against proximal
   gradient on sampled problems, fitted exponents of both curves side by side,
   and the tail exponent of the learned spectrum.
3. Predicted exponents (soft-thresholding argument, docs/scaling.rst) next to
   the fitted ones: plateau (fixed λ), variance (small λ, label noise), tuned
   λ (with the logarithmic correction of the LASSO), noiseless.
"""

import argparse

import numpy as np

import freespec as fs
from freespec.scaling import (lasso_learned_spectrum, lasso_risk, learned_spectrum, nuclear_risk,
                              phase_diagram, predicted_exponents, predicted_local_exponent,
                              simulate_lasso, simulate_nuclear, tail_exponent, tuned_risk)


def slope(x, y):
    return -np.polyfit(np.log(x), np.log(y), 1)[0]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plot")
    ap.add_argument("--figures", help="directory for scaling_phase_diagram.png, scaling_risk_curves.png")
    ap.add_argument("--quick", action="store_true", help="coarser grids")
    args = ap.parse_args(argv)
    gamma, noise = 1.0, 0.05

    # ---------------------------------------------------------------- LASSO
    d = 2000
    target = fs.power_law(gamma, d)
    alphas = np.geomspace(0.05, 500, 9 if args.quick else 17)
    lams = np.geomspace(1e-4, 1e-1, 4 if args.quick else 7)
    pd = phase_diagram("lasso", target, alphas, lams, noise=noise)
    print(f"LASSO, w*_j = j^-{gamma}, d = {d}, sigma = {noise}: local exponent -dlogR/dlog(alpha)")
    print("lambda \\ alpha " + " ".join(f"{a:7.3g}" for a in alphas))
    for lam, row in zip(lams, pd["exponent"]):
        print(f"{lam:13.3g}  " + " ".join(f"{e:7.3f}" for e in row))
    w = np.arange(1, d + 1) ** -gamma
    lam = lams[-1]
    print(f"plateau at lambda = {lam:.3g}, alpha = {alphas[-1]:.3g}: theory {pd['risk'][-1, -1]:.4g}, "
          f"bias limit mean(min(w^2, lambda^2)) = {np.mean(np.minimum(w ** 2, lam ** 2)):.4g}")
    pe = predicted_exponents("lasso", gamma)
    print(f"predicted exponents (gamma = {gamma}): {pe}")
    print(f"  plateau   (lambda = {lams[-1]:.3g}, alpha = {alphas[-1]:.3g}): "
          f"fitted {pd['exponent'][-1, -1]:.3f}, predicted {pe['plateau']}")
    print(f"  variance  (lambda = {lams[0]:.3g}, alpha in [{alphas[-5]:.3g}, {alphas[-1]:.3g}]): fitted "
          f"{slope(alphas[-5:], pd['risk'][0, -5:]):.3f}, predicted {pe['variance']}")
    tuned = {}
    for dt in ((2000,) if args.quick else (2000, 10000)):
        al_t = np.geomspace(5, 500, 5)
        out = tuned_risk("lasso", fs.power_law(gamma, dt), al_t, noise=noise)
        tuned[dt] = out
        loc = predicted_local_exponent("lasso", gamma, dt, noise, al_t)
        lam_t = out["weight_decay"]
        print(f"  tuned     (d = {dt}, lambda*: {lam_t[0]:.2g} -> {lam_t[-1]:.2g})")
        print("     alpha  " + " ".join(f"{a:7.3g}" for a in al_t))
        print("    fitted  " + " ".join(f"{e:7.3f}" for e in out["exponent"]))
        print("  p(1+1/2gL)" + " ".join(f"{e:7.3f}" for e in loc) + f"   (leading order p = {pe['tuned']})")
    al0 = np.geomspace(0.02, 0.3, 4)
    out0 = tuned_risk("lasso", target, al0, noise=0.0)
    print(f"  noiseless (d = {d}, alpha in [{al0[0]}, {al0[-1]}]): fitted local "
          + " ".join(f"{e:.3f}" for e in out0["exponent"]) + f", predicted {pe['noiseless']} "
          "(logarithmic corrections, see docs)")
    dl = 300
    al_s = np.geomspace(1.5, 30, 4)
    th = phase_diagram("lasso", fs.power_law(gamma, dl), al_s, [1e-2], noise=noise)["risk"][0]
    sim = [np.mean([simulate_lasso(np.arange(1, dl + 1) ** -gamma, a, 1e-2, noise, rng=s)
                    for s in range(4)]) for a in al_s]
    print(f"LASSO d = {dl}, lambda = 1e-2: fitted exponent theory {slope(al_s, th):.3f}, "
          f"simulation {slope(al_s, sim):.3f}")

    # ---------------------------------------------------------------- quadratic network
    dq = 30
    ev = np.arange(1, dq + 1) ** -gamma
    tq = fs.power_law(gamma, dq)
    al_q = np.array([0.25, 0.5, 1.0]) if args.quick else np.array([0.25, 0.5, 1.0, 2.0])
    lam_q = 0.01
    res = [nuclear_risk(tq, a, lam_q, noise) for a in al_q]
    sims = [[simulate_nuclear(ev, a, lam_q, noise, rng=s) for s in range(2)] for a in al_q]
    print(f"\nquadratic network, eigenvalues j^-{gamma}, d = {dq}, lambda = {lam_q}, sigma = {noise}")
    print("  alpha   theory R   simulated R   active(theory)  active(sim)")
    for a, r, ss in zip(al_q, res, sims):
        act = np.mean([np.mean(e > 1e-8) for _, e in ss])
        print(f"  {a:5.2f}   {r.excess_risk:.5f}    {2 * np.mean([m for m, _ in ss]):.5f}"
              f"       {r.active:.3f}          {act:.3f}")
    Rt = [r.excess_risk for r in res]
    Rs = [2 * np.mean([m for m, _ in ss]) for ss in sims]
    print(f"  fitted exponent: theory {slope(al_q, Rt):.3f}, simulation {slope(al_q, Rs):.3f}")
    spec = learned_spectrum(tq, res[-1])
    print(f"  learned spectrum tail exponent (alpha = {al_q[-1]}): theory {tail_exponent(spec):.3f}, "
          f"simulation {np.mean([tail_exponent(e) for _, e in sims[-1]]):.3f}, target {gamma}")
    print(f"  predicted exponents {predicted_exponents('quadratic', gamma)} (fixed lambda = {lam_q} with "
          "noise: between the noiseless and the variance regimes at these alpha)")

    # ---------------------------------------------------------------- learned weights, diagonal network
    rl = lasso_risk(fs.power_law(gamma, dl), 1.0, 1e-2, noise)
    vl = lasso_learned_spectrum(fs.power_law(gamma, dl), rl)
    sl = [simulate_lasso(np.arange(1, dl + 1) ** -gamma, 1.0, 1e-2, noise, rng=s, return_weights=True)[1]
          for s in range(4)]
    print(f"\ndiagonal network d = {dl}, alpha = 1, lambda = 1e-2: active fraction theory {rl.active:.3f}, "
          f"simulation {np.mean([np.mean(w != 0) for w in sl]):.3f}; tail exponent of |w| theory "
          f"{tail_exponent(vl):.3f}, simulation {np.mean([tail_exponent(np.abs(w)) for w in sl]):.3f}")

    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(1, 3, figsize=(12, 3.6))
        im = ax[0].pcolormesh(alphas, lams, pd["exponent"], shading="nearest", cmap="viridis")
        ax[0].set(xscale="log", yscale="log", xlabel="α = n/d", ylabel="λ",
                  title="LASSO: −d log R / d log α")
        fig.colorbar(im, ax=ax[0])
        for lam_i, row in zip(lams[::2], pd["risk"][::2]):
            ax[1].loglog(alphas, row, label=f"λ = {lam_i:.0e}")
        ax[1].set(xlabel="α", ylabel="excess risk", title="LASSO risk curves")
        ax[1].legend(fontsize=7)
        ax[2].loglog(al_q, Rt, "-", label="theory")
        ax[2].loglog(al_q, Rs, "o", label="proximal gradient, d = 30")
        ax[2].set(xlabel="α = n/d²", ylabel="excess risk", title="quadratic network")
        ax[2].legend(fontsize=7)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=90)
        print("wrote", args.plot)
    if args.figures:
        write_figures(args.figures, alphas, lams, pd, al_s, th, sim, tuned, pe, al_q, Rt, Rs)


def write_figures(out, alphas, lams, pd, al_s, th, sim, tuned, pe, al_q, Rt, Rs):
    import os

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5, 3.6))
    im = ax.pcolormesh(alphas, lams, pd["exponent"], shading="nearest", cmap="viridis",
                       vmin=-0.5, vmax=1.6)
    ax.set(xscale="log", yscale="log", xlabel="α = n/d", ylabel="weight decay λ",
           title="diagonal network: local exponent −d log R/d log α")
    ax.title.set_fontsize(9)
    fig.colorbar(im, ax=ax)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "scaling_phase_diagram.png"), dpi=80)
    plt.close(fig)
    fig, ax = plt.subplots(1, 3, figsize=(11, 3.4))
    ax[0].loglog(al_s, th, "-", label="theory (state evolution)")
    ax[0].loglog(al_s, sim, "o", label="proximal gradient, d = 300")
    ax[0].set(xlabel="α = n/d", ylabel="excess risk", title="diagonal network, λ = 1e-2")
    for dt, o in tuned.items():
        ax[1].loglog(o["alpha"], o["risk"], "o-", label=f"tuned λ, d = {dt}")
        ref = o["risk"][0] * (o["alpha"] / o["alpha"][0]) ** -pe["tuned"]
        ax[1].loglog(o["alpha"], ref, "k:", lw=1)
    ax[1].plot([], [], "k:", label=f"slope −{pe['tuned']:.2g} (predicted)")
    ax[1].set(xlabel="α = n/d", title="diagonal network, optimal λ")
    ax[2].loglog(al_q, Rt, "-", label="theory (deformed semicircle)")
    ax[2].loglog(al_q, Rs, "o", label="proximal gradient, d = 30")
    ax[2].set(xlabel="α = n/d²", title="quadratic network, λ = 1e-2")
    from matplotlib.ticker import NullFormatter
    for a in ax:
        a.xaxis.set_minor_formatter(NullFormatter())
        a.yaxis.set_minor_formatter(NullFormatter())
        a.legend(fontsize=7)
        a.title.set_fontsize(9)
    fig.tight_layout()
    fig.savefig(os.path.join(out, "scaling_risk_curves.png"), dpi=80)
    plt.close(fig)
    print("wrote figures to", out)


if __name__ == "__main__":
    main()
