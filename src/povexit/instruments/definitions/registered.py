"""建档立卡户入户调查问卷 (seed 002 附件2), registered-household questionnaire."""

from __future__ import annotations

from ..formdef import FORM_VERSION, FormDef, Node, Question, calc, group, note, s1, sm, text, yn
from . import choices as C
from .household import (
    COMPLETED,
    approval,
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

EXITED = "${household_status} = 'exited'"


def household_pick() -> list[Node]:
    lookup = "instance('households')/root/item[name = ${household_id}]"
    return [
        Question(type="select_one_from_file households.csv", name="household_id", zh="抽中农户（户主）",
                 en="Sampled household (head)", required=True,
                 choice_filter="village_id = ${village_id} and instrument = 'registered'",
                 hint_zh="名单中的户主姓名已脱敏；“备选”户仅在前面的户找不到时启用",
                 hint_en="Head names are masked; use a 'reserve' household only when one before it cannot be interviewed"),
        calc("group", f"{lookup}/group"),
        calc("listed_persons", f"{lookup}/persons", "int"),
        note("listed_note", "名单户籍人口：${listed_persons} 人", "Members on the list: ${listed_persons}"),
        s1("household_status", "household_status", "该户属性", "Status of the household",
           hint_zh="按扶贫开发信息系统中的属性；返贫户请选“返贫户”", hint_en="As in the poverty-registration system"),
    ]


def policy() -> Node:
    none_alone = "not(selected(., 'none') and count-selected(.) > 1)"
    nothing_alone = "not(selected(., 'nothing') and count-selected(.) > 1)"
    return group(
        "grp_policy", "帮扶政策落实", "Support policies",
        yn("industry_eligible", "该户是否符合产业扶持条件", "Eligible for industry support?"),
        yn("industry_project_running", "以前实施的产业扶贫项目是否仍在运营", "Is the earlier industry project still running?",
           relevant="${industry_eligible} = 'yes'"),
        yn("employment_unemployed_able", "是否有该就业未就业的人员", "Anyone able to work but without work?"),
        sm("employment_support", "employment_support", "享受了哪些就业帮扶政策", "Employment support received",
           constraint=none_alone, cmsg_zh="“没有享受”不能与其他选项同时选择", cmsg_en="'None' cannot be combined with other answers"),
        s1("finance_loan", "finance_loan_status", "扶贫小额贷款", "Poverty micro-credit"),
        yn("dibao_missing", "是否存在低保政策该享受未享受", "Entitled to 低保 but not receiving it?"),
        yn("pension_paid", "60周岁以上家庭成员是否按时领取养老金", "Do members aged 60+ receive their pension?", required=False,
           hint_zh="家中无60周岁以上成员时不填", hint_en="Leave empty if nobody is 60 or older"),
        yn("tekun_missing", "是否存在特困人员救助供养应落实而未落实", "Entitled to 特困 support but not receiving it?"),
        yn("temp_relief_missing", "是否存在临时救助应落实而未落实", "Entitled to temporary relief but not receiving it?"),
        yn("disability_cert_missing", "是否存在残疾证应办理而未办理", "Disability certificate due but not issued?"),
        sm("village_team_help", "village_team_help", "驻村工作队或第一书记提供了什么帮助", "Help from the village work team",
           constraint=nothing_alone, cmsg_zh="“没什么帮助”不能与其他选项同时选择", cmsg_en="'No help' cannot be combined with other answers"),
        yn("village_team_weakened", "脱贫摘帽后驻村帮扶是否撤销或减弱", "Was village support withdrawn or weakened after exit?"),
        relevant=COMPLETED,
    )


def exit_quality() -> list[Node]:
    return [
        yn("exit_known", "对自己脱贫是否知晓", "Does the household know it has exited?", relevant=EXITED),
        yn("exit_acknowledged", "对自己脱贫是否认可", "Does it accept that it has exited?", relevant=EXITED),
        yn("exit_sustained", "结合收入及“两不愁三保障”情况，综合研判脱贫是否可持续", "Is the exit sustainable, all things considered?",
           relevant=EXITED),
        yn("approve_policy", "认可扶贫政策", "Approves of the poverty-alleviation policies"),
        yn("approve_help", "认可帮扶措施", "Approves of the help received"),
        yn("approve_results", "认可帮扶成效", "Approves of the results"),
        yn("approve_exit", "认可脱贫退出（认账）", "Accepts the exit", relevant=EXITED),
        yn("approve_cadres", "认可干部的工作", "Approves of the cadres' work"),
    ]


def form() -> FormDef:
    body: list[Node] = [
        *meta("registered"),
        *village_pick(),
        *household_pick(),
        interview_result(),
        gps(),
        text("nonresponse_note", "未完成访问的说明", "Why the visit did not result in an interview",
             relevant="${interview_result} != 'completed'"),
        household_info(),
        food_clothing(),
        water(),
        education(),
        medical(registered=True),
        housing(),
        income(),
        policy(),
        approval(exit_quality()),
        evidence(),
    ]
    return FormDef(
        form_id="povexit_registered",
        instrument="registered",
        title_zh="建档立卡户入户调查问卷",
        title_en="Registered household questionnaire",
        version=FORM_VERSION,
        body=tuple(body),
        choices=C.subset(
            "yes_no", "household_status", "interview_result", "relation", "sex", "schooling", "health",
            "disability_grade", "labour", "dropout_reason", "housing_grade", "housing_substitute",
            "employment_support", "finance_loan", "village_team_help",
        ),
        instance_name="concat(${household_id}, ' ', ${interview_result})",
    )
