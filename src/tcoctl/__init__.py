"""tcoctl: a terminal compute-economics calculator for AI infrastructure.

The Python API (one function per calculator: ``tcoctl.flops``, ``tcoctl.tco``,
``tcoctl.yield_``, ...; ``tcoctl.run``, ``tcoctl.Range``, ``tcoctl.preset_names``) is
imported on first use, so that ``import tcoctl`` and ``tcoctl --help`` stay light; the
calculators' names come from the registry (tcoctl.specs, pure data).
"""

from typing import Any

from tcoctl.specs import CALCULATORS

__version__ = "0.1.0"
__all__ = [
    "Range",
    "Result",
    "TcoctlWarning",
    "preset_names",
    "run",
    *(calc.api_name for calc in CALCULATORS.values()),
]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from tcoctl import api  # on first use: `import tcoctl` stays light

        return getattr(api, name)
    raise AttributeError(f"module 'tcoctl' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
