"""Adjudication: every rule over every household at once (Polars expressions), then the verdict.

``adjudicate(registry, sample, responses, ruleset) -> Adjudication`` is pure. For each rule the
engine builds ``a::<id>`` (applies), ``x::<id>`` (an exception's test) or ``raw::<id>`` (the rule
before exceptions) and ``r::<id>`` (final: raw, cancelled by any exception that neutralises it and, for
exclusion rules, by a checker's override). Then:

- 错退 (wrongful exit) = an exited household with any problem rule fired;
- 漏评 (missed) = a non-registered household with any problem rule fired and no (un-overridden)
  exclusion flag;
- "cannot judge" = nothing fired that decides it and some rule could not be decided — with the
  answers that were missing. Never a silent pass.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from .. import errors as E
from ..errors import rules as R
from . import catalogue, household_table, text
from .base import Ctx, Rule, col, join_parts
from .ruleset import Ruleset, province_key

OUTCOMES = ("fired", "passed", "unknown", "not_applicable", "excepted", "overridden", "applied", "not_applied")


@dataclass
class Adjudication:
    findings: pl.DataFrame  # one row per household (contract §4 + docs/data-layout.md extras), typed
    cases: pl.DataFrame  # one row per suspected 错退/漏评, outcome pending
    verdicts: pl.DataFrame  # long: household_id, rule, kind, outcome
    ruleset: Ruleset
    diagnostics: list[E.Diagnostic] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def warnings(self) -> list[E.Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]


def adjudicate(registry: Any, sample: Any, responses: Any, ruleset: Ruleset, *,
               overrides: pl.DataFrame | None = None) -> Adjudication:
    """Judge every interviewed household. ``registry``: a :class:`povexit.registry.model.Registry` (its
    ``households`` and ``rosters``); ``sample``: a Sample (``.households``, ``.groups``), its households
    DataFrame, or None; ``responses``: an object with ``.households`` (and ``.members``) DataFrames or
    a households DataFrame; ``overrides``: checker overrides of exclusion flags (``overrides.load``)."""
    ht = household_table.build(registry, sample, responses, ruleset, overrides)
    ctx = Ctx(ruleset)
    t = evaluate(ht.table, ctx)
    diags = list(ht.diagnostics) + _consistency_warnings(registry, ruleset)
    if overrides is not None and overrides.height:
        known = set(ht.table["household_id"].to_list())
        for hid in overrides["household_id"].unique(maintain_order=True).to_list():
            if hid not in known:
                diags.append(R.OVERRIDE_UNKNOWN_HOUSEHOLD(file="overrides", value=hid))
    findings = _findings(t, ctx)
    cases = _cases(t, findings, ctx)
    verdicts = _verdicts(t, ctx)
    summary = _summary(findings, cases, verdicts, ruleset, ht.skipped)
    return Adjudication(findings, cases, verdicts, ruleset, diags, summary)


# ---- evaluation ----------------------------------------------------------------------------------

def evaluate(t: pl.DataFrame, ctx: Ctx, rules: tuple[Rule, ...] = catalogue.RULES) -> pl.DataFrame:
    """Add the rule columns and the verdict columns to the household table."""
    exceptions = [r for r in rules if r.kind == "exception"]
    main = [r for r in rules if r.kind != "exception" and not r.after_verdict]
    late = [r for r in rules if r.after_verdict]
    neutralisers: dict[str, list[str]] = {}
    for e in exceptions:
        for target in e.neutralised(ctx):
            neutralisers.setdefault(target, []).append(e.id)

    t = t.with_columns(
        [r.applies(ctx).fill_null(False).alias(f"a::{r.id}") for r in rules]
        + [r.test(ctx).alias(f"x::{r.id}") for r in exceptions]
        + [r.test(ctx).alias(f"raw::{r.id}") for r in main]
    )
    t = t.with_columns([_final(r, neutralisers) for r in main])
    t = t.with_columns(_applied(e, ctx) for e in exceptions)
    t = _verdict(t)
    t = t.with_columns([r.test(ctx).alias(f"raw::{r.id}") for r in late])
    t = t.with_columns([_final(r, neutralisers) for r in late])
    t = t.with_columns(_missing(rules, main, neutralisers, ctx))
    return t.with_columns(_status())


def _final(r: Rule, neutralisers: dict[str, list[str]]) -> pl.Expr:
    f = col(f"raw::{r.id}")
    ex = neutralisers.get(r.id)
    if ex:
        f = f & ~pl.any_horizontal([col(f"x::{e}") for e in ex])
    if r.kind == "exclusion":
        f = f & ~col("o_rules").list.contains(r.id)
    return pl.when(col(f"a::{r.id}")).then(f).otherwise(pl.lit(False)).alias(f"r::{r.id}")


def _applied(e: Rule, ctx: Ctx) -> pl.Expr:
    """An exception "applied" to a household when it holds and cancelled a rule that would have fired."""
    targets = [t for t in e.neutralised(ctx) if t in catalogue.BY_ID]
    cond = col(f"x::{e.id}").fill_null(False) & col(f"a::{e.id}")
    if targets:
        cond = cond & pl.any_horizontal([(col(f"raw::{t}") & col(f"a::{t}")).fill_null(False) for t in targets])
    return cond.alias(f"xa::{e.id}")


def _verdict(t: pl.DataFrame) -> pl.DataFrame:
    problems = [col(f"r::{i}") for i in catalogue.PROBLEM_IDS]
    any_problem = pl.any_horizontal(problems)
    excluded = pl.any_horizontal([col(f"r::{i}") for i in catalogue.EXCLUSION_IDS]).fill_null(False)
    kind = col("_kind")
    return t.with_columns(
        any_problem.alias("v_any_problem"),
        excluded.alias("v_excluded"),
        pl.when(kind == "exited").then(any_problem).when(kind.is_null()).then(pl.lit(None, pl.Boolean))
        .otherwise(pl.lit(False)).alias("v_wrongful"),
        pl.when(kind == "nonregistered").then(any_problem & ~excluded).otherwise(pl.lit(False)).alias("v_missed"),
        col("r::education.dropout").fill_null(False).alias("v_dropout"),
    )


def _missing(rules: tuple[Rule, ...], main: list[Rule], neutralisers: dict[str, list[str]], ctx: Ctx) -> pl.Expr:
    """Answers some rule needed and did not get (problem and approval rules; policy items left empty
    mean "not asked"), as a sorted ``;``-separated list without repeats."""
    exc = {r.id: r for r in rules if r.kind == "exception"}
    needs: dict[str, list[pl.Expr]] = {"registry.status": [col("_kind").is_null()]}
    for r in main:
        if r.kind not in ("problem", "approval"):
            continue
        if r.missing is not None:
            for f, cond in r.missing(ctx):
                needs.setdefault(f, []).append(cond)
            continue
        unknown = col(f"a::{r.id}") & col(f"r::{r.id}").is_null()
        optional = set(r.optional_fields(ctx))
        for f in r.fields:
            if f not in optional:
                needs.setdefault(f, []).append(unknown & col(f).is_null())
        for eid in neutralisers.get(r.id, []):
            e = exc[eid]
            blocked = unknown & col(f"x::{eid}").is_null() & col(f"raw::{r.id}").fill_null(False)
            for f in e.fields:
                if f not in set(e.optional_fields(ctx)):
                    needs.setdefault(f, []).append(blocked & col(f).is_null())
    parts = [pl.when(pl.any_horizontal(conds).fill_null(False)).then(pl.lit(f)) for f, conds in sorted(needs.items())]
    return join_parts(parts, ";").alias("missing_fields")


def _status() -> list[pl.Expr]:
    kind = col("_kind")
    unknown = (
        pl.when(kind.is_null()).then(pl.lit(True))
        .when(kind == "nonregistered").then(col("v_missed").is_null())
        .otherwise(col("v_any_problem").is_null())
    )
    return [pl.when(unknown).then(pl.lit("cannot_judge")).otherwise(pl.lit("judged")).alias("status")]


# ---- outputs -------------------------------------------------------------------------------------

def _params_json(r: Rule, ctx: Ctx) -> str:
    params = {p: ctx.ruleset.param(p) for p in r.params}
    return json.dumps({"params": {k: p.value for k, p in params.items()},
                       "sources": {k: p.source for k, p in params.items()}}, ensure_ascii=False)[1:-1]


def _entry(r: Rule, ctx: Ctx, outcome: str, extra_fields: tuple[str, ...] = ()) -> pl.Expr:
    """One evidence entry (a JSON object): the answers the rule read, derived values, parameters and
    their sources."""
    fields = list(dict.fromkeys([*r.fields, *extra_fields]))
    answers = pl.struct([col(f) for f in fields]).struct.json_encode() if fields else pl.lit("{}")
    derived = pl.struct([col(d) for d in r.derived]).struct.json_encode() if r.derived else pl.lit("{}")
    head = json.dumps({"rule": r.id, "kind": r.kind, "outcome": outcome}, ensure_ascii=False)[:-1]
    pieces = [pl.lit(head + ',"answers":'), answers, pl.lit(',"derived":'), derived]
    params = _params_json(r, ctx)
    if params:
        pieces.append(pl.lit("," + params))
    pieces.append(pl.lit("}"))
    return pl.concat_str(pieces)


def evidence_texts(t: pl.DataFrame, ctx: Ctx, rules: tuple[Rule, ...], kinds: tuple[str, ...]) -> pl.DataFrame:
    """household_id, evidence (JSON list, one entry per fired rule of ``kinds``, per applied exception
    when "exception" is among them, per overridden exclusion) — built from the rows concerned only."""
    exc = {r.id: r for r in rules if r.kind == "exception"}
    neutralisers: dict[str, list[str]] = {}
    for e in exc.values():
        for target in e.neutralised(ctx):
            neutralisers.setdefault(target, []).append(e.id)
    frames: list[pl.LazyFrame] = []
    lazy = t.lazy()  # lazy, so each filter reads only the columns its entry needs

    def add(order: int, cond: pl.Expr, entry: pl.Expr) -> None:
        frames.append(lazy.filter(cond).select("household_id", pl.lit(order, pl.Int32).alias("order"),
                                               entry.alias("entry")))

    for order, r in enumerate(rules):
        if r.kind == "exception":
            if "exception" in kinds:
                add(order, col(f"xa::{r.id}"), _entry(r, ctx, "applied"))
        elif r.kind in kinds:
            extra = tuple(f for eid in neutralisers.get(r.id, []) for f in exc[eid].fields)
            add(order, col(f"r::{r.id}").fill_null(False), _entry(r, ctx, "fired", extra))
            if r.kind == "exclusion":
                overridden = (col(f"raw::{r.id}").fill_null(False) & col("o_rules").list.contains(r.id)
                              & col(f"a::{r.id}"))
                add(order, overridden, pl.concat_str([
                    pl.lit(json.dumps({"rule": r.id, "kind": r.kind, "outcome": "overridden"})[:-1]
                           + ',"overrides":'), col("o_detail"), pl.lit("}")]))
    if not frames:
        return pl.DataFrame(schema={"household_id": pl.String, "evidence": pl.String})
    return (pl.concat(frames).sort(["household_id", "order"])
            .group_by("household_id", maintain_order=True)
            .agg(pl.concat_str([pl.lit("["), pl.col("entry").str.join(","), pl.lit("]")]).alias("evidence"))
            .collect())


def _rule_list(rules: tuple[Rule, ...], kinds: tuple[str, ...], prefix: str) -> pl.Expr:
    chosen = [r for r in rules if r.kind in kinds]
    return join_parts([pl.when(col(f"{prefix}{r.id}").fill_null(False)).then(pl.lit(r.id)) for r in chosen], ";")


VERDICT_KINDS = ("problem", "exclusion", "approval", "policy", "review")


def _findings(t: pl.DataFrame, ctx: Ctx) -> pl.DataFrame:
    rules = catalogue.RULES
    rs = ctx.ruleset
    persons = col("d_persons")
    wrongful = col("v_wrongful")
    missed = col("v_missed")
    # Texts and evidence are built in long form from the rows where each rule fired: string building
    # is what costs time, and few households have anything fired.
    texts = (
        t.select("household_id",
                 _rule_list(rules, VERDICT_KINDS, "r::").alias("rules"),
                 _rule_list(rules, ("exception",), "xa::").alias("exceptions"))
        .join(evidence_texts(t, ctx, rules, (*VERDICT_KINDS, "exception")), on="household_id", how="left",
              maintain_order="left")
        .join(text.problem_texts(t, ctx, rules), on="household_id", how="left", maintain_order="left")
    )
    base = t.select(
        "household_id",
        "instrument",
        persons.alias("persons"),
        wrongful.alias("wrongful_exit"),
        pl.when(wrongful).then(persons).when(wrongful == False).then(pl.lit(0, pl.Int64))  # noqa: E712
        .otherwise(pl.lit(None, pl.Int64)).alias("wrongful_exit_persons"),
        missed.alias("missed"),
        pl.when(missed).then(persons).when(missed == False).then(pl.lit(0, pl.Int64))  # noqa: E712
        .otherwise(pl.lit(None, pl.Int64)).alias("missed_persons"),
        col("d_approves").alias("approves"),
        "status",
        "missing_fields",
        # extras
        "instance_id",
        pl.col("_kind").alias("registry_status"),
        "county", "township", "village", "village_id", "group",
        col("disapproval_reason"),
        col("x_sources").list.join(";").alias("exclusion_lists"),
        col("v_sources").list.join(";").alias("vulnerability_lists"),
        col("d_income_pc").alias("income_per_capita"),
        pl.lit(rs.poverty_line.value if rs.poverty_line else None, pl.Float64).alias("poverty_line"),
        col("missed_judgement").alias("enumerator_missed"),
    )
    out = base.join(texts, on="household_id", how="left", maintain_order="left").with_columns(
        col("rules").fill_null(""), col("evidence").fill_null("[]"), col("problems_zh").fill_null(""),
        col("problems_en").fill_null(""), col("exceptions").fill_null(""),
        pl.lit(rs.name).alias("ruleset"), pl.lit(rs.version).alias("ruleset_version"),
    )
    return out.select(*FINDINGS_COLUMNS, *[c for c in out.columns if c not in FINDINGS_COLUMNS])


FINDINGS_COLUMNS = (
    "household_id", "instrument", "persons", "wrongful_exit", "wrongful_exit_persons", "missed", "missed_persons",
    "approves", "rules", "evidence", "status", "missing_fields", "problems_zh", "problems_en", "ruleset",
    "ruleset_version",
)


def _cases(t: pl.DataFrame, findings: pl.DataFrame, ctx: Ctx) -> pl.DataFrame:
    """Each suspected 错退/漏评 as a verification case (outcome pending), with the problem rules that fired
    and their evidence (plus the exceptions that were considered). ``case_id`` is stable across runs:
    ``WE-``/``MS-`` + household id."""
    sus = t.filter(col("v_wrongful").fill_null(False) | col("v_missed").fill_null(False))
    suspected = sus.select("household_id", _rule_list(catalogue.RULES, ("problem",), "r::").alias("_case_rules")).join(
        evidence_texts(sus, ctx, catalogue.RULES, ("problem", "exception")).rename({"evidence": "_case_evidence"}),
        on="household_id", how="left", maintain_order="left")
    f = findings.join(suspected, on="household_id", how="inner")

    def case_rows(kind: str, prefix: str, flag: str) -> pl.DataFrame:
        return f.filter(pl.col(flag).fill_null(False)).select(
            (pl.lit(prefix) + pl.col("household_id")).alias("case_id"),
            "household_id",
            pl.lit(kind).alias("kind"),
            pl.lit("pending").alias("outcome"),
            pl.col("_case_rules").alias("rules"),
            pl.col("_case_evidence").alias("evidence"),
            pl.col(f"{flag}_persons").alias("persons"),
            "county", "township", "village", "village_id", "group",
            "problems_zh", "problems_en", "ruleset", "ruleset_version",
        )

    return pl.concat([case_rows("wrongful_exit", "WE-", "wrongful_exit"),
                      case_rows("missed", "MS-", "missed")]).sort("case_id")


def _verdicts(t: pl.DataFrame, ctx: Ctx) -> pl.DataFrame:
    def o(name: str) -> pl.Expr:
        return pl.lit(name, dtype=pl.Enum(OUTCOMES))  # Enum literals: no strings built per row

    cols = []
    for r in catalogue.RULES:
        a = col(f"a::{r.id}")
        if r.kind == "exception":
            e = pl.when(~a).then(o("not_applicable")).when(col(f"xa::{r.id}")).then(o("applied")).otherwise(
                o("not_applied"))
        else:
            raw, fin = col(f"raw::{r.id}"), col(f"r::{r.id}")
            e = (pl.when(~a).then(o("not_applicable"))
                 .when(fin).then(o("fired"))
                 .when(fin.is_null()).then(o("unknown"))
                 .when(raw & col("o_rules").list.contains(r.id)).then(o("overridden"))
                 .when(raw).then(o("excepted"))
                 .otherwise(o("passed")))
        cols.append(e.alias(r.id))
    outcome = pl.Enum(OUTCOMES)
    rule_enum = pl.Enum([r.id for r in catalogue.RULES])
    kind_enum = pl.Enum(sorted({r.kind for r in catalogue.RULES}))
    wide = t.select("household_id", *[c.cast(outcome) for c in cols])
    # one block per rule (household order kept), stacked: cheaper than unpivoting string columns
    long = pl.concat([
        wide.select("household_id", pl.lit(r.id, dtype=rule_enum).alias("rule"),
                    pl.lit(r.kind, dtype=kind_enum).alias("kind"), pl.col(r.id).alias("outcome"))
        for r in catalogue.RULES
    ])
    return long.with_columns(pl.lit(ctx.ruleset.name).cast(pl.Categorical).alias("ruleset"),
                             pl.lit(ctx.ruleset.version).cast(pl.Categorical).alias("ruleset_version"))


def _summary(findings: pl.DataFrame, cases: pl.DataFrame, verdicts: pl.DataFrame, ruleset: Ruleset,
             skipped: dict[str, int]) -> dict[str, Any]:
    def count(expr: pl.Expr) -> int:
        return int(findings.select(expr.fill_null(False).sum()).item())

    fired = (verdicts.filter(pl.col("outcome") == "fired").group_by("rule").len()
             .with_columns(pl.col("rule").cast(pl.String)).sort("rule"))
    kinds = findings.group_by("registry_status").len().sort("registry_status", nulls_last=True)
    return {
        "ruleset": {"name": ruleset.name, "version": ruleset.version, "sha256": ruleset.sha256,
                    "year": ruleset.year, "province": ruleset.province,
                    "poverty_line": ruleset.poverty_line.value if ruleset.poverty_line else None},
        "households": findings.height,
        "by_status": {str(k) if k is not None else "unknown": int(n) for k, n in kinds.iter_rows()},
        "judged": count(pl.col("status") == "judged"),
        "cannot_judge": count(pl.col("status") == "cannot_judge"),
        "wrongful_exit": {"households": count(pl.col("wrongful_exit")),
                          "persons": int(findings["wrongful_exit_persons"].fill_null(0).sum())},
        "missed": {"households": count(pl.col("missed")), "persons": int(findings["missed_persons"].fill_null(0).sum())},
        "approves": {"yes": count(pl.col("approves")), "no": count(pl.col("approves") == False),  # noqa: E712
                     "unknown": int(findings["approves"].null_count())},
        "cases": cases.height,
        "rules_fired": {r: int(n) for r, n in fired.iter_rows()},
        "skipped": skipped,
    }


def _consistency_warnings(registry: Any, ruleset: Ruleset) -> list[E.Diagnostic]:
    out: list[E.Diagnostic] = []
    counties = getattr(registry, "counties", None)
    villages = getattr(registry, "villages", None)
    provinces: set[str] = set()
    for df in (counties, villages):
        if isinstance(df, pl.DataFrame) and "province" in df.columns:
            provinces |= {p for p in df["province"].drop_nulls().unique().to_list() if p}
    if ruleset.province and provinces and province_key(ruleset.province) not in {province_key(p) for p in provinces}:
        out.append(R.RULESET_PROVINCE_MISMATCH(value=ruleset.name, province=ruleset.province,
                                               registry_province="、".join(sorted(provinces))))
    if isinstance(counties, pl.DataFrame) and "exit_year" in counties.columns and ruleset.year:
        years = {int(y) for y in counties["exit_year"].drop_nulls().unique().to_list()}
        if years and ruleset.year not in years:
            out.append(R.RULESET_YEAR_MISMATCH(value=ruleset.name, year=ruleset.year,
                                               registry_year="、".join(map(str, sorted(years)))))
    return out
