"""The JSON Schema of the output (``tcoctl schema``): the file tcoctl/schema.json, with the
names of the calculators filled in from the registry (tcoctl.specs.CALCULATORS), so that a
new calculator's records validate without anyone editing the schema."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from tcoctl.specs import CALCULATORS


def schema() -> dict[str, Any]:
    """The schema as a dict: schema.json, a scenario's ``command`` one of the calculators."""
    found: dict[str, Any] = json.loads(
        (resources.files("tcoctl") / "schema.json").read_text(encoding="utf-8")
    )
    found["$defs"]["scenario"]["properties"]["command"]["enum"] = list(CALCULATORS)
    return found


def schema_text() -> str:
    """The schema as ``tcoctl schema`` prints it (indented JSON, one final newline)."""
    return json.dumps(schema(), indent=2, ensure_ascii=False) + "\n"
