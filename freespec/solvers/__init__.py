"""Solvers behind the laws built by operations (plain functions of arrays).

``inverse``: equations with an explicit inverse map (Pastur's deformed
semicircle, Silverstein's sample covariance), their real-axis boundary values
and their support edges.
"""

from .inverse import PasturMap, SilversteinMap, critical_points, solve, solve_mp, support_edges

__all__ = ["PasturMap", "SilversteinMap", "critical_points", "solve", "solve_mp", "support_edges"]

# free additive / multiplicative convolutions by subordination
from .subordination import (additive_subordination, additive_subordination_mp, law_scale,  # noqa: E402
                            multiplicative_subordination, multiplicative_subordination_mp, real_axis)

__all__ += ["additive_subordination", "multiplicative_subordination", "real_axis",
            "additive_subordination_mp", "multiplicative_subordination_mp", "law_scale"]
