"""tcoctl: a terminal compute-economics calculator for AI infrastructure.

The Python API (``tcoctl.flops``, ``tcoctl.h100e``, ``tcoctl.inference``, ``tcoctl.supply``,
``tcoctl.tco``, ``tcoctl.yield_``, ``tcoctl.run``, ``tcoctl.Range``, ``tcoctl.preset_names``)
is imported on first use, so that ``import tcoctl`` and ``tcoctl --help`` stay light.
"""

from typing import Any

__version__ = "0.1.0"
__all__ = [
    "Range",
    "Result",
    "TcoctlWarning",
    "flops",
    "h100e",
    "inference",
    "preset_names",
    "run",
    "supply",
    "tco",
    "yield_",
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from tcoctl import api  # on first use: `import tcoctl` stays light

        return getattr(api, name)
    raise AttributeError(f"module 'tcoctl' has no attribute {name!r}")
