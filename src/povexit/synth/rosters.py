"""Other departments' lists (rosters.csv): 民政低保, 特困供养, 残联, 住建危房, 卫健大病, 医保 (people
who point to possibly missed poor) and the exclusion lists 财政供养人员, 车辆, 商品房, 工商注册, 村干部.

Vulnerability lists cover registered and non-registered people alike (so they overlap the registry
only partly) and are incomplete (each department misses a few); exclusion lists are complete: a
household has an exclusion flag in the truth exactly when one of its members is on that list.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .county import DISABLED, SERIOUS, County, random_member
from .structure import HEAD

DISABILITY_KINDS = np.array(["肢体", "视力", "听力", "言语", "智力", "精神", "多重"], dtype=object)
DISEASES = np.array(
    [
        "恶性肿瘤",
        "尿毒症",
        "重性精神病",
        "白血病",
        "先天性心脏病",
        "脑卒中后遗症",
        "耐药结核病",
        "慢性肾衰竭",
    ],
    dtype=object,
)
PUBLIC_JOBS = np.array(["教师", "乡镇公务员", "事业单位职工", "卫生院职工"], dtype=object)
CADRE_ROLES = np.array(
    ["村委会委员", "村党支部书记", "村委会主任", "村民小组长", "村务监督委员会委员"], dtype=object
)

# source (written as departments write it), coverage of the list
VULNERABILITY = (
    ("民政低保", 0.95),
    ("特困供养", 0.95),
    ("残联", 0.9),
    ("住建危房", 0.95),
    ("卫健大病", 0.85),
    ("医保", 0.8),
)
EXCLUSION = (
    ("财政供养人员", "public_employee"),
    ("车辆", "vehicle"),
    ("商品房", "urban_property"),
    ("工商注册", "business"),
    ("村干部", "village_cadre"),
)


@dataclass
class RosterRows:
    member: np.ndarray  # member index
    source: np.ndarray  # object
    detail: np.ndarray  # object


def roster_rows(c: County, items: dict[str, np.ndarray], rng: np.random.Generator) -> RosterRows:
    h, m, sk = c.h, c.m, c.sk
    assert sk is not None
    head = sk.hh_start
    members: list[np.ndarray] = []
    sources: list[np.ndarray] = []
    details: list[np.ndarray] = []

    def add(idx: np.ndarray, source: str, detail: np.ndarray, coverage: float = 1.0) -> None:
        keep = rng.random(len(idx)) < coverage
        members.append(idx[keep])
        sources.append(np.full(int(keep.sum()), source, dtype=object))
        details.append(np.asarray(detail, dtype=object)[keep])

    persons = h["persons"]
    dib = np.flatnonzero(h["dibao"])
    add(
        head[dib],
        "民政低保",
        np.array([f"农村低保，保障{p}人" for p in persons[dib].tolist()], dtype=object),
        0.95,
    )
    tk = np.flatnonzero(h["tekun"])
    care = items["housing_substitute"][tk] == "collective_care"
    add(head[tk], "特困供养", np.where(care, "集中供养", "分散供养"), 0.95)
    dis = np.flatnonzero(m["health"] == DISABLED)
    kinds = DISABILITY_KINDS[rng.integers(0, len(DISABILITY_KINDS), len(dis))]
    add(
        dis,
        "残联",
        np.array(
            [f"{k}残疾{g}级" for k, g in zip(kinds.tolist(), m["grade"][dis].tolist(), strict=True)],
            dtype=object,
        ),
        0.9,
    )
    dh = np.flatnonzero(h["dangerous_house"])
    grade = items["housing_grade"][dh]
    rebuilt = items["renovated"][dh] & (items["renovation_occupied"][dh] == True)  # noqa: E712
    grade_txt = np.where(np.isin(grade, ("C", "D")), grade, np.where(rng.random(len(dh)) < 0.5, "C", "D"))
    add(
        head[dh],
        "住建危房",
        np.array(
            [
                f"{g}级危房，{'已改造' if r else '未改造'}"
                for g, r in zip(grade_txt.tolist(), rebuilt.tolist(), strict=True)
            ],
            dtype=object,
        ),
        0.95,
    )
    ill = np.flatnonzero(m["health"] == SERIOUS)
    add(
        ill,
        "卫健大病",
        np.array(
            [f"大病：{d}" for d in DISEASES[rng.integers(0, len(DISEASES), len(ill))].tolist()], dtype=object
        ),
        0.85,
    )
    unins = np.flatnonzero(~m["basic"])
    add(unins, "医保", np.full(len(unins), "未参加城乡居民基本医疗保险", dtype=object), 0.8)

    # exclusion lists: one adult member of each flagged household, complete
    age = sk.age
    adult = (age >= 22) & (age <= 59)
    for source, flag in EXCLUSION:
        hh = np.flatnonzero(h[flag])
        if flag in ("public_employee", "village_cadre"):
            cand = adult & ((sk.role == HEAD) | (rng.random(len(age)) < 0.5))
            who = random_member(rng, sk, hh, cand)
            who = np.where(who >= 0, who, head[hh])
        else:
            who = head[hh]
        if flag == "public_employee":
            detail = np.array(
                [f"财政供养人员（{j}）" for j in PUBLIC_JOBS[rng.integers(0, 4, len(hh))].tolist()],
                dtype=object,
            )
        elif flag == "vehicle":
            detail = np.where(rng.random(len(hh)) < 0.8, "小型普通客车 1 辆", "重型货车 1 辆")
        elif flag == "urban_property":
            detail = np.full(len(hh), "县城商品房 1 套", dtype=object)
        elif flag == "business":
            detail = np.where(rng.random(len(hh)) < 0.7, "个体工商户经营者", "有限责任公司法定代表人")
        else:
            detail = CADRE_ROLES[rng.integers(0, len(CADRE_ROLES), len(hh))]
        add(who, source, detail)

    return RosterRows(
        member=np.concatenate(members) if members else np.zeros(0, dtype=np.int64),
        source=np.concatenate(sources) if sources else np.zeros(0, dtype=object),
        detail=np.concatenate(details) if details else np.zeros(0, dtype=object),
    )
