"""Errors: bad parameters and arguments raise DomainError with informative messages.

Contract (freespec/errors.py, docs/conventions.rst): every failure raises a
subclass of FreespecError; a parameter or argument outside its domain raises
DomainError (also a ValueError) whose message names the parameter, its
domain and the value; nothing returns a silently wrong value (no NaN).
"""

import math

import mpmath
import numpy as np
import pytest
import sympy

import freespec as fs

NAN, INF = float("nan"), float("inf")


def raises_domain(func, *words):
    """Call func, require a DomainError (and ValueError) whose message holds every word."""
    with pytest.raises(fs.DomainError) as info:
        func()
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, fs.FreespecError)
    msg = str(info.value)
    for w in words:
        assert w in msg, f"{w!r} not in message {msg!r}"
    return msg


# ======================================================= exception hierarchy
def test_exception_hierarchy():
    assert issubclass(fs.ConvergenceError, fs.FreespecError)
    assert issubclass(fs.DomainError, fs.FreespecError)
    assert issubclass(fs.NotAlgebraicError, fs.FreespecError)
    assert issubclass(fs.DomainError, ValueError)
    assert issubclass(fs.FreespecError, Exception)
    assert not issubclass(fs.ConvergenceError, ValueError)
    assert not issubclass(fs.NotAlgebraicError, fs.DomainError)
    assert not issubclass(fs.ConvergenceError, fs.DomainError)
    # catchable as ValueError by code that knows nothing of freespec
    with pytest.raises(ValueError):
        fs.semicircle(var=-1)


# ============================================================ bad parameters
@pytest.mark.parametrize("ctor, kwargs, name, value", [
    (fs.marchenko_pastur, dict(ratio=0), "ratio", "0"),
    (fs.marchenko_pastur, dict(ratio=-0.5), "ratio", "-0.5"),
    (fs.marchenko_pastur, dict(ratio=-3), "ratio", "-3"),
    (fs.marchenko_pastur, dict(ratio=0.5, var=0), "var", "0"),
    (fs.marchenko_pastur, dict(ratio=0.5, var=-1.25), "var", "-1.25"),
    (fs.semicircle, dict(var=0), "var", "0"),
    (fs.semicircle, dict(var=-2), "var", "-2"),
    (fs.semicircle, dict(var=-0.75, center=1), "var", "-0.75"),
    (fs.free_poisson, dict(rate=0), "rate", "0"),
    (fs.free_poisson, dict(rate=-1.5), "rate", "-1.5"),
    (fs.free_poisson, dict(rate=1, jump=-2), "jump", "-2"),
    (fs.free_poisson, dict(rate=1, jump=0), "jump", "0"),
])
def test_nonpositive_parameters(ctor, kwargs, name, value):
    msg = raises_domain(lambda: ctor(**kwargs), name, "> 0", value)
    assert msg.index(name) < msg.index(value)


@pytest.mark.parametrize("ctor", [fs.marchenko_pastur, fs.free_poisson])
def test_nonpositive_exact_parameters(ctor):
    raises_domain(lambda: ctor("-1/3"), "> 0", "-1/3")
    raises_domain(lambda: ctor(sympy.Rational(-2, 7)), "> 0", "-2/7")
    raises_domain(lambda: ctor(mpmath.mpf(-2)), "> 0", "-2")
    raises_domain(lambda: ctor(np.float64(-0.25)), "> 0", "-0.25")
    raises_domain(lambda: ctor(sympy.Integer(0)), "> 0", "0")


@pytest.mark.parametrize("ctor", [fs.arcsine, fs.uniform])
@pytest.mark.parametrize("a, b", [(2, 1), (1, 1), (0.5, -0.5), ("1/3", "1/3"), (3, "5/2")])
def test_interval_laws_need_a_less_than_b(ctor, a, b):
    msg = raises_domain(lambda: ctor(a, b), "a", "b", "<")
    assert str(a) in msg and str(b) in msg


