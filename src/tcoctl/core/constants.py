"""Core constants that the specs read too (a choice's values, a figure in a help text): plain
Python, no numpy, so that ``--help`` imports them without loading the core's relations."""

YIELD_MODELS = (
    "poisson",
    "murphy",
    "rectangular",
    "moore",
    "seeds",
    "negative-binomial",
    "bose-einstein",
)
"""The defect-limited yield models of tcoctl.core.dieyield (named as in the README)."""
OFFSET_STEPS = 24
"""Grid offsets tried per axis by the die count of tcoctl.core.dieyield (the die- and
street-centred grids among them)."""
