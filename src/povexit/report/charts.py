"""Charts where a reader would rather look than read a table (matplotlib, CJK font).

- indicators against their thresholds, with the official value, the design-based estimate and its
  95% interval, the failing side shaded;
- problems by category (households by status; villages for the infrastructure checklist);
- fieldwork by township (households interviewed against the sample's target).

Each chart is rendered twice from one figure: PNG for Word, SVG (text as paths, fixed hash salt,
no date) for the HTML/PDF, so the same inputs give the same bytes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from . import fmt
from . import labels as L
from .fonts import chart_font
from .model import IndicatorRow, ProblemCategory, TownshipFieldwork, VillageProblem

PALETTE = {
    "estimate": "#1f4e79", "official": "#c55a11", "ci": "#9dc3e6", "threshold": "#c00000",
    "fail": "#fbe5d6", "exited": "#2e75b6", "poor": "#c55a11", "returned": "#7f6000",
    "general": "#70ad47", "registered": "#2e75b6", "target": "#000000", "village": "#8064a2",
}


@dataclass(frozen=True)
class ChartImage:
    key: str
    title: str
    png: bytes
    svg: str
    width_in: float
    height_in: float


def _setup():
    """The Figure class; call inside :func:`_style` (fonts are set per chart, not process-wide)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    from matplotlib.figure import Figure

    return Figure


def _style():
    """rcParams for our charts as a context: the CJK font, no unicode minus, reproducible SVG."""
    from matplotlib import rc_context

    return rc_context({
        "font.family": "sans-serif", "font.sans-serif": [chart_font(), "DejaVu Sans"],
        "axes.unicode_minus": False, "svg.fonttype": "path", "svg.hashsalt": "povexit", "font.size": 9,
    })


def _render(fig, key: str, title: str) -> ChartImage:
    w, h = fig.get_size_inches()
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=200, metadata={"Software": None})
    svg = io.BytesIO()
    fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    return ChartImage(key, title, png.getvalue(), svg.getvalue().decode("utf-8"), float(w), float(h))


def indicators_chart(rows: list[IndicatorRow], lang: str) -> ChartImage:
    with _style():
        return _indicators_chart(rows, lang)


def _indicators_chart(rows: list[IndicatorRow], lang: str) -> ChartImage:
    Figure = _setup()
    fig = Figure(figsize=(7.2, 3.9), layout="constrained")
    axes = fig.subplots(2, 2)
    for ax, row in zip(axes.flat, rows, strict=False):
        spec = L.INDICATOR_BY_KEY[row.key]
        vals = [v for v in (row.official, row.estimate, row.ci_low, row.ci_high, row.threshold) if v is not None]
        if row.direction == "max":
            hi = max([*vals, 0.001]) * 1.3
            lo = 0.0
        else:
            lo = max(0.0, min([*vals, 1.0]) - 0.05)
            hi = 1.0
        ax.set_xlim(lo * 100, hi * 100)
        ax.set_ylim(-1, 1)
        if row.threshold is not None:
            t = row.threshold * 100
            if row.direction == "max":
                ax.axvspan(t, hi * 100, color=PALETTE["fail"], zorder=0)
            else:
                ax.axvspan(lo * 100, t, color=PALETTE["fail"], zorder=0)
            ax.axvline(t, color=PALETTE["threshold"], linestyle="--", linewidth=1.2, zorder=1)
            ax.text(t, 0.78, fmt.pct(row.threshold, 0 if (row.threshold * 100).is_integer() else 1),
                    color=PALETTE["threshold"], ha="center", va="bottom", fontsize=8,
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
        if row.ci_low is not None and row.ci_high is not None:
            ax.plot([row.ci_low * 100, row.ci_high * 100], [0.15, 0.15], color=PALETTE["ci"], linewidth=7,
                    solid_capstyle="butt", zorder=2, label=("95%置信区间" if lang == "zh" else "95% interval"))
        if row.estimate is not None:
            ax.plot([row.estimate * 100], [0.15], "o", color=PALETTE["estimate"], markersize=7, zorder=3,
                    label=("设计估计值" if lang == "zh" else "design-based estimate"))
        if row.official is not None:
            ax.plot([row.official * 100], [-0.35], "D", color=PALETTE["official"], markersize=6, zorder=3,
                    label=("调查值（样本比率）" if lang == "zh" else "official (sample ratio)"))
        ax.set_yticks([])
        ax.xaxis.set_major_formatter(_pct_formatter())
        verdict = row.meets_official  # the documents' rule, as in the report's table
        if verdict is None:
            mark = ""
        elif lang == "zh":
            mark = "（达标）" if verdict else "（未达标）"
        else:
            mark = " (met)" if verdict else " (not met)"
        ax.set_title(L.pick(spec.name, lang) + mark, fontsize=10,
                     color="#000000" if verdict is not False else PALETTE["threshold"])
        for side in ("left", "right", "top"):
            ax.spines[side].set_visible(False)
    handles, labels_ = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels_, loc="outside lower center", ncol=3, frameon=False, fontsize=8)
    title = "三率一度与退出标准" if lang == "zh" else "Indicators against the exit thresholds"
    return _render(fig, "indicators", title)


def _pct_formatter():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda x, _pos: f"{x:g}%")


def problems_chart(categories: list[ProblemCategory], village_problems: list[VillageProblem], lang: str) -> ChartImage:
    with _style():
        return _problems_chart(categories, village_problems, lang)