@pytest.mark.parametrize("bad", [NAN, INF, -INF, np.nan, np.float64("inf"), mpmath.mpf("nan"), mpmath.inf,
                                 sympy.oo, -sympy.oo, sympy.nan, sympy.zoo])
@pytest.mark.parametrize("ctor, name", [
    (lambda v: fs.semicircle(var=v), "var"),
    (lambda v: fs.semicircle(center=v), "center"),
    (lambda v: fs.marchenko_pastur(v), "ratio"),
    (lambda v: fs.marchenko_pastur(0.5, var=v), "var"),
    (lambda v: fs.free_poisson(v), "rate"),
    (lambda v: fs.free_poisson(1, jump=v), "jump"),
    (lambda v: fs.arcsine(v, 1), "a"),
    (lambda v: fs.arcsine(0, v), "b"),
    (lambda v: fs.uniform(v, 1), "a"),
    (lambda v: fs.uniform(0, v), "b"),
    (lambda v: fs.affine(fs.semicircle(), scale=v), "scale"),
    (lambda v: fs.affine(fs.semicircle(), shift=v), "shift"),
    (lambda v: fs.atoms([0, v]), "values"),
    (lambda v: fs.atoms([0, 1], weights=[0.5, v]), "weights"),
])
def test_non_finite_parameters(ctor, name, bad):
    msg = raises_domain(lambda: ctor(bad), name, "finite")
    assert msg.startswith(name)
    text = str(bad).lower()
    assert any(t in msg.lower() for t in {text, text.lstrip("+-"), "nan", "inf", "oo"})


@pytest.mark.parametrize("bad", [1 + 1j, 2j, complex(0.5, 0), mpmath.mpc(1, 1), sympy.I, 1 + sympy.I])
@pytest.mark.parametrize("ctor, name", [
    (lambda v: fs.semicircle(var=v), "var"),
    (lambda v: fs.semicircle(center=v), "center"),
    (lambda v: fs.marchenko_pastur(v), "ratio"),
    (lambda v: fs.free_poisson(2, jump=v), "jump"),
    (lambda v: fs.arcsine(v, 3), "a"),
    (lambda v: fs.uniform(-3, v), "b"),
    (lambda v: fs.affine(fs.semicircle(), scale=v), "scale"),
    (lambda v: fs.affine(fs.semicircle(), shift=v), "shift"),
    (lambda v: fs.atoms([1, v]), "values"),
])
def test_complex_parameters(ctor, name, bad):
    msg = raises_domain(lambda: ctor(bad), name, "real")
    assert msg.startswith(name)


def test_complex_empirical():
    raises_domain(lambda: fs.empirical([1.0, 2j]), "eigenvalues", "real")
    raises_domain(lambda: fs.empirical([1 + 1j, 2]), "eigenvalues", "real")


def test_complex_empirical_ndarray():
    raises_domain(lambda: fs.empirical(np.array([1 + 1j, 2])), "eigenvalues", "real")


def test_boolean_parameter_is_not_a_number():
    raises_domain(lambda: fs.semicircle(var=True), "var", "True")
    raises_domain(lambda: fs.marchenko_pastur(False), "ratio", "False")


def test_string_parameter_that_is_not_a_number():
    raises_domain(lambda: fs.semicircle(var="1/3 +"), "var")


def test_string_parameter_with_zero_denominator():
    raises_domain(lambda: fs.semicircle(var="1/0"), "var")


# ------------------------------------------------------------------- atoms
def test_atoms_negative_weight():
    raises_domain(lambda: fs.atoms([1, 2], weights=[-0.5, 1.5]), "weights", ">= 0", "-0.5")
    raises_domain(lambda: fs.atoms([1, 2, 3], weights=["1/2", "-1/4", "3/4"]), "weights", ">= 0", "-1/4")


@pytest.mark.parametrize("weights, shown", [([0.5, 0.6], "1.1"), (["1/2", "1/3"], "5/6"), ([0.2, 0.2], "0.4"),
                                            ([1, 1], "2"), ([0.5, 0.5 + 1e-6], "1.000001")])
