"""JSON Schemas generated from the pydantic models: forms, results (the JSON report), rule files."""

from __future__ import annotations

import json

from pydantic import BaseModel

from perfscore.model import Document
from perfscore.results import Report
from perfscore.rules.schema import RuleSet

MODELS: dict[str, type[BaseModel]] = {"form": Document, "result": Report, "rules": RuleSet}


def schema(name: str) -> dict:
    model = MODELS[name]
    data = model.model_json_schema(mode="validation" if name != "result" else "serialization", by_alias=True)
    data["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return data


def schema_json(name: str) -> str:
    return json.dumps(schema(name), ensure_ascii=False, indent=2)
