"""config/schema.json (platform.yaml) and config/app.schema.json (apps/*.yaml): the JSON Schemas
of the pydantic model, for editors (each config file names its schema in a
``# yaml-language-server: $schema=...`` modeline). `goldenpath schema` writes them; `--check`
(pre-commit, tests) fails when they are not current.

The modeline is the files' last line, so no config line number moves: yaml-language-server
takes it from any line comment of the document (redhat-developer/yaml-language-server,
src/languageservice/services/modelineUtil.ts: ``doc.lineComments.find(isModeline)``)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from goldenpath.model import App, Platform

MODELINE = "# yaml-language-server: $schema="
FILES: dict[str, type[BaseModel]] = {"schema.json": Platform, "app.schema.json": App}


def rendered() -> dict[str, str]:
    out = {}
    for name, model in FILES.items():
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", **model.model_json_schema()}
        out[name] = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    return out


def stale(config_dir: Path) -> list[str]:
    """Schema files that differ from the model, and config files without their modeline."""
    problems = [f"{config_dir / name}: not current; run `goldenpath schema`" for name, text in rendered().items() if _read(config_dir / name) != text]
    for path, schema in [(config_dir / "platform.yaml", "schema.json"), *((p, "../app.schema.json") for p in sorted((config_dir / "apps").glob("*.yaml")))]:
        if f"{MODELINE}{schema}" not in (_read(path) or ""):
            problems.append(f"{path}: no `{MODELINE}{schema}` line")
    return problems


def write(config_dir: Path) -> None:
    for name, text in rendered().items():
        (config_dir / name).write_text(text, encoding="utf-8")


def _read(path: Path) -> str | None:
    return path.read_text(encoding="utf-8") if path.is_file() else None