def test_atoms_weights_must_sum_to_one(weights, shown):
    raises_domain(lambda: fs.atoms([1, 2], weights=weights), "weights", "sum to 1", shown)


def test_atoms_weights_summing_to_one_within_rounding_are_accepted():
    law = fs.atoms([0, 1, 2], weights=[0.1, 0.2, 0.7])   # 0.1 + 0.2 + 0.7 != 1 in binary
    assert law.atoms()[2][1] == pytest.approx(0.7)


@pytest.mark.parametrize("values, weights, n_values, n_weights", [
    ([1, 2], [1], 2, 1), ([1, 2], [0.25, 0.25, 0.5], 2, 3), ([5], [0.5, 0.5], 1, 2)])
def test_atoms_length_mismatch(values, weights, n_values, n_weights):
    raises_domain(lambda: fs.atoms(values, weights=weights), "weights", "length", str(n_values), str(n_weights))


def test_empty_atoms_and_empirical():
    raises_domain(lambda: fs.atoms([]), "values", "empty")
    raises_domain(lambda: fs.atoms(np.array([])), "values", "empty")
    raises_domain(lambda: fs.empirical([]), "eigenvalues", "empty")
    raises_domain(lambda: fs.empirical(np.zeros((0, 3))), "eigenvalues", "empty")


def test_empirical_non_finite():
    raises_domain(lambda: fs.empirical([1.0, NAN]), "eigenvalues", "finite")
    raises_domain(lambda: fs.empirical([INF, 1.0]), "eigenvalues", "finite")


# ------------------------------------------------------------------ affine
@pytest.mark.parametrize("zero", [0, 0.0, -0.0, "0", sympy.Integer(0), mpmath.mpf(0), np.float64(0)])
def test_affine_scale_zero(zero):
    raises_domain(lambda: fs.affine(fs.marchenko_pastur(0.5), scale=zero, shift=1), "scale", "!= 0", "0")


@pytest.mark.parametrize("mu", [3, "semicircle", None, np.array([1.0, 2.0]), fs.semicircle])
def test_affine_needs_a_law(mu):
    raises_domain(lambda: fs.affine(mu, scale=2), "mu", "Law", type(mu).__name__)


# ======================================================== bad arguments
LAWS = {
    "semicircle": fs.semicircle(),
    "mp": fs.marchenko_pastur(0.5),
    "mp_atom": fs.marchenko_pastur(2.5),
    "arcsine": fs.arcsine(-1, 2),
    "uniform": fs.uniform(0.5, 2),
    "atoms": fs.atoms([-1, 0.5, 2], weights=[0.2, 0.5, 0.3]),
    "empirical": fs.empirical([0.1, 0.4, 1.2]),
    "affine": fs.affine(fs.marchenko_pastur(0.5), scale=-2, shift=1),
}


@pytest.mark.parametrize("name", sorted(LAWS))
@pytest.mark.parametrize("bad", [NAN, INF, -INF, complex(NAN, 0), complex(1, INF), mpmath.mpf("nan"), mpmath.inf,
                                 mpmath.mpc(1, mpmath.inf)])
def test_non_finite_evaluation_points(name, bad):
    law = LAWS[name]
    for method, argname in [(law.cauchy, "z"), (law.stieltjes, "z"), (law.r_transform, "w")]:
        raises_domain(lambda: method(bad), argname, "finite")
        dtype = object if isinstance(bad, (mpmath.mpf, mpmath.mpc)) else complex
        raises_domain(lambda: method(np.array([bad, 0.01 + 0.01j], dtype=dtype)), argname, "finite")
    if not isinstance(bad, (complex, mpmath.mpc)):
        for method, argname in [(law.density, "x"), (law.cdf, "x"), (law.quantile, "q")]:
            raises_domain(lambda: method(bad), argname, "finite")
            raises_domain(lambda: method([0.5, bad]), argname, "finite")
    with fs.workdps(30):
        raises_domain(lambda: law.cauchy(bad), "z", "finite")
        if not isinstance(bad, (complex, mpmath.mpc)):
            raises_domain(lambda: law.cdf(bad), "x", "finite")


