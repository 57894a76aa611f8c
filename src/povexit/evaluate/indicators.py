"""Indicators computed per township from the findings (and the village checklists) — pure.

Every function returns ``{township: (value, n)}``: ``value`` is None when the township has no data for
it, ``n`` counts what the value rests on (households, or villages for the village checklist), so the
scorer can say when a township's sample is too small to score an item reliably.

Which households count: findings rows of the item's instrument (``registered`` 建档立卡户, ``general``
非建档立卡户, or ``all``); shares and rates over households that could be judged (``status`` judged —
a household with answers missing is left out, never counted as "no problem"); approval over
households that answered (``approves`` yes/no; blank is no answer). A suspected 错退/漏评 whose case
was dismissed in verification (``cases.csv`` outcome ``dismissed``: 不予采信) does not count, and its
problem rules are dropped: seed 001/DESIGN §1.5 — a finding without sufficient evidence is not adopted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from .sheet import RULE_KINDS, ScoreSpec

# village checklist standards (seed 002 第三篇 附件1) → the field that answers each (report/village_checks)
VILLAGE_STANDARDS: dict[str, str] = {
    "infra.road_not_hardened": "road_hardened", "infra.road_too_narrow": "road_width_m",
    "infra.no_bus": "bus_within_2km", "infra.water_standard": "water_standard_ok",
    "infra.power": "power_all_households", "infra.broadcast": "broadcast_all_households",
    "infra.culture_centre": "culture_centre_items", "infra.clinic_area": "clinic_area_m2",
    "infra.clinic_rooms": "clinic_rooms", "infra.no_doctor": "qualified_doctor", "infra.broadband": "fiber_reached",
}

Values = dict[str, tuple[float | None, int]]


@dataclass(frozen=True)
class EvaluationData:
    """What the indicators read: findings (findings.csv as text columns), the village checklists
    (responses ``villages``) and the cases (optional, for verified outcomes)."""

    findings: pl.DataFrame
    villages: pl.DataFrame | None = None
    cases: pl.DataFrame | None = None

    def townships(self) -> list[str]:
        names: set[str] = set()
        for df in (self.findings, self.villages):
            if df is not None and "township" in df.columns:
                names |= {t for t in df["township"].cast(pl.String).to_list() if t}
        return sorted(names)


def _rule_kinds() -> dict[str, str]:
    from ..rules import RULES

    return {r.id: r.kind for r in RULES}


def rule_matcher(selectors: Iterable[str]):
    """A predicate on rule ids for selectors: a kind (``problem``), a prefix (``water.``) or an id."""
    kinds = _rule_kinds()
    sel = tuple(selectors)

    def match(rule_id: str) -> bool:
        for s in sel:
            if (s in RULE_KINDS and kinds.get(rule_id) == s) or (s.endswith(".") and rule_id.startswith(s)) \
                    or rule_id == s:
                return True
        return False

    return match


def _text(df: pl.DataFrame, col: str) -> pl.Expr:
    if col not in df.columns:
        return pl.lit(None, dtype=pl.String)
    return pl.col(col).cast(pl.String).str.strip_chars().str.to_lowercase()


def prepare_findings(data: EvaluationData) -> pl.DataFrame:
    """Findings with ``rule_list`` (fired rules, dismissed problem rules dropped), ``we``/``ms`` booleans."""
    f = data.findings
    kinds = _rule_kinds()
    dismissed: set[str] = set()
    c = data.cases
    if c is not None and c.height and {"household_id", "outcome"} <= set(c.columns):
        out = c.with_columns(_text(c, "outcome").alias("_o"))
        dismissed = set(out.filter(pl.col("_o") == "dismissed")["household_id"].cast(pl.String).to_list())
    rules = f["rules"].cast(pl.String).fill_null("").to_list() if "rules" in f.columns else [""] * f.height
    hh = f["household_id"].cast(pl.String).to_list() if "household_id" in f.columns else [None] * f.height
    lists = []
    for h, r in zip(hh, rules, strict=True):
        ids = [x for x in r.split(";") if x]
        if h in dismissed:
            ids = [x for x in ids if kinds.get(x) != "problem"]
        lists.append(ids)
    df = f.with_columns(
        pl.Series("rule_list", lists, dtype=pl.List(pl.String)),
        (_text(f, "wrongful_exit") == "yes").fill_null(False).alias("we"),
        (_text(f, "missed") == "yes").fill_null(False).alias("ms"),
        _text(f, "approves").alias("ap"),
        _text(f, "instrument").alias("inst"),
        (_text(f, "status").fill_null("judged") == "judged").alias("judged")
        if "status" in f.columns else pl.lit(True).alias("judged"),
        pl.col("household_id").cast(pl.String).is_in(list(dismissed)).alias("dismissed")
        if "household_id" in f.columns else pl.lit(False).alias("dismissed"),
    )
    return df.with_columns(pl.col("township").cast(pl.String))


def _instrument(df: pl.DataFrame, instrument: str) -> pl.DataFrame:
    return df if instrument == "all" else df.filter(pl.col("inst") == instrument)


def compute(spec: ScoreSpec, f: pl.DataFrame, villages: pl.DataFrame | None, townships: list[str]) -> Values:
    """The item's indicator for every township (``f`` from :func:`prepare_findings`)."""
    ind = spec.indicator
    out: Values = {t: (None, 0) for t in townships}
    if ind == "village_standards_met":
        return village_standards(villages, townships)
    df = _instrument(f, spec.instrument)
    if ind == "approval_share":
        for t, g in df.filter(pl.col("ap").is_in(["yes", "no"])).group_by("township"):
            n = g.height
            out[t[0]] = ((g["ap"] == "yes").sum() / n if n else None, n)
        return out
    judged = df.filter(pl.col("judged"))
    if ind in ("wrongful_exit_households", "missed_households"):
        col = "we" if ind == "wrongful_exit_households" else "ms"
        for t, g in judged.group_by("township"):
            out[t[0]] = (float((g[col] & ~g["dismissed"]).sum()), g.height)
        return out
    match = rule_matcher(spec.rules)
    for t, g in judged.group_by("township"):
        fired = [sum(1 for r in rl if match(r)) for rl in g["rule_list"].to_list()]
        n = len(fired)
        if not n:
            continue
        if ind == "households_without_problem":
            out[t[0]] = (sum(1 for x in fired if x == 0) / n, n)
        else:  # rules_per_100
            out[t[0]] = (100.0 * sum(fired) / n, n)
    return out


def village_standards(villages: pl.DataFrame | None, townships: list[str]) -> Values:
    """Share of the village exit standards met over the township's checklists (unanswered ones left out)."""
    out: Values = {t: (None, 0) for t in townships}
    if villages is None or not villages.height or "township" not in villages.columns:
        return out
    from ..report.village_checks import check_village

    acc: dict[str, list[int]] = {}
    for row in villages.iter_rows(named=True):
        t = row.get("township")
        if not t:
            continue
        chk = check_village(row)
        failed = {p[0] for p in chk.problems}
        answered = [sid for sid, fld in VILLAGE_STANDARDS.items() if fld not in chk.unanswered or sid in failed]
        met = sum(1 for sid in answered if sid not in failed)
        a = acc.setdefault(t, [0, 0, 0])
        a[0] += met
        a[1] += len(answered)
        a[2] += 1
    for t, (met, answered, n) in acc.items():
        out[t] = (met / answered if answered else None, n)
    return out
