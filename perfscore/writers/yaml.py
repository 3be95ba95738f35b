"""A Document as YAML, the format of the transcriptions in ``samples/``.

Decimals are written as plain YAML numbers (``22.873``, ``50``), never as strings, so that the file reads
back equal through :mod:`perfscore.readers.structured`; a Decimal with more digits than a float holds is
written as a quoted string instead, which the model reads back exactly. Empty lists and ``None`` fields
are left out; keys keep the model's order; Chinese is written as is.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from perfscore.model import Document, Form

__all__ = ["dumps", "write"]


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:  # shared Decimal objects must not become &id/*id
        return True


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    if not value.is_finite():
        text = ".nan" if value.is_nan() else (".inf" if value > 0 else "-.inf")
        return dumper.represent_scalar("tag:yaml.org,2002:float", text)
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".") if "." in text else text
    if Decimal(repr(float(text))) != value:
        # more digits than a float keeps: a string keeps them all (the model reads it as a Decimal)
        return dumper.represent_scalar("tag:yaml.org,2002:str", format(value, "f"), style="'")
    if "." in text:
        return dumper.represent_scalar("tag:yaml.org,2002:float", text)
    return dumper.represent_scalar("tag:yaml.org,2002:int", text)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_representer(str, _represent_str)


def _prune(value: Any) -> Any:
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if v is None or (isinstance(v, list) and not v) or (k in ("raw", "grades") and not v):
                continue
            out[k] = _prune(v)
        return out
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def dumps(doc: Document | Form) -> str:
    document = doc if isinstance(doc, Document) else Document(forms=[doc])
    data = _prune(document.model_dump(mode="python"))
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=4096,
                     default_flow_style=False)


def write(doc: Document, path: Path) -> None:
    path.write_text(dumps(doc), encoding="utf-8")
