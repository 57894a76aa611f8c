"""建档立卡户入户调查问卷 (seed 002 附件2), registered-household questionnaire."""

from __future__ import annotations

from ..formdef import (
    FORM_VERSION,
    V2025_2,
    FormDef,
    Node,
    Question,
    added,
    calc,
    group,
    note,
    s1,
    sm,
    text,
    yn,
)
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
    eligible = "${industry_eligible} = 'yes'"
    loan = "${loan_obtained} = 'yes'"
    return group(
        "grp_policy", "帮扶政策落实", "Support policies",
        yn("industry_eligible", "该户是否符合产业扶持条件", "Eligible for industry support?"),
        yn("industry_project_running", "以前实施的产业扶贫项目是否仍在运营", "Is the earlier industry project still running?",
           relevant=eligible),
        *added(
            V2025_2,
            yn("industry_income_continuing", "是否还在享受产业项目收益", "Is the household still receiving income from it?",
               relevant="${industry_project_running} = 'yes'"),
            sm("industry_participation", "industry_participation", "参与产业扶贫项目的方式（可多选）",
               "How the household takes part in the industry project (several allowed)", relevant=eligible),
            yn("industry_targeted", "综合研判该产业扶贫项目是否有针对性和持续性", "Is the project targeted and lasting?",
               relevant=eligible),
            s1("effect", "industry_effect", "该产业扶贫项目效果如何", "How effective is the project?", relevant=eligible,
               appearance="horizontal-compact"),
        ),
        yn("employment_unemployed_able", "是否有该就业未就业的人员", "Anyone able to work but without work?"),
        *added(V2025_2, yn("employment_eligible", "该户是否符合就业帮扶条件", "Eligible for employment support?")),
        sm("employment_support", "employment_support", "享受了哪些就业帮扶政策", "Employment support received",
           constraint=none_alone, cmsg_zh="“没有享受”不能与其他选项同时选择", cmsg_en="'None' cannot be combined with other answers"),
        *added(
            V2025_2,
            yn("employment_training_fits", "参加的就业培训是否符合实际需求和自身状况", "Did the training fit the needs and situation?",
               relevant="selected(${employment_support}, 'training')"),
            text("employment_training_gap", "培训不符合需求的具体表现", "How the training did not fit", required=True,
                 relevant="${employment_training_fits} = 'no'"),
            s1("effect", "employment_effect", "该就业帮扶政策效果如何", "How effective is the employment support?",
               relevant="not(selected(${employment_support}, 'none'))",
               appearance="horizontal-compact"),
        ),
        s1("finance_loan", "finance_loan_status", "扶贫小额贷款", "Poverty micro-credit"),
        *added(
            V2025_2,
            yn("loan_obtained", "是否贷到扶贫小额贷款", "Did the household obtain a poverty micro-loan (扶贫小额信贷)?",
               relevant="${finance_loan_status} = 'willing_eligible'"),
            sm("loan_terms", "loan_terms", "享受了哪些贷款政策（可多选）", "Which loan terms applied (several allowed)", relevant=loan,
               constraint=none_alone, cmsg_zh="“都没有享受”不能与其他选项同时选择",
               cmsg_en="'None of these' cannot be combined with other answers",
               hint_zh="政策要求：5万元以下、3年以内、免担保免抵押、基准利率放贷、财政贴息",
               hint_en="Policy: up to 50,000 yuan, up to 3 years, no guarantor or collateral, base rate, interest subsidised"),
            yn("loan_use_ok", "贷款用途是否符合要求", "Is the loan used as required?", relevant=loan),
            text("loan_use_detail", "贷款用途不符合要求的具体情况", "How the use does not comply", required=True,
                 relevant=f"{loan} and ${{loan_use_ok}} = 'no'"),
            yn("loan_overdue", "截至调查时是否出现逾期", "Is the loan overdue at the time of the survey?", relevant=loan),
        ),
        yn("dibao_missing", "是否存在低保政策该享受未享受", "Entitled to 低保 but not receiving it?"),
        *added(
            V2025_2,
            yn("dibao_receiving", "该户是否享受低保", "Does the household receive 低保?"),
            yn("dibao_accurate", "低保政策落实是否精准（应保尽保、保障对象准确）", "Is the 低保 correctly targeted?",
               relevant="${dibao_receiving} = 'yes'"),
            yn("pension_contrib_all", "16–59周岁家庭成员是否全部缴纳城乡居民基本养老保险",
               "Do all members aged 16–59 pay into the basic pension insurance?", required=False,
               hint_zh="家中无16–59周岁成员时不填", hint_en="Leave empty if nobody is 16–59"),
        ),
        yn("pension_paid", "60周岁以上家庭成员是否按时领取养老金", "Do members aged 60+ receive their pension?", required=False,
           hint_zh="家中无60周岁以上成员时不填", hint_en="Leave empty if nobody is 60 or older"),
        yn("tekun_missing", "是否存在特困人员救助供养应落实而未落实", "Entitled to 特困 support but not receiving it?"),
        *added(
            V2025_2,
            text("tekun_missing_detail", "特困供养未落实的具体情况", "Details of the missing 特困 support", required=True,
                 relevant="${tekun_missing} = 'yes'"),
            yn("tekun_receiving", "该户是否落实了特困供养政策", "Does the household receive 特困 support?"),
            yn("tekun_accurate", "特困供养政策落实是否精准", "Is the 特困 support correctly targeted?",
               relevant="${tekun_receiving} = 'yes'"),
        ),
        yn("temp_relief_missing", "是否存在临时救助应落实而未落实", "Entitled to temporary relief but not receiving it?"),
        *added(V2025_2, text("temp_relief_detail", "临时救助未落实的具体情况", "Details of the missing temporary relief",
                             required=True, relevant="${temp_relief_missing} = 'yes'")),
        yn("disability_cert_missing", "是否存在残疾证应办理而未办理", "Disability certificate due but not issued?"),
        *added(
            V2025_2,
            yn("disability_subsidy_delivered", "残疾人两项补贴（困难残疾人生活补贴、重度残疾人护理补贴）是否落实",
               "Are the two disability allowances (living allowance, severe-disability care allowance) paid?",
               required=False, hint_zh="家中无残疾人或不符合条件时不填",
               hint_en="Leave empty if nobody is disabled or eligible"),
            yn("disability_policy_missing", "是否存在残疾人政策应落实而未落实", "Disability policies due but not delivered?"),
            text("disability_policy_detail", "残疾人政策未落实的具体情况", "Details of the undelivered disability policies",
                 required=True, relevant="${disability_policy_missing} = 'yes'"),
        ),
        sm("village_team_help", "village_team_help", "驻村工作队或第一书记提供了什么帮助", "Help from the village work team",
           constraint=nothing_alone, cmsg_zh="“没什么帮助”不能与其他选项同时选择", cmsg_en="'No help' cannot be combined with other answers"),
        yn("village_team_weakened", "脱贫摘帽后驻村帮扶是否撤销或减弱", "Was village support withdrawn or weakened after exit?"),
        *added(
            V2025_2,
            text("village_team_weakened_detail", "驻村帮扶撤销或减弱的具体表现", "How the support was withdrawn or weakened",
                 required=True, relevant="${village_team_weakened} = 'yes'"),
            s1("satisfaction", "satisfaction_village_team", "对驻村工作队（第一书记）的工作是否满意",
               "Satisfied with the village work team (first secretary)?"),
            text("satisfaction_village_team_reason", "不满意的原因", "Why dissatisfied", required=True,
                 relevant="${satisfaction_village_team} = 'dissatisfied'"),
            s1("satisfaction", "satisfaction_helper", "对帮扶责任人的帮扶工作是否满意", "Satisfied with the assigned helper (帮扶责任人)?"),
            text("satisfaction_helper_reason", "不满意的原因", "Why dissatisfied", required=True,
                 relevant="${satisfaction_helper} = 'dissatisfied'"),
        ),
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
        education(registered=True),
        medical(registered=True),
        housing(),
        income(registered=True),
        policy(),
        approval(exit_quality()),
        covid(),
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
            "employment_support", "finance_loan", "village_team_help", "student_stage", "renovation_target",
            "renovation_method", "yes_no_unsure", "industry_participation", "effect", "loan_terms", "satisfaction",
            "covid_impact_kind",
        ),
        instance_name="concat(${household_id}, ' ', ${interview_result})",
    )
