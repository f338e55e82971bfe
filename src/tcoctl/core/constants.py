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
DOES_NOT_FIT = (
    "the die does not fit on the wafer's usable area; give a smaller die, e.g. --die-size 26x33"
)
"""Why a die count is 0, and what to give instead: a die of the 26 x 33 mm reticle field,
the largest one exposure makes, fits on any 150 mm or larger wafer."""