@pytest.mark.parametrize("bad", [NAN, INF, mpmath.mpf("nan")])
def test_non_finite_s_transform_argument(bad):
    raises_domain(lambda: fs.marchenko_pastur(0.5).s_transform(bad), "z", "finite")
    raises_domain(lambda: fs.uniform(1, 2).s_transform(bad), "z", "finite")


@pytest.mark.parametrize("name", sorted(LAWS))
def test_complex_x_for_density_and_cdf(name):
    law = LAWS[name]
    for method in (law.density, law.cdf):
        raises_domain(lambda: method(1 + 1j), "x", "real")
        raises_domain(lambda: method(np.array([0.5, 1 + 0.5j])), "x", "real")
        raises_domain(lambda: method(mpmath.mpc(1, 1)), "x", "real")
        with fs.workdps(30):
            raises_domain(lambda: method(0.5 + 0.25j), "x", "real")
    raises_domain(lambda: law.quantile(0.5 + 0.1j), "q", "real")


@pytest.mark.parametrize("name", sorted(LAWS))
@pytest.mark.parametrize("q", [1.5, -0.1, -1e-300, 1 + 1e-15, 7])
def test_quantile_outside_unit_interval(name, q):
    law = LAWS[name]
    raises_domain(lambda: law.quantile(q), "q", "[0, 1]")
    raises_domain(lambda: law.quantile(np.array([0.2, q, 0.5])), "q", "[0, 1]")
    raises_domain(lambda: law.quantile(mpmath.mpf(q)), "q", "[0, 1]")
    with fs.workdps(25):
        raises_domain(lambda: law.quantile(q), "q", "[0, 1]")


@pytest.mark.parametrize("name", sorted(LAWS))
def test_quantile_endpoints_are_allowed(name):
    law = LAWS[name]
    lo = float(law.quantile(0.0))
    hi = float(law.quantile(1.0))
    assert math.isfinite(lo) and math.isfinite(hi) and lo < hi
    with fs.workdps(20):
        assert law.quantile(0) < law.quantile(1)


QUANTILE_ENDS = [
    ("semicircle", fs.semicircle(), -2.0, 2.0),
    ("mp_half", fs.marchenko_pastur(0.5), (1 - math.sqrt(0.5)) ** 2, (1 + math.sqrt(0.5)) ** 2),
    ("mp_atom", fs.marchenko_pastur(2.5), 0.0, (1 + math.sqrt(2.5)) ** 2),
    ("affine_mp", fs.affine(fs.marchenko_pastur(0.5), scale=-2, shift=1),
     1 - 2 * (1 + math.sqrt(0.5)) ** 2, 1 - 2 * (1 - math.sqrt(0.5)) ** 2),
    ("arcsine", fs.arcsine(-1, 2), -1.0, 2.0),
    ("uniform", fs.uniform(0.5, 2), 0.5, 2.0),
    ("atoms", fs.atoms([-1, 0.5, 2], weights=[0.2, 0.5, 0.3]), -1.0, 2.0),
]


def _quantile_end_case(case):
    return pytest.param(*case[1:], id=case[0])


@pytest.mark.parametrize("law, lo, hi", [_quantile_end_case(c) for c in QUANTILE_ENDS])
def test_quantile_zero_and_one_are_the_ends_of_the_spectrum(law, lo, hi):
    # documented: q = 0 gives the left end of the spectrum and q = 1 the right end
    assert float(law.quantile(0.0)) == pytest.approx(lo, rel=1e-14, abs=1e-15)
    assert float(law.quantile(1.0)) == pytest.approx(hi, rel=1e-14, abs=1e-15)


