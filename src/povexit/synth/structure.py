"""Household structures: templates of members (户主, 配偶, 之子 …) with consistent ages and sexes.

A household draws a template (by its kind: registered, 低保, 特困, ordinary) and a head age inside
the template's range; members' ages follow the head's (spouse within a few years, children 20–35
years younger, parents 20–35 years older, grandchildren a generation below the adult child).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Member roles.
HEAD, SPOUSE, CHILD, ACHILD, ACHILD_SP, GRANDCHILD, FATHER, MOTHER = range(8)


@dataclass(frozen=True)
class Template:
    name: str
    roles: tuple[int, ...]
    head_lo: int
    head_hi: int
    head_female: float  # probability the head is a woman


def _templates() -> tuple[Template, ...]:
    t: list[Template] = [
        Template("single_elder", (HEAD,), 60, 88, 0.45),
        Template("elder_couple", (HEAD, SPOUSE), 60, 84, 0.04),
        Template("single_adult", (HEAD,), 25, 59, 0.2),
        Template("couple", (HEAD, SPOUSE), 22, 59, 0.04),
    ]
    for k in (1, 2, 3, 4):
        t.append(Template(f"nuclear{k}", (HEAD, SPOUSE) + (CHILD,) * k, 24, 58, 0.04))
    for k in (1, 2, 3):
        t.append(Template(f"lone_parent{k}", (HEAD,) + (CHILD,) * k, 26, 60, 0.35))
    for k in (0, 1, 2):
        t.append(Template(f"with_parents{k}", (HEAD, SPOUSE, FATHER, MOTHER) + (CHILD,) * k, 28, 50, 0.03))
    for k in (0, 1, 2, 3):
        t.append(Template(f"with_mother{k}", (HEAD, SPOUSE, MOTHER) + (CHILD,) * k, 28, 52, 0.03))
    for k in (0, 1, 2, 3):
        t.append(
            Template(f"three_gen{k}", (HEAD, SPOUSE, ACHILD, ACHILD_SP) + (GRANDCHILD,) * k, 52, 76, 0.04)
        )
    for k in (1, 2):
        t.append(Template(f"widow_three_gen{k}", (HEAD, ACHILD, ACHILD_SP) + (GRANDCHILD,) * k, 55, 80, 0.6))
    for k in (1, 2):
        t.append(Template(f"skipped{k}", (HEAD, SPOUSE) + (GRANDCHILD,) * k, 55, 75, 0.04))
    return tuple(t)


TEMPLATES = _templates()
TEMPLATE_INDEX = {t.name: i for i, t in enumerate(TEMPLATES)}
SIZES = np.array([len(t.roles) for t in TEMPLATES], dtype=np.int64)
HEAD_LO = np.array([t.head_lo for t in TEMPLATES], dtype=np.int64)
HEAD_HI = np.array([t.head_hi for t in TEMPLATES], dtype=np.int64)
HEAD_FEMALE = np.array([t.head_female for t in TEMPLATES])
_FLAT_ROLES = np.array([r for t in TEMPLATES for r in t.roles], dtype=np.int64)
_STARTS = np.concatenate([[0], np.cumsum(SIZES)[:-1]])
HAS_ACHILD = np.array([ACHILD in t.roles for t in TEMPLATES])

# Household kinds and their template weights (by family; spread evenly over sizes within).
KINDS = ("registered", "dibao", "tekun", "ordinary")
_WEIGHTS: dict[str, dict[str, float]] = {
    "registered": {
        "single_elder": 0.07,
        "elder_couple": 0.10,
        "single_adult": 0.04,
        "couple": 0.05,
        "nuclear1": 0.10,
        "nuclear2": 0.12,
        "nuclear3": 0.06,
        "nuclear4": 0.02,
        "lone_parent1": 0.025,
        "lone_parent2": 0.02,
        "lone_parent3": 0.005,
        "with_parents0": 0.01,
        "with_parents1": 0.015,
        "with_parents2": 0.015,
        "with_mother0": 0.015,
        "with_mother1": 0.03,
        "with_mother2": 0.03,
        "with_mother3": 0.01,
        "three_gen0": 0.04,
        "three_gen1": 0.07,
        "three_gen2": 0.07,
        "three_gen3": 0.02,
        "widow_three_gen1": 0.03,
        "widow_three_gen2": 0.02,
        "skipped1": 0.04,
        "skipped2": 0.03,
    },
    "dibao": {
        "single_elder": 0.18,
        "elder_couple": 0.16,
        "single_adult": 0.10,
        "couple": 0.06,
        "nuclear1": 0.08,
        "nuclear2": 0.07,
        "nuclear3": 0.02,
        "lone_parent1": 0.06,
        "lone_parent2": 0.04,
        "with_mother1": 0.04,
        "with_mother2": 0.02,
        "three_gen1": 0.04,
        "three_gen2": 0.03,
        "widow_three_gen1": 0.04,
        "skipped1": 0.06,
        "skipped2": 0.04,
    },
    "tekun": {"single_elder": 0.78, "single_adult": 0.2, "elder_couple": 0.02},
    "ordinary": {
        "single_elder": 0.04,
        "elder_couple": 0.07,
        "single_adult": 0.03,
        "couple": 0.06,
        "nuclear1": 0.15,
        "nuclear2": 0.18,
        "nuclear3": 0.05,
        "nuclear4": 0.01,
        "lone_parent1": 0.015,
        "lone_parent2": 0.01,
        "lone_parent3": 0.003,
        "with_parents0": 0.01,
        "with_parents1": 0.02,
        "with_parents2": 0.02,
        "with_mother0": 0.01,
        "with_mother1": 0.03,
        "with_mother2": 0.03,
        "with_mother3": 0.007,
        "three_gen0": 0.03,
        "three_gen1": 0.07,
        "three_gen2": 0.07,
        "three_gen3": 0.015,
        "widow_three_gen1": 0.02,
        "widow_three_gen2": 0.015,
        "skipped1": 0.03,
        "skipped2": 0.02,
    },
}


def _probs(kind: str) -> np.ndarray:
    p = np.zeros(len(TEMPLATES))
    for name, w in _WEIGHTS[kind].items():
        p[TEMPLATE_INDEX[name]] = w
    return p / p.sum()


TEMPLATE_PROBS = np.vstack([_probs(k) for k in KINDS])  # kind × template

# The template a household of exactly n members is given when the registry total must be hit exactly.
RESIZE_TEMPLATE = (
    {1: TEMPLATE_INDEX["single_adult"], 2: TEMPLATE_INDEX["couple"]}
    | {2 + k: TEMPLATE_INDEX[f"nuclear{k}"] for k in (1, 2, 3, 4)}
    | {7: TEMPLATE_INDEX["three_gen3"]}
)


def draw_templates(rng: np.random.Generator, kind: np.ndarray) -> np.ndarray:
    """Template index per household; ``kind`` indexes :data:`KINDS`."""
    cum = np.cumsum(TEMPLATE_PROBS, axis=1)
    u = rng.random(len(kind))
    t = (u[:, None] > cum[kind]).sum(axis=1)
    return np.minimum(t, len(TEMPLATES) - 1)


@dataclass
class Skeleton:
    """Members of all households: parallel arrays (member order = household order, head first)."""

    hh: np.ndarray  # household index
    member_no: np.ndarray  # 1-based within household
    role: np.ndarray
    male: np.ndarray
    age: np.ndarray
    hh_start: np.ndarray  # first member of each household
    persons: np.ndarray  # per household
    head_female: np.ndarray  # per household
    achild_male: np.ndarray  # per household: the adult child (and the line of grandchildren) is a son


def head_ages(rng: np.random.Generator, template: np.ndarray) -> np.ndarray:
    lo, hi = HEAD_LO[template], HEAD_HI[template]
    return lo + (rng.random(len(template)) * (hi - lo + 1)).astype(np.int64)


def build_skeleton(rng: np.random.Generator, template: np.ndarray, head_age: np.ndarray) -> Skeleton:
    n_hh = len(template)
    sizes = SIZES[template]
    total = int(sizes.sum())
    hh = np.repeat(np.arange(n_hh), sizes)
    hh_start = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    pos = np.arange(total) - hh_start[hh]
    role = _FLAT_ROLES[_STARTS[template][hh] + pos]

    # household-level draws
    head_female = rng.random(n_hh) < HEAD_FEMALE[template]
    spouse_gap = np.rint(rng.normal(2.0, 2.5, n_hh)).astype(np.int64)
    achild_base = head_age - 22 - (rng.random(n_hh) * 11).astype(np.int64)  # 22–32 years younger
    achild_male = rng.random(n_hh) < 0.88
    parent_base = head_age + 22 + (rng.random(n_hh) * 11).astype(np.int64)
    # member-level draws
    u1 = rng.random(total)
    u2 = rng.random(total)
    noise = rng.normal(0.0, 2.0, total)

    ha = head_age[hh]
    age = np.zeros(total, dtype=np.int64)
    male = np.zeros(total, dtype=bool)

    m = role == HEAD
    age[m] = ha[m]
    male[m] = ~head_female[hh][m]
    m = role == SPOUSE
    hm = ~head_female[hh][m]
    age[m] = np.where(hm, ha[m] - spouse_gap[hh][m], ha[m] + spouse_gap[hh][m])
    male[m] = ~hm
    m = role == CHILD  # 20–35 years younger than the head, never negative
    lo = np.maximum(0, ha[m] - 35)
    hi = np.maximum(lo, ha[m] - 20)
    age[m] = lo + (u1[m] * (hi - lo + 1)).astype(np.int64)
    male[m] = u2[m] < 0.52
    m = role == ACHILD
    age[m] = achild_base[hh][m]
    male[m] = achild_male[hh][m]
    m = role == ACHILD_SP
    age[m] = achild_base[hh][m] + np.rint(noise[m]).astype(np.int64)
    male[m] = ~achild_male[hh][m]
    m = role == GRANDCHILD  # a generation below the adult child (or 42–60 below the head when skipped)
    has_ac = HAS_ACHILD[template][hh][m]
    ref = np.where(has_ac, achild_base[hh][m], ha[m] - 22)
    lo = np.maximum(0, ref - 35)
    hi = np.clip(ref - 20, 0, None)
    hi = np.where(has_ac, hi, np.minimum(hi, 17))
    lo = np.minimum(lo, hi)
    age[m] = lo + (u1[m] * (hi - lo + 1)).astype(np.int64)
    male[m] = u2[m] < 0.53
    m = role == FATHER
    age[m] = parent_base[hh][m] + (u1[m] * 3).astype(np.int64)
    male[m] = True
    m = role == MOTHER
    age[m] = parent_base[hh][m] - (u1[m] * 3).astype(np.int64)
    male[m] = False

    age = np.clip(age, 0, 100)
    # spouses of adults are adults
    adult_roles = (role == SPOUSE) | (role == ACHILD_SP)
    age = np.where(adult_roles, np.maximum(age, 18), age)
    return Skeleton(
        hh=hh,
        member_no=pos + 1,
        role=role,
        male=male,
        age=age,
        hh_start=hh_start,
        persons=sizes,
        head_female=head_female,
        achild_male=achild_male,
    )


RELATION_ZH = {
    (HEAD, True): "户主",
    (HEAD, False): "户主",
    (SPOUSE, True): "配偶",
    (SPOUSE, False): "配偶",
    (CHILD, True): "之子",
    (CHILD, False): "之女",
    (ACHILD, True): "之子",
    (ACHILD, False): "之女",
    (ACHILD_SP, True): "之女婿",
    (ACHILD_SP, False): "之儿媳",
    (FATHER, True): "之父",
    (MOTHER, False): "之母",
}


def relations(role: np.ndarray, male: np.ndarray, achild_male_of_member: np.ndarray) -> np.ndarray:
    """与户主关系 of each member (grandchildren through a daughter are 之外孙子/之外孙女)."""
    out = np.full(len(role), "其他", dtype="<U4")
    for (r, mm), txt in RELATION_ZH.items():
        out[(role == r) & (male == mm)] = txt
    g = role == GRANDCHILD
    through_son = achild_male_of_member
    out[g & male & through_son] = "之孙子"
    out[g & ~male & through_son] = "之孙女"
    out[g & male & ~through_son] = "之外孙子"
    out[g & ~male & ~through_son] = "之外孙女"
    return out
