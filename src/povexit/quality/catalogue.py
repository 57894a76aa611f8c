"""The check catalogue: every quality check has a stable id, a category, a severity, a Chinese and an
English description and the parameters it uses. Ids are part of the output (``flags.csv`` ``check``
column, ``quality.json``); never rename one.

Severity ``error``: the record cannot be right as it stands (an interview that ends before it starts,
the same enumerator in two interviews at once, one person in two households); ``warning``: implausible,
to be looked at and possibly re-interviewed (三级核查).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Check:
    id: str
    category: str  # duration | timing | gps | duplicate | registry | enumerator
    severity: Severity
    zh: str
    en: str
    params: tuple[str, ...] = ()
    level: Literal["submission", "enumerator"] = "submission"

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "category": self.category, "severity": self.severity, "zh": self.zh, "en": self.en,
                "params": list(self.params), "level": self.level}


_ALL = (
    # 1. duration and time of day
    Check("duration.missing", "duration", "warning", "缺少开始或结束时间", "Start or end time missing"),
    Check("duration.negative", "duration", "error", "结束时间早于开始时间", "Interview ends before it starts"),
    Check("duration.too_short", "duration", "warning", "访问时长过短（按问卷类型设定下限）",
          "Interview too short for its questionnaire", ("min_minutes", "min_minutes_other")),
    Check("duration.too_long", "duration", "warning", "访问时长过长，不合常理", "Implausibly long interview",
          ("max_minutes",)),
    Check("duration.outside_day", "duration", "warning", "访问不在正常工作时段内（过早、过晚或跨夜）",
          "Interview outside the fieldwork day (too early, too late or overnight)", ("day_start", "day_end")),
    Check("duration.late_submission", "duration", "warning", "访问结束后很久才提交（未能当天汇总）",
          "Submitted long after the interview (missed the same-day summary)", ("max_submit_delay_hours",)),
    Check("duration.device_clock", "duration", "warning", "提交时间早于访问结束时间：调查设备时钟可能有误",
          "Received before the interview ended: the device clock is probably wrong", ("clock_tolerance_minutes",)),
    # 2. enumerators
    Check("timing.overlap", "timing", "error", "同一调查员同时在两户访问（时间重叠）",
          "The same enumerator in two interviews at once (overlapping times)", ("overlap_tolerance_minutes",)),
    Check("timing.too_many_per_day", "timing", "warning", "调查员一天完成的问卷超过合理上限",
          "More interviews in one day than an enumerator can do", ("max_interviews_per_day",)),
    # 3. GPS
    Check("gps.missing", "gps", "warning", "问卷没有定位", "No GPS point"),
    Check("gps.low_accuracy", "gps", "warning", "定位精度太差", "GPS accuracy too poor", ("gps_max_accuracy_m",)),
    Check("gps.far_from_village", "gps", "warning", "定位远离本村其他受访户（稳健中心）",
          "GPS point far from the village's other interviews (robust centre)",
          ("gps_far_km", "gps_min_village_points")),
    Check("gps.identical", "gps", "warning", "多户问卷的定位完全相同（可能未入户）",
          "Identical GPS point for several households (interviews possibly not at home)",
          ("gps_identical_min", "gps_identical_decimals")),
    # 4. duplicates
    Check("duplicate.household", "duplicate", "error", "同一户有两份被接受的问卷",
          "The same household has two accepted interviews"),
    Check("duplicate.household_rejected", "duplicate", "warning", "该户被重复调查，另一份问卷在导入时已剔除",
          "The household was interviewed twice; ingest rejected the other interview"),
    Check("duplicate.answers", "duplicate", "warning", "与同一调查员的另一份问卷答案几乎完全相同（疑似抄袭）",
          "Answers nearly identical to another interview by the same enumerator (possible copying)",
          ("copy_min_similarity", "copy_min_fields")),
    Check("duplicate.member_id", "duplicate", "error", "同一身份证号出现在两户问卷中",
          "The same ID number listed in two households"),
    Check("duplicate.member_id_within", "duplicate", "warning", "同一身份证号在一户的成员中出现两次",
          "The same ID number twice among one household's members"),
    # 6. registry
    Check("registry.household_unknown", "registry", "warning", "建档立卡户问卷的户编号不在名册中",
          "Registered-household interview whose household ID is not in the registry"),
    Check("registry.persons_differ", "registry", "warning", "调查人口与名册人口相差过多",
          "Household size differs from the registry", ("max_persons_difference",)),
    Check("registry.members_differ", "registry", "warning", "家庭成员身份证号与名册不一致",
          "Members' ID numbers do not match the registry"),
    Check("registry.name_differs", "registry", "warning", "同一身份证号的姓名与名册不一致",
          "Name differs from the registry for the same ID number"),
    Check("registry.income_far_below", "registry", "warning", "已脱贫户调查收入远低于名册登记收入",
          "Exited household reports income far below its registered income", ("income_ratio",)),
    Check("registry.general_member_registered", "registry", "warning", "非建档立卡户问卷中有建档立卡人员",
          "A non-registered household lists a registered person"),
    # 5. enumerator statistics (one row per enumerator or pair in enumerator_flags.csv)
    Check("enumerator.no_problem_share", "enumerator", "warning", "“无问题”问卷比例与同村同事差异显著",
          "Share of interviews with no problem reported differs from colleagues",
          ("min_interviews", "robust_z", "alpha", "adjust_for_village"), "enumerator"),
    Check("enumerator.approval_share", "enumerator", "warning", "“认可”比例与同村同事差异显著",
          "Approval share differs from colleagues", ("min_interviews", "robust_z", "alpha", "adjust_for_village"),
          "enumerator"),
    Check("enumerator.nonresponse_share", "enumerator", "warning", "未访成功（找不到、拒访）比例与同事差异显著",
          "Share of non-interviews (not found, refused) differs from colleagues",
          ("min_interviews", "robust_z", "alpha", "adjust_for_village"), "enumerator"),
    Check("enumerator.missing_share", "enumerator", "warning", "漏答（应答未答）比例与同事差异显著",
          "Share of skipped answers differs from colleagues",
          ("min_interviews", "robust_z", "alpha", "adjust_for_village"), "enumerator"),
    Check("enumerator.income", "enumerator", "warning", "记录的人均纯收入与同村同事差异显著",
          "Recorded income per head differs from colleagues in the same villages",
          ("min_interviews", "robust_z", "alpha", "adjust_for_village"), "enumerator"),
    Check("enumerator.duration", "enumerator", "warning", "访问时长与同事差异显著",
          "Interview durations differ from colleagues", ("min_interviews", "robust_z", "alpha", "adjust_for_village"),
          "enumerator"),
)

CHECKS: dict[str, Check] = {c.id: c for c in _ALL}


def check(check_id: str) -> Check:
    return CHECKS[check_id]


def catalogue_dicts() -> list[dict[str, object]]:
    return [c.to_dict() for c in _ALL]
