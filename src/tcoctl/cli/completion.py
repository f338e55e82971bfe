"""Shell completion (bash, zsh, fish through typer's ``--install-completion``): preset names
and result names. Reads specs and preset file names only: no numpy, no pint."""

from __future__ import annotations

from collections.abc import Callable

from tcoctl.errors import TcoctlError
from tcoctl.specs import Calculator


def preset_names(kind: str | None = None, command: str | None = None) -> Callable[[str], list[str]]:
    """Completion of preset names (of ``kind``, and with figures for ``command``)."""

    def complete(incomplete: str) -> list[str]:
        from tcoctl import presets  # on completion only: --help stays fast

        try:
            files = presets.preset_files()
        except TcoctlError:  # a bad --presets-dir: nothing to offer
            return []
        names = []
        for name in files:
            if not name.startswith(incomplete):
                continue
            if kind is None and command is None:
                names.append(name)
                continue
            try:
                preset = presets.load(name)
            except TcoctlError:
                continue
            if (kind is None or preset.kind == kind) and (
                command is None or command in presets.commands(preset)
            ):
                names.append(name)
        return names

    return complete


def results_of(calc: Calculator, suffix: str = "") -> Callable[[str], list[str]]:
    """Completion of ``calc``'s result names (followed by ``suffix``, e.g. '=' for --unit)."""

    def complete(incomplete: str) -> list[str]:
        return [r.name + suffix for r in calc.results if r.name.startswith(incomplete)]

    return complete


def choices(values: tuple[str, ...]) -> Callable[[str], list[str]]:
    """Completion of a choice option's values."""

    def complete(incomplete: str) -> list[str]:
        return [value for value in values if value.startswith(incomplete)]

    return complete
