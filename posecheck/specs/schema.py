"""The JSON Schema of spec files, for editors and for the reference page."""

from __future__ import annotations

from typing import Any

from posecheck.checks import kind_names
from posecheck.specs.models import PoseSpec


def spec_json_schema() -> dict[str, Any]:
    """The JSON Schema of a pose spec, with the registered check kinds as an enum."""
    schema = PoseSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "posecheck pose spec"
    check = schema.get("$defs", {}).get("CheckSpec", {})
    if "kind" in check.get("properties", {}):
        check["properties"]["kind"]["enum"] = kind_names()
    return schema
