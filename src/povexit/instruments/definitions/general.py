"""非贫困户（非建档立卡户）入户调查问卷 (seed 002 附件3), non-registered household questionnaire.

Households come from two places: listed ones (roster hits and listed frame households, in the
``households.csv`` attachment) and the census of chosen village groups (``groups.csv``), where every
non-registered household is visited and identified by the number of its household register (户口簿户号).
"""

from __future__ import annotations

from ..formdef import FORM_VERSION, FormDef, Node, Question, calc, group, integer, s1, sm, text, yn
from . import choices as C
from .household import (
    COMPLETED,
    approval,
    covid,
    education,
    evidence,
    food_clothing,
    gps,
    household_info,
    housing,
    income,
    interview_result,
    medical,
    meta,
    village_pick,
    water,
)

LISTED = "${household_listed} = 'yes'"
UNLISTED = "${household_listed} = 'no'"


def household_pick() -> list[Node]:
    return [
        yn("household_listed", "该户是否在调查名单中", "Is the household on the survey list?",
           hint_zh="普查村民小组中名单以外的农户选“否”", hint_en="Choose 'no' for other households of a census group"),
        Question(type="select_one_from_file households.csv", name="household_pick", zh="名单中的农户（户主）",
                 en="Listed household (head)", required=True, relevant=LISTED,
                 choice_filter="village_id = ${village_id} and instrument = 'general'"),
        Question(type="select_one_from_file groups.csv", name="census_group", zh="普查村民小组", en="Census village group",
                 required=True, relevant=UNLISTED, choice_filter="village_id = ${village_id}"),
        text("hukou_no", "户口簿户号", "Household-register number (户号)", required=True, relevant=UNLISTED,
             constraint="regex(., '^[A-Za-z0-9-]{4,30}$')",
             cmsg_zh="户号为 4–30 位字母、数字或短横线", cmsg_en="4–30 letters, digits or dashes",
             hint_zh="抄录户口簿首页的户号", hint_en="Copy it from the first page of the household register"),
        calc("household_id", f"if({LISTED}, ${{household_pick}}, ${{hukou_no}})"),
        calc("group", f"if({LISTED}, instance('households')/root/item[name = ${{household_pick}}]/group, "
                      "instance('groups')/root/item[name = ${census_group}]/group)"),
    ]


def household_type() -> Node:
    return sm("household_type", "household_type", "被调查户属性（可多选）", "Type of household (several allowed)",
              constraint="not(selected(., 'normal') and count-selected(.) > 1)",
              cmsg_zh="“正常户”不能与其他属性同时选择", cmsg_en="'Ordinary household' cannot be combined with other types")


def judgement() -> Node:
    missed = "${missed_judgement} = 'yes'"
    return group(
        "grp_judgement", "识别精准度", "Identification",
        yn("missed_judgement", "综合研判该户是否属于漏评户", "All in all, is this a missed poor household (漏评)?"),
        integer("missed_persons", "漏评人数", "Missed persons", min=1, max=30, extra=". <= ${persons}",
                extra_zh="不能多于户籍人口", extra_en="Cannot exceed the household members", relevant=missed),
        text("missed_reason", "判定理由", "Reason", required=True, relevant=missed),
        s1("infrastructure", "infrastructure_improved", "近几年本村基础设施和公共服务有没有改善",
           "Have village infrastructure and public services improved in recent years?"),
        relevant=COMPLETED,
    )


def form() -> FormDef:
    body: list[Node] = [
        *meta("general"),
        *village_pick(),
        *household_pick(),
        interview_result(),
        gps(),
        text("nonresponse_note", "未完成访问的说明", "Why the visit did not result in an interview",
             relevant="${interview_result} != 'completed'"),
        household_info(household_type()),
        food_clothing(),
        water(),
        education(),
        medical(registered=False),
        housing(),
        income(),
        judgement(),
        approval(),
        covid(),
        evidence(),
    ]
    return FormDef(
        form_id="povexit_general",
        instrument="general",
        title_zh="非建档立卡户入户调查问卷",
        title_en="Non-registered household questionnaire",
        version=FORM_VERSION,
        body=tuple(body),
        choices=C.subset(
            "yes_no", "interview_result", "household_type", "relation", "sex", "schooling", "health",
            "disability_grade", "labour", "dropout_reason", "housing_grade", "housing_substitute", "infrastructure",
            "student_stage", "renovation_target", "renovation_method", "covid_impact_kind",
        ),
        instance_name="concat(${household_id}, ' ', ${interview_result})",
    )
