"""The 问题清单 an office works from (pure): one row per problem, the feedback list, the daily summary.

- Problem list (seed 002 第三篇 问题清单模板; 第四/五篇 整改报告: 问题, 具体表现, 整改措施, 整改结果;
  seed 004: 责任单位, 完成时限; 销号 when closed): every fired household rule and every village
  checklist item below standard, with place, masked household, evidence, verification status, the
  responsible units, a deadline, and empty 整改措施/整改结果 for the county to fill in.
- Feedback list (反馈会): suspected wrongful exits and missed households with reasons and outcome.
- Daily summary (当天问题当天汇总, due by 20:00): per fieldwork day and enumerator team, households
  interviewed, problems found, suspected cases.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from . import labels as L
from .content import feedback as feedback_cases
from .households import _date_expr, evidence_for, household_table, split_rules, team_of
from .model import FeedbackCase
from .new_items import county_checks, policy_gaps
from .village_checks import check_village
from .workdir import WorkdirData

DEFAULT_DEADLINE_DAYS = 30
DAILY_DUE = "20:00"


@dataclass
class ProblemRow:
    no: int
    county: str
    township: str | None
    village: str | None
    group: str | None
    household_id: str | None
    masked_name: str
    masked_id: str
    household_type: str
    category: str
    problem_type: str
    rule_id: str
    detail: str
    evidence: str
    found_on: _dt.date | None
    team: str | None
    status: str
    measure: str
    responsible: str
    deadline: _dt.date | None
    result: str
    closed: bool


@dataclass
class DailyRow:
    date: _dt.date | None
    team: str
    townships: str
    villages: str
    registered: int
    general: int
    village_checklists: int
    problem_households: int
    problems: int
    suspected_wrongful_exit: int
    suspected_missed: int
    main_problems: str
    due: str


@dataclass
class ProblemList:
    lang: str
    county: str
    deadline: _dt.date | None
    rows: list[ProblemRow]
    feedback: list[FeedbackCase]
    daily: list[DailyRow]
    statuses: list[str] = field(default_factory=list)


_RANK = {"pending": 0, "confirmed": 1, "dismissed": 2}


def _row_status(cases: list[tuple[str, set[str]]], rule: str, lang: str) -> str:
    """待核实/已确认/不予采信 for a rule behind a case (the least settled case wins); otherwise 待核实
    for an item to review and 待整改 for a problem that needs no verification."""
    outcomes = [o for o, rules in cases if rule in rules or not rules]
    if outcomes:
        o = min(outcomes, key=lambda x: _RANK.get(x, 3))
        return L.pick(L.PROBLEM_STATUSES[_RANK.get(o, 0)], lang)
    return L.pick(L.PROBLEM_STATUSES[0 if L.rule_kind(rule) == "review" else 3], lang)


def _household_type(status: str, lang: str) -> str:
    if status in L.STATUS_LABELS:
        return L.pick(L.STATUS_LABELS[status], lang)
    return L.pick(L.INSTRUMENTS["general" if status == "general" else "registered"], lang)


def default_deadline(last_day: _dt.date | None, days: int = DEFAULT_DEADLINE_DAYS) -> _dt.date | None:
    return None if last_day is None else last_day + _dt.timedelta(days=days)


def problem_list(data: WorkdirData, *, lang: str = "zh", deadline: _dt.date | None = None,
                 deadline_days: int = DEFAULT_DEADLINE_DAYS) -> ProblemList:
    lang = "en" if lang == "en" else "zh"
    hh = household_table(data)
    county = data.county
    # verification status per (household, rule): the case's outcome for the rules behind a case
    case_rules: dict[str, list[tuple[str, set[str]]]] = {}
    if not data.cases.is_empty():
        for hid, outcome, rules in data.cases.select("household_id", "outcome", "rules").iter_rows():
            case_rules.setdefault(hid, []).append((outcome or "pending", set(split_rules(rules))))
    else:
        for r in hh.filter(pl.col("wrongful_exit") | pl.col("missed")).select("household_id", "rules").iter_rows():
            case_rules[r[0]] = [("pending", {x for x in (r[1] or []) if L.rule_kind(x) == "problem"})]

    village_rows = _village_rows(data, lang)
    days = [d for d in hh["date"].drop_nulls().to_list()] + [v["date"] for v in village_rows if v["date"]]
    last = max(days) if days else None
    due = deadline or default_deadline(last, deadline_days)

    rows: list[ProblemRow] = []
    for h in hh.to_dicts():
        rules = h["rules"] or []
        texts = split_problem_text(h["problems_en"] if lang == "en" else h["problems_zh"], rules, lang)
        for k, rule in enumerate(rules):
            if L.rule_kind(rule) not in L.LISTED_KINDS:
                continue  # exclusion facts and exceptions are not problems
            cat = L.rule_category(rule)
            text = texts[k]
            rows.append(ProblemRow(
                no=0, county=h["county"] or county, township=h["township"], village=h["village"], group=h["group"],
                household_id=h["household_id"], masked_name=h["masked_name"] or "", masked_id=h["masked_id"] or "",
                household_type=_household_type(h["status"], lang),
                category=L.pick(L.CATEGORIES[cat], lang), problem_type=L.rule_label(rule, lang), rule_id=rule,
                detail=text or L.rule_label(rule, lang), evidence=evidence_for(h["evidence"], rule),
                found_on=h["date"], team=h["team"],
                status=_row_status(case_rules.get(h["household_id"], []), rule, lang),
                measure="", responsible=L.responsible_unit(rule, h["township"], lang), deadline=due,
                result="", closed=False,
            ))
    for v in village_rows:
        for rule, ev in v["problems"]:
            rows.append(ProblemRow(
                no=0, county=county, township=v["township"], village=v["village"], group=None, household_id=None,
                masked_name="", masked_id="", household_type=L.pick(("行政村", "village"), lang),
                category=L.pick(L.CATEGORIES["infrastructure"], lang), problem_type=L.rule_label(rule, lang),
                rule_id=rule, detail=L.rule_label(rule, lang), evidence=ev, found_on=v["date"], team=v["team"],
                status=L.pick(L.PROBLEM_STATUSES[3], lang), measure="",
                responsible=L.responsible_unit(rule, v["township"], lang), deadline=due, result="", closed=False,
            ))
    info = {h["household_id"]: h for h in hh.select("household_id", "county", "masked_name", "masked_id", "status",
                                                     "date", "team").to_dicts()} if not hh.is_empty() else {}
    for g in policy_gaps(data, hh, lang)[1]:  # gaps the questions of form 2025.2 reveal
        h = info.get(g.household_id, {})
        rows.append(ProblemRow(
            no=0, county=h.get("county") or county, township=g.township, village=g.village, group=g.group,
            household_id=g.household_id, masked_name=h.get("masked_name") or "", masked_id=h.get("masked_id") or "",
            household_type=_household_type(h.get("status") or "registered", lang),
            category=L.pick(L.CATEGORIES["policy"], lang), problem_type=g.label, rule_id=g.rule_id,
            detail=g.detail, evidence=g.evidence, found_on=h.get("date"), team=h.get("team"),
            status=L.pick(L.PROBLEM_STATUSES[3], lang), measure="",
            responsible=L.responsible_unit(g.rule_id, g.township, lang), deadline=due, result="", closed=False,
        ))
    for c in county_checks(data, lang):  # county document checklist (seed 001 §三(三))
        if c.met:
            continue
        rows.append(ProblemRow(
            no=0, county=county, township=None, village=None, group=None, household_id=None, masked_name="",
            masked_id="", household_type=L.pick(("县", "county"), lang),
            category=L.pick(("脱贫攻坚部署", "County poverty-work arrangements"), lang), problem_type=c.label,
            rule_id=f"county.{c.item}", detail=c.detail or c.label, evidence=f"{c.item}=" + L.pick(("否", "no"), lang),
            found_on=None, team=None, status=L.pick(L.PROBLEM_STATUSES[3], lang), measure="",
            responsible=L.pick(("县委、县政府", "county party committee and government"), lang), deadline=due,
            result="", closed=False,
        ))
    rows.sort(key=lambda r: (r.township or "", r.village or "", r.household_id or "~", r.rule_id))
    for i, r in enumerate(rows, 1):
        r.no = i
    fb = feedback_cases(data, hh, lang).cases
    return ProblemList(lang=lang, county=county, deadline=due, rows=rows, feedback=fb,
                       daily=daily_summary(hh, village_rows, lang),
                       statuses=[L.pick(s, lang) for s in L.PROBLEM_STATUSES])


_EN_SENTENCE = re.compile(r"(?<=[)\w])\.\s+(?=[A-Z])")


def _groups(text: str, lang: str) -> list[tuple[str, list[str]]]:
    """"疑似错退：A；B。不认可：C；原因：D" → [("疑似错退：", [A, B]), ("不认可：", [C, "原因：D"])]."""
    parts = _EN_SENTENCE.split(text) if lang == "en" else text.split("。")
    out = []
    for part in (p.strip().rstrip("。.") for p in parts):
        if not part:
            continue
        sep = ": " if lang == "en" else "："
        head, found, body = part.partition(sep)
        prefix, body = (head + found, body) if found else ("", part)
        out.append((prefix, [x.strip() for x in re.split(r"；|; ", body) if x.strip()]))
    return out


def split_problem_text(text: str | None, rules: list[str], lang: str = "zh") -> list[str | None]:
    """One printable text per fired rule from a household's problems text (findings ``problems_zh``).

    The rules layer writes one group per kind ("疑似错退：…；…。不认可：…"), each segment starting
    with the rule's label; a rule gets the segment that starts with its label (an approval rule its
    whole group). Otherwise, when there are exactly as many segments as rules, they go in order;
    when nothing matches, every rule keeps the whole text (nothing is guessed).
    """
    n = len(rules)
    if not text or n == 0:
        return [text] * n
    groups = _groups(text, lang)
    out: list[str | None] = []
    for rule in rules:
        found = None
        if L.rule_kind(rule) == "approval":
            found = next((p + "；".join(segs) if lang != "en" else p + "; ".join(segs)
                          for p, segs in groups if segs and ("不认可" in p or "approve" in p.lower())), None)
        else:
            label = L.catalogue_label(rule, lang)
            if label:
                found = next((p + seg for p, segs in groups for seg in segs if seg.startswith(label)), None)
        out.append(found)
    if all(x is not None for x in out):
        return out
    flat = [p + seg for p, segs in groups for seg in segs]
    if len(flat) == n:
        return [o if o is not None else f for o, f in zip(out, flat, strict=True)]
    return [o if o is not None else text for o in out]


def _village_rows(data: WorkdirData, lang: str) -> list[dict[str, Any]]:
    rv = data.resp_villages
    if rv.is_empty():
        return []
    names: dict[str, tuple[str | None, str | None]] = {}
    sv = data.sample_villages
    if not sv.is_empty() and "village_id" in sv.columns:
        for vid, town, vil in sv.select(pl.col("village_id").cast(pl.String), pl.col("township").cast(pl.String),
                                        pl.col("village").cast(pl.String)).iter_rows():
            names[vid] = (town, vil)
    dates = rv.select(_date_expr(rv, "started_at").alias("d"))["d"].to_list()
    out = []
    for row, d in zip(rv.to_dicts(), dates, strict=True):
        chk = check_village(row)
        town, vil = chk.township, chk.village
        if chk.village_id in names:
            town, vil = town or names[chk.village_id][0], vil or names[chk.village_id][1]
        out.append({"township": town, "village": vil, "date": d, "team": team_of(row.get("enumerators")),
                    "problems": [(r, en if lang == "en" else zh) for r, zh, en in chk.problems]})
    return out


def daily_summary(hh: pl.DataFrame, village_rows: list[dict[str, Any]], lang: str) -> list[DailyRow]:
    """当天问题当天汇总: one row per (date, team), then a total row per date."""
    acc: dict[tuple[Any, str], dict[str, Any]] = defaultdict(lambda: {
        "towns": set(), "villages": set(), "reg": 0, "gen": 0, "vc": 0, "ph": 0, "p": 0, "we": 0, "mi": 0,
        "labels": Counter()})
    for h in hh.select("date", "team", "township", "village", "instrument", "rules", "wrongful_exit",
                       "missed").iter_rows(named=True):
        a = acc[(h["date"], h["team"] or "—")]
        if h["township"]:
            a["towns"].add(h["township"])
        if h["village"]:
            a["villages"].add(h["village"])
        a["reg" if h["instrument"] == "registered" else "gen"] += 1
        rules = [r for r in (h["rules"] or []) if L.rule_kind(r) in L.PROBLEM_KINDS]
        a["ph"] += int(bool(rules))
        a["p"] += len(rules)
        a["we"] += int(bool(h["wrongful_exit"]))
        a["mi"] += int(bool(h["missed"]))
        a["labels"].update(L.pick(L.CATEGORIES[L.rule_category(r)], lang) for r in rules)
    for v in village_rows:
        a = acc[(v["date"], v["team"] or "—")]
        if v["township"]:
            a["towns"].add(v["township"])
        if v["village"]:
            a["villages"].add(v["village"])
        a["vc"] += 1
        a["p"] += len(v["problems"])
        a["labels"].update(L.pick(L.CATEGORIES["infrastructure"], lang) for _ in v["problems"])
    sep = ", " if lang == "en" else "、"

    def row(d: Any, team: str, a: dict[str, Any]) -> DailyRow:
        top = sep.join(f"{k}×{n}" for k, n in sorted(a["labels"].items(), key=lambda kv: (-kv[1], kv[0]))[:4])
        return DailyRow(
            date=d, team=team, townships=sep.join(sorted(a["towns"])), villages=sep.join(sorted(a["villages"])),
            registered=a["reg"], general=a["gen"], village_checklists=a["vc"], problem_households=a["ph"],
            problems=a["p"], suspected_wrongful_exit=a["we"], suspected_missed=a["mi"], main_problems=top,
            due=f"{d.isoformat()} {DAILY_DUE}" if d else "",
        )

    out: list[DailyRow] = []
    by_date: dict[Any, list[tuple[str, dict[str, Any]]]] = defaultdict(list)
    for (d, team), a in acc.items():
        by_date[d].append((team, a))
    for d in sorted(by_date, key=lambda x: (x is None, x)):
        teams = sorted(by_date[d], key=lambda x: x[0])
        for team, a in teams:
            out.append(row(d, team, a))
        if len(teams) > 1:
            tot: dict[str, Any] = {"towns": set(), "villages": set(), "labels": Counter()}
            for _team, a in teams:
                tot["towns"] |= a["towns"]
                tot["villages"] |= a["villages"]
                tot["labels"] += a["labels"]
                for k in ("reg", "gen", "vc", "ph", "p", "we", "mi"):
                    tot[k] = tot.get(k, 0) + a[k]
            out.append(row(d, L.pick(("当日合计", "day total"), lang), tot))
    return out
