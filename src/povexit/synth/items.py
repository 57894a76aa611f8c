"""The true value of every questionnaire item of a household (docs/fields.md names).

Failures are clearly beyond every ruleset's threshold and passes clearly on the safe side, so a
correct rules engine recovers the labels exactly from noiseless answers:

- income: failing households have a stable income per head below 0.8 × the line; passing ones at
  least 1.25 × the line. Some failing households have a one-off (windfall) income that lifts this
  year's income above the line — only the stable income counts.
- water: failing quantity ≤ 15 L/person/day (outside water-scarce areas), fetching ≥ 25 minutes
  (≥ 1000 m horizontal, ≥ 100 m vertical), reliability ≤ 85 % (≥ 54 days without water), quality
  not up to standard; passing ≥ 45 L, ≤ 8 minutes (≤ 300 m, ≤ 30 m), ≥ 96 %.
- housing: failing households live in a grade C/D house with no accepted substitute, not rebuilt
  and occupied, not relocated; relocated households not moved in fail on their own rule (their old
  house is grade B). Passing exceptions: relocated and moved in, rebuilt finished and occupied, an
  accepted substitute (safe house elsewhere, long-term rent, collective care, living with children)
  — each may keep a C/D grade on record.
- education: a failing household has a child of 8–14 out of school (hardship / unwilling / other,
  not persuaded back); the exception is a severely disabled child taught at home (送教上门:
  ``dropout`` yes, reason ``health``, ``home_schooling`` yes).
- medical: uninsured = a member with neither basic nor critical-illness insurance; unaffordable =
  a seriously ill member, excessive expense and basic life not secured.
"""

from __future__ import annotations

import numpy as np

from .county import (
    EXITED,
    NONREG,
    POOR,
    SC_COLLEGE,
    SC_SENIOR,
    SC_VOCATIONAL,
    County,
    R,
    any_per_household,
)
from .params import SynthParams

SUBSTITUTES = ("safe_house_elsewhere", "long_term_rent", "collective_care", "living_with_children")
DISAPPROVAL_REASONS = (
    "认为帮扶措施不到位",
    "认为自己还没有真正脱贫",
    "低保评定不公平",
    "对村干部工作不满意",
    "基础设施改善不明显",
    "产业项目没有收益",
    "认为识别不精准，有人该评未评",
    "医疗报销比例低",
)
POVERTY_CAUSES = (
    "因病",
    "因残",
    "因学",
    "因灾",
    "缺土地",
    "缺水",
    "缺技术",
    "缺劳力",
    "缺资金",
    "交通条件落后",
    "自身发展动力不足",
)
EXCEPTIONS = (
    "home_schooling",
    "relocated_moved_in",
    "renovation_occupied",
    "housing_substitute",
    "children_support",
    "windfall",
    "excluded",
)
CAUSE_P = np.array([0.28, 0.06, 0.06, 0.02, 0.03, 0.01, 0.2, 0.1, 0.17, 0.03, 0.04])


