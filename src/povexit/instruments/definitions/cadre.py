"""县乡干部 / 村干部调查问卷 (seed 000): approval of cadres, deputies and CPPCC members (群众认可度)."""

from __future__ import annotations

from ..formdef import FORM_VERSION, FormDef, Node, Question, calc, s1, text, yn
from . import choices as C
from .household import gps, meta

VILLAGE_ROLE = "${respondent_role} = 'village_cadre' or ${respondent_role} = 'resident_team'"


def form() -> FormDef:
    lookup = "instance('villages')/root/item[name = ${village_id}]"
    body: list[Node] = [
        *meta("cadre"),
        s1("respondent_role", "respondent_role", "受访者身份", "Respondent"),
        Question(type="select_one_from_file villages.csv", name="village_id", zh="所在行政村", en="Village",
                 required=True, relevant=VILLAGE_ROLE),
        calc("county", f"{lookup}/county"),
        calc("township", f"{lookup}/township"),
        calc("village", f"{lookup}/village"),
        text("respondent_unit", "单位或所在乡镇", "Unit or township", required=False),
        gps(),
        yn("approve_policy", "认可本县脱贫攻坚政策措施", "Approves of the county's poverty policies"),
        yn("approve_procedure", "认为贫困识别和退出程序规范", "Finds identification and exit procedures proper"),
        yn("approve_exit", "认可本县（村）脱贫退出", "Accepts the exit of the county (village)"),
        yn("approves", "综合来看，对本县脱贫攻坚工作是否认可", "All in all, does the respondent approve of the work?"),
        text("disapproval_reason", "不认可的具体原因", "Why not", required=True, relevant="${approves} = 'no'"),
        text("suggestions", "对识别和退出工作的意见和建议", "Suggestions on identification and exit", appearance="multiline"),
    ]
    return FormDef(
        form_id="povexit_cadre",
        instrument="cadre",
        title_zh="干部及代表委员认可度调查问卷",
        title_en="Cadre and deputy approval questionnaire",
        version=FORM_VERSION,
        body=tuple(body),
        choices=C.subset("yes_no", "respondent_role"),
        instance_name="concat(${respondent_role}, ' ', ${today})",
    )
