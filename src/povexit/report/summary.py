"""Summaries across counties (a province's exits, the national spot check), like seed 003 看点三.

Input: per-county estimates — contract §5 ``estimates.json`` files (or directories holding them), or
the CSV table ``povexit estimate --all`` writes (one row per county; columns ``county`` and
``<indicator>_<field>``, see docs/data-layout.md "report/"). Output: a table (xlsx) and a short report
(docx/pdf) with the figures the national press release gives: counties by region all below their
composite threshold, wrongful-exit and missed rates all below 2%, the share of counties with no
wrongful exit / no missed poor / neither, approval all above 90%, highest rates, lowest approval.

The figures are computed here from the per-county records (pure), so they always match the table.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from .. import errors as E
from ..errors import report as R
from ..fsutil import atomic_dir, write_json
from . import fmt
from . import labels as L
from .document import Cell, Doc, Figure, Heading, Para, Table
from .workdir import INDICATOR_KEYS, read_csv_text, validate_estimates

FIELDS = ("official", "estimate", "se", "ci_low", "ci_high", "n_households", "n_persons", "n_psu")
REGION_BY_THRESHOLD = {0.02: "central", 0.03: "western"}
MAX_DOC_ROWS = 120  # longer county lists go to the workbook only: the report stays short
REGIONS: dict[str, tuple[str, str]] = {"central": ("中部地区", "central provinces"),
                                       "western": ("西部地区", "western provinces"),
                                       "eastern": ("东部地区", "eastern provinces"), "": ("未注明地区", "region not given")}


@dataclass
class CountyRecord:
    county: str
    province: str | None
    region: str | None
    stage: str
    decision: str
    thresholds: dict[str, float]
    values: dict[str, dict[str, float | None]]  # indicator -> field -> value
    near_threshold: list[str]
    source: str

    def v(self, key: str, fld: str = "official") -> float | None:
        return self.values.get(key, {}).get(fld)


@dataclass
class RegionLine:
    region: str
    label: str
    counties: int
    below_threshold: int
    threshold: float | None


@dataclass
class Summary:
    lang: str
    counties: int
    stages: dict[str, int]
    decisions: dict[str, int]
    regions: list[RegionLine]
    wrongful_below: int
    missed_below: int
    approval_above: int
    no_wrongful: int
    no_missed: int
    neither: int
    max_wrongful: tuple[str, float] | None
    max_missed: tuple[str, float] | None
    max_composite: tuple[str, float] | None
    min_approval: tuple[str, float] | None
    near_threshold: dict[str, int]
    provinces: int
    records: list[CountyRecord] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["records"] = [asdict(r) for r in self.records]
        return d


# ---- reading ----------------------------------------------------------------------------------------

def record_from_estimates(est: dict[str, Any], source: str) -> CountyRecord:
    validate_estimates(est, source)
    thr = {**L.DEFAULT_THRESHOLDS, **{k: float(v) for k, v in (est.get("thresholds") or {}).items() if v is not None}}
    values = {k: {f: _num(est["indicators"][k].get(f)) for f in FIELDS} for k in INDICATOR_KEYS}
    region = est.get("region")
    return CountyRecord(
        county=str(est["county"]), province=est.get("province"), region=region,
        stage=str(est.get("stage") or "provisional"), decision=str(est["decision"]), thresholds=thr,
        values=values, near_threshold=list(est.get("near_threshold") or []), source=source,
    )


def _num(v: Any) -> float | None:
    if v is None or v == "":
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def records_from_table(df: pl.DataFrame, source: str) -> list[CountyRecord]:
    """Rows of the ``estimate --all`` CSV → records (columns ``<indicator>_<field>``)."""
    if "county" not in df.columns:
        raise E.PovexitError(R.TABLE_COLUMN_MISSING(file=source, column="county"))
    missing = [f"{k}_official" for k in INDICATOR_KEYS if f"{k}_official" not in df.columns and k not in df.columns]
    if missing:
        raise E.PovexitError(R.TABLE_COLUMN_MISSING(file=source, column=missing[0]))
    out = []
    for i, row in enumerate(df.iter_rows(named=True), start=2):
        values: dict[str, dict[str, float | None]] = {}
        for k in INDICATOR_KEYS:
            values[k] = {}
            for f in FIELDS:
                raw = row.get(f"{k}_{f}", row.get(k) if f == "official" else None)
                v = _num(raw)
                if raw not in (None, "") and v is None:
                    raise E.PovexitError(R.SUMMARY_BAD_VALUE(file=source, row=i, column=f"{k}_{f}", value=raw))
                values[k][f] = v
        thr = dict(L.DEFAULT_THRESHOLDS)
        for k in INDICATOR_KEYS:
            for col in (f"{k}_threshold", f"threshold_{k}"):
                if _num(row.get(col)) is not None:
                    thr[k] = _num(row.get(col))  # type: ignore[assignment]
        for col in ("poverty_threshold", "composite_threshold"):  # estimate --all writes the latter
            if _num(row.get(col)) is not None:
                thr["composite_incidence"] = _num(row.get(col))  # type: ignore[assignment]
        near = [x for x in str(row.get("near_threshold") or "").replace(",", ";").split(";") if x.strip()]
        decision = str(row.get("decision") or "")
        if decision not in L.DECISIONS:
            raise E.PovexitError(R.SUMMARY_BAD_VALUE(file=source, row=i, column="decision", value=decision))
        out.append(CountyRecord(
            county=str(row["county"]), province=row.get("province"), region=row.get("region"),
            stage=str(row.get("stage") or "provisional"), decision=decision, thresholds=thr, values=values,
            near_threshold=[x.strip() for x in near], source=f"{source}:{i}",
        ))
    return out


def load_records(paths: Iterable[str | Path], *, counties: str | Path | None = None) -> list[CountyRecord]:
    """Read every input (estimates.json files, directories searched recursively, or CSV tables)."""
    records: list[CountyRecord] = []
    shown = []
    for p in map(Path, paths):
        shown.append(str(p))
        if not p.exists():
            raise E.PovexitError(E.FILE_NOT_FOUND(file=str(p)))
        files = sorted(p.rglob("estimates*.json")) if p.is_dir() else [p]
        for f in files:
            if f.suffix.lower() == ".json":
                try:
                    obj = json.loads(f.read_text(encoding="utf-8-sig"))
                except json.JSONDecodeError as exc:
                    raise E.PovexitError(E.FILE_UNREADABLE(file=str(f), reason=str(exc))) from exc
                if isinstance(obj, list):  # a list of contract §5 objects
                    records.extend(record_from_estimates(o, f"{f}[{i}]") for i, o in enumerate(obj))
                elif isinstance(obj, dict) and "counties" in obj and isinstance(obj["counties"], list):
                    records.extend(record_from_estimates(o, f"{f}[{i}]") for i, o in enumerate(obj["counties"]))
                else:
                    records.append(record_from_estimates(obj, str(f)))
            elif f.suffix.lower() in (".csv", ".txt"):
                records.extend(records_from_table(read_csv_text(f), str(f)))
            elif f.suffix.lower() == ".parquet":
                records.extend(records_from_table(pl.read_parquet(f), str(f)))
            else:
                raise E.PovexitError(E.UNKNOWN_FORMAT(file=str(f)))
    if not records:
        raise E.PovexitError(R.SUMMARY_NO_INPUT(file=", ".join(shown) or "—"))
    seen: dict[str, str] = {}
    for r in records:
        key = f"{r.province or ''}/{r.county}"
        if key in seen:
            raise E.PovexitError(R.SUMMARY_DUPLICATE_COUNTY(value=r.county, file=f"{seen[key]}; {r.source}"))
        seen[key] = r.source
    if counties is not None:
        _attach_counties(records, Path(counties))
    for r in records:
        if not r.region:
            r.region = REGION_BY_THRESHOLD.get(round(r.thresholds.get("composite_incidence", 0.0), 4))
    return sorted(records, key=lambda r: (r.province or "", r.county))


def _attach_counties(records: list[CountyRecord], path: Path) -> None:
    """Province and region from a contract §1 ``counties.csv`` (or imported counties.parquet)."""
    from ..contracts import REGION_ALIASES

    df = pl.read_parquet(path) if path.suffix == ".parquet" else read_csv_text(path)
    rename = {"县": "county", "省": "province", "区域": "region"}
    df = df.rename({c: rename[c] for c in df.columns if c in rename})
    if "county" not in df.columns:
        raise E.PovexitError(R.TABLE_COLUMN_MISSING(file=str(path), column="county"))
    info = {str(r["county"]): r for r in df.iter_rows(named=True)}
    for rec in records:
        row = info.get(rec.county)
        if row is None:
            continue
        rec.province = rec.province or row.get("province")
        reg = row.get("region")
        if reg and not rec.region:
            rec.region = REGION_ALIASES.get(str(reg).strip(), str(reg).strip())


# ---- figures (pure) ----------------------------------------------------------------------------------

def _meets(rec: CountyRecord, key: str) -> bool | None:
    return L.meets(L.INDICATOR_BY_KEY[key], rec.v(key), rec.thresholds.get(key))


def _extreme(records: list[CountyRecord], key: str, pick: Callable[..., Any]) -> tuple[str, float] | None:
    vals = [(r.county, r.v(key)) for r in records if r.v(key) is not None]
    if not vals:
        return None
    best = pick(vals, key=lambda x: x[1])
    return best[0], float(best[1])


def summarise(records: list[CountyRecord], *, lang: str = "zh") -> Summary:
    regions: list[RegionLine] = []
    by_region: dict[str, list[CountyRecord]] = {}
    for r in records:
        by_region.setdefault(r.region or "", []).append(r)
    for reg in sorted(by_region, key=lambda x: ["central", "western", "eastern", ""].index(x)
                      if x in ("central", "western", "eastern", "") else 9):
        rs = by_region[reg]
        thr = {r.thresholds.get("composite_incidence") for r in rs}
        regions.append(RegionLine(
            region=reg, label=L.pick(REGIONS.get(reg, (reg, reg)), lang), counties=len(rs),
            below_threshold=sum(1 for r in rs if _meets(r, "composite_incidence")),
            threshold=thr.pop() if len(thr) == 1 else None,
        ))
    # "未发现错退": none found in the sample, i.e. the official (sample) ratio is exactly 0
    no_we = [r for r in records if (r.v("wrongful_exit_rate") or 0.0) <= 0.0]
    no_mi = [r for r in records if (r.v("missed_rate") or 0.0) <= 0.0]
    near = Counter(k for r in records for k in r.near_threshold)
    return Summary(
        lang=lang, counties=len(records),
        stages=dict(Counter(r.stage for r in records)),
        decisions={d: sum(1 for r in records if r.decision == d) for d in L.DECISIONS},
        regions=regions,
        wrongful_below=sum(1 for r in records if _meets(r, "wrongful_exit_rate")),
        missed_below=sum(1 for r in records if _meets(r, "missed_rate")),
        approval_above=sum(1 for r in records if _meets(r, "approval_rate")),
        no_wrongful=len(no_we), no_missed=len(no_mi),
        neither=len({id(r) for r in no_we} & {id(r) for r in no_mi}),
        max_wrongful=_extreme(records, "wrongful_exit_rate", max),
        max_missed=_extreme(records, "missed_rate", max),
        max_composite=_extreme(records, "composite_incidence", max),
        min_approval=_extreme(records, "approval_rate", min),
        near_threshold={k: near.get(k, 0) for k in INDICATOR_KEYS},
        provinces=len({r.province for r in records if r.province}),
        records=records,
    )


def headline(s: Summary) -> list[str]:
    """The 看点三 sentences, in the summary's language."""
    zh = s.lang != "en"
    out = []
    parts = []
    for reg in s.regions:
        thr = fmt.pct(reg.threshold, 0) if reg.threshold is not None else ("各自标准" if zh else "its threshold")
        if reg.below_threshold == reg.counties:
            parts.append(f"{reg.label}{reg.counties}个县综合贫困发生率全部低于{thr}" if zh else
                         f"all {reg.counties} counties of the {reg.label} have a composite incidence below {thr}")
        else:
            parts.append(f"{reg.label}{reg.counties}个县中{reg.below_threshold}个综合贫困发生率低于{thr}、"
                         f"{reg.counties - reg.below_threshold}个未低于" if zh else
                         f"{reg.below_threshold} of {reg.counties} counties of the {reg.label} are below {thr}")
    if parts:
        out.append(("评估检查结果显示，" if zh else "Results: ") + ("，".join(parts) if zh else "; ".join(parts))
                   + ("。" if zh else "."))
    n = s.counties
    both = s.wrongful_below == n and s.missed_below == n
    if zh:
        out.append("错退率、漏评率全部低于2%。" if both else
                   f"{n}个县中，错退率低于2%的{s.wrongful_below}个、漏评率低于2%的{s.missed_below}个。")
        out.append(f"有{fmt.pct(s.no_wrongful / n)}的县未发现错退，{fmt.pct(s.no_missed / n)}未发现漏评，"
                   f"{fmt.pct(s.neither / n)}既未发现错退又未发现漏评。")
        out.append("群众认可度均超过90%。" if s.approval_above == n else
                   f"群众认可度超过90%的县{s.approval_above}个，未超过90%的县{n - s.approval_above}个。")
    else:
        out.append("Wrongful-exit and missed-poor rates are all below 2%." if both else
                   f"{s.wrongful_below} counties have a wrongful-exit rate below 2% and {s.missed_below} a missed rate "
                   f"below 2% (of {n}).")
        out.append(f"{fmt.pct(s.no_wrongful / n)} of counties had no wrongful exit, {fmt.pct(s.no_missed / n)} no "
                   f"missed poor, {fmt.pct(s.neither / n)} neither.")
        out.append("Approval is above 90% everywhere." if s.approval_above == n else
                   f"Approval is above 90% in {s.approval_above} counties and not in {n - s.approval_above}.")
    return out