def household_items(c: County, params: SynthParams, rng: np.random.Generator) -> dict[str, np.ndarray]:
    h, m, sk, fr = c.h, c.m, c.sk, c.frame
    assert sk is not None
    n = len(h["status"])
    vi = fr.h_village
    line = float(params.poverty_line)
    problems = h["problems"]

    def has(rule: str) -> np.ndarray:
        return (problems >> R[rule]) & 1 == 1

    status = h["status"]
    reg = h["registered"]
    persons = h["persons"]
    out: dict[str, np.ndarray] = {}

    # -- children's support (赡养) of elderly households -------------------------------------------------
    min_age = np.minimum.reduceat(sk.age, sk.hh_start)
    elderly_hh = min_age >= 60
    food_fail = has("food.insufficient") | has("clothing.insufficient")
    capable = np.where(elderly_hh, rng.random(n) < 0.6, True) & ~food_fail
    provided = np.where(elderly_hh, capable & (rng.random(n) < 0.9), False)
    out["children_support_capable"] = capable
    out["children_support_provided"] = provided

    # -- income ------------------------------------------------------------------------------------
    income_fail = has("income.below_line")
    y = np.where(
        reg,
        line * np.exp(rng.normal(np.log(1.9), 0.3, n)),
        line * np.exp(rng.normal(np.log(2.6), 0.45, n)),
    )
    y = np.maximum(y, np.where(reg, 1.26, 1.3) * line)  # ≥ 1.25 × line after rounding
    y = np.where((status == POOR) & ~income_fail, line * rng.uniform(1.26, 1.6, n), y)
    y = np.where(income_fail, line * rng.uniform(0.40, 0.78, n), y)
    ps = np.where((persons >= 3) & (rng.random(n) < 0.05), persons - 1, persons)
    net = y * ps
    transfer_heavy = h["no_labour"] | h["elderly_alone"] | h["tekun"] | provided
    alpha = np.where(transfer_heavy[:, None], [0.3, 1.0, 0.3, 4.0], [3.0, 2.0, 0.3, 1.0])
    g = rng.gamma(alpha)
    shares = g / g.sum(axis=1, keepdims=True)
    k = rng.uniform(0.15, 0.4, n)
    business_net = shares[:, 1] * net
    business = business_net / (1 - k)
    cost = business - business_net
    # windfall: lifts this year's income above the line for some failing households; harmless elsewhere
    lift = income_fail & (rng.random(n) < 0.3)
    windfall = np.where(lift, ps * line * rng.uniform(1.15, 1.5, n) - net, 0.0)
    windfall = np.where(~income_fail & (rng.random(n) < 0.04), rng.uniform(500, 5000, n), windfall)
    windfall = np.rint(np.maximum(windfall, 0.0))
    to_property = rng.random(n) < 0.5
    wage = np.rint(shares[:, 0] * net)
    business = np.rint(business)
    cost = np.rint(cost)
    prop = np.rint(shares[:, 2] * net) + np.where(to_property, windfall, 0)
    transfer = np.rint(shares[:, 3] * net) + np.where(to_property, 0, windfall)
    stable = (wage + business + prop + transfer - cost - windfall) / ps
    out.update(
        persons_sharing=ps,
        income_wage=wage,
        income_business=business,
        income_property=prop,
        income_transfer=transfer,
        production_cost=cost,
        income_windfall=windfall,
        income_per_capita=np.round(stable, 2),
        income_net_per_capita=np.round(stable, 2),
        income_stable=stable >= line,
    )
    noise = np.exp(rng.normal(0.0, 0.08, n))
    recorded = np.where(status == EXITED, np.maximum(stable * noise, 1.02 * line), stable * noise)
    recorded = np.where(h["wrongful_exit"] & income_fail, line * rng.uniform(1.05, 1.5, n), recorded)
    out["registry_income_per_capita"] = np.round(recorded, 2)

    # -- food and clothing -----------------------------------------------------------------------------
    food = has("food.insufficient")
    u = rng.random(n)
    out["food_staple_enough"] = ~(food & (u < 0.4))
    out["food_vegetable_enough"] = ~(food & (rng.random(n) < 0.5))
    out["food_protein_enough"] = ~food
    clothes = has("clothing.insufficient")
    out["clothing_seasonal"] = ~clothes
    out["clothing_change"] = ~clothes

    # -- water -----------------------------------------------------------------------------------------
    tap_v = rng.random(len(fr.v_name)) < 0.9 - 0.25 * fr.v_remote
    scarce_v = rng.random(len(fr.v_name)) < 0.06 + 0.1 * fr.v_remote
    tap = np.where(tap_v[vi], rng.random(n) < 0.97, rng.random(n) < 0.3)
    conv = has("water.convenience")
    tap &= ~conv
    litres = np.where(tap, rng.uniform(60, 150, n), rng.uniform(45, 80, n))
    litres = np.where(has("water.quantity"), rng.uniform(8, 15, n), litres)
    fetch = np.where(tap, 0.0, np.round(rng.uniform(2, 8, n) * 2) / 2)
    fetch = np.where(conv, np.round(rng.uniform(25, 45, n)), fetch)
    horiz = np.where(tap, np.nan, np.round(rng.uniform(50, 300, n)))
    horiz = np.where(conv, np.round(rng.uniform(1000, 2500, n)), horiz)
    vert = np.where(tap, np.nan, np.round(rng.uniform(0, 30, n)))
    vert = np.where(conv, np.round(rng.uniform(100, 200, n)), vert)
    rel = np.round(np.where(tap, rng.uniform(97, 100, n), rng.uniform(96, 100, n)), 1)
    rel = np.where(has("water.reliability"), np.round(rng.uniform(70, 85, n), 1), rel)
    out.update(
        water_quality_ok=~has("water.quality"),
        water_litres_per_person_day=np.round(litres, 1),
        water_fetch_minutes=fetch,
        water_horizontal_m=horiz,
        water_vertical_m=vert,
        water_reliability_pct=rel,
        water_days_without=np.rint(365 * (100 - rel) / 100).astype(np.int64),
        water_scarce_area=scarce_v[vi] & ~has("water.quantity"),
        water_tap=tap,
    )

    # -- education -----------------------------------------------------------------------------------------
    dropout_fail = has("education.dropout")
    home = h["home_schooling"]
    out["has_compulsory_child"] = h["has_compulsory_child"]
    out["dropout"] = dropout_fail | home
    out["dropout_count"] = np.where(dropout_fail, h["dropout_count"], np.where(home, 1, 0))
    reason_codes = np.array(["hardship", "unwilling", "other"])
    reason = reason_codes[rng.choice(3, size=n, p=[0.5, 0.4, 0.1])]
    out["dropout_reason"] = np.where(dropout_fail, reason, np.where(home, "health", None)).astype(object)
    out["home_schooling"] = home
    out["persuaded_back"] = np.where(dropout_fail, False, None).astype(object)

    # -- medical -----------------------------------------------------------------------------------------------
    basic_all = ~any_per_household(~m["basic"], sk.hh_start)
    ill = h["seriously_ill"]
    unaff = has("medical.unaffordable")
    chronic_any = any_per_household(m["health"] == 1, sk.hh_start)
    out.update(
        all_basic_insured=basic_all,
        all_critical_insured=basic_all,
        premium_subsidy=reg | h["dibao"] | h["tekun"],
        serious_illness_present=ill,
        medical_expense_excessive=np.where(ill, unaff, None).astype(object),
        medical_basic_life_secured=np.where(ill, ~unaff, None).astype(object),
        medical_policy_gap=np.where(reg, False, None).astype(object),
        chronic_contracted=np.where(reg & chronic_any, rng.random(n) < 0.95, None).astype(object),
        hospital_one_stop=np.where(reg, True, None).astype(object),
    )

    # -- housing -------------------------------------------------------------------------------------------------
    unsafe = has("housing.unsafe")
    not_moved = has("housing.relocation_not_moved_in")
    relocated = h["relocated"]
    dangerous = h["dangerous_house"]
    grade_ab = np.where(rng.random(n) < np.where(reg, 0.4, 0.35), "A", "B")
    grade_cd = np.where(rng.random(n) < 0.6, "C", "D")
    grade = grade_ab.astype(object)
    renovated = np.zeros(n, dtype=bool)
    finished = np.full(n, None, dtype=object)
    occupied = np.full(n, None, dtype=object)
    substitute = np.full(n, "none", dtype=object)
    moved_in = np.where(relocated, ~not_moved, None).astype(object)
    # relocated and moved in: the old house may keep its C/D grade (exception)
    reloc_ok = relocated & ~not_moved
    grade = np.where(reloc_ok, np.where(rng.random(n) < 0.3, grade_cd, "A"), grade)
    grade = np.where(not_moved, "B", grade)
    # 危房 households that were rebuilt: finished and occupied (exception when the grade stays C/D)
    rebuilt = dangerous & ~unsafe & ~relocated
    sub_instead = rebuilt & ~reg & (rng.random(n) < 0.3)
    rebuilt &= ~sub_instead
    renovated |= rebuilt
    finished = np.where(rebuilt, True, finished)
    occupied = np.where(rebuilt, True, occupied)
    grade = np.where(rebuilt, np.where(rng.random(n) < np.where(reg, 0.3, 0.4), grade_cd, grade_ab), grade)
    # accepted substitutes (the C/D house is not lived in)
    plain = ~unsafe & ~not_moved & ~relocated & ~dangerous
    subst = sub_instead | (plain & (rng.random(n) < np.where(h["tekun"], 0.15, 0.006)))
    kind = np.array(SUBSTITUTES, dtype=object)[rng.choice(4, size=n, p=[0.3, 0.2, 0.15, 0.35])]
    kind = np.where(h["tekun"], "collective_care", kind)
    substitute = np.where(subst, kind, substitute)
    grade = np.where(subst, grade_cd, grade)
    # failures: a C/D house lived in; some rebuilding started but not finished or not occupied
    grade = np.where(unsafe, grade_cd, grade)
    started = unsafe & (rng.random(n) < 0.3)
    renovated = np.where(unsafe, started, renovated)
    fin_flag = rng.random(n) < 0.5
    finished = np.where(started, fin_flag, np.where(unsafe, None, finished))
    occupied = np.where(started, np.where(fin_flag, False, None), np.where(unsafe, None, occupied))
    substitute = np.where(unsafe, "none", substitute)
    out.update(
        housing_grade=grade,
        housing_safe=~(unsafe | not_moved),
        relocated=relocated,
        relocated_moved_in=moved_in,
        renovated=renovated,
        renovation_finished=finished.astype(object),
        renovation_occupied=occupied.astype(object),
        housing_substitute=substitute,
    )

    # -- approval -------------------------------------------------------------------------------------------------
    trouble = h["wrongful_exit"] | h["missed"]
    approves = rng.random(n) < np.where(trouble, 0.45, params.approval_rate)
    reasons = np.array(DISAPPROVAL_REASONS, dtype=object)[rng.integers(0, len(DISAPPROVAL_REASONS), n)]
    out["approves"] = approves
    out["disapproval_reason"] = np.where(approves, None, reasons).astype(object)
    exited = status == EXITED
    sub = rng.choice(5, size=n, p=[0.2, 0.25, 0.2, 0.2, 0.15])
    sub = np.where(~exited & (sub == 3), 4, sub)
    for i, name in enumerate(
        ("approve_policy", "approve_help", "approve_results", "approve_exit", "approve_cadres")
    ):
        val = approves | (sub != i)
        if name == "approve_exit":
            out[name] = np.where(exited, val, None).astype(object)
        else:
            out[name] = np.where(reg, val, None).astype(object)
    out["exit_known"] = np.where(exited, rng.random(n) < 0.98, None).astype(object)
    out["exit_acknowledged"] = out["approve_exit"]
    out["exit_sustained"] = np.where(exited, ~h["wrongful_exit"], None).astype(object)
    infra = np.array(["obvious", "some", "none"], dtype=object)[rng.choice(3, size=n, p=[0.6, 0.35, 0.05])]
    out["infrastructure_improved"] = np.where(status == NONREG, infra, None).astype(object)

    # -- policy items of registered households (not adjudicated as 错退/漏评) --------------------------------------------
    out["dibao_missing"] = np.where(reg, (status != EXITED) & (rng.random(n) < 0.02), None).astype(object)
    out["tekun_missing"] = np.where(reg, False, None).astype(object)
    out["disability_cert_missing"] = np.where(reg, h["disabled"] & (rng.random(n) < 0.05), None).astype(
        object
    )
    out["pension_paid"] = np.where(reg, True, None).astype(object)

    # -- 致贫原因 (registered) ---------------------------------------------------------------------------------------------
    cause = rng.choice(len(POVERTY_CAUSES), size=n, p=CAUSE_P)
    u = rng.random(n)
    student = any_per_household(np.isin(m["school"], (SC_SENIOR, SC_VOCATIONAL, SC_COLLEGE)), sk.hh_start)
    cause = np.where(h["seriously_ill"] & (u < 0.85), 0, cause)
    cause = np.where(h["disabled"] & ~h["seriously_ill"] & (u < 0.7), 1, cause)
    cause = np.where(h["no_labour"] & ~h["seriously_ill"] & ~h["disabled"] & (u < 0.6), 7, cause)
    cause = np.where(student & (cause > 2) & (u < 0.35), 2, cause)
    out["poverty_cause"] = np.where(reg, np.array(POVERTY_CAUSES, dtype=object)[cause], None).astype(object)

    # -- which documented exceptions apply (bits of EXCEPTIONS; text only in the truth table) -----------------
    exc = np.zeros(n, dtype=np.int64)
    for i, mask in enumerate(
        (
            home,
            reloc_ok & np.isin(grade, ("C", "D")),
            rebuilt & np.isin(grade, ("C", "D")),
            subst,
            provided & elderly_hh,
            windfall > 0,
            h["excluded"] & (problems > 0) & (status == NONREG),
        )
    ):
        exc |= mask.astype(np.int64) << i
    out["exceptions"] = exc
    return out
