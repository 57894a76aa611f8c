"""The whole assessment on the built-in synthetic county, step by step (what ``povexit demo`` runs).

synth → registry import → sample → simulated fieldwork → ingest → quality → adjudicate → estimate →
report, then the other sampling presets (yunnan-2018 and midyear-2020 on the same county, the
national spot check on a synthetic province). Each step calls the owning layer's public API
(docs/layers-api.md) and writes into the work-directory layout of docs/data-layout.md::

    OUT/synth/            synthetic registry (contract §1 CSVs) + hidden truth
    OUT/work/registry/    registry import
    OUT/work/sample/      the sample (contract §2)
    OUT/work/fieldwork/   simulated ODK Central exports
    OUT/work/responses/   ingest output
    OUT/work/quality/     field data-quality flags
    OUT/work/findings/    adjudication (findings.csv, cases.csv)
    OUT/work/estimates.json
    OUT/work/report/      county report (docx, pdf, html), problem list (xlsx), charts
    OUT/presets/          samples drawn with the other design presets
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import estimate, instruments, quality, registry, rules, sampling, synth
from .fsutil import write_json

# The county presets drawn on the demo county besides the main design, and the province preset.
COUNTY_PRESETS = ("yunnan-2018", "midyear-2020")
PROVINCE_PRESET = "national-spotcheck-2019"
PROVINCE_HOUSEHOLDS = 2_500  # per county of the demo province: enough for a spot check, quick to make


@dataclass
class DemoConfig:
    out: Path
    seed: int = 2020
    design: str = "jilin-2018"
    ruleset: str = "national-2020"
    lang: str = "zh"
    households: int | None = None  # synthetic county size (None: the synth default)
    presets: bool = True  # also draw the other design presets


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


# ---- the steps -------------------------------------------------------------------------------------

def step_synth(st: DemoState) -> dict[str, Path]:
    kw: dict[str, Any] = {"seed": st.cfg.seed}
    if st.cfg.households:
        kw["households"] = st.cfg.households
    out = Path(synth.write_world(synth.synthesize(synth.SynthParams(**kw)), st.cfg.out / "synth"))
    st.values["synth_dir"] = out
    return {"registry CSV": out / "registry", "truth": out / "truth"}


def step_import(st: DemoState) -> dict[str, Path]:
    out = st.work / "registry"
    registry.import_registry(st.values["synth_dir"] / "registry", out)
    st.values["registry"] = registry.load(out)
    return {"registry": out}


def step_sample(st: DemoState) -> dict[str, Path]:
    reg = st.values["registry"]
    out = st.work / "sample"
    sampling.write_sample(sampling.draw(reg, sampling.load_design(st.cfg.design), st.cfg.seed), out,
                          reg.input_hashes or None)
    st.values["sample"] = sampling.load_sample(out)
    return {"sample": out}


def step_fieldwork(st: DemoState) -> dict[str, Path]:
    export = instruments.simulate_survey(st.values["synth_dir"] / "truth", st.values["sample"], st.cfg.seed)
    out = instruments.write_simulated(export, st.work / "fieldwork")
    # The exports themselves; noise.csv and simulation.json are the simulation's notes for tests.
    st.values["fieldwork_files"] = sorted(out / name for name in export.files)
    return {"fieldwork": out}


def step_ingest(st: DemoState) -> dict[str, Path]:
    out = st.work / "responses"
    instruments.write_responses(instruments.ingest(st.values["sample"], st.values["fieldwork_files"]), out)
    st.values["responses"] = instruments.load_responses(out)
    return {"responses": out}


def step_quality(st: DemoState) -> dict[str, Path]:
    out = st.work / "quality"
    quality.run_quality(st.work / "responses", out, sample=st.work / "sample", registry=st.work / "registry")
    return {"quality": out}


def step_adjudicate(st: DemoState) -> dict[str, Path]:
    adj = rules.adjudicate(st.values["registry"], st.values["sample"], st.values["responses"],
                           rules.load_ruleset(st.cfg.ruleset))
    out = st.work / "findings"
    rules.write_findings(adj, out)
    st.values["adjudication"] = adj
    return {"findings": out / "findings.csv", "cases": out / "cases.csv"}


def step_estimate(st: DemoState) -> dict[str, Path]:
    adj = st.values["adjudication"]
    # Before verification every case is pending: the first estimate is the provisional one.
    est = estimate.estimate_county(st.values["registry"], st.values["sample"], adj.findings, adj.cases,
                                   stage="provisional", cadres=st.values["responses"].cadres)
    out = st.work / "estimates.json"
    write_json(out, est.to_dict())
    return {"estimates": out}


def step_report(st: DemoState) -> dict[str, Path]:
    from .report import build_county_report

    res = build_county_report(st.work, st.work / "report", st.cfg.lang)
    st.values["report"] = res
    return dict(res.files)


def step_presets(st: DemoState) -> dict[str, Path]:
    """The other presets: on the demo county, and the national spot check on a synthetic province."""
    presets = st.cfg.out / "presets"
    outputs: dict[str, Path] = {}
    counts: dict[str, dict[str, int]] = {}
    reg = st.values["registry"]
    for name in COUNTY_PRESETS:
        smp = sampling.draw(reg, sampling.load_design(name), st.cfg.seed)
        sampling.write_sample(smp, presets / name, reg.input_hashes or None)
        outputs[name] = presets / name
        counts[name] = _sample_counts(smp)
    province = synth.write_world(
        synth.synthesize(synth.SynthParams(scale="province", seed=st.cfg.seed, households=PROVINCE_HOUSEHOLDS,
                                           truth=False)), presets / "province-synth")
    preg = registry.load(Path(province) / "registry")
    smp = sampling.draw(preg, sampling.load_design(PROVINCE_PRESET), st.cfg.seed)
    sampling.write_sample(smp, presets / PROVINCE_PRESET, preg.input_hashes or None)
    outputs[PROVINCE_PRESET] = presets / PROVINCE_PRESET
    counts[PROVINCE_PRESET] = _sample_counts(smp)
    st.values["preset_counts"] = counts
    return outputs


def _sample_counts(smp: sampling.Sample) -> dict[str, int]:
    hh = smp.households
    main = hh.filter(hh["reserve_rank"].is_null()) if "reserve_rank" in hh.columns else hh
    return {
        "counties": smp.villages["county"].n_unique(),
        "villages": smp.villages.height,
        "registered": int((main["instrument"] == "registered").sum()),
        "general": int((main["instrument"] == "general").sum()),
        "census_groups": smp.groups.height,
    }


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
    Step("quality", "调查质量检查", "check the fieldwork's quality", step_quality),
    Step("adjudicate", "入户研判（两不愁三保障）", "adjudicate households", step_adjudicate),
    Step("estimate", "计算三率一度", "estimate the indicators", step_estimate),
    Step("report", "生成报告和问题清单", "write the report and problem list", step_report),
    Step("presets", "其他抽样方案（云南、年中评估、国家抽查）", "the other sampling presets", step_presets),
)


def steps_for(cfg: DemoConfig) -> tuple[Step, ...]:
    return STEPS if cfg.presets else tuple(s for s in STEPS if s.key != "presets")


def run_demo(cfg: DemoConfig, *, on_start: Callable[[Step], None] | None = None,
             on_done: Callable[[Step, StepResult], None] | None = None) -> DemoState:
    """Run every step in order; raise the first step's error (earlier outputs stay on disk)."""
    cfg.out.mkdir(parents=True, exist_ok=True)
    st = DemoState(cfg)
    for step in steps_for(cfg):
        if on_start:
            on_start(step)
        t0 = time.perf_counter()
        outputs = step.run(st)
        res = StepResult(step.key, time.perf_counter() - t0, outputs)
        st.results.append(res)
        if on_done:
            on_done(step, res)
    return st
