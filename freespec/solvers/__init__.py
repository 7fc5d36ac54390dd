"""Solvers behind the laws built by operations (plain functions of arrays).

``inverse``: equations with an explicit inverse map (Pastur's deformed
semicircle, Silverstein's sample covariance), their real-axis boundary values
and their support edges.
"""

from .inverse import PasturMap, SilversteinMap, critical_points, solve, solve_mp, support_edges

__all__ = ["PasturMap", "SilversteinMap", "critical_points", "solve", "solve_mp", "support_edges"]
