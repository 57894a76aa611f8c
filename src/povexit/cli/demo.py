"""``povexit demo``: the whole assessment on the built-in synthetic county, with progress bars."""

from __future__ import annotations

import os
import time
from pathlib import Path

import typer
from rich.table import Table

from .common import console, progress, t


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        out: Path = typer.Option(Path("demo-out"), "--out", help="输出目录 / output directory"),
        seed: int = typer.Option(2020, "--seed", help="随机数种子（模拟、抽样、调查）/ seed"),
        design: str = typer.Option("jilin-2018", "--design", help="抽样设计 / sampling design"),
        ruleset: str = typer.Option("national-2020", "--ruleset", help="研判规则集 / ruleset"),
        households: int = typer.Option(None, "--households", help="模拟县农户数（默认由模拟器决定）"),
        lang: str = typer.Option(None, "--lang", help="zh（默认）或 en"),
        serve: bool = typer.Option(False, "--serve", help="最后在演示评估上启动服务器 / then run the server"),
        host: str = typer.Option("127.0.0.1", "--host"),
        port: int = typer.Option(8000, "--port"),
        presets: bool = typer.Option(True, "--presets/--no-presets",
                                     help="也用其他抽样方案抽样 / also draw the other design presets"),
    ) -> None:
        """演示：在内置模拟县上运行完整评估流程（模拟 → 导入 → 抽样 → 调查 → 质量 → 研判 → 指标 → 报告）。"""
        from ..demo import DemoConfig, run_demo, steps_for

        if lang:
            os.environ["POVEXIT_LANG"] = lang
        language = "en" if (lang or os.environ.get("POVEXIT_LANG", "zh")).lower().startswith("en") else "zh"
        cfg = DemoConfig(out=out.resolve(), seed=seed, design=design, ruleset=ruleset, lang=language,
                         households=households, presets=presets)
        started = time.perf_counter()
        with progress() as bar:
            task = bar.add_task(t("演示流程", "demo"), total=len(steps_for(cfg)))

            def on_start(step) -> None:
                bar.update(task, description=step.label(language))

            def on_done(step, res) -> None:
                bar.update(task, advance=1)
                bar.console.print(f"[green]✓[/green] {step.label(language)}  ({res.seconds:.1f} s)")

            st = run_demo(cfg, on_start=on_start, on_done=on_done)
        root = cfg.out
        table = Table(title=t(f"演示输出（在 {root} 下）", f"Demo outputs (under {root})"), header_style="bold")
        table.add_column(t("步骤", "step"))
        table.add_column(t("输出", "output"))
        # paths relative to the output directory and never broken: they are what a user copies
        table.add_column(t("路径", "path"), no_wrap=True, overflow="ignore")
        labels = {s.key: s.label(language) for s in steps_for(cfg)}
        for res in st.results:
            first = True
            for name, path in res.outputs.items():
                p = Path(path)
                shown = p.relative_to(root) if p.is_relative_to(root) else p
                table.add_row(labels[res.key] if first else "", name, str(shown))
                first = False
        console.print(table)
        rep = st.values.get("report")
        if rep is not None:
            r = rep.report
            console.print(t(f"[bold]{r.county}[/bold]：{r.decision_label}", f"[bold]{r.county}[/bold]: {r.decision_label}"))
        for name, c in st.values.get("preset_counts", {}).items():
            console.print(t(
                f"{name}：{c['counties']} 个县、{c['villages']} 个村、建档立卡户 {c['registered']} 户、"
                f"非建档立卡户 {c['general']} 户（另普查 {c['census_groups']} 个村民小组）",
                f"{name}: {c['counties']} counties, {c['villages']} villages, {c['registered']} registered and "
                f"{c['general']} listed non-registered households, {c['census_groups']} census groups"))
        console.print(t(f"完成，用时 {time.perf_counter() - started:.0f} 秒。", f"Done in {time.perf_counter() - started:.0f} s."))
        if serve:
            from ..server.demo import run

            run(st.work, host=host, port=port, lang=language)