@dataclass
class YearOnYear:
    """Shares of counties with no wrongful exit / no missed poor / neither, this year and the previous one."""
    counties: int
    previous_counties: int
    rows: list[tuple[str, float, float]]  # (key, share now, share previous)


YOY_LABELS: dict[str, tuple[str, str]] = {
    "no_wrongful": ("未发现错退的县", "counties with no wrongful exit"),
    "no_missed": ("未发现漏评的县", "counties with no missed poor"),
    "neither": ("既未发现错退又未发现漏评的县", "counties with neither"),
}


def year_on_year(s: Summary, prev: Summary) -> YearOnYear | None:
    if not s.counties or not prev.counties:
        return None
    return YearOnYear(s.counties, prev.counties, [
        (k, getattr(s, k) / s.counties, getattr(prev, k) / prev.counties) for k in YOY_LABELS])


def _pp(d: float) -> str:
    v = round(abs(d) * 100, 1)
    return f"{v:g}"


def yoy_sentence(y: YearOnYear, lang: str) -> str:
    zh = lang != "en"
    diffs = [now - before for _k, now, before in y.rows]
    if zh:
        parts = [("高" if d > 0 else "低" if d < 0 else "持平") + (f"{_pp(d)}个百分点" if d else "") for d in diffs]
        return ("与上年相比，未发现错退、未发现漏评、既未发现错退又未发现漏评的县的比例分别"
                + "、".join(parts[:-1]) + "和" + parts[-1] + "。")
    parts = [(f"{_pp(d)} points higher" if d > 0 else f"{_pp(d)} points lower" if d < 0 else "unchanged") for d in diffs]
    return ("Compared with the previous year, the shares of counties with no wrongful exit, no missed poor and neither "
            f"are {parts[0]}, {parts[1]} and {parts[2]} respectively.")


