"""tcoctl: a terminal compute-economics calculator for AI infrastructure."""

__version__ = "0.1.0"