# ================================================= Cauchy transform at atoms
AT_POLES = [
    ("atoms", fs.atoms([1, 2]), [1.0, 2.0]),
    ("atoms_weighted", fs.atoms([-1, 0.5, 2], weights=[0.2, 0.5, 0.3]), [-1.0, 0.5, 2.0]),
    ("empirical", fs.empirical([0.1, 0.5, 0.5, 3.0]), [0.5, 3.0]),
    ("mp_ratio_above_1", fs.marchenko_pastur(2), [0.0]),
    ("mp_ratio_4_var", fs.marchenko_pastur(4, var=0.5), [0.0]),
    ("mp_ratio_1", fs.marchenko_pastur(1), [0.0]),
    ("free_poisson_rate_below_1", fs.free_poisson(0.5), [0.0]),
    ("arcsine_edges", fs.arcsine(-1, 2), [-1.0, 2.0]),
    ("arcsine_unit", fs.arcsine(0, 1), [0.0, 1.0]),
    ("affine_mp_atom", fs.affine(fs.marchenko_pastur(2), scale=0.5, shift=-1), [-1.0]),
    ("affine_arcsine_edge", fs.affine(fs.marchenko_pastur(1), scale=-3, shift=1), [1.0]),
]


@pytest.mark.parametrize("name, law, poles", AT_POLES, ids=[p[0] for p in AT_POLES])
def test_cauchy_at_a_pole_raises_float64(name, law, poles):
    for p in poles:
        for method in (law.cauchy, law.stieltjes):
            msg = raises_domain(lambda: method(p), "z")
            assert "nan" not in msg.lower()
            raises_domain(lambda: method(complex(p)), "z")
            raises_domain(lambda: method(np.array([p + 1j, p])), "z")


@pytest.mark.parametrize("name, law, poles", AT_POLES, ids=[p[0] for p in AT_POLES])
def test_cauchy_at_a_pole_raises_mpmath(name, law, poles):
    for p in poles:
        raises_domain(lambda: law.cauchy(mpmath.mpf(p)), "z")
        raises_domain(lambda: law.cauchy(mpmath.mpc(p, 0)), "z")
        raises_domain(lambda: law.stieltjes(mpmath.mpf(p)), "z")
        with fs.workdps(40):
            raises_domain(lambda: law.cauchy(p), "z")
            raises_domain(lambda: law.cauchy(np.array([p + 1j, p])), "z")


@pytest.mark.parametrize("name, law, poles", AT_POLES, ids=[p[0] for p in AT_POLES])
def test_cauchy_next_to_a_pole_is_finite(name, law, poles):
    # near (not at) the pole the transform is finite, never nan
    for p in poles:
        for z in (p + 1e-3j, p + 0.25j):
            g = complex(law.cauchy(z))
            assert math.isfinite(g.real) and math.isfinite(g.imag)
            assert g.imag < 0


def test_finite_edge_values_are_not_errors():
    # semicircle: G(2) = 1 at the edge (square-root edge, finite)
    assert float(fs.semicircle().cauchy(2.0)) == pytest.approx(1.0, rel=1e-15)
    assert float(fs.semicircle().cauchy(-2.0)) == pytest.approx(-1.0, rel=1e-15)
    # MP ratio 1/2: 0 lies left of the support, G(0) = -E[1/X] = -1/(σ²(1 - γ)) = -2
    assert float(fs.marchenko_pastur(0.5).cauchy(0.0)) == pytest.approx(-2.0, rel=1e-14)
    with fs.workdps(30):
        g = fs.marchenko_pastur(0.5).cauchy(0)
    assert abs(g + 2) < mpmath.mpf(10) ** -28


# =============================================================== S- and R-
@pytest.mark.parametrize("law", [fs.semicircle(), fs.semicircle(var=3), fs.arcsine(-1, 1), fs.uniform(-2, 2),
                                 fs.atoms([-1, 1]), fs.atoms([-2, 1], weights=["1/3", "2/3"]),
                                 fs.affine(fs.marchenko_pastur(0.5), shift=-1),
                                 fs.affine(fs.semicircle(center=1), shift=-1)], ids=repr)
