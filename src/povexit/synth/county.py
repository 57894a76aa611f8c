"""One county's population: households, members, attributes, the hidden truth and its labels.

Everything is drawn as numpy arrays over all households and members of the county (no per-person
Python loops); strings (names, ID numbers) are built only for the members that are written (the
registry and rosters, or everyone when the truth is written). The steps, in order:

1. frame (:mod:`.frame`), registration, status, poor type, household templates
   (:mod:`.structure`) — adjusted so the registry has exactly the requested persons when asked;
2. members: ages, sexes, health, disability, labour, schooling;
3. focus flags (低保, 特困, 残疾, 重病, 危房, 无劳力, 独居老人), relocation, exclusion flags;
4. labels: which exited households are wrongfully exited and which non-registered households are
   missed (exact counts from the rates), their problems, and the documented exceptions among the
   passes (送教上门, relocated and moved in, rebuilt and occupied, accepted housing substitutes,
   children's support, windfall income);
5. the truth items (:mod:`.items`) and the tables (:mod:`.tables`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import structure as S
from .frame import CountySpec, Frame, build_frame
from .params import SynthParams
from .strings import birth_dates, given_name_draws, id_first17, id_sequences, surname_table

# status codes
NONREG, POOR, EXITED, RETURNED = 0, 1, 2, 3
# poor type codes
PT_NONE, PT_GENERAL, PT_DIBAO, PT_TEKUN = 0, 1, 2, 3
# health
HEALTHY, CHRONIC, SERIOUS, DISABLED = 0, 1, 2, 3
# labour
L_NORMAL, L_SKILLED, L_WEAK, L_LOST, L_NONE = 0, 1, 2, 3, 4
# schooling
SC_PRESCHOOL, SC_PRIMARY, SC_JUNIOR, SC_SENIOR, SC_VOCATIONAL, SC_COLLEGE, SC_NOT, SC_DROPOUT, SC_HOME = (
    range(9)
)
SCHOOLING_CODES = (
    "preschool",
    "primary",
    "junior",
    "senior",
    "vocational",
    "college",
    "not_in_school",
    "dropout",
    "home_schooling",
)

# The rule ids of the household adjudication, as bits of ``problems``.
RULES = (
    "income.below_line",
    "food.insufficient",
    "clothing.insufficient",
    "water.quality",
    "water.quantity",
    "water.convenience",
    "water.reliability",
    "education.dropout",
    "medical.uninsured",
    "medical.unaffordable",
    "housing.unsafe",
    "housing.relocation_not_moved_in",
)
R = {r: i for i, r in enumerate(RULES)}
# Problem mixes (one primary problem, a second one with probability SECOND_PROBLEM).
WRONGFUL_MIX = np.array([0.25, 0.03, 0.02, 0.04, 0.04, 0.04, 0.03, 0.07, 0.07, 0.08, 0.30, 0.03])
MISSED_MIX = np.array([0.45, 0.04, 0.03, 0.02, 0.02, 0.02, 0.02, 0.05, 0.05, 0.10, 0.20, 0.0])
EXCLUDED_MIX = np.array([0.0, 0.0, 0.0, 0.1, 0.1, 0.1, 0.1, 0.0, 0.3, 0.0, 0.3, 0.0])
SECOND_PROBLEM = 0.15

EXCLUSIONS = ("public_employee", "vehicle", "urban_property", "business", "village_cadre")
STREAMS = (
    "frame",
    "households",
    "members",
    "attributes",
    "labels",
    "items",
    "names",
    "ids",
    "rosters",
    "villages",
)


def county_streams(seed: int, index: int) -> dict[str, np.random.Generator]:
    """Independent generators per purpose, all derived from the one seed (SeedSequence spawn keys),
    so drawing more for one purpose (e.g. the truth) never shifts another (e.g. the registry)."""
    return {
        name: np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(index, k))))
        for k, name in enumerate(STREAMS)
    }


def any_per_household(flag: np.ndarray, hh_start: np.ndarray) -> np.ndarray:
    return np.logical_or.reduceat(flag, hh_start) if len(flag) else np.zeros(0, dtype=bool)


def count_per_household(flag: np.ndarray, hh_start: np.ndarray) -> np.ndarray:
    return np.add.reduceat(flag.astype(np.int64), hh_start) if len(flag) else np.zeros(0, dtype=np.int64)


def weighted_pick(
    rng: np.random.Generator, candidates: np.ndarray, weights: np.ndarray, k: int
) -> np.ndarray:
    """``k`` of ``candidates`` without replacement, probability ∝ weight (Efraimidis–Spirakis keys)."""
    k = int(min(k, len(candidates)))
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    keys = np.log(rng.random(len(candidates))) / weights
    return np.sort(candidates[np.argpartition(-keys, k - 1)[:k]])


def random_member(
    rng: np.random.Generator, sk: S.Skeleton, hh_idx: np.ndarray, eligible: np.ndarray
) -> np.ndarray:
    """One member per household in ``hh_idx`` among ``eligible`` members (-1 when none)."""
    if len(hh_idx) == 0:
        return np.zeros(0, dtype=np.int64)
    mark = np.zeros(len(sk.persons), dtype=bool)
    mark[hh_idx] = True
    cand = np.flatnonzero(mark[sk.hh] & eligible)
    out = np.full(len(sk.persons), -1, dtype=np.int64)
    if len(cand):
        keys = rng.random(len(cand))
        order = np.lexsort((keys, sk.hh[cand]))
        c = cand[order]
        first = np.ones(len(c), dtype=bool)
        first[1:] = sk.hh[c][1:] != sk.hh[c][:-1]
        out[sk.hh[c[first]]] = c[first]
    return out[hh_idx]


@dataclass
class County:
    """All arrays of one county (households ``h_*``, members ``m_*``) before they become tables."""

    spec: CountySpec
    frame: Frame
    h: dict[str, np.ndarray] = field(default_factory=dict)
    m: dict[str, np.ndarray] = field(default_factory=dict)
    sk: S.Skeleton | None = None
    surnames: np.ndarray | None = None
    name_draws: dict[str, np.ndarray] | None = None


def exit_year_weights(reference_year: int, county_exit_year: int) -> tuple[np.ndarray, np.ndarray]:
    years = np.arange(2014, reference_year + 1)
    w = np.exp(-(((years - 2017.5) / 2.0) ** 2))
    w = np.where(years > county_exit_year, 0.15 * w, w)
    return years, w / w.sum()


def _fix_registered_persons(
    rng: np.random.Generator, reg: np.ndarray, template: np.ndarray, pref: np.ndarray, target: int
) -> None:
    """Re-register households (in place) so registered members total exactly ``target``."""
    size = S.SIZES[template]
    cur = int(size[reg].sum())
    if cur > target:
        idx = np.flatnonzero(reg)
        cs = np.cumsum(size[idx])
        k = int(np.searchsorted(cs, target, side="right"))
        reg[idx[k:]] = False
        d = target - (int(cs[k - 1]) if k else 0)
        if d:
            reg[idx[k]] = True
            template[idx[k]] = S.RESIZE_TEMPLATE[d]
    elif cur < target:
        cand = np.flatnonzero(~reg)
        order = cand[np.argsort(-np.log(rng.random(len(cand))) / pref[cand], kind="stable")]
        cs = np.cumsum(size[order])
        need = target - cur
        k = int(np.searchsorted(cs, need, side="right"))
        if k >= len(order) and (k == 0 or cs[-1] < need):
            raise ValueError("the county has fewer persons than the registry target")
        reg[order[:k]] = True
        d = need - (int(cs[k - 1]) if k else 0)
        if d:
            reg[order[k]] = True
            template[order[k]] = S.RESIZE_TEMPLATE[d]


def generate(spec: CountySpec, params: SynthParams) -> County:
    """Draw the whole county (numbers only; strings are built by :mod:`.tables`)."""
    st = county_streams(params.seed, spec.index)
    surnames, surname_p = surname_table(spec.surname_boost)
    general_surnames, general_p = surname_table(())
    fr = build_frame(st["frame"], spec, params.reference_year, general_p)
    c = County(spec=spec, frame=fr, surnames=surnames)
    h, m = c.h, c.m
    n = len(fr.h_village)
    vi = fr.h_village

    # -- registration, poor type, structure ------------------------------------------------------
    rng = st["households"]
    lo, hi = params.registered_share
    share = rng.uniform(lo, hi)
    score = np.exp(0.9 * fr.v_poor + 0.35 * fr.v_latent + 0.3 * fr.v_minority)
    p_v = np.clip(share * score / (np.sum(score * fr.v_households) / n), 0.02, 0.85)
    reg = rng.random(n) < p_v[vi]
    u = rng.random(n)
    ptype = np.where(
        reg,
        np.where(u < 0.07, PT_TEKUN, np.where(u < 0.30, PT_DIBAO, PT_GENERAL)),
        np.where(u < 0.004, PT_TEKUN, np.where(u < 0.029, PT_DIBAO, PT_NONE)),
    )
    kind = np.select([ptype == PT_TEKUN, ptype == PT_DIBAO, reg], [2, 1, 0], 3)
    template = S.draw_templates(rng, kind)
    if spec.registered_persons is not None:
        _fix_registered_persons(rng, reg, template, p_v[vi], spec.registered_persons)
        ptype = np.where(reg & (ptype == PT_NONE), PT_GENERAL, ptype)
        ptype = np.where(~reg & (ptype == PT_GENERAL), PT_NONE, ptype)
    head_age = S.head_ages(rng, template)

    ref = params.reference_year
    pi_poor = rng.uniform(0.02, 0.045) if spec.exit_year >= ref else rng.uniform(0.005, 0.02)
    pi_ret = rng.uniform(0.002, 0.006)
    p_poor = pi_poor * np.where(fr.v_poor[vi], 1.4, 0.7) * np.where(ptype == PT_TEKUN, 1.5, 1.0)
    u = rng.random(n)
    status = np.where(
        ~reg, NONREG, np.where(u < p_poor, POOR, np.where(u < p_poor + pi_ret, RETURNED, EXITED))
    )
    years, wy = exit_year_weights(ref, spec.exit_year)
    exit_year = np.where(status == EXITED, rng.choice(years, size=n, p=wy), 0)
    monitored = (status == EXITED) & (rng.random(n) < 0.04)

    # -- members -----------------------------------------------------------------------------------
    sk = S.build_skeleton(st["members"], template, head_age)
    c.sk = sk
    rng = st["attributes"]
    nm = len(sk.hh)
    age = sk.age
    mh = sk.hh
    health = np.where(rng.random(nm) < np.select([age < 40, age < 60], [0.02, 0.10], 0.25), CHRONIC, HEALTHY)
    grade = np.zeros(nm, dtype=np.int64)
    p_dis = np.where(ptype == PT_TEKUN, 0.5, np.where(reg, 0.14, 0.045))
    dis_hh = np.flatnonzero(rng.random(n) < p_dis)
    who = random_member(rng, sk, dis_hh, np.ones(nm, dtype=bool))
    who = who[who >= 0]
    health[who] = DISABLED
    grade[who] = rng.choice([1, 2, 3, 4], size=len(who), p=[0.15, 0.25, 0.3, 0.3])
    ill_hh = np.flatnonzero(rng.random(n) < np.where(reg, 0.09, 0.025))
    who = random_member(rng, sk, ill_hh, (age >= 18) & (health != DISABLED))
    who = who[who >= 0]
    health[who] = SERIOUS

    # schooling by age
    u = rng.random(nm)
    school = np.select(
        [age <= 2, age <= 5, age == 6, age <= 12, age <= 14, age == 15, age <= 18, age <= 22],
        [
            SC_NOT,
            np.where(u < 0.75, SC_PRESCHOOL, SC_NOT),
            np.where(u < 0.6, SC_PRIMARY, SC_PRESCHOOL),
            np.where((age == 12) & (u < 0.4), SC_JUNIOR, SC_PRIMARY),
            SC_JUNIOR,
            np.where(u < 0.5, SC_JUNIOR, np.where(u < 0.9, SC_SENIOR, SC_VOCATIONAL)),
            np.where(u < 0.55, SC_SENIOR, np.where(u < 0.8, SC_VOCATIONAL, SC_NOT)),
            np.where(u < 0.35, SC_COLLEGE, SC_NOT),
        ],
        SC_NOT,
    )
    # severely disabled children of compulsory age are taught at home (送教上门)
    school = np.where(
        (health == DISABLED) & (grade <= 2) & (grade >= 1) & (age >= 6) & (age <= 15), SC_HOME, school
    )

    # -- household flags ---------------------------------------------------------------------------
    rng = st["attributes"]
    remote_v = fr.v_remote[vi]
    relocated = reg & (rng.random(n) < 0.03 + 0.12 * remote_v + 0.05 * fr.v_poor[vi])
    dangerous = np.where(reg, rng.random(n) < 0.18 + 0.1 * remote_v, rng.random(n) < 0.015)
    dangerous &= ~relocated

    # exclusion flags (大数据比对: 财政供养, 车辆, 商品房, 工商注册, 村干部)
    plain = ~reg & (ptype == PT_NONE)
    excl = {
        "public_employee": ~reg & (rng.random(n) < np.where(plain, 0.02, 0.003)),
        "vehicle": rng.random(n) < np.where(plain, 0.04, np.where(reg, 0.002, 0.01)),
        "urban_property": ~reg & (rng.random(n) < np.where(plain, 0.02, 0.004)),
        "business": ~reg & (rng.random(n) < np.where(plain, 0.02, 0.004)),
    }
    # 3–5 village cadres per village, from non-registered households
    key = np.where(plain, rng.random(n), 2.0)
    order = np.lexsort((key, vi))
    first = np.r_[0, np.flatnonzero(np.diff(vi[order])) + 1]
    rank = np.arange(n) - np.repeat(first, np.diff(np.r_[first, n]))
    k_cadre = rng.integers(3, 6, size=len(fr.v_name))
    cadre = np.zeros(n, dtype=bool)
    sel = order[(rank < k_cadre[vi[order]]) & (key[order] < 2.0)]
    cadre[sel] = True
    excl["village_cadre"] = cadre
    excluded = np.zeros(n, dtype=bool)
    for v in excl.values():
        excluded |= v

    def flags() -> dict[str, np.ndarray]:
        labour_any = any_per_household(np.isin(m["labour"], (L_NORMAL, L_SKILLED, L_WEAK)), sk.hh_start)
        return {
            "disabled": any_per_household(health == DISABLED, sk.hh_start),
            "seriously_ill": any_per_household(health == SERIOUS, sk.hh_start),
            "no_labour": ~labour_any,
            "elderly_alone": (sk.persons == 1) & (head_age >= 60),
        }

    def labour_of() -> np.ndarray:
        u = st["attributes"].random(nm)
        student = np.isin(
            school, (SC_PRIMARY, SC_JUNIOR, SC_SENIOR, SC_VOCATIONAL, SC_COLLEGE, SC_PRESCHOOL, SC_HOME)
        )
        lab = np.full(nm, L_NONE)
        adult = (age >= 16) & (age <= 64) & ~student
        lab = np.where(adult, np.where(u < 0.2, L_SKILLED, L_NORMAL), lab)
        lab = np.where((age >= 60) & (age <= 69) & (u < 0.5), L_WEAK, lab)
        lab = np.where(adult & (health == CHRONIC) & (u < 0.4), L_WEAK, lab)
        lab = np.where(adult & ((health == SERIOUS) | ((health == DISABLED) & (grade <= 2))), L_LOST, lab)
        lab = np.where(adult & (health == DISABLED) & (grade >= 3), L_WEAK, lab)
        return lab

    m["labour"] = labour_of()
    fl = flags()

    # -- labels ----------------------------------------------------------------------------------------
    rng = st["labels"]
    dibao = ptype == PT_DIBAO
    tekun = ptype == PT_TEKUN
    focus = (
        dibao
        | tekun
        | fl["disabled"]
        | fl["seriously_ill"]
        | dangerous
        | fl["no_labour"]
        | fl["elderly_alone"]
    )
    exited = np.flatnonzero(status == EXITED)
    weak_v = fr.weak[vi]
    k_w = round(params.wrongful_exit_rate * len(exited))
    w_w = 1.0 + 1.0 * weak_v[exited] + 1.0 * focus[exited]
    wrongful_idx = weighted_pick(rng, exited, w_w, k_w)
    nonreg = np.flatnonzero(status == NONREG)
    k_m = round(params.missed_rate * len(nonreg))
    cand = nonreg[~excluded[nonreg]]
    missed_idx = weighted_pick(rng, cand, np.where(focus[cand], 40.0, 1.0), k_m)
    tricky = nonreg[excluded[nonreg] & (rng.random(len(nonreg)) < 0.08)]

    compulsory = (age >= 6) & (age <= 15)
    clear_child = (age >= 8) & (age <= 14) & (school != SC_HOME)
    has_clear_child = any_per_household(clear_child, sk.hh_start)

    problems = np.zeros(n, dtype=np.int64)

    def assign(idx: np.ndarray, mix: np.ndarray) -> None:
        if len(idx) == 0:
            return
        p = mix / mix.sum()
        first = rng.choice(len(RULES), size=len(idx), p=p)
        second = rng.choice(len(RULES), size=len(idx), p=p)
        second = np.where((rng.random(len(idx)) < SECOND_PROBLEM) & (second != first), second, -1)
        for col in (first, second):
            ok = col >= 0
            # infeasible problems fall back to unsafe housing
            bad = ok & (col == R["education.dropout"]) & ~has_clear_child[idx]
            bad |= ok & (col == R["housing.relocation_not_moved_in"]) & ~reg[idx]
            col = np.where(bad, R["housing.unsafe"], col)
            problems[idx[ok]] |= np.left_shift(1, col[ok])

    assign(wrongful_idx, WRONGFUL_MIX)
    assign(missed_idx, MISSED_MIX)
    assign(tricky, EXCLUDED_MIX)
    # registered poor and returned households: income mostly below the line, some unfinished houses
    poorish = np.flatnonzero((status == POOR) | (status == RETURNED))
    below = (status[poorish] == RETURNED) | (rng.random(len(poorish)) < 0.8)
    problems[poorish[below]] |= 1 << R["income.below_line"]
    unfinished = poorish[rng.random(len(poorish)) < 0.1]
    problems[unfinished] |= 1 << R["housing.unsafe"]

    def has(rule: str) -> np.ndarray:
        return (problems >> R[rule]) & 1 == 1

    # a relocated household not moved in lives in its old (grade B) house: not also 'unsafe'
    problems[has("housing.relocation_not_moved_in")] &= ~(1 << R["housing.unsafe"])

    # make the world agree with the problems
    unaff = np.flatnonzero(has("medical.unaffordable") & ~fl["seriously_ill"])
    who = random_member(rng, sk, unaff, (age >= 18) & (health != DISABLED))
    who2 = random_member(rng, sk, unaff, np.ones(nm, dtype=bool))
    who = np.where(who >= 0, who, who2)
    health[who] = SERIOUS
    grade[who] = 0
    relocated = np.where(has("housing.relocation_not_moved_in"), True, relocated)
    relocated = np.where(has("housing.unsafe"), False, relocated)
    dangerous = np.where(has("housing.relocation_not_moved_in"), False, dangerous)
    missed_mask = np.zeros(n, dtype=bool)
    missed_mask[missed_idx] = True
    dangerous = np.where(has("housing.unsafe") & (reg | missed_mask) & (rng.random(n) < 0.7), True, dangerous)

    # dropouts: one clear compulsory-age child leaves school
    drop_hh = np.flatnonzero(has("education.dropout"))
    drop_child = random_member(rng, sk, drop_hh, clear_child)
    school[drop_child] = SC_DROPOUT
    # exception: 送教上门 — a severely disabled child of compulsory age taught at home
    cand = np.flatnonzero(
        has_clear_child & ~has("education.dropout") & (rng.random(n) < np.where(reg, 0.004, 0.001))
    )
    home_child = random_member(rng, sk, cand, clear_child)
    health[home_child] = DISABLED
    grade[home_child] = rng.choice([1, 2], size=len(home_child))
    school[home_child] = SC_HOME
    # uninsured member
    unins_hh = np.flatnonzero(has("medical.uninsured"))
    unins = random_member(rng, sk, unins_hh, np.ones(nm, dtype=bool))
    basic = np.ones(nm, dtype=bool)
    basic[unins] = False

    m["labour"] = labour_of()
    fl = flags()

    h.update(
        registered=reg,
        status=status,
        exit_year=exit_year,
        poor_type=ptype,
        template=template,
        head_age=head_age,
        monitored=monitored,
        relocated=relocated,
        dangerous_house=dangerous,
        dibao=ptype == PT_DIBAO,
        tekun=ptype == PT_TEKUN,
        problems=problems,
        excluded=excluded,
        wrongful_exit=np.isin(np.arange(n), wrongful_idx),
        missed=missed_mask,
        has_compulsory_child=any_per_household(compulsory, sk.hh_start),
        dropout_count=count_per_household(school == SC_DROPOUT, sk.hh_start),
        home_schooling=any_per_household(school == SC_HOME, sk.hh_start),
        persons=sk.persons,
        **fl,
        **excl,
    )
    m.update(health=health, grade=grade, school=school, basic=basic)

    # -- names and ID numbers (random parts for everyone; strings later) ---------------------------------
    rng = st["names"]
    style = fr.v_style[vi]
    dom = fr.v_dominant[vi]
    u = rng.random(n)
    # the general table is a prefix of the boosted one, so both index ``surnames``
    own_minority = rng.choice(len(surnames), size=n, p=surname_p)
    own_general = rng.choice(len(general_surnames), size=n, p=general_p)
    minority_h = fr.v_minority[vi]
    own = np.where(minority_h, own_minority, own_general)
    head_s = np.where(u < 0.3, dom[:, 0], np.where(u < 0.45, dom[:, 1], own))
    spouse_s = np.where(
        minority_h,
        rng.choice(len(surnames), size=n, p=surname_p),
        rng.choice(len(general_surnames), size=n, p=general_p),
    )
    achsp_s = rng.choice(len(general_surnames), size=n, p=general_p)
    mother_s = rng.choice(len(general_surnames), size=n, p=general_p)
    # children take the father's surname: the head's, or the spouse's when the head is a woman
    has_spouse = any_per_household(sk.role == S.SPOUSE, sk.hh_start)
    father_line = np.where(sk.head_female & has_spouse, spouse_s, head_s)
    role = sk.role
    sname = np.select(
        [
            role == S.HEAD,
            role == S.SPOUSE,
            (role == S.CHILD) | (role == S.ACHILD),
            role == S.ACHILD_SP,
            role == S.FATHER,
            role == S.MOTHER,
        ],
        [head_s[mh], spouse_s[mh], father_line[mh], achsp_s[mh], head_s[mh], mother_s[mh]],
        0,
    )
    g = role == S.GRANDCHILD
    through_son = sk.achild_male[mh]
    has_ac = S.HAS_ACHILD[template][mh]
    sname = np.where(
        g, np.where(has_ac, np.where(through_son, father_line[mh], achsp_s[mh]), father_line[mh]), sname
    )
    m["surname"] = sname
    m["style"] = style[mh]
    m["through_son"] = through_son | ~has_ac
    c.name_draws = given_name_draws(rng, sk.male, ref - age)

    rng = st["ids"]
    births = birth_dates(rng, age, ref)
    region = np.full(nm, int(spec.county_code), dtype=np.int64)
    seq = id_sequences(rng, region, births.astype(np.int64), sk.male)
    m["birth"] = births
    m["id17"] = id_first17(region, births, seq, sk.male)
    return c