# ---- documents ----------------------------------------------------------------------------------------

def _row_cells(r: CountyRecord, lang: str) -> list[str | Cell]:
    dec = L.pick(L.DECISIONS[r.decision], lang)
    tone = {"pass": "good", "rectify": "warn", "fail": "bad"}[r.decision]
    return [r.province or "—", r.county,
            fmt.pct(r.v("composite_incidence")), fmt.pct(r.v("wrongful_exit_rate")), fmt.pct(r.v("missed_rate")),
            fmt.pct(r.v("approval_rate")), Cell(dec, tone=tone)]  # type: ignore[arg-type]


def compose_summary(s: Summary, *, title: str | None = None, chart: Any = None,
                    yoy: YearOnYear | None = None) -> Doc:
    lang = s.lang
    zh = lang != "en"

    def t(a: str, b: str) -> str:
        return a if zh else b

    title = title or t("贫困县退出专项评估检查结果汇总", "Poverty-exit assessments: summary across counties")
    stages = "、".join(f"{L.pick(L.STAGES.get(k, (k, k)), lang)}{v}个" for k, v in s.stages.items()) if zh else \
        ", ".join(f"{v} {L.pick(L.STAGES.get(k, (k, k)), lang)}" for k, v in s.stages.items())
    scope = (t(f"{s.provinces}个省份、{s.counties}个县", f"{s.counties} counties in {s.provinces} provinces")
             if s.provinces else t(f"{s.counties}个县", f"{s.counties} counties"))
    doc = Doc(title=title, subtitle=scope, date_line=stages, lang=lang, running_head=title)
    doc.add(Heading(t("一、总体情况", "1. Overview"), 1))
    for sent in headline(s):
        doc.add(Para(sent))
    dec = "、".join(f"{L.pick(L.DECISIONS[k], lang)}{v}个" for k, v in s.decisions.items()) if zh else \
        "; ".join(f"{L.pick(L.DECISIONS[k], lang)}: {v}" for k, v in s.decisions.items())
    if yoy is not None:
        doc.add(Para(yoy_sentence(yoy, lang)))
    doc.add(Para(t(f"评估结论：{dec}。", f"Decisions — {dec}.")))
    doc.add(Heading(t("二、主要数据", "2. Key figures"), 1))

    def ext(x: tuple[str, float] | None) -> str:
        return "—" if x is None else f"{fmt.pct(x[1])}（{x[0]}）" if zh else f"{fmt.pct(x[1])} ({x[0]})"

    n = s.counties
    rows = [[t("评估县数", "Counties"), str(n)]]
    for reg in s.regions:
        rows.append([t(f"{reg.label}：综合贫困发生率达标县数", f"{reg.label}: composite incidence within threshold"),
                     f"{reg.below_threshold} / {reg.counties}"])
    rows += [
        [t("错退率低于2%的县", "Wrongful-exit rate below 2%"), f"{s.wrongful_below} / {n}"],
        [t("漏评率低于2%的县", "Missed-poor rate below 2%"), f"{s.missed_below} / {n}"],
        [t("群众认可度高于90%的县", "Approval above 90%"), f"{s.approval_above} / {n}"],
        [t("未发现错退的县", "No wrongful exit found"), f"{s.no_wrongful}（{fmt.pct(s.no_wrongful / n)}）"],
        [t("未发现漏评的县", "No missed poor found"), f"{s.no_missed}（{fmt.pct(s.no_missed / n)}）"],
        [t("既未发现错退又未发现漏评的县", "Neither found"), f"{s.neither}（{fmt.pct(s.neither / n)}）"],
        [t("综合贫困发生率最高", "Highest composite incidence"), ext(s.max_composite)],
        [t("错退率最高", "Highest wrongful-exit rate"), ext(s.max_wrongful)],
        [t("漏评率最高", "Highest missed-poor rate"), ext(s.max_missed)],
        [t("群众认可度最低", "Lowest approval"), ext(s.min_approval)],
    ]
    for k, v in s.near_threshold.items():
        if v:
            rows.append([t(f"{L.pick(L.INDICATOR_BY_KEY[k].name, 'zh')}置信区间包含标准值的县",
                           f"{L.pick(L.INDICATOR_BY_KEY[k].name, 'en')}: interval contains the threshold"), str(v)])
    doc.add(Table.of([t("项目", "Item"), t("数值", "Value")], rows, align="lr", widths=(4, 2),
                     caption=t("表1 汇总数据", "Table 1. Key figures")))
    if yoy is not None:
        def diff(d: float) -> str:
            return ("+" if d > 0 else "−" if d < 0 else "±") + _pp(d) + t("个百分点", " pp")
        doc.add(Table.of(
            [t("项目", "Item"), t("本年", "This year"), t("上年", "Previous year"), t("变化", "Change")],
            [[L.pick(YOY_LABELS[k], lang), fmt.pct(now), fmt.pct(before), diff(now - before)]
             for k, now, before in yoy.rows]
            + [[t("评估县数", "Counties"), str(yoy.counties), str(yoy.previous_counties), ""]],
            align="lrrr", widths=(4, 1.2, 1.2, 1.4),
            caption=t("表1-2 与上年比较", "Table 1b. Compared with the previous year"),
        ))
    if chart is not None:
        doc.add(Figure(chart.key, t("图1 各县综合贫困发生率与群众认可度", "Figure 1. Composite incidence and approval by county"),
                       chart.png, chart.svg, 16.0, chart.height_in / chart.width_in))
    attention = [r for r in s.records if r.decision != "pass" or r.near_threshold]
    doc.add(Heading(t("三、需要关注的县", "3. Counties needing attention"), 1))
    if attention:
        shown = attention[:MAX_DOC_ROWS]
        doc.add(Table.of(
            [t("省", "Province"), t("县", "County"), t("综合贫困发生率", "Composite"), t("错退率", "Wrongful exit"),
             t("漏评率", "Missed"), t("认可度", "Approval"), t("结论", "Decision"), t("接近标准的指标", "Near threshold")],
            [[*_row_cells(r, lang), _join_near(r.near_threshold, lang)] for r in shown],
            align="llrrrrll", widths=(1, 1.2, 1.1, 1, 1, 1, 1.4, 2), small=True,
            caption=t("表2 未达到退出标准或指标接近标准的县", "Table 2. Counties not passing or close to a threshold"),
        ))
        if len(attention) > len(shown):
            doc.add(Para(t(f"另有{len(attention) - len(shown)}个县见汇总表（summary.xlsx）。",
                           f"{len(attention) - len(shown)} more counties in the workbook (summary.xlsx)."), style="note"))
    else:
        doc.add(Para(t("所有县均达到退出标准，且各项指标的置信区间都不包含标准值。",
                       "Every county passes, with no interval containing its threshold.")))
    doc.add(Heading(t("四、分县结果", "4. Results by county"), 1))
    if s.counties <= MAX_DOC_ROWS:
        doc.add(Table.of(
            [t("省", "Province"), t("县", "County"), t("综合贫困发生率", "Composite"), t("错退率", "Wrongful exit"),
             t("漏评率", "Missed"), t("认可度", "Approval"), t("结论", "Decision")],
            [_row_cells(r, lang) for r in s.records], align="llrrrrl", widths=(1, 1.2, 1.1, 1, 1, 1, 1.4), small=True,
            caption=t("表3 各县“三率一度”调查值与结论（估计值和置信区间见 Excel 表）",
                      "Table 3. Official indicators and decision by county (estimates and intervals in the workbook)"),
        ))
    else:
        doc.add(Para(t(f"{s.counties}个县的调查值、估计值、置信区间和结论见汇总表（summary.xlsx）。",
                       f"Official values, estimates, intervals and decisions of the {s.counties} counties are in the "
                       "workbook (summary.xlsx).")))
    doc.add(Para(t("“未发现错退/漏评”指样本中错退率/漏评率调查值为0。区域未注明时按综合贫困发生率标准推定"
                   "（2%为中部、3%为西部）。",
                   "'No wrongful exit/missed found' means the sample ratio is 0. Where the region is not given it is "
                   "inferred from the composite threshold (2% central, 3% western)."), style="note"))
    return doc


