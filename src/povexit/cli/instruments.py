"""``povexit instruments export`` and ``povexit simulate-survey``."""

from __future__ import annotations

import shutil
from pathlib import Path

import typer
from rich.table import Table

from ..errors import CONFIG_INVALID, PovexitError
from .common import console, err_console, progress, t


def register(app: typer.Typer) -> None:
    instruments = typer.Typer(help="问卷（XLSForm）/ Questionnaires (XLSForm).", no_args_is_help=True)
    app.add_typer(instruments, name="instruments")

    @instruments.command("export")
    def export_cmd(
        out: Path = typer.Option(..., "--out", help="Output directory."),
        fmt: str = typer.Option("xlsform", "--format", help="xlsform (the only format)."),
        sample: Path = typer.Option(None, "--sample", help="Sample directory: fills the households/villages/groups attachments."),
        registry: Path = typer.Option(None, "--registry", help="Registry directory: masked head names in the household list."),
        validate: bool = typer.Option(None, "--validate/--no-validate",
                                      help="Check each XForm with ODK Validate (default: when Java is installed)."),
    ) -> None:
        """导出问卷（XLSForm、XForm 及预填附件）/ Export the questionnaires (XLSForm, XForm, attachments)."""
        from ..instruments import export_xlsform

        if fmt != "xlsform":
            raise PovexitError(CONFIG_INVALID(file="--format", column="format", value=fmt, reason=t("不支持", "unsupported"),
                                              allowed="xlsform"))
        if validate is None:
            validate = shutil.which("java") is not None
            if not validate:
                err_console.print(t("未找到 Java，跳过 ODK Validate 校验", "Java not found: ODK Validate skipped"))
        with progress(transient=True) as bar:
            bar.add_task(t("转换并校验问卷", "converting and validating forms"), total=None)
            res = export_xlsform(out, sample=sample, registry=registry, validate=validate)
        table = Table(title=t(f"问卷已导出到 {out}", f"Forms exported to {out}"), header_style="bold")
        table.add_column(t("文件", "file"))
        table.add_column(t("说明", "note"))
        for f in res.files:
            note = ""
            if f in res.attachments:
                note = t(f"{res.attachments[f]} 行", f"{res.attachments[f]} rows")
            elif f.endswith(".xml"):
                note = t("XForm（已通过 ODK Validate）", "XForm (ODK Validate passed)") if res.validated else "XForm"
            table.add_row(f, note)
        console.print(table)
        if sample is None:
            console.print(t("未提供 --sample：附件只有表头，样本发布后请重新导出。",
                            "No --sample: the attachments have headers only; export again once the sample is released."))

    @app.command("simulate-survey")
    def simulate_cmd(
        truth: Path = typer.Option(..., "--truth", help="Truth directory (synth output or its truth/)."),
        sample: Path = typer.Option(..., "--sample", help="Sample directory."),
        out: Path = typer.Option(..., "--out", help="Output directory (ODK Central ZIPs, noise.csv, simulation.json)."),
        seed: int = typer.Option(2020, "--seed", help="Random seed: same inputs + seed → byte-identical files."),
        not_found_rate: float = typer.Option(0.03, "--not-found-rate", help="Share of sampled households not found."),
        income_noise_rate: float = typer.Option(0.05, "--income-noise-rate", help="Share of households misreporting income."),
        income_noise_sd: float = typer.Option(0.35, "--income-noise-sd", help="Log-scale s.d. of the misreporting factor."),
        missing_rate: float = typer.Option(0.02, "--missing-rate", help="Share of households leaving an optional answer empty."),
        resend_rate: float = typer.Option(0.005, "--resend-rate", help="Share of submissions resent (same instanceID)."),
        second_interview_rate: float = typer.Option(0.003, "--second-interview-rate",
                                                    help="Share of households interviewed twice."),
        noiseless: bool = typer.Option(False, "--noiseless", help="All noise rates 0: answers are the truth."),
        start_date: str = typer.Option(
            None, "--start-date",
            help="First fieldwork day (YYYY-MM-DD); default 13 Feb of the year after the truth's reference year."),
    ) -> None:
        """模拟入户调查，生成 ODK Central 导出文件 / Simulate the field survey as ODK Central exports."""
        from ..instruments import SimParams, simulate_survey, write_simulated

        kw = dict(start_date=start_date)
        params = SimParams.noiseless(**kw) if noiseless else SimParams(
            not_found_rate=not_found_rate, income_noise_rate=income_noise_rate, income_noise_sd=income_noise_sd,
            missing_rate=missing_rate, resend_rate=resend_rate, second_interview_rate=second_interview_rate, **kw)
        with progress(transient=True) as bar:
            bar.add_task(t("模拟入户调查", "simulating fieldwork"), total=None)
            export = simulate_survey(truth, sample, seed, params)
            write_simulated(export, out)
        s = export.summary
        table = Table(title=t(f"模拟调查已写入 {out}", f"Simulated fieldwork written to {out}"), header_style="bold")
        table.add_column(t("项目", "item"))
        table.add_column(t("数量", "count"), justify="right")
        for label, key in ((t("建档立卡户问卷", "registered questionnaires"), "registered_submissions"),
                           (t("非建档立卡户问卷", "non-registered questionnaires"), "general_submissions"),
                           (t("村核查表", "village checklists"), "village_submissions"),
                           (t("干部问卷", "cadre questionnaires"), "cadre_submissions")):
            table.add_row(label, f"{s.get(key, 0):,}")
        for kind, n in s.get("noise", {}).items():
            table.add_row(t("噪声：", "noise: ") + kind, f"{n:,}")
        console.print(table)
