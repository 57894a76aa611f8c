"""``povexit sample`` (draw, ``size``, ``release``, ``designs``) and ``povexit assign`` (三回避)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from ..errors.render import print_diagnostics
from .common import console, err_console, progress, t

sample_app = typer.Typer(
    invoke_without_command=True,
    no_args_is_help=False,
    help="三随机抽样 — draw a sample: povexit sample --registry DIR --design NAME|FILE --seed N --out DIR",
)


@sample_app.callback()
def sample_draw(
    ctx: typer.Context,
    registry: Path = typer.Option(None, "--registry", help="登记数据目录（原始或已导入） / registry directory (raw or imported)"),
    design: str = typer.Option(None, "--design", help="方案名或 YAML 文件 / preset name or YAML file"),
    seed: int = typer.Option(None, "--seed", help="随机种子 / random seed (0 … 2^63−1)"),
    out: Path = typer.Option(None, "--out", help="样本输出目录 / output directory"),
    created_at: str = typer.Option(None, "--created-at",
                                   help="写入 manifest 的时间（默认取 SOURCE_DATE_EPOCH）/ created-at for the manifest"),
) -> None:
    if ctx.invoked_subcommand:
        return
    missing = [f for f, v in (("--registry", registry), ("--design", design), ("--seed", seed), ("--out", out))
               if v is None]
    if missing:
        if len(missing) == 4:
            console.print(ctx.get_help())
            raise typer.Exit(0)
        err_console.print(t(f"缺少参数：{'、'.join(missing)}（用法：povexit sample --registry DIR --design 方案 --seed N --out DIR）",
                            f"Missing option(s): {', '.join(missing)} (usage: povexit sample --registry DIR "
                            "--design NAME --seed N --out DIR)"))
        raise typer.Exit(2)
    from .. import registry as registry_layer
    from ..sampling import draw, load_design, write_sample

    with progress(transient=True) as bar:
        task = bar.add_task(t("读取抽样方案和登记数据", "reading design and registry"), total=3)
        d = load_design(design)
        reg = registry_layer.load(registry)
        bar.update(task, advance=1, description=t("抽样", "drawing"))
        sample = draw(reg, d, seed)
        bar.update(task, advance=1, description=t("写出样本", "writing the sample"))
        write_sample(sample, out, created_at=created_at)
        bar.update(task, advance=1)
    print_diagnostics(sample.warnings)
    _print_summary(sample, out)


def _print_summary(sample, out: Path) -> None:
    m = sample.manifest
    table = Table(title=t(f"样本：{m['design']['name']}，种子 {m['seed']}", f"Sample: {m['design']['name']}, seed {m['seed']}"))
    for h in (t("县", "county"), t("层", "stratum"), t("层内村数", "N"), t("抽中村数", "n"), t("入样概率之和", "Σp")):
        table.add_column(h)
    for s in m["strata"]:
        table.add_row(s["county"], s["stratum"], str(s["N"]), str(s["n"]), f"{s['sum_p']:.6g}")
    console.print(table)
    c = m["counts"]
    console.print(t(
        f"村 {c['villages']} 个，建档立卡户 {c['households']['registered']} 户，名单比对非建档立卡户 "
        f"{c['households']['general']} 户，普查村民小组 {c['groups']} 个，备选户 {c['reserve']} 户，发布批次 {c['batches']} 批 → {out}",
        f"{c['villages']} villages, {c['households']['registered']} registered households, "
        f"{c['households']['general']} roster households, {c['groups']} census groups, {c['reserve']} reserve "
        f"households, {c['batches']} release batches → {out}",
    ))


@sample_app.command("size")
def sample_size_cmd(
    p: float = typer.Option(0.02, "--p", help="预期比率 / expected rate (e.g. 0.02 wrongful exits)"),
    margin: float = typer.Option(0.01, "--margin", help="允许误差 / margin of error (half-width)"),
    confidence: float = typer.Option(0.95, "--confidence", help="置信度 / confidence level"),
    deff: float = typer.Option(None, "--deff", help="设计效应 / design effect"),
    cluster_size: float = typer.Option(None, "--cluster-size", help="每村户数 m / households per village"),
    icc: float = typer.Option(None, "--icc", help="村内相关系数 ρ / intra-village correlation"),
    population: int = typer.Option(None, "--population", help="总体户数 N / households in the population"),
    response_rate: float = typer.Option(1.0, "--response-rate", help="应答率 / expected response rate"),
    poor_population: int = typer.Option(None, "--poor-population", help="县贫困人口 / registered poor persons"),
) -> None:
    """样本量 — households needed for a rate, beside the documents' rule of thumb."""
    from ..sampling import design_effect, margin_of_error, rule_of_thumb, sample_size

    if deff is None:
        deff = design_effect(cluster_size, icc) if cluster_size is not None and icc is not None else 1.0
    r = sample_size(p, margin, confidence, deff, population, response_rate)
    rule = rule_of_thumb(poor_population)
    table = Table(title=t("样本量", "Sample size"))
    table.add_column(t("步骤", "step"))
    table.add_column(t("户数", "households"), justify="right")
    table.add_row(t(f"简单随机 n0 = z²p(1−p)/e²（z = {r.z:.4f}）", f"simple random n0 = z²p(1−p)/e² (z = {r.z:.4f})"),
                  str(r.n0))
    table.add_row(t(f"乘设计效应 {deff:g}", f"× design effect {deff:g}"), str(r.n_deff))
    if population:
        table.add_row(t(f"有限总体校正 N = {population}", f"finite population correction N = {population}"),
                      str(r.n_fpc))
    if response_rate < 1:
        table.add_row(t(f"按应答率 {response_rate:g} 放大", f"÷ response rate {response_rate:g}"), str(r.n))
    table.add_row(t("应抽户数", "to draw"), f"[bold]{r.n}[/bold]")
    console.print(table)
    achieved = margin_of_error(rule.registered, p, confidence, deff, population if population and population >= rule.registered else None)
    console.print(t(rule.zh, rule.en))
    range_txt = f"{rule.total_low}" if rule.total_low == rule.total_high else f"{rule.total_low}–{rule.total_high}"
    console.print(t(
        f"对照：文件要求脱贫户 {rule.registered} 户（在 p = {p:g} 时误差约 ±{achieved:.4f}），全县共 {range_txt} 户；本计算 {r.n} 户。",
        f"Compare: the documents ask for {rule.registered} exited households (margin ≈ ±{achieved:.4f} at p = {p:g}), "
        f"{range_txt} households in all; this calculation: {r.n}.",
    ))


