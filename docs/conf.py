"""Sphinx configuration for the freespec documentation."""
import os
import sys

sys.path.insert(0, os.path.abspath(".."))

project = "freespec"
author = "freespec developers"
copyright = "freespec developers"

try:
    from importlib.metadata import version as _version

    release = _version("freespec")
except Exception:  # not installed: documentation built from the source tree
    release = "0.1.0"
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
]

autodoc_member_order = "bysource"
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

templates_path = []
exclude_patterns = ["_build"]
html_theme = "alabaster"
html_static_path = []
