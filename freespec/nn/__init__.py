"""Spectra of random neural networks.

Activations and their Gaussian constants (:func:`activation`), the
single-layer nonlinear Gram matrix of Pennington & Worah
(:func:`pennington_worah`), the deep conjugate kernel and neural tangent
kernel at linear width (:func:`conjugate_kernel`, :func:`ntk`), and the neural
tangent kernel in the quadratic scaling (:func:`ntk_quadratic`); the population covariance of random
features with power-law inputs (:mod:`freespec.nn.features`).  Every model
has a sampler of the finite network (``sample_*``) to check predictions
against.  Conventions: docs/conventions.rst; models: docs/nn.rst.
"""

from .activations import Activation, GaussianConstants, activation
from .kernels import NTKLaw, conjugate_kernel, ntk, sample_kernels
from .quadratic import ntk_quadratic, sample_ntk_quadratic
from .single_layer import PenningtonWorah, pennington_worah, sample_single_layer
from .spiked import ck_spikes, ck_spikes_mixture, sample_mixture_network, sample_spiked_network

__all__ = [
    "activation", "Activation", "GaussianConstants",
    "pennington_worah", "PenningtonWorah", "sample_single_layer",
    "conjugate_kernel", "ntk", "NTKLaw", "sample_kernels",
    "ntk_quadratic", "sample_ntk_quadratic",
    "ck_spikes", "sample_spiked_network", "ck_spikes_mixture", "sample_mixture_network",
    "features",
]


def __getattr__(name):
    # imported on first use, so that ``python -m freespec.nn.features`` runs the module
    # once (an eager import here makes runpy warn that it is already loaded)
    if name == "features":
        import importlib
        return importlib.import_module(".features", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