def test_s_transform_of_mean_zero_law(law):
    for z in (0.1, -0.2, 0.1j):
        raises_domain(lambda: law.s_transform(z), "S-transform", "mean")
    raises_domain(lambda: law.s_transform(0.1, method="generic"), "mean")
    with fs.workdps(30):
        raises_domain(lambda: law.s_transform(0.1), "mean")


def test_s_transform_outside_real_domain():
    # arcsine(-1, 2): T(u) = u G(u) - 1 has a minimum ≈ -0.055 on u < -1, so χ(z) has no real
    # solution for z = -0.15 on the branch through 0
    raises_domain(lambda: fs.arcsine(-1, 2).s_transform(-0.15), "S-transform", "domain")


# R-transform: the real domain of G⁻¹ is (G(a⁻), G(b⁺)).
# semicircle(): G(±2) = ±1, so (-1, 1); semicircle(var=4): (-1/2, 1/2); MP(1/2): (-2 - 2√2, 2√2 - 2).
def _mp_half_real_domain():
    a, b = (1 - math.sqrt(0.5)) ** 2, (1 + math.sqrt(0.5)) ** 2
    # G at an edge: the double root of (z/2) G² - (z - 1/2) G + 1 = 0, G = (z - 1/2)/z
    return (a - 0.5) / a, (b - 0.5) / b


OUTSIDE_R = [
    ("semicircle_w2", fs.semicircle(), 2.0),
    ("semicircle_w-1.5", fs.semicircle(), -1.5),
    ("semicircle_var4_w0.6", fs.semicircle(var=4), 0.6),
    ("mp_half_w1", fs.marchenko_pastur(0.5), 1.0),
    ("mp_half_w3", fs.marchenko_pastur(0.5), 3.0),
    ("mp_half_w-6", fs.marchenko_pastur(0.5), -6.0),
    ("affine_mp_w-3", fs.affine(fs.marchenko_pastur(0.5), scale=-2, shift=1), -3.0),
]


def test_mp_half_real_domain_reference():
    lo, hi = _mp_half_real_domain()
    assert lo == pytest.approx(-2 - 2 * math.sqrt(2), rel=1e-12)   # -4.83
    assert hi == pytest.approx(2 * math.sqrt(2) - 2, rel=1e-12)    # 0.828
    assert lo < -0.5 < hi and not lo < 1.0 < hi and not lo < -6.0 < hi


@pytest.mark.parametrize("name, law, w", OUTSIDE_R, ids=[c[0] for c in OUTSIDE_R])
def test_r_transform_outside_real_domain_generic(name, law, w):
    raises_domain(lambda: law.r_transform(w, method="generic"), "R-transform", "domain")
    with fs.workdps(30):
        raises_domain(lambda: law.r_transform(w, method="generic"), "R-transform", "domain")


# Closed-form R-transforms are the analytic continuation of R from 0
# (docs/conventions.rst, "R-transform and free cumulants"): they do not raise
# where G⁻¹ is undefined but R is analytic; only the generic route, which
# inverts G, is confined to the domain of G⁻¹.
def test_r_transform_closed_form_is_the_analytic_continuation():
    assert float(fs.semicircle().r_transform(2.0)) == 2.0                              # R(w) = w
    assert float(fs.marchenko_pastur(0.5).r_transform(1.0)) == pytest.approx(2.0)     # 1/(1 - w/2)
    assert float(fs.semicircle(var=3, center=1).r_transform(-5.0)) == pytest.approx(1 - 15)


