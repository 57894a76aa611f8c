"""``povexit estimate``: the indicators (三率一度), intervals and the exit decision — a thin shell over
:mod:`povexit.estimate`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from .. import errors as E
from ..errors import estimate as EE
from .common import console, progress, t, zh

CI_METHODS = ("beta", "logit", "likelihood", "mean")


def register(app: typer.Typer) -> None:
    app.command(
        "estimate",
        help="三率一度与退出判定（设计估计与 95% 置信区间）· Indicators, 95% intervals and the exit decision.",
    )(estimate_cmd)


def _thresholds(values: list[str] | None) -> dict[str, float] | None:
    if not values:
        return None
    out: dict[str, float] = {}
    for item in values:
        key, sep, val = item.partition("=")
        try:
            if not sep:
                raise ValueError
            out[key.strip()] = float(val)
        except ValueError:
            raise E.PovexitError(EE.BAD_OPTION(column="--threshold", value=item,
                                               allowed="NAME=VALUE, e.g. composite_incidence=0.03")) from None
    return out


def _choice(option: str, value: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise E.PovexitError(EE.BAD_OPTION(column=option, value=value, allowed=", ".join(allowed)))
    return value


def estimate_cmd(
    registry: Path = typer.Option(..., "--registry", help="建档立卡名册目录（原始或已导入）· registry directory"),
    sample: Path = typer.Option(..., "--sample", help="样本目录 · sample directory (povexit sample)"),
    findings: Path = typer.Option(..., "--findings", help="研判结果 findings.csv（或其目录）· findings file or directory"),
    cases: Path = typer.Option(None, "--cases", help="核查结果 cases.csv：给出则计算最终结果 · verification outcomes"),
    out: Path = typer.Option(..., "--out", help="输出 estimates.json · output JSON"),
    ci_method: str = typer.Option("beta", "--ci-method",
                                  help="beta (Korn–Graubard) | logit | likelihood | mean (Wald)"),
    all_counties: bool = typer.Option(False, "--all", help="样本中全部县：汇总表与汇总指标 · every county + summary"),
    county: str = typer.Option(None, "--county", help="样本含多个县时指定一个（可写“省/县”）· one county of a multi-county sample"),
    province: str = typer.Option(None, "--province", help="同名县所在的省 · the province, when two provinces have a county of that name"),
    stage: str = typer.Option(None, "--stage", help="provisional | final（默认：有 --cases 且无待核问题时为 final）"),
    fpc: str = typer.Option("auto", "--fpc", help="有限总体校正 auto | yes | no · finite population correction"),
    lonely_psu: str = typer.Option("adjust", "--lonely-psu", help="单 PSU 层 adjust | certainty | remove | average"),
    basis: str = typer.Option("official", "--basis", help="判定依据 official（文件口径）| estimate（设计估计）"),
    responses: Path = typer.Option(None, "--responses", help="入户数据目录（含 cadres.parquet 时计算干部认可度）"),
    threshold: list[str] = typer.Option(None, "--threshold", help="覆盖标准 · override, e.g. composite_incidence=0.03"),
    table: Path = typer.Option(None, "--table", help="--all 的汇总表 CSV（默认与 --out 同名 .csv）· county table"),
) -> None:
    from .. import estimate as est
    from ..fsutil import write_json
    from ..registry import load as load_registry

    _choice("--ci-method", ci_method, CI_METHODS)
    if stage is not None:
        _choice("--stage", stage, ("provisional", "final"))
    _choice("--fpc", fpc, ("auto", "yes", "no"))
    _choice("--lonely-psu", lonely_psu, ("adjust", "certainty", "remove", "average", "fail"))
    _choice("--basis", basis, ("official", "estimate"))
    overrides = _thresholds(threshold)
    findings_file = findings / "findings.csv" if findings.is_dir() else findings
    if not findings_file.exists():
        raise E.PovexitError(E.FILE_NOT_FOUND(file=str(findings_file)))
    with progress(transient=True) as p:
        task = p.add_task(t("读取名册", "Reading the registry"), total=5)
        reg = load_registry(registry)
        p.update(task, advance=1, description=t("读取样本", "Reading the sample"))
        smp = est.load_sample_dir(sample)
        p.update(task, advance=1, description=t("读取研判结果", "Reading the findings"))
        fnd = est.read_findings(findings_file)
        cs = est.read_cases(cases) if cases else None
        cadres = est.read_cadres(responses) if responses else None
        p.update(task, advance=1, description=t("估计", "Estimating"))
        options = dict(stage=stage, ci_method=ci_method, thresholds=overrides, fpc=fpc, lonely_psu=lonely_psu,
                       basis=basis, cadres=cadres)
        if all_counties:
            results, summary = est.estimate_all(reg, smp, fnd, cs, province=province, **options)
        else:
            results = [est.estimate_county(reg, smp, fnd, cs, county=county, province=province, **options)]
        p.update(task, advance=1, description=t("写出结果", "Writing"))
        if all_counties:
            table_path = table or out.with_suffix(".csv")
            doc = {"contract": 1, "kind": "summary", "summary": summary, "table": str(table_path.name),
                   "counties": [r.to_dict() for r in results]}
            est.write_table(results, table_path)
            write_json(out, doc)
        else:
            write_json(out, results[0].to_dict())
        p.update(task, advance=1)
    for r in results[:1] if not all_counties else []:
        _print_county(r)
    if all_counties:
        _print_summary(results, summary, out, table or out.with_suffix(".csv"))
    else:
        console.print(t(f"已写出 {out}", f"Wrote {out}"))


def _pct(v: float | None) -> str:
    return "—" if v is None else f"{100 * v:.2f}%"


def _print_county(r) -> None:
    from ..estimate.indicators import INDICATORS, NAMES

    in_zh = zh()
    place = f"{r.province} {r.county}" if r.province else r.county
    tab = Table(title=f"{place} — {t('三率一度', 'indicators')} ({r.stage})")
    for h in (t("指标", "indicator"), t("文件口径", "official"), t("设计估计", "estimate"), t("95% 置信区间", "95% CI"),
              t("设计效应", "deff"), t("标准", "threshold")):
        tab.add_column(h)
    for name in INDICATORS:
        ind = r.indicators[name]
        label = NAMES[name][0] if in_zh else NAMES[name][1]
        ci = "—" if ind.ci_low is None else f"[{_pct(ind.ci_low)}, {_pct(ind.ci_high)}]"
        deff = "—" if ind.deff is None else f"{ind.deff:.2f}"
        mark = " *" if name in r.near_threshold else ""
        tab.add_row(label, _pct(ind.official), _pct(ind.estimate), ci + mark, deff, _pct(r.thresholds[name]))
    console.print(tab)
    colour = {"pass": "green", "rectify": "yellow", "fail": "red"}[r.decision.decision]
    word = {"pass": t("通过", "pass"), "rectify": t("限期整改并复核", "rectify"), "fail": t("不得退出", "fail")}
    console.print(f"[bold {colour}]{word[r.decision.decision]}[/bold {colour}]")
    for line in (r.decision.reasons_zh if in_zh else r.decision.reasons_en):
        console.print(f"  · {line}")


def _print_summary(results, summary, out: Path, table: Path) -> None:
    tab = Table(title=t("多县汇总", "Summary across counties"), show_header=False)
    tab.add_column()
    tab.add_column(justify="right")
    tab.add_row(t("县数", "Counties"), str(summary["counties"]))
    tab.add_row(t("未发现错退的县", "No wrongful exit found"), _pct(summary["share_no_wrongful_exit"]))
    tab.add_row(t("未发现漏评的县", "No missed poor found"), _pct(summary["share_no_missed"]))
    tab.add_row(t("既未发现错退又未发现漏评", "Neither"), _pct(summary["share_neither"]))
    for key, label in (("highest_wrongful_exit_rate", t("错退率最高", "Highest wrongful exit rate")),
                       ("highest_missed_rate", t("漏评率最高", "Highest missed rate")),
                       ("lowest_approval_rate", t("认可度最低", "Lowest approval"))):
        v = summary[key]
        tab.add_row(label, "—" if v is None else f"{_pct(v['official'])} ({v['county']})")
    tab.add_row(t("判定", "Decisions"), ", ".join(f"{k} {v}" for k, v in sorted(summary["decisions"].items())))
    console.print(tab)
    console.print(t(f"已写出 {out} 和 {table}", f"Wrote {out} and {table}"))