def _join_near(keys: list[str], lang: str) -> str:
    names = [L.pick(L.INDICATOR_BY_KEY[k].short, lang) for k in keys if k in L.INDICATOR_BY_KEY]
    return ("、" if lang != "en" else ", ").join(names)


def summary_chart(s: Summary):
    """Composite incidence by county against the threshold, and approval; one dot per county."""
    from .charts import _style

    with _style():
        return _summary_chart(s)


def _summary_chart(s: Summary):
    from .charts import PALETTE, _render, _setup

    Figure_ = _setup()
    zh = s.lang != "en"
    fig = Figure_(figsize=(7.2, 3.2), layout="constrained")
    ax1, ax2 = fig.subplots(1, 2)
    regs = [reg.region for reg in s.regions]
    for i, reg in enumerate(regs):
        rs = [r for r in s.records if (r.region or "") == reg]
        ys = [(r.v("composite_incidence") or 0) * 100 for r in rs]
        xs = [i + ((k % 9) - 4) * 0.04 for k in range(len(rs))]
        ax1.scatter(xs, ys, s=14, color=PALETTE["estimate"], alpha=0.8, zorder=3)
        thr = s.regions[i].threshold
        if thr is not None:
            ax1.hlines(thr * 100, i - 0.4, i + 0.4, colors=PALETTE["threshold"], linestyles="--", zorder=2)
    ax1.set_xticks(range(len(regs)), [reg.label for reg in s.regions])
    ax1.set_xlim(-0.6, len(regs) - 0.4)
    ax1.set_ylim(bottom=0)
    ax1.yaxis.set_major_formatter(_pct())
    ax1.set_title("综合贫困发生率（虚线为标准）" if zh else "Composite incidence (dashed: threshold)", fontsize=10)
    vals = [(r.v("approval_rate") or 0) * 100 for r in s.records]
    ax2.hist(vals, bins=min(20, max(5, len(vals) // 3)), color=PALETTE["general"])
    ax2.axvline(90, color=PALETTE["threshold"], linestyle="--")
    ax2.xaxis.set_major_formatter(_pct())
    ax2.set_title("群众认可度分布" if zh else "Approval across counties", fontsize=10)
    ax2.set_ylabel("县数" if zh else "counties")
    for ax in (ax1, ax2):
        for side in ("right", "top"):
            ax.spines[side].set_visible(False)
    return _render(fig, "summary", "summary")


def _pct():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _p: f"{x:g}%")


def summary_workbook(s: Summary, yoy: YearOnYear | None = None) -> bytes:
    from .render_xlsx import Col, table_workbook

    zh = s.lang != "en"
    cols = [Col("省", "Province", 10), Col("县", "County", 12), Col("区域", "Region", 9), Col("阶段", "Stage", 9)]
    for spec in L.INDICATOR_BY_KEY.values():
        name = L.pick(spec.short, s.lang)
        cols += [Col(f"{name}调查值", f"{name} official", 11, "pct"), Col(f"{name}估计值", f"{name} estimate", 11, "pct"),
                 Col(f"{name}区间下限", f"{name} CI low", 11, "pct"), Col(f"{name}区间上限", f"{name} CI high", 11, "pct"),
                 Col(f"{name}标准", f"{name} threshold", 9, "pct")]
    cols += [Col("样本户数", "Households", 9, "int"), Col("结论", "Decision", 14),
             Col("接近标准的指标", "Near threshold", 16), Col("来源", "Source", 30)]
    rows = []
    for r in s.records:
        row: list[Any] = [r.province, r.county, L.pick(REGIONS.get(r.region or "", (r.region, r.region)), s.lang),
                          L.pick(L.STAGES.get(r.stage, (r.stage, r.stage)), s.lang)]
        for k in L.INDICATOR_BY_KEY:
            row += [r.v(k, "official"), r.v(k, "estimate"), r.v(k, "ci_low"), r.v(k, "ci_high"), r.thresholds.get(k)]
        nh = r.v("approval_rate", "n_households")
        row += [None if nh is None else round(nh), L.pick(L.DECISIONS[r.decision], s.lang),
                _join_near(r.near_threshold, s.lang), r.source]
        rows.append(row)
    fig_cols = [Col("项目", "Item", 44), Col("数值", "Value", 30)]
    doc = compose_summary(s)
    key_table = next(b for b in doc.blocks if isinstance(b, Table))
    fig_rows = [[c.text for c in r] for r in key_table.rows] + [[x, ""] for x in headline(s)]
    if yoy is not None:
        fig_rows += [[L.pick(YOY_LABELS[k], s.lang) + ("（上年）" if zh else " (previous year)"), fmt.pct(before)]
                     for k, _now, before in yoy.rows] + [[yoy_sentence(yoy, s.lang), ""]]
    title = "贫困县退出专项评估检查结果汇总表" if zh else "Poverty-exit assessments by county"
    return table_workbook(title, "分县结果" if zh else "By county", cols, rows, s.lang, freeze="C3",
                          extra_sheets=[("汇总数据" if zh else "Key figures", fig_cols, fig_rows)])


@dataclass
class SummaryOutputs:
    out: Path
    files: dict[str, Path]
    summary: Summary


def build_summary(inputs: Iterable[str | Path], out: str | Path, lang: str = "zh", *,
                  counties: str | Path | None = None, title: str | None = None,
                  formats: Iterable[str] = ("xlsx", "docx", "pdf"),
                  previous: Iterable[str | Path] | None = None) -> SummaryOutputs:
    """Read per-county estimates, write ``summary.xlsx``, ``summary.docx``, ``summary.pdf``, ``summary.json``."""
    from .render_docx import render_docx
    from .render_html import render_html, render_pdf

    lang = "en" if str(lang).lower().startswith("en") else "zh"
    formats = tuple(formats)
    s = summarise(load_records(inputs, counties=counties), lang=lang)
    yoy = None
    if previous:
        yoy = year_on_year(s, summarise(load_records(previous, counties=counties), lang=lang))
    chart = summary_chart(s)
    doc = compose_summary(s, title=title, chart=chart, yoy=yoy)
    stamp = _dt.datetime(2000, 1, 1, tzinfo=_dt.UTC)
    blobs: dict[str, bytes] = {}
    if "xlsx" in formats:
        blobs["summary.xlsx"] = summary_workbook(s, yoy)
    if "docx" in formats:
        blobs["summary.docx"] = render_docx(doc, stamp=stamp)
    if "pdf" in formats or "html" in formats:
        html = render_html(doc)
        if "html" in formats:
            blobs["summary.html"] = html.encode("utf-8")
        if "pdf" in formats:
            blobs["summary.pdf"] = render_pdf(doc, html)
    out = Path(out)
    files = {}
    with atomic_dir(out, kind="report-summary") as tmp:
        for name, blob in blobs.items():
            (tmp / name).write_bytes(blob)
            files[name.split(".")[-1]] = out / name
        write_json(tmp / "summary.json", {**s.to_dict(), "year_on_year": None if yoy is None else asdict(yoy)})
        files["json"] = out / "summary.json"
    return SummaryOutputs(out=out, files=files, summary=s)
