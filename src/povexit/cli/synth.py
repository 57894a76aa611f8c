"""``povexit synth``: the synthetic registry, frame, rosters and hidden truth."""

from __future__ import annotations

import resource
import time
from pathlib import Path

import typer
from rich.table import Table

from .common import console, progress, t


def register(app: typer.Typer) -> None:
    @app.command("synth")
    def synth_cmd(
        out: Path = typer.Option(..., "--out", help="Output directory (registry/, truth/, synth.json)."),
        scale: str = typer.Option("county", "--scale", help="county | province | national"),
        seed: int = typer.Option(2020, "--seed", help="Random seed: same seed → byte-identical files."),
        households: int = typer.Option(
            None, "--households", help="Rural households per county (registered or not)."
        ),
        persons: int = typer.Option(
            None, "--persons", help="Registered persons in all (national default 10^8)."
        ),
        counties: int = typer.Option(None, "--counties", help="Counties (province 10–40, national 832)."),
        province: str = typer.Option(
            None, "--province", help="Province (county/province scale), e.g. 云南 or 53."
        ),
        fmt: str = typer.Option(
            None, "--format", help="csv | parquet (default csv; parquet at national scale)."
        ),
        wrongful_exit_rate: float = typer.Option(
            0.005, "--wrongful-exit-rate", help="Share of exited households wrongfully exited."
        ),
        missed_rate: float = typer.Option(
            0.003, "--missed-rate", help="Share of non-registered households missed."
        ),
        approval_rate: float = typer.Option(
            0.95, "--approval-rate", help="Share of households that approve."
        ),
        poverty_line: float = typer.Option(
            4000.0, "--poverty-line", help="Poverty line, yuan per person and year."
        ),
        reference_year: int = typer.Option(2020, "--reference-year", help="Year assessed (ages on 31 Dec)."),
        truth: bool = typer.Option(
            None, "--truth/--no-truth", help="Write the hidden truth (default: not at national scale)."
        ),
    ) -> None:
        """生成合成的建档立卡数据、抽样框、部门名单和真实情况 / Synthetic registry, frame, rosters and truth."""
        from ..synth import SynthParams, stream_national, synthesize, write_world

        params = SynthParams(
            scale=scale,
            seed=seed,
            households=households,
            persons=persons,
            counties=counties,
            province=province,
            wrongful_exit_rate=wrongful_exit_rate,
            missed_rate=missed_rate,
            approval_rate=approval_rate,
            poverty_line=poverty_line,
            reference_year=reference_year,
            truth=truth,
            format=fmt,  # type: ignore[arg-type]
        ).validate()
        t0 = time.perf_counter()
        with progress() as bar:
            if scale == "national":
                task = bar.add_task(
                    t("生成全国建档立卡数据（按县写出）", "national registry, county by county"),
                    total=params.total_persons,
                )

                def on_progress(done: int, total: int, label: str) -> None:
                    bar.update(task, completed=done, description=label or t("完成", "done"))

                result = stream_national(out, params, progress=on_progress)
                stats = result.stats
            else:
                task = bar.add_task(t("生成县", "counties"), total=None)

                def on_county(done: int, total: int, label: str) -> None:
                    bar.update(
                        task, completed=done, total=total, description=label or t("写出文件", "writing")
                    )

                world = synthesize(params, progress=on_county)
                write_world(world, out)
                stats = world.stats
        secs = time.perf_counter() - t0
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        table = Table(
            title=t(f"合成数据已写入 {out}", f"Synthetic data written to {out}"), header_style="bold"
        )
        table.add_column(t("项目", "item"))
        table.add_column(t("数量", "count"), justify="right")
        rows = [
            (t("县", "counties"), stats["counties"]),
            (t("行政村", "villages"), stats["villages"]),
            (t("村民小组", "groups"), stats["groups"]),
            (t("总户数", "households"), stats["households"]),
            (t("农业户籍人口", "agricultural population"), stats["persons"]),
            (t("建档立卡户", "registered households"), stats["registered_households"]),
            (t("建档立卡人口", "registered persons"), stats["registered_persons"]),
            (t("其中错退户（真实）", "wrongful exits (truth)"), stats["wrongful_exit_households"]),
            (t("漏评户（真实）", "missed households (truth)"), stats["missed_households"]),
            (t("部门名单记录", "roster rows"), stats["roster_rows"]),
        ]
        for k, v in rows:
            table.add_row(k, f"{v:,}")
        console.print(table)
        console.print(
            t(
                f"用时 {secs:.1f} 秒，{stats['registered_persons'] / max(secs, 1e-9):,.0f} 人/秒，内存峰值 {peak_mb:,.0f} MB",
                f"{secs:.1f} s, {stats['registered_persons'] / max(secs, 1e-9):,.0f} persons/s, peak memory {peak_mb:,.0f} MB",
            )
        )
