"""Builders for the evaluate tests: inline findings / village tables, a small sheet, a demo world."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path
from typing import Any

import polars as pl

from povexit.evaluate import EvaluationData, sheet_from_mapping


def table(text: str) -> pl.DataFrame:
    """An inline CSV table (first line header), every column text, as findings.csv is read."""
    return pl.read_csv(io.StringIO(textwrap.dedent(text).strip() + "\n"), infer_schema=False)


def findings(text: str) -> pl.DataFrame:
    """Inline findings rows; absent columns get the usual defaults (judged, no flags)."""
    df = table(text)
    defaults = {"instrument": "registered", "status": "judged", "rules": "", "wrongful_exit": "no", "missed": "no",
                "approves": "yes"}
    for k, v in defaults.items():
        if k not in df.columns:
            df = df.with_columns(pl.lit(v).alias(k))
    return df.with_columns(pl.col("rules").fill_null(""))


def data(findings_text: str, villages: pl.DataFrame | None = None, cases: pl.DataFrame | None = None) -> EvaluationData:
    return EvaluationData(findings(findings_text), villages, cases)


def sheet(items: list[dict[str, Any]], *, sections: list[dict[str, Any]] | None = None,
          levels: dict[str, Any] | None = None, **extra: Any):
    """A sheet from inline items (one township section ``s`` unless given)."""
    return sheet_from_mapping({
        "name": "test", "source": "tests",
        "levels": levels if levels is not None else {"township": {"scale": sum(
            i.get("points", 0) for i in items if i.get("kind", "item") == "item"), "min_households": 3}},
        "sections": sections if sections is not None else [
            {"id": "s", "level": "township", "name": "部分", "source": "tests"}],
        "items": [{"section": "s", "source": "tests", "name": i["id"], **i} if i.get("kind", "item") == "item"
                  else {"source": "tests", "name": i["id"], **i} for i in items],
        **extra,
    })


def build_world(out: Path, households: int = 1200) -> Path:
    """A synthetic county through adjudication (the demo's first steps): returns its work directory."""
    from povexit import demo as D

    st = D.DemoState(D.DemoConfig(out=out, households=households, presets=False))
    for step in D.STEPS:
        if step.key in ("synth", "import", "sample", "fieldwork", "ingest", "adjudicate"):
            step.run(st)
    return st.work
