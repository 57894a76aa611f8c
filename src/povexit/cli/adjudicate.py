"""``povexit adjudicate`` and ``povexit ruleset …``: thin shells over :mod:`povexit.rules`."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from ..errors.render import print_diagnostics
from ..fsutil import sha256_file
from .common import console, progress, t


def register(app: typer.Typer) -> None:
    app.command("adjudicate", help="入户研判：两不愁三保障与收入 → findings/ · Adjudicate households → findings/.")(
        adjudicate_cmd)
    group = typer.Typer(help="规则集（参数与出处）· Rulesets (parameters and their sources).", no_args_is_help=True)
    group.command("list", help="列出内置规则集 · List the built-in rulesets.")(ruleset_list)
    group.command("show", help="显示规则集全部参数及出处 · Show every parameter of a ruleset with its source.")(
        ruleset_show)
    group.command("check", help="检查规则集文件 · Validate a ruleset file.")(ruleset_check)
    group.command("rules", help="列出全部规则 · List every rule.")(ruleset_rules)
    app.add_typer(group, name="ruleset")


def adjudicate_cmd(
    registry: Path = typer.Option(..., "--registry", help="建档立卡名册目录（原始或已导入）· registry directory"),
    sample: Path = typer.Option(None, "--sample", help="样本目录 · sample directory (povexit sample)"),
    responses: Path = typer.Option(..., "--responses", help="入户数据目录 · responses directory (povexit ingest)"),
    ruleset: str = typer.Option(..., "--ruleset", help="规则集名称或 YAML 文件 · ruleset name or YAML file"),
    out: Path = typer.Option(..., "--out", help="输出目录 · output directory (findings/)"),
    overrides: Path = typer.Option(None, "--overrides",
                                   help="核查员对排除名单的复核表 · checker overrides of exclusion flags (CSV/XLSX)"),
) -> None:
    from .. import rules

    with progress(transient=True) as p:
        task = p.add_task(t("读取规则集", "Reading the ruleset"), total=6)
        rs = rules.load_ruleset(ruleset)
        p.update(task, advance=1, description=t("读取名册", "Reading the registry"))
        reg = rules.io.load_registry(registry)
        p.update(task, advance=1, description=t("读取样本", "Reading the sample"))
        smp = rules.load_sample(sample) if sample else None
        p.update(task, advance=1, description=t("读取入户数据", "Reading the responses"))
        resp = rules.read_responses_dir(responses)
        ov = rules.load_overrides(overrides) if overrides else None
        p.update(task, advance=1, description=t("研判", "Adjudicating"))
        adj = rules.adjudicate(reg, smp, resp, rs, overrides=ov)
        p.update(task, advance=1, description=t("写出结果", "Writing the findings"))
        rules.write_findings(adj, out, inputs=_input_hashes(reg, responses, overrides, rs))
        p.update(task, advance=1)
    if adj.diagnostics:
        print_diagnostics(adj.diagnostics)
    _print_summary(adj.summary, out)


def _input_hashes(reg: object, responses: Path, overrides: Path | None, rs: object) -> dict[str, str]:
    hashes = {f"registry/{k}": v for k, v in sorted((getattr(reg, "input_hashes", None) or {}).items())}
    files = sorted(p for p in responses.iterdir() if p.is_file()) if responses.is_dir() else [responses]
    for f in files:
        if f.suffix.lower() in (".parquet", ".csv", ".xlsx", ".json"):
            hashes[f"responses/{f.name}"] = sha256_file(f)
    if overrides:
        hashes[f"overrides/{overrides.name}"] = sha256_file(overrides)
    hashes["ruleset"] = getattr(rs, "sha256", "")
    return hashes


def _print_summary(s: dict, out: Path) -> None:
    tab = Table(title=t("研判结果", "Adjudication"), show_header=False)
    tab.add_column()
    tab.add_column(justify="right")
    rs = s["ruleset"]
    tab.add_row(t("规则集", "Ruleset"), f"{rs['name']} {rs['version']}")
    tab.add_row(t("调查户", "Households"), str(s["households"]))
    tab.add_row(t("无法判定", "Cannot judge"), str(s["cannot_judge"]))
    tab.add_row(t("疑似错退（户/人）", "Suspected wrongful exits (households/persons)"),
                f"{s['wrongful_exit']['households']} / {s['wrongful_exit']['persons']}")
    tab.add_row(t("疑似漏评（户/人）", "Suspected missed poor (households/persons)"),
                f"{s['missed']['households']} / {s['missed']['persons']}")
    a = s["approves"]
    tab.add_row(t("认可 / 不认可 / 未答", "Approve / not / no answer"), f"{a['yes']} / {a['no']} / {a['unknown']}")
    tab.add_row(t("待核查案件", "Cases to verify"), str(s["cases"]))
    console.print(tab)
    console.print(t(f"结果已写入 {out}", f"Written to {out}"))


def ruleset_list() -> None:
    from ..rules import list_rulesets

    tab = Table(title=t("内置规则集", "Built-in rulesets"))
    for h in (t("名称", "name"), t("版本", "version"), t("年度", "year"), t("省份", "province"), t("说明", "title")):
        tab.add_column(h)
    for r in list_rulesets():
        title = r.title_zh if t("zh", "en") == "zh" else r.title_en
        if r.abstract:
            title += t("（基础参数，不能直接使用）", " (abstract base)")
        tab.add_row(r.name, r.version, str(r.year or ""), r.province or t("全国", "national"), title)
    console.print(tab)


def ruleset_show(
    name: str = typer.Argument(..., help="规则集名称或 YAML 文件 · ruleset name or file"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON · print JSON"),
) -> None:
    from ..rules import check_ruleset

    rs, diags = check_ruleset(name)
    if rs is None:
        from ..errors import PovexitError

        raise PovexitError(diags)
    if as_json:
        typer.echo(json.dumps(rs.to_dict(), ensure_ascii=False, indent=2))
        return
    lang = t("zh", "en")
    console.print(f"[bold]{rs.name}[/bold] {rs.version} — {rs.title(lang)}")
    console.print(t("继承链：", "Chain: ") + " → ".join(rs.chain))
    if rs.poverty_line:
        pl_ = rs.poverty_line
        flag = t("（示例值）", " (illustrative)") if pl_.illustrative else ""
        console.print(t("扶贫标准：", "Poverty line: ") + f"{pl_.value:g} {t('元', 'yuan')}{flag} — {pl_.source}")
    tab = Table(show_lines=False)
    for h in (t("参数", "parameter"), t("取值", "value"), t("出处", "source"), t("定义于", "defined in")):
        tab.add_column(h, overflow="fold")
    for k, p in sorted(rs.params.items()):
        v = json.dumps(p.value, ensure_ascii=False) if not isinstance(p.value, str) else p.value
        tab.add_row(k, v + (t("（示例）", " (illustrative)") if p.illustrative else ""), p.source, f"{p.file}:{p.line}")
    console.print(tab)


def ruleset_check(path: str = typer.Argument(..., help="规则集 YAML 文件 · ruleset YAML file")) -> None:
    from ..errors import PovexitError
    from ..rules import check_ruleset

    rs, diags = check_ruleset(path)
    if diags:
        raise PovexitError(diags)
    assert rs is not None
    console.print(t(f"规则集 {rs.name} {rs.version} 检查通过", f"Ruleset {rs.name} {rs.version} is valid"))


def ruleset_rules(as_json: bool = typer.Option(False, "--json", help="输出 JSON · print JSON")) -> None:
    from ..rules import RULES

    if as_json:
        typer.echo(json.dumps([{"id": r.id, "kind": r.kind, "zh": r.zh, "en": r.en, "fields": list(r.fields),
                                "params": list(r.params), "cite": r.cite} for r in RULES], ensure_ascii=False,
                              indent=2))
        return

    tab = Table(title=t("规则", "Rules"))
    for h in ("id", t("类别", "kind"), t("说明", "description"), t("读取的答案", "answers read"), t("依据", "source")):
        tab.add_column(h, overflow="fold")
    lang = t("zh", "en")
    for r in RULES:
        tab.add_row(r.id, r.kind, r.describe(lang), ", ".join(r.fields), r.cite)
    console.print(tab)