def _problems_chart(categories: list[ProblemCategory], village_problems: list[VillageProblem], lang: str) -> ChartImage:
    Figure = _setup()
    has_villages = bool(village_problems)
    fig = Figure(figsize=(7.2, max(2.2, 0.42 * max(len(categories), 3) + 1.2)), layout="constrained")
    if has_villages:
        ax, axv = fig.subplots(1, 2, width_ratios=[1.35, 1])
    else:
        ax, axv = fig.subplots(1, 1), None
    cats = list(reversed(categories))
    names = [c.label for c in cats]
    left = [0] * len(cats)
    for status in ("exited", "poor", "returned", "registered", "general"):
        vals = [c.by_status.get(status, 0) for c in cats]
        if not any(vals):
            continue
        label = L.pick(L.STATUS_LABELS[status], lang) if status in L.STATUS_LABELS else L.pick(
            L.INSTRUMENTS["general" if status == "general" else "registered"], lang)
        ax.barh(names, vals, left=left, color=PALETTE[status], label=label, height=0.6)
        left = [a + b for a, b in zip(left, vals, strict=True)]
    for y, total in enumerate(left):
        if total:
            ax.text(total, y, f" {total}", va="center", fontsize=8)
    if not cats:
        ax.text(0.5, 0.5, "未发现问题" if lang == "zh" else "no problems found", ha="center", va="center",
                transform=ax.transAxes)
    ax.set_xlabel("户数" if lang == "zh" else "households")
    ax.set_title("入户调查发现的问题" if lang == "zh" else "Problems found in households", fontsize=10)
    ax.xaxis.get_major_locator().set_params(integer=True)
    if cats:
        ax.legend(frameon=False, fontsize=8, loc="lower right")
        ax.set_xlim(0, max(left) * 1.25 + 0.5)
    for side in ("right", "top"):
        ax.spines[side].set_visible(False)
    if axv is not None:
        counts: dict[str, set[str]] = {}
        for p in village_problems:
            counts.setdefault(p.label, set()).add(f"{p.township}/{p.village}")
        items = sorted(counts.items(), key=lambda kv: (len(kv[1]), kv[0]))
        axv.barh([_wrap(k, 9) for k, _ in items], [len(v) for _, v in items], color=PALETTE["village"], height=0.6)
        for y, (_k, v) in enumerate(items):
            axv.text(len(v), y, f" {len(v)}", va="center", fontsize=8)
        axv.set_xlabel("村数" if lang == "zh" else "villages")
        axv.set_title("村级基础设施和公共服务" if lang == "zh" else "Village infrastructure", fontsize=10)
        axv.xaxis.get_major_locator().set_params(integer=True)
        axv.set_xlim(0, max(len(v) for _, v in items) * 1.3 + 0.5)
        for side in ("right", "top"):
            axv.spines[side].set_visible(False)
    title = "发现问题分类" if lang == "zh" else "Problems by category"
    return _render(fig, "problems", title)


def _wrap(text: str, width: int) -> str:
    if len(text) <= width or " " in text:
        import textwrap

        return "\n".join(textwrap.wrap(text, 22)) if " " in text else text
    lines = -(-len(text) // width)
    step = -(-len(text) // lines)  # balanced: 通村公路路面 / 宽度不足, not 通村公路路面宽度不 / 足
    return "\n".join(text[i:i + step] for i in range(0, len(text), step))


def fieldwork_chart(rows: list[TownshipFieldwork], lang: str) -> ChartImage:
    with _style():
        return _fieldwork_chart(rows, lang)


def _fieldwork_chart(rows: list[TownshipFieldwork], lang: str) -> ChartImage:
    Figure = _setup()
    fig = Figure(figsize=(7.2, 3.0), layout="constrained")
    ax = fig.subplots(1, 1)
    towns = [r.township for r in rows]
    x = list(range(len(rows)))
    reg = [r.registered_done for r in rows]
    gen = [r.general_done for r in rows]
    ax.bar(x, reg, color=PALETTE["registered"], width=0.6, label=L.pick(L.INSTRUMENTS["registered"], lang))
    ax.bar(x, gen, bottom=reg, color=PALETTE["general"], width=0.6, label=L.pick(L.INSTRUMENTS["general"], lang))
    ax.scatter(x, [r.registered_target for r in rows], marker="_", s=500, color=PALETTE["target"], zorder=3,
               label="建档立卡户样本量" if lang == "zh" else "registered households sampled")
    for i, r in enumerate(rows):
        ax.text(i, r.registered_done + r.general_done, f"{r.registered_done + r.general_done}",
                ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, towns, rotation=0 if len(rows) <= 8 else 45, ha="center" if len(rows) <= 8 else "right")
    ax.set_ylabel("完成有效问卷（户）" if lang == "zh" else "valid questionnaires (households)")
    ax.yaxis.get_major_locator().set_params(integer=True)
    top = max([r.registered_done + r.general_done for r in rows] + [r.registered_target for r in rows] + [1])
    ax.set_ylim(0, top * 1.2)
    ax.legend(frameon=False, fontsize=8, ncol=3, loc="upper left")
    for side in ("right", "top"):
        ax.spines[side].set_visible(False)
    title = "分乡镇入户调查完成情况" if lang == "zh" else "Fieldwork by township"
    return _render(fig, "fieldwork", title)
