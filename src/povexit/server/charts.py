"""Inline SVG: an indicator's provisional and final estimates with 95% intervals against its threshold.

Rendered on the server (no JavaScript, no external fonts: the page's CJK font stack applies), so
the chart prints and screenshots like the rest of the page.
"""

from __future__ import annotations

from html import escape


def _nice(x: float) -> float:
    """Round ``x`` up to 5 ticks of 1, 2, 2.5 or 5 × 10^k."""
    import math

    raw = x / 5
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    return step * 5


def _pct(x: float) -> str:
    s = f"{x * 100:.2f}".rstrip("0").rstrip(".")
    return s + "%"


def indicator_svg(
    rows: list[dict],
    threshold: float | None,
    *,
    higher_is_better: bool = False,
    threshold_label: str = "",
    width: int = 520,
) -> str:
    """``rows``: [{"label", "estimate", "ci_low", "ci_high", "cls"}] (values fractions; None = absent)."""
    vals = [v for r in rows for v in (r.get("estimate"), r.get("ci_low"), r.get("ci_high")) if v is not None]
    if threshold is not None:
        vals.append(threshold)
    if higher_is_better:
        import math

        lo = min([0.8, *vals]) if vals else 0.8
        lo = max(0.0, math.floor(lo * 20 - 1e-9) / 20)  # down to a multiple of 5%
        hi = 1.0
    else:
        lo = 0.0
        hi = _nice(max([0.01, *[v * 1.15 for v in vals]]) if vals else 0.05)
    left, right, row_h, top = 92, 16, 30, 20
    plot_w = width - left - right
    height = top + row_h * len(rows) + 26

    def x(v: float) -> float:
        return left + (min(max(v, lo), hi) - lo) / (hi - lo) * plot_w

    parts = [
        f'<svg class="ind-chart" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" xmlns="http://www.w3.org/2000/svg">'
    ]
    # axis with 5 ticks
    axis_y = top + row_h * len(rows) + 4
    parts.append(f'<line x1="{left}" y1="{axis_y}" x2="{left + plot_w}" y2="{axis_y}" class="axis"/>')
    for i in range(6):
        v = lo + (hi - lo) * i / 5
        xx = x(v)
        parts.append(f'<line x1="{xx:.1f}" y1="{top - 4}" x2="{xx:.1f}" y2="{axis_y}" class="grid"/>')
        parts.append(
            f'<text x="{xx:.1f}" y="{axis_y + 14}" class="tick" text-anchor="middle">{_pct(v)}</text>'
        )
    for i, r in enumerate(rows):
        cy = top + row_h * i + row_h / 2
        parts.append(
            f'<text x="{left - 8}" y="{cy + 4:.1f}" class="lbl" text-anchor="end">{escape(r["label"])}</text>'
        )
        lo_v, hi_v, est = r.get("ci_low"), r.get("ci_high"), r.get("estimate")
        cls = r.get("cls", "")
        if lo_v is not None and hi_v is not None:
            parts.append(
                f'<line x1="{x(lo_v):.1f}" y1="{cy:.1f}" x2="{x(hi_v):.1f}" y2="{cy:.1f}" class="ci {cls}"/>'
            )
            for end in (lo_v, hi_v):
                parts.append(
                    f'<line x1="{x(end):.1f}" y1="{cy - 6:.1f}" x2="{x(end):.1f}" y2="{cy + 6:.1f}" '
                    f'class="ci {cls}"/>'
                )
        if est is not None:
            parts.append(f'<circle cx="{x(est):.1f}" cy="{cy:.1f}" r="5" class="pt {cls}"/>')
        else:
            parts.append(f'<text x="{left + 6}" y="{cy + 4:.1f}" class="tick">—</text>')
    if threshold is not None:
        tx = x(threshold)
        parts.append(f'<line x1="{tx:.1f}" y1="{top - 10}" x2="{tx:.1f}" y2="{axis_y}" class="thr"/>')
        parts.append(
            f'<text x="{tx + 4:.1f}" y="{top - 8}" class="thr-t">{escape(threshold_label)} {_pct(threshold)}'
            f"</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
