"""The end-to-end demo (synth → import → sample → fieldwork → ingest → quality → adjudicate →
estimate → report → other presets) — ``make demo`` runs exactly this."""

from __future__ import annotations

import json
import subprocess

import polars as pl
import pytest
from docx import Document

from povexit.demo import STEPS, DemoConfig, DemoState, StepResult, run_demo, steps_for
from povexit.report import fmt


def test_steps_in_pipeline_order():
    assert [s.key for s in STEPS] == ["synth", "import", "sample", "fieldwork", "ingest", "quality", "adjudicate",
                                      "estimate", "report", "presets"]
    assert "presets" not in [s.key for s in steps_for(DemoConfig(out=None, presets=False))]


@pytest.mark.slow
def test_demo_end_to_end(tmp_path, monkeypatch):
    """The whole pipeline on the synthetic county produces consistent documents, and the four design
    presets (issue 3) draw real samples: three on the county, the national spot check on a province."""
    monkeypatch.setenv("POVEXIT_LANG", "zh")
    st = run_demo(DemoConfig(out=tmp_path / "demo"))
    work = tmp_path / "demo" / "work"
    est = json.loads((work / "estimates.json").read_text(encoding="utf-8"))
    rep = st.values["report"]
    assert rep.report.decision == est["decision"]
    paras = "\n".join(p.text for p in Document(str(rep.files["docx"])).paragraphs)
    assert f"完成有效评估问卷{rep.report.overview.households_valid}户" in paras
    text = subprocess.run(["pdftotext", "-layout", str(rep.files["pdf"]), "-"], capture_output=True, text=True,
                          check=True).stdout
    for key in ("composite_incidence", "wrongful_exit_rate", "missed_rate", "approval_rate"):
        assert fmt.pct(est["indicators"][key]["official"]) in text
    assert rep.report.overview.households_valid > 500  # a real county sample, not a toy
    assert [r.key for r in st.results] == [s.key for s in STEPS]
    # quality flags were computed over every accepted submission
    q = json.loads((work / "quality" / "quality.json").read_text(encoding="utf-8"))
    assert q["summary"]["submissions"] == pl.read_parquet(work / "responses" / "households.parquet").height
    # the presets: the documents' sizes (seed 000: 21 villages in Yunnan; seed 002: 15 households a
    # village; seed 003: 20% of exited counties, every province at least one)
    counts = st.values["preset_counts"]
    assert counts["yunnan-2018"]["villages"] == 21 and counts["yunnan-2018"]["registered"] >= 600
    assert counts["midyear-2020"]["villages"] >= 2 * 11
    spot = counts["national-spotcheck-2019"]
    assert spot["counties"] >= 1 and spot["villages"] >= 25 * spot["counties"]


def test_demo_command_prints_outputs_and_serves(tmp_path, monkeypatch, capsys):
    """``povexit demo --serve``: after the pipeline, the server's demo runner gets the work directory."""
    import povexit.demo as D
    import povexit.server.demo as server_demo
    from povexit.cli.main import main

    monkeypatch.setenv("POVEXIT_LANG", "zh")
    seen = {}

    def fake_run_demo(cfg, on_start=None, on_done=None):
        st = DemoState(cfg)
        for step in steps_for(cfg):
            on_start(step)
            res = StepResult(step.key, 0.01, {step.key: cfg.out / "work" / step.key})
            st.results.append(res)
            on_done(step, res)
        return st

    monkeypatch.setattr(D, "run_demo", fake_run_demo)
    monkeypatch.setattr(server_demo, "run", lambda workdir, **kw: seen.update(workdir=workdir, **kw))
    assert main(["demo", "--out", str(tmp_path / "d"), "--serve", "--port", "8765"]) == 0
    assert seen == {"workdir": (tmp_path / "d").resolve() / "work", "host": "127.0.0.1", "port": 8765, "lang": "zh"}
    out = capsys.readouterr().out
    assert "演示输出" in out and "完成，用时" in out
    # every output's path is printed whole (relative to the output directory named in the title)
    for step in steps_for(DemoConfig(out=(tmp_path / "d").resolve())):
        assert f"work/{step.key}" in out
