"""Policy gaps of registered households (seed 002 附件2 questions 2–26): support a household is entitled
to and does not get. They are findings for still-poor households above all (exited ones too, since
policies continue after exit — 摘帽不摘政策); they never make a wrongful exit.

An unanswered policy item means "not asked / not applicable" (the form skips most of them), so these
rules never make a verdict "cannot judge".
"""

from __future__ import annotations

import polars as pl

from .base import Ctx, Rule, col, is_no, is_yes

REGISTERED = lambda ctx: col("_registered")  # noqa: E731


def _gap(rule_id: str, field: str, when: str, zh: str, en: str, label_zh: str, label_en: str, cite: str) -> Rule:
    test = (lambda ctx, f=field: is_yes(f)) if when == "yes" else (lambda ctx, f=field: is_no(f))
    return Rule(id=rule_id, kind="policy", zh=zh, en=en, label_zh=label_zh, label_en=label_en, cite=cite,
                fields=(field,), applies=REGISTERED, test=test)


def _industry(ctx: Ctx) -> pl.Expr:
    return is_yes("industry_eligible") & is_no("industry_project_running")


def _employment(ctx: Ctx) -> pl.Expr:
    none = col("employment_support").str.split(" ").list.contains("none")
    return is_yes("employment_unemployed_able") & none


def _not_persuaded(ctx: Ctx) -> pl.Expr:
    return col("v_dropout") & is_no("persuaded_back")


RULES = (
    _gap("policy.dibao_missing", "dibao_missing", "yes",
         "低保政策该享受未享受", "Entitled to the minimum living allowance (低保) but not receiving it",
         "低保该享受未享受", "低保 due but not received", "seed 002 附件2 第20题"),
    _gap("policy.tekun_missing", "tekun_missing", "yes",
         "特困人员救助供养政策应落实而未落实", "Entitled to extreme-poverty support (特困供养) but not receiving it",
         "特困供养应落实未落实", "特困 support due but not received", "seed 002 附件2 第22题"),
    _gap("policy.temp_relief_missing", "temp_relief_missing", "yes",
         "临时救助政策应落实而未落实", "Temporary relief due but not given",
         "临时救助应落实未落实", "temporary relief due but not given", "seed 002 附件2 第23题"),
    _gap("policy.disability_cert_missing", "disability_cert_missing", "yes",
         "残疾证应办理而未办理", "Disability certificate due but not issued",
         "残疾证应办未办", "disability certificate due but not issued", "seed 002 附件2 第24题"),
    _gap("policy.pension_unpaid", "pension_paid", "no",
         "60周岁以上家庭成员未按时领取养老保险金", "Members aged 60 or over do not receive their pension",
         "养老金未按时发放", "pension not paid", "seed 002 附件2 第21题"),
    _gap("policy.medical_gap", "medical_policy_gap", "yes",
         "医疗保障政策落实不到位", "Medical-security policies not fully delivered",
         "医疗保障政策落实不到位", "medical-security policies not delivered", "seed 002 附件2 第5题"),
    _gap("policy.premium_subsidy_missing", "premium_subsidy", "no",
         "未获得政府医保保费补贴", "No government subsidy of the insurance premium",
         "未获医保保费补贴", "no premium subsidy", "seed 002 附件2 第4题"),
    _gap("policy.chronic_not_contracted", "chronic_contracted", "no",
         "符合条件的慢性病患者未签约家庭医生", "An eligible chronic patient has no family-doctor contract",
         "慢性病患者未签约家庭医生", "chronic patient without a family-doctor contract", "seed 002 附件2 第6题"),
    _gap("policy.one_stop_missing", "hospital_one_stop", "no",
         "住院未落实先诊疗后付费、“一站式”结算", "Treatment-first, one-stop settlement not applied in hospital",
         "未落实先诊疗后付费、一站式结算", "no treatment-first / one-stop settlement", "seed 002 附件2 第7题"),
    _gap("policy.village_team_weakened", "village_team_weakened", "yes",
         "脱贫摘帽后驻村帮扶撤销或减弱", "Village support withdrawn or weakened after exit",
         "驻村帮扶撤销或减弱", "village support weakened", "seed 002 附件2 第26题"),
    Rule(
        id="policy.industry_not_running", kind="policy",
        zh="符合产业扶持条件，但以前实施的产业扶贫项目已不再运营",
        en="Eligible for industry support, but the earlier industry project no longer runs",
        label_zh="产业扶贫项目未持续运营", label_en="industry project not running", cite="seed 002 附件2 第10–11题",
        fields=("industry_eligible", "industry_project_running"), applies=REGISTERED, test=_industry,
    ),
    Rule(
        id="policy.employment_support_missing", kind="policy",
        zh="有该就业未就业的人员，却没有享受任何就业帮扶政策",
        en="Someone able to work is without work and the household gets no employment support",
        label_zh="就业帮扶未落实", label_en="no employment support", cite="seed 002 附件2 第13–14题",
        fields=("employment_unemployed_able", "employment_support"), applies=REGISTERED, test=_employment,
    ),
    Rule(
        id="policy.dropout_not_persuaded", kind="policy",
        zh="有辍学学生但未开展劝返复学工作（控辍保学）", en="A dropout has not been persuaded back to school",
        label_zh="未开展劝返复学", label_en="no persuasion back to school", cite="seed 002 附件2 第2题",
        fields=("persuaded_back",), derived=("v_dropout",), applies=REGISTERED, test=_not_persuaded,
        after_verdict=True,
    ),
)