# S-transform: real domain of χ = ψ⁻¹ on the branch through 0.
# MP(1/2): ψ(u) = (1/u) G(1/u) - 1 runs over (a G(a) - 1, b G(b) - 1) = (-√2, √2) along that branch.
# semicircle(var=2, center=1/3): S(z) = 2/(c(1 + sqrt(1 + 4σ²z/c²))) branches at z = -c²/(4σ²) = -1/72.
OUTSIDE_S = [
    ("mp_half_z-1.5", fs.marchenko_pastur(0.5), -1.5),
    ("mp_half_z1.5", fs.marchenko_pastur(0.5), 1.5),
    ("semicircle_z-0.03", fs.semicircle(var=2, center="1/3"), -0.03),
]


@pytest.mark.parametrize("name, law, z", OUTSIDE_S, ids=[c[0] for c in OUTSIDE_S])
def test_s_transform_outside_real_domain_generic(name, law, z):
    raises_domain(lambda: law.s_transform(z, method="generic"), "S-transform", "domain")


def test_s_transform_closed_form_is_the_analytic_continuation():
    # MP(1/2): S(z) = 1/(1 + z/2) is analytic away from its pole z = -2
    assert float(fs.marchenko_pastur(0.5).s_transform(-1.5)) == pytest.approx(4.0)
    assert float(fs.marchenko_pastur(0.5).s_transform(1.5)) == pytest.approx(1 / 1.75)
    raises_domain(lambda: fs.marchenko_pastur(0.5).s_transform(-2.0), "S-transform")


def test_s_transform_closed_form_raises_on_its_branch_cut():
    # semicircle(var=2, center=1/3): S has a branch point at -c²/(4σ²) = -1/72; the
    # continuation along the real axis beyond it is not single-valued
    raises_domain(lambda: fs.semicircle(var=2, center="1/3").s_transform(-0.03), "S-transform", "branch cut")
    with fs.workdps(30):
        raises_domain(lambda: fs.semicircle(var=2, center="1/3").s_transform(-0.03), "S-transform")


def test_s_transform_inside_real_domain_is_fine():
    law = fs.marchenko_pastur(0.5)
    for z in (-1.4, -0.5, 1.3):
        assert complex(law.s_transform(z, method="generic")) == pytest.approx(1 / (1 + z / 2), rel=1e-12)
    sc = fs.semicircle(var=2, center="1/3")
    z = -0.013   # just inside the branch point -1/72
    want = (-1 / 3 + math.sqrt(1 / 9 + 8 * z)) / (4 * z)
    assert complex(sc.s_transform(z, method="generic")) == pytest.approx(want, rel=1e-10)
    assert float(sc.s_transform(z)) == pytest.approx(want, rel=1e-12)


def test_r_transform_pole_and_uniform_strip():
    # MP(1/2): R(w) = 1/(1 - w/2) has a pole at w = 2
    raises_domain(lambda: fs.marchenko_pastur(0.5).r_transform(2.0), "w")
    # uniform: R is analytic for |Im((b - a) w)| < π only
    raises_domain(lambda: fs.uniform(0, 1).r_transform(4j), "w")
    raises_domain(lambda: fs.uniform(0, 2).r_transform(np.array([0.1, 1 - 1.6j])), "w")
    with fs.workdps(30):
        raises_domain(lambda: fs.uniform(0, 1).r_transform(4j), "w")


def test_r_transform_inside_real_domain_is_fine():
    assert float(fs.semicircle().r_transform(0.9)) == pytest.approx(0.9)
    assert complex(fs.semicircle().r_transform(0.9, method="generic")) == pytest.approx(0.9, rel=1e-12)
    # MP(1/2) at w = -3 (inside (-4.83, 0.83)): R = 1/(1 + 3/2) = 0.4
    assert complex(fs.marchenko_pastur(0.5).r_transform(-3.0, method="generic")) == pytest.approx(0.4, rel=1e-12)
    # atoms at the edges make G unbounded: the real domain is all of R
    w = 5.0
    z = complex(fs.atoms([0, 1]).r_transform(w)) + 1 / w
    assert 0.5 / z + 0.5 / (z - 1) == pytest.approx(w, rel=1e-10)


