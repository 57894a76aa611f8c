"""The whole assessment on the built-in synthetic county, step by step (what ``povexit demo`` runs).

synth → registry import → sample → simulated fieldwork → ingest → adjudicate → estimate → report,
each step calling the owning layer's public API (docs/layers-api.md) and writing its files into the
work directory layout of docs/data-layout.md::

    OUT/synth/            synthetic registry (contract §1 CSVs) + hidden truth
    OUT/work/registry/    registry import
    OUT/work/sample/      the sample (contract §2)
    OUT/work/fieldwork/   simulated ODK Central export(s)
    OUT/work/responses/   ingest output
    OUT/work/findings/    adjudication (findings.csv, cases.csv)
    OUT/work/estimates.json
    OUT/work/report/      county report (docx, pdf, html), problem list (xlsx), charts

A layer whose entry point is missing stops the run with ``PVX-RP10`` naming the step and the
function, so a partial checkout says exactly what is not there yet.
"""

from __future__ import annotations

import importlib
import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import errors as E
from ..errors import report as R
from ..fsutil import write_json


@dataclass
class DemoConfig:
    out: Path
    seed: int = 2020
    design: str = "jilin-2018"
    ruleset: str = "national-2020"
    lang: str = "zh"
    households: int | None = None  # synthetic county size (None: the synth default)


@dataclass
class StepResult:
    key: str
    seconds: float
    outputs: dict[str, Path]


@dataclass
class DemoState:
    cfg: DemoConfig
    values: dict[str, Any] = field(default_factory=dict)
    results: list[StepResult] = field(default_factory=list)

    @property
    def work(self) -> Path:
        return self.cfg.out / "work"


def _api(step: str, module: str, name: str) -> Any:
    """``povexit.<module>.<name>`` or a located error saying which step cannot run."""
    try:
        mod = importlib.import_module(f"povexit.{module}")
    except ImportError as exc:
        raise E.PovexitError(R.DEMO_STEP_UNAVAILABLE(column=step, value=f"povexit.{module} ({exc})")) from exc
    fn = getattr(mod, name, None)
    if fn is None:
        raise E.PovexitError(R.DEMO_STEP_UNAVAILABLE(column=step, value=f"povexit.{module}.{name}"))
    return fn


# ---- the steps -------------------------------------------------------------------------------------

def step_synth(st: DemoState) -> dict[str, Path]:
    params_cls = _api("synth", "synth", "SynthParams")
    synthesize = _api("synth", "synth", "synthesize")
    write_world = _api("synth", "synth", "write_world")
    kw: dict[str, Any] = {"seed": st.cfg.seed}
    if st.cfg.households:
        kw["households"] = st.cfg.households
    world = synthesize(params_cls(**kw))
    out = write_world(world, st.cfg.out / "synth")
    st.values["synth_dir"] = Path(out)
    return {"registry CSV": Path(out) / "registry", "truth": Path(out) / "truth"}


def step_import(st: DemoState) -> dict[str, Path]:
    import_registry = _api("import", "registry", "import_registry")
    load = _api("import", "registry", "load")
    out = st.work / "registry"
    import_registry(st.values["synth_dir"] / "registry", out)
    st.values["registry"] = load(out)
    return {"registry": out}


def step_sample(st: DemoState) -> dict[str, Path]:
    load_design = _api("sample", "sampling", "load_design")
    draw = _api("sample", "sampling", "draw")
    write_sample = _api("sample", "sampling", "write_sample")
    load_sample = _api("sample", "sampling", "load_sample")
    reg = st.values["registry"]
    sample = draw(reg, load_design(st.cfg.design), st.cfg.seed)
    out = st.work / "sample"
    write_sample(sample, out, getattr(reg, "input_hashes", None) or None)
    st.values["sample"] = load_sample(out)
    return {"sample": out}


def _write_export(export: Any, out: Path) -> list[Path]:
    """Write a simulated export whatever shape the instruments layer gives it."""
    from ..fsutil import atomic_dir

    for meth in ("write", "write_to", "save"):
        if callable(getattr(export, meth, None)):
            res = getattr(export, meth)(out)
            files = getattr(export, "files", None)
            if isinstance(res, list | tuple):
                return [Path(p) for p in res]
            if isinstance(files, dict):
                return [out / n for n in files]
            return sorted(p for p in out.iterdir() if not p.name.startswith("."))
    files = getattr(export, "files", None)
    if isinstance(files, dict):
        with atomic_dir(out, kind="fieldwork") as tmp:
            for name, blob in files.items():
                (tmp / name).write_bytes(blob if isinstance(blob, bytes) else str(blob).encode("utf-8"))
        return [out / n for n in files]
    if isinstance(export, list | tuple) and all(isinstance(p, str | Path) for p in export):
        return [Path(p) for p in export]
    raise E.PovexitError(R.DEMO_STEP_UNAVAILABLE(column="fieldwork", value="a way to write SimulatedExport"))