@sample_app.command("release")
def sample_release_cmd(
    sample: Path = typer.Option(..., "--sample", help="样本目录 / sample directory"),
    batch: int = typer.Option(..., "--batch", help="批次号 / batch number"),
    out: Path = typer.Option(..., "--out", help="发布目录 / output directory"),
    county: str = typer.Option(None, "--county", help="只发布该县的批次 / only this county's batch"),
) -> None:
    """分批发布 — write one release batch; the other villages stay sealed."""
    from ..sampling import write_release

    part = write_release(sample, batch, out, county=county)
    console.print(t(
        f"第 {batch} 批：{part.villages.height} 个村、{part.households.height} 户、{part.groups.height} 个普查组 → {out}",
        f"Batch {batch}: {part.villages.height} villages, {part.households.height} households, "
        f"{part.groups.height} census groups → {out}",
    ))


_ALLOCATION_LABELS = {"self_weighting": ("自加权（全县同一入样率）", "self-weighting (one county-wide rate)"),
                      "equal": ("每村等量", "equal per village"), "proportional": ("按村户数比例", "proportional to size")}
_GROUP_METHOD_LABELS = {"self_weighting": ("自加权", "self-weighting"), "pps": ("按非建档立卡人口 PPS", "PPS on population"),
                        "equal": ("等概率", "equal probability")}


@sample_app.command("designs")
def sample_designs_cmd() -> None:
    """内置抽样方案 — list the built-in designs."""
    from ..sampling import load_design, presets
    from ..sampling.households import TYPE_ZH

    table = Table()
    table.add_column(t("方案", "design"), no_wrap=True)  # the name is what a user types: never broken
    table.add_column(t("名称", "title"))
    table.add_column(t("依据", "source"))
    table.add_column(t("建档立卡户分配", "registered households"))
    table.add_column(t("普查村民小组", "census groups"))
    for name in presets():
        d = load_design(name)
        hs = d.households
        if hs.quotas is not None:
            alloc = t("每村 " + "、".join(f"{TYPE_ZH[k]} {v} 户" for k, v in hs.quotas.items()),
                      "per village " + ", ".join(f"{k} {v}" for k, v in hs.quotas.items()))
            groups = "—"
        else:
            a_zh, a_en = _ALLOCATION_LABELS[hs.registered.allocation]
            g_zh, g_en = _GROUP_METHOD_LABELS[hs.general.groups_method]
            alloc = t(f"{a_zh}（每村至少 {hs.registered.min_per_village} 户）",
                      f"{a_en} (at least {hs.registered.min_per_village} per village)")
            groups = f"{hs.general.groups_min}–{hs.general.groups_max}, " + t(g_zh, g_en)
        table.add_row(name, t(d.title_zh, d.title_en), d.source, alloc, groups)
    console.print(table)


def assign_cmd(
    institutions: Path = typer.Option(..., "--institutions", help="评估机构表 / institutions file"),
    experts: Path = typer.Option(..., "--experts", help="评估专家表 / experts file"),
    counties: Path = typer.Option(..., "--counties", help="被抽查县表（或样本 villages.csv）/ counties file"),
    out: Path = typer.Option(..., "--out", help="输出目录 / output directory"),
    experts_per_county: int = typer.Option(2, "--experts-per-county", help="每县专家数 / experts per county"),
) -> None:
    """三回避派组 — assign institutions and experts to counties with recusal, balanced workload."""
    from ..sampling import assign, load_assign_inputs, write_assignment

    with progress(transient=True) as bar:
        task = bar.add_task(t("求解分配方案", "solving the assignment"), total=None)
        inst, exp, cty, hashes = load_assign_inputs(institutions, experts, counties)
        result = assign(inst, exp, cty, experts_per_county=experts_per_county)
        write_assignment(result, out, hashes)
        bar.update(task, completed=1, total=1)
    print_diagnostics(result.warnings)
    s = result.summary
    console.print(t(
        f"{s['counties']} 个县已分配：每个机构最多 {s['max_institution_load']} 个县，每名专家最多 {s['max_expert_load']} 个县 → {out}",
        f"{s['counties']} counties assigned: at most {s['max_institution_load']} per institution, "
        f"{s['max_expert_load']} per expert → {out}",
    ))


def register(app: typer.Typer) -> None:
    app.add_typer(sample_app, name="sample")
    app.command("assign")(assign_cmd)
