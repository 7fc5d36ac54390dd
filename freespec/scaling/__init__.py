"""Scaling laws from spectra.

* :func:`spike_cascade`: many features, each with its own BBP transition,
  whose aggregated prediction error decays as a power law of the sample size.
* :func:`lasso_risk`, :func:`nuclear_risk`: asymptotic excess risk of diagonal
  and quadratic networks trained with weight decay (LASSO and nuclear-norm
  matrix sensing), through their reduction to denoising; the matrix case uses
  the deformed semicircle law ``free_add(semicircle(Δ), target)``.
  :func:`simulate_lasso`, :func:`simulate_nuclear` solve the convex problems
  directly at small size; :func:`phase_diagram` maps the local scaling
  exponent of the risk over sample complexity and weight decay;
  :func:`predicted_exponents` and :func:`predicted_local_exponent` give the
  exponents of the soft-thresholding argument, :func:`tuned_risk` the risk at
  the optimal weight decay, :func:`lasso_learned_spectrum` the learned weights
  of the diagonal network.

Models, derivations and references: docs/scaling.rst.
"""

from ._cascade import SpikeCascade, spike_cascade
from ._convex import (ConvexRisk, lasso_risk, learned_spectrum, nuclear_risk, phase_diagram,
                      soft_threshold_stats, spectral_denoising_stats, tail_exponent)
from ._exponents import (lasso_learned_spectrum, predicted_exponents, predicted_local_exponent,
                         tuned_risk)
from ._simulate import simulate_lasso, simulate_nuclear

__all__ = ["spike_cascade", "SpikeCascade", "lasso_risk", "nuclear_risk", "ConvexRisk",
           "soft_threshold_stats", "spectral_denoising_stats", "simulate_lasso",
           "simulate_nuclear", "phase_diagram", "learned_spectrum", "tail_exponent",
           "predicted_exponents", "predicted_local_exponent", "tuned_risk",
           "lasso_learned_spectrum"]
