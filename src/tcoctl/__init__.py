"""tcoctl: a terminal compute-economics calculator for AI infrastructure.

The Python API (one function per calculator: ``tcoctl.flops``, ``tcoctl.tco``,
``tcoctl.yield_``, ...; ``tcoctl.run``, ``tcoctl.Range``, ``tcoctl.preset_names``) is
imported on first use, so that ``import tcoctl`` and ``tcoctl --help`` stay light; the
calculators' names come from the registry (tcoctl.specs, pure data). This module imports
nothing: the console script (tcoctl.console) runs it first, and installs its signal
handlers only after it, so Ctrl-C in those first milliseconds would print a traceback.
"""

TYPE_CHECKING = False  # typing's own flag without importing typing (mypy honours the name)
if TYPE_CHECKING:
    from typing import Any

__version__ = "0.1.0"
HELPERS = ["Range", "Result", "TcoctlWarning", "preset_names", "run"]
PLUMBING = {"TYPE_CHECKING", "HELPERS", "PLUMBING", "public_names"}  # not in dir()


def public_names() -> list[str]:
    """``__all__``: the helpers and one function per calculator of the registry."""
    from tcoctl.specs import CALCULATORS  # on first use: see the module's docstring

    return [*HELPERS, *(calc.api_name for calc in CALCULATORS.values())]


def __getattr__(name: str) -> "Any":  # quoted: no __future__ import either
    if name == "__all__":
        return public_names()
    if name == "notation":  # the module, for the documented tcoctl.notation.notation.set("sci")
        import importlib  # on first use; `from tcoctl import notation` would come back here

        return importlib.import_module("tcoctl.notation")
    if name in public_names():
        from tcoctl import api  # on first use: `import tcoctl` stays light

        found = getattr(api, name)
        globals()[name] = found  # later uses find it here, without this call
        return found
    raise AttributeError(f"module 'tcoctl' has no attribute {name!r}")


def __dir__() -> list[str]:
    public = public_names()  # first: loading tcoctl.specs adds its submodules to globals()
    return sorted({*globals(), "__all__", *public} - PLUMBING)