# ======================================================== symbolic / orders
def test_symbolic_not_algebraic():
    # the uniform law's Cauchy transform log((z - a)/(z - b))/(b - a) is transcendental
    for law in (fs.uniform(0, 1), fs.uniform("1/2", 3), fs.affine(fs.uniform(0, 1), scale=2, shift=1)):
        with pytest.raises(fs.NotAlgebraicError) as info:
            law.symbolic()
        assert isinstance(info.value, fs.FreespecError)


@pytest.mark.parametrize("name", sorted(LAWS))
@pytest.mark.parametrize("k", [-1, -5, 1.5, "3", True, None])
def test_bad_orders(name, k):
    law = LAWS[name]
    raises_domain(lambda: law.moments(k), "k", str(k))
    raises_domain(lambda: law.free_cumulants(k), "k", str(k))


@pytest.mark.parametrize("n", [0, -3, 2.5, "10", True, None])
def test_bad_sample_size(n):
    raises_domain(lambda: fs.semicircle().sample(n), "n", str(n))
    raises_domain(lambda: fs.atoms([1, 2]).sample(n), "n")


@pytest.mark.parametrize("n", [0, -1, 1.5, "50", True, None, 50.0])
def test_bad_workdps(n):
    mpmath.mp.dps = 15
    raises_domain(lambda: fs.workdps(n), "n", "positive integer", str(n))
    assert mpmath.mp.dps == 15


@pytest.mark.parametrize("name", sorted(LAWS))
@pytest.mark.parametrize("method", ["exact", "Closed", "", "newton", 1])
def test_unknown_method(name, method):
    law = LAWS[name]
    calls = [lambda: law.density(0.5, method=method), lambda: law.cdf(0.5, method=method),
             lambda: law.quantile(0.5, method=method), lambda: law.moments(3, method=method),
             lambda: law.free_cumulants(3, method=method), lambda: law.r_transform(0.01, method=method),
             lambda: law.s_transform(0.01, method=method)]
    for call in calls:
        raises_domain(call, "method", repr(method))


def test_closed_method_without_closed_form():
    # the semicircle has no closed-form quantile, Marchenko-Pastur no closed-form cdf:
    # method='closed' must refuse (and say why) instead of silently taking another route
    raises_domain(lambda: fs.semicircle().quantile(0.5, method="closed"), "closed")
    raises_domain(lambda: fs.marchenko_pastur(0.5).cdf(1.0, method="closed"), "closed")
    raises_domain(lambda: fs.atoms([1, 2]).r_transform(0.1, method="closed"), "closed")
    # where a closed form exists, 'closed' and 'generic' agree
    law = fs.semicircle(var=2, center=1)
    assert float(law.cdf(0.3, method="closed")) == pytest.approx(float(law.cdf(0.3, method="generic")), rel=1e-12)


# ===================================================== symbolic parameters
def test_symbolic_parameter_accepted_but_not_evaluated():
    gamma = sympy.Symbol("gamma", positive=True)
    law = fs.marchenko_pastur(gamma)
    assert law.params["ratio"] == gamma
    calls = [lambda: law.cauchy(1.0), lambda: law.density(1.0), lambda: law.cdf(1.0), lambda: law.support(),
             lambda: law.atoms(), lambda: law.moments(3), lambda: law.free_cumulants(2),
             lambda: law.r_transform(0.1), lambda: law.s_transform(0.1), lambda: law.quantile(0.5)]
    for call in calls:
        with pytest.raises(fs.FreespecError) as info:
            call()
        msg = str(info.value)
        assert "gamma" in msg and "symbolic" in msg
        with fs.workdps(30):
            with pytest.raises(fs.FreespecError) as info:
                call()
            assert "gamma" in str(info.value)


def test_symbolic_parameter_with_violated_assumption():
    x = sympy.Symbol("x", negative=True)
    raises_domain(lambda: fs.marchenko_pastur(x), "ratio", "> 0")
    raises_domain(lambda: fs.semicircle(var=sympy.Symbol("s", nonpositive=True)), "var", "> 0")
