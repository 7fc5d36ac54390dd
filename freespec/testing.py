"""Helpers for testing code that uses freespec, and the registry of example laws.

:func:`law_registry` lists one or more instances of every law constructor,
covering its regimes (e.g. Marchenko–Pastur below, at and above ratio 1);
freespec's own contract suite runs over it, and users can run their own
checks over it.
"""

__all__ = ["law_registry"]


def law_registry():
    """Example laws, one entry per constructor and regime, as ``{name: law}``.

    Examples
    --------
    >>> from freespec.testing import law_registry
    >>> reg = law_registry()
    >>> reg["marchenko_pastur_above1"]
    marchenko_pastur(2.5)
    """
    import freespec as fs

    return {
        "semicircle": fs.semicircle(),
        "semicircle_shifted": fs.semicircle(var=0.5, center=1.5),
        "marchenko_pastur_below1": fs.marchenko_pastur(0.3),
        "marchenko_pastur_ratio1": fs.marchenko_pastur(1),
        "marchenko_pastur_above1": fs.marchenko_pastur(2.5),
        "marchenko_pastur_var": fs.marchenko_pastur("1/2", var=2),
        "free_poisson": fs.free_poisson(3, jump=0.5),
        "free_poisson_rate_below1": fs.free_poisson(0.5),
        "arcsine": fs.arcsine(-1, 2),
        "uniform": fs.uniform(0.5, 2),
        "atoms": fs.atoms([-1, 0.5, 2], weights=[0.2, 0.5, 0.3]),
        "atoms_single": fs.atoms([1.5]),
        "empirical": fs.empirical([0.1, 0.4, 0.4, 1.2, 2.0]),
        "affine_reflected_mp": fs.affine(fs.marchenko_pastur(0.5), scale=-2, shift=1),
        "affine_mp_above1": fs.affine(fs.marchenko_pastur(2), scale=0.5, shift=-1),
        "free_add_sc_two_atoms": fs.free_add(fs.semicircle(), fs.atoms([-2, 2])),
        "free_add_sc_mp": fs.free_add(fs.semicircle(0.5, center=1), fs.marchenko_pastur(0.3)),
        "free_mul_mp_two_atoms": fs.free_mul(fs.marchenko_pastur(0.05), fs.atoms([1, 3])),
        "free_mul_mp_above1": fs.free_mul(fs.marchenko_pastur(2), fs.atoms([1, 3], weights=[0.3, 0.7])),
        "free_mul_fp_uniform": fs.free_mul(fs.free_poisson(2, jump=0.5), fs.uniform(1, 2)),
    }