def step_fieldwork(st: DemoState) -> dict[str, Path]:
    simulate = _api("fieldwork", "instruments", "simulate_survey")
    export = simulate(st.values["synth_dir"] / "truth", st.values["sample"], st.cfg.seed)
    out = st.work / "fieldwork"
    writer = getattr(importlib.import_module("povexit.instruments"), "write_simulated", None)
    if callable(writer):
        res = writer(export, out)
        files = ([Path(p) for p in res] if isinstance(res, list | tuple)
                 else sorted(Path(res if res is not None else out).iterdir()))
    else:
        files = _write_export(export, out)
    st.values["fieldwork_files"] = [p for p in files if p.is_file() and not p.name.startswith(".")]
    return {"fieldwork": out}


def step_ingest(st: DemoState) -> dict[str, Path]:
    ingest = _api("ingest", "instruments", "ingest")
    write_responses = _api("ingest", "instruments", "write_responses")
    load_responses = _api("ingest", "instruments", "load_responses")
    # The exports themselves (ODK Central ZIPs); side files of the simulation (noise.csv,
    # simulation.json) are for tests, not submissions.
    fw = st.values["fieldwork_files"]
    files = [p for p in fw if p.suffix.lower() == ".zip"] or [
        p for p in fw if p.suffix.lower() in (".csv", ".xlsx") and p.stem not in ("noise", "simulation")]
    result = ingest(st.values["sample"], files)
    out = st.work / "responses"
    write_responses(result, out)
    st.values["responses"] = load_responses(out)
    return {"responses": out}


def step_adjudicate(st: DemoState) -> dict[str, Path]:
    load_ruleset = _api("adjudicate", "rules", "load_ruleset")
    adjudicate = _api("adjudicate", "rules", "adjudicate")
    write_findings = _api("adjudicate", "rules", "write_findings")
    adj = adjudicate(st.values["registry"], st.values["sample"], st.values["responses"],
                     load_ruleset(st.cfg.ruleset))
    out = st.work / "findings"
    write_findings(adj, out)
    st.values["adjudication"] = adj
    return {"findings": out / "findings.csv", "cases": out / "cases.csv"}


def step_estimate(st: DemoState) -> dict[str, Path]:
    estimate_county = _api("estimate", "estimate", "estimate_county")
    adj = st.values["adjudication"]
    # Before verification every case is pending: the first estimate is the provisional one.
    kw: dict[str, Any] = {"stage": "provisional"}
    cadres = getattr(st.values.get("responses"), "cadres", None)
    if cadres is not None and "cadres" in inspect.signature(estimate_county).parameters:
        kw["cadres"] = cadres
    est = estimate_county(st.values["registry"], st.values["sample"], adj.findings, getattr(adj, "cases", None), **kw)
    out = st.work / "estimates.json"
    write_json(out, est.to_dict() if hasattr(est, "to_dict") else est)
    return {"estimates": out}


def step_report(st: DemoState) -> dict[str, Path]:
    from .build import build_county_report

    res = build_county_report(st.work, st.work / "report", st.cfg.lang)
    st.values["report"] = res
    return dict(res.files)


@dataclass(frozen=True)
class Step:
    key: str
    zh: str
    en: str
    run: Callable[[DemoState], dict[str, Path]]

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


STEPS: tuple[Step, ...] = (
    Step("synth", "生成模拟县", "synthesise the demo county", step_synth),
    Step("import", "导入建档立卡数据", "import the registry", step_import),
    Step("sample", "抽样（三随机）", "draw the sample", step_sample),
    Step("fieldwork", "模拟入户调查", "simulate the fieldwork", step_fieldwork),
    Step("ingest", "导入调查数据", "ingest the submissions", step_ingest),
    Step("adjudicate", "入户研判（两不愁三保障）", "adjudicate households", step_adjudicate),
    Step("estimate", "计算三率一度", "estimate the indicators", step_estimate),
    Step("report", "生成报告和问题清单", "write the report and problem list", step_report),
)


def run_demo(cfg: DemoConfig, *, on_start: Callable[[Step], None] | None = None,
             on_done: Callable[[Step, StepResult], None] | None = None) -> DemoState:
    """Run every step in order; raise the first step's error (earlier outputs stay on disk)."""
    cfg.out.mkdir(parents=True, exist_ok=True)
    st = DemoState(cfg)
    for step in STEPS:
        if on_start:
            on_start(step)
        t0 = time.perf_counter()
        outputs = step.run(st)
        res = StepResult(step.key, time.perf_counter() - t0, outputs)
        st.results.append(res)
        if on_done:
            on_done(step, res)
    return st
