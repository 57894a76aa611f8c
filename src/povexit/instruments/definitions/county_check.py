"""县级脱贫攻坚部署资料核查表: the county's documents the assessment team checks (seed 001 §三(三)3 脱贫攻坚部署
情况, §三(三)6 后续帮扶计划及巩固提升工作安排, §四(四) 座谈访谈 “后续帮扶计划和巩固提升工作安排”).

One submission per county, picked from the ``counties.csv`` attachment. Each item: is it there (yes/no), a
photo of the document as evidence and a remark (when yes), what is missing (required when no), so the problem
list can say what is missing: ``<item>`` (yn), ``<item>_photo``, ``<item>_remark`` (when there) and
``<item>_missing_detail`` (when not).
"""

from __future__ import annotations

from ..formdef import FORM_VERSION, FormDef, Node, Question, calc, group, text, yn
from . import choices as C
from .household import gps, meta

# (name, 中文, English, hint 中文, hint English)
ITEMS: tuple[tuple[str, str, str, str, str], ...] = (
    ("responsibility_letters", "县委、县政府层层签订脱贫攻坚责任状", "Poverty-work responsibility letters signed level by level",
     "查看县、乡、村签订的责任状", "Look at the letters signed by county, townships and villages"),
    ("rolling_plans", "有脱贫攻坚滚动规划和年度计划，并组织实施", "Rolling poverty plan and annual plans, being carried out",
     "查看规划、年度计划文件及实施记录", "Look at the plan, the annual plans and records of their implementation"),
    ("leaders_visits", "县党政主要领导遍访贫困村", "County party and government heads visited every poor village",
     "查看遍访记录（台账、日志、照片）", "Look at the visit records (ledger, logs, photos)"),
    ("policy_system", "建立符合实际的脱贫攻坚政策体系并动态调整", "A fitting poverty policy system, adjusted over time",
     "查看政策文件汇编及调整记录", "Look at the policy documents and their revisions"),
    ("resources_adequate", "资金投入、人员配置与脱贫攻坚任务相适应", "Funds and staffing match the poverty tasks",
     "查看扶贫资金投入、扶贫机构人员配备情况", "Look at poverty funding and the staffing of the poverty offices"),
    ("follow_up_plan", "制定脱贫摘帽后续工作计划和帮扶措施", "Follow-up work plan and support measures after exit",
     "查看后续帮扶计划（“四个不摘”落实）", "Look at the follow-up support plan (the 'four not-withdrawn' rules)"),
    ("consolidation_plan", "有巩固提升脱贫成果的工作安排", "Arrangements to consolidate the gains",
     "查看巩固提升工作方案", "Look at the consolidation work plan"),
)


def item(name: str, zh: str, en: str, hint_zh: str, hint_en: str) -> Node:
    missing = f"${{{name}}} = 'no'"
    return group(
        f"grp_{name}", zh, en,
        yn(name, zh, en, hint_zh=hint_zh, hint_en=hint_en),
        Question(type="image", name=f"{name}_photo", zh="佐证材料照片", en="Photo of the evidence", parameters="max-pixels=1600",
                 relevant=f"${{{name}}} = 'yes'"),
        text(f"{name}_remark", "备注", "Remark", relevant=f"${{{name}}} = 'yes'"),
        text(f"{name}_missing_detail", "缺失或不符合要求的具体情况", "What is missing or falls short", required=True,
             relevant=missing),
    )


def county_pick() -> list[Node]:
    lookup = "instance('counties')/root/item[name = ${county_code}]"
    return [
        Question(type="select_one_from_file counties.csv", name="county_code", zh="县（市、区）", en="County",
                 required=True, hint_zh="从被评估县名单中选择", hint_en="Choose from the assessed counties"),
        calc("county", f"{lookup}/county"),
    ]


def form() -> FormDef:
    body: list[Node] = [
        *meta("county_check"),
        *county_pick(),
        gps(),
        text("respondents", "提供资料的单位和人员", "Who provided the documents", required=True,
             hint_zh="如：县扶贫办、县委组织部", hint_en="e.g. county poverty office, organisation department"),
        *(item(*i) for i in ITEMS),
        text("remarks", "核查总体意见", "Overall remarks", appearance="multiline"),
    ]
    return FormDef(
        form_id="povexit_county_check",
        instrument="county_check",
        title_zh="县级脱贫攻坚部署资料核查表",
        title_en="County document checklist",
        version=FORM_VERSION,
        body=tuple(body),
        choices=C.subset("yes_no"),
        instance_name="concat(${county}, ' ', ${today})",
    )
