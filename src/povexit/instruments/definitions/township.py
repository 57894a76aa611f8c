"""乡镇调查表 and the township interview (seed 000 §一(二): 乡级座谈访谈 with the party and government heads,
the deputy in charge of poverty work and the 扶贫专干, who also fill in the 《贫困县退出专项评估检查户户清工作
乡镇调查表》; the questions follow the township interview guide of seed 002 第二篇 “X镇访谈提纲”, items 1–14).

One submission per township, picked from the ``townships.csv`` attachment (the townships of the sampled
villages). Numbers the township reports are taken as reported (村报数/镇报数): povexit does not reconcile them
with the registry; the constraints only block figures that contradict each other.
"""

from __future__ import annotations

from ..formdef import FORM_VERSION, FormDef, Node, Question, calc, decimal, group, integer, s1, sm, text, yn
from . import choices as C
from .household import gps, meta

MAX_COUNT = 1_000_000


def count(name: str, zh: str, en: str, *, hi: int = MAX_COUNT, **kw) -> Question:
    return integer(name, zh, en, min=0, max=hi, **kw)


def not_more(other: str, zh_other: str, en_other: str) -> dict[str, str]:
    return {"extra": f". <= ${{{other}}}", "extra_zh": f"不能多于{zh_other}", "extra_en": f"Cannot exceed {en_other}"}


def township_pick() -> list[Node]:
    lookup = "instance('townships')/root/item[name = ${township_code}]"
    return [
        Question(type="select_one_from_file townships.csv", name="township_code", zh="乡镇", en="Township",
                 required=True, hint_zh="从抽中村所在乡镇名单中选择", hint_en="Choose from the townships of the sampled villages"),
        calc("county", f"{lookup}/county"),
        calc("township", f"{lookup}/township"),
    ]


def participants() -> Node:
    return group(
        "grp_participants", "座谈对象", "Participants",
        text("respondents", "参加座谈人员（职务）", "Participants (positions)", required=True,
             hint_zh="如：党委书记、乡镇长、分管扶贫的副乡镇长、扶贫专干", hint_en="e.g. party secretary, head, deputy for poverty work, poverty officer"),
        count("respondent_count", "参加人数", "Number of participants", hi=100, extra=". >= 1",
              extra_zh="至少1人", extra_en="At least 1"),
    )


def basics() -> Node:
    return group(
        "grp_town_basic", "乡镇基本情况（访谈提纲1；乡镇调查表）", "Township basics (guide item 1; township form)",
        count("villages_total", "行政村数", "Administrative villages", hi=1000),
        count("groups_total", "村民小组数", "Village groups", hi=20000),
        count("households_total", "总户数", "Households"),
        count("population_total", "总人口（人）", "Population (persons)",
              extra=". >= ${households_total} and . <= 30 * ${households_total}",
              extra_zh="应不少于总户数、不多于总户数的30倍", extra_en="At least the households, at most 30 × households"),
        count("poor_villages", "建档立卡贫困村数", "Registered poor villages", hi=1000, **not_more("villages_total", "行政村数", "the villages")),
        count("deep_poor_villages", "深度贫困村数", "Deeply poor villages", hi=1000, **not_more("villages_total", "行政村数", "the villages")),
        count("registered_households", "建档立卡贫困户累计户数", "Registered poor households (cumulative)",
              **not_more("households_total", "总户数", "the households")),
        count("registered_persons", "建档立卡贫困人口累计人数", "Registered poor persons (cumulative)",
              extra=". >= ${registered_households}", extra_zh="不能少于户数", extra_en="Cannot be fewer than the households"),
        count("exited_households", "已脱贫户数", "Exited households", **not_more("registered_households", "建档立卡户数", "the registered households")),
        count("exited_persons", "已脱贫人数", "Exited persons", **not_more("registered_persons", "建档立卡人数", "the registered persons")),
        count("remaining_poor_households", "未脱贫（在册贫困）户数", "Households still poor",
              **not_more("registered_households", "建档立卡户数", "the registered households")),
        count("remaining_poor_persons", "未脱贫（在册贫困）人数", "Persons still poor",
              **not_more("registered_persons", "建档立卡人数", "the registered persons")),
        count("new_households_year", "本年新识别贫困户数", "Households newly identified this year"),
        count("returned_households_year", "本年返贫户数", "Households returned to poverty this year"),
        count("households_checked", "“户户清”已排查户数", "Households checked one by one (户户清)",
              **not_more("households_total", "总户数", "the households"),
              hint_zh="乡镇调查表：逐户排查、情况清楚的农户数", hint_en="Township form: households whose situation was checked one by one"),
    )


def industry() -> Node:
    debt = "${collective_debt} = 'yes'"
    return group(
        "grp_town_industry", "产业发展、合作社和村集体经济（访谈提纲2–3）", "Industry, cooperatives, collective economy (items 2–3)",
        text("main_industries", "主导产业及分布情况", "Main industries and where they are", required=True, appearance="multiline"),
        decimal("industry_poor_share_pct", "发展主导产业的贫困户占比（%）", "Share of poor households in the main industries (%)",
                min=0, max=100, required=False),
        count("cooperatives", "合作社个数", "Cooperatives", hi=10000),
        count("coop_poor_households", "合作社带动贫困户数", "Poor households the cooperatives involve", relevant="${cooperatives} > 0"),
        sm("coop_join", "coop_join_modes", "贫困户入社方式（可多选）", "How poor households join (several allowed)",
           relevant="${cooperatives} > 0"),
        text("coop_dividend", "分红方式及入社依据", "How dividends are shared; basis of membership", relevant="${cooperatives} > 0",
             appearance="multiline"),
        text("collective_economy", "村集体经济状况（收入来源、运行情况）", "Village collective economy (income, operation)",
             required=True, appearance="multiline"),
        yn("collective_debt", "村集体经济是否有负债", "Do the village collectives carry debt?"),
        s1("debt_origin", "collective_debt_origin", "负债是历史遗留还是近年产生", "Is the debt inherited or recent?", relevant=debt),
    )


def exit_and_services() -> Node:
    return group(
        "grp_town_services", "脱贫方式、基础设施和公共服务（访谈提纲4–7）", "Exit pathways, infrastructure, services (items 4–7)",
        sm("exit_pathways", "exit_pathways", "脱贫户主要依靠哪些方式脱贫（可多选）", "How exited households got out of poverty (several allowed)"),
        decimal("safe_water_pct", "安全饮水覆盖率（%）", "Safe drinking water coverage (%)", min=0, max=100),
        yn("power_all_villages", "各村电网全覆盖", "Power grid reaches every village"),
        yn("village_roads_hardened", "通村路全部硬化", "Every village road hardened"),
        yn("tv_all_households", "广播电视基本实现户户通", "Radio and television reach (almost) every household"),
        decimal("mobile_coverage_pct", "移动通讯覆盖率（%）", "Mobile network coverage (%)", min=0, max=100),
        count("culture_squares", "文化广场个数", "Culture squares", hi=1000),
        count("standard_clinics", "标准化村卫生室个数", "Standardised village clinics", hi=1000),
        count("qualified_village_doctors", "有资质的乡村医生人数", "Qualified village doctors", hi=5000),
        text("village_doctor_management", "乡村医生如何产生和管理", "How village doctors are appointed and managed", appearance="multiline"),
        yn("infrastructure_projects_ongoing", "是否有在建基础设施项目", "Infrastructure projects under construction?"),
    )


def relocation_housing() -> Node:
    moved = "${relocation_households} > 0"
    return group(
        "grp_town_housing", "易地搬迁和危房改造（访谈提纲8–9）", "Relocation and housing renovation (items 8–9)",
        count("relocation_households", "易地扶贫搬迁登记户数", "Households registered for relocation"),
        count("relocation_completed", "已完成搬迁（交钥匙）户数", "Relocations completed (keys handed over)", relevant=moved,
              **not_more("relocation_households", "搬迁登记户数", "the registered relocations")),
        count("relocation_registered_poor", "其中在册贫困户数", "Of which registered poor", relevant=moved,
              **not_more("relocation_households", "搬迁登记户数", "the registered relocations")),
        yn("relocation_self_funding_ok", "搬迁户自筹是否控制在人均2500元、户均1万元以内",
           "Own contribution within 2,500 yuan a person and 10,000 a household?", relevant=moved),
        yn("relocation_debt", "搬迁户是否有因搬迁负债的情况", "Did relocated households go into debt for it?", relevant=moved),
        count("dangerous_houses", "危房户数", "Households in dangerous houses"),
        count("dangerous_c", "其中C级户数", "Of which grade C", relevant="${dangerous_houses} > 0",
              **not_more("dangerous_houses", "危房户数", "the dangerous houses")),
        count("dangerous_d", "其中D级户数", "Of which grade D", relevant="${dangerous_houses} > 0",
              extra=". + ${dangerous_c} <= ${dangerous_houses}", extra_zh="C级与D级之和不能多于危房户数",
              extra_en="Grades C and D together cannot exceed the dangerous houses"),
        count("renovation_completed", "已完成改造户数", "Renovations completed", relevant="${dangerous_houses} > 0",
              **not_more("dangerous_houses", "危房户数", "the dangerous houses")),
        decimal("renovation_subsidy_c_yuan", "C级危改补助标准（每户，元）", "Subsidy for grade C (yuan a household)", min=0, max=200_000,
                required=False),
        decimal("renovation_subsidy_d_yuan", "D级危改补助标准（每户，元）", "Subsidy for grade D (yuan a household)", min=0, max=300_000,
                required=False),
        text("renovation_nonpoor_policy", "非贫困户危房改造怎么办、补助标准", "Renovation of non-poor households' houses and its subsidy",
             appearance="multiline"),
    )


def teams() -> Node:
    has_teams = "${work_teams} > 0"
    return group(
        "grp_town_teams", "驻村工作队和帮扶责任人（访谈提纲10）", "Village work teams and helpers (item 10)",
        count("work_teams", "驻村工作队数", "Village work teams", hi=1000),
        count("team_size", "每个驻村工作队常驻队员数", "Resident members per team", hi=30, relevant=has_teams,
              extra=". >= 1", extra_zh="至少1人", extra_en="At least 1"),
        count("helpers", "帮扶责任人数", "Assigned helpers (帮扶责任人)", hi=100_000),
        count("helpers_disciplined", "近年受纪律处分的帮扶责任人数", "Helpers disciplined in recent years",
              **not_more("helpers", "帮扶责任人数", "the helpers")),
        text("team_requirements", "驻村时间和帮扶责任人的要求、作用", "Rules on residence time; what helpers must do",
             appearance="multiline"),
        s1("burden", "form_filling_burden", "脱贫攻坚以来填表报数多不多", "How heavy is the form-filling?",
           appearance="horizontal-compact"),
    )


def views() -> Node:
    return group(
        "grp_town_views", "创新做法、问题和意见（访谈提纲11–14）", "Innovations, problems, views (items 11–14)",
        text("innovations", "脱贫攻坚工作创新思路和做法", "Innovations in the poverty work", appearance="multiline"),
        text("problems_to_solve", "需要解决的问题", "Problems that need solving", required=True, appearance="multiline"),
        text("identification_exit_suggestions", "对现有识别和退出程序的意见和建议", "Views on the identification and exit procedures",
             required=True, appearance="multiline", hint_zh="没有意见写“无”", hint_en="Write 无 (none) if there are none"),
        count("inspections_this_year", "今年接受检查和考核的次数", "Inspections and assessments this year", hi=365),
        yn("materials_received", "已收取镇情、脱贫攻坚工作、典型做法和先进典型材料", "Township, work and good-practice materials collected"),
        Question(type="image", name="photo_materials", zh="材料照片", en="Photo of the materials", parameters="max-pixels=1600"),
        Question(type="audio", name="audio_interview", zh="访谈录音", en="Interview recording",
                 hint_zh="征得受访者同意后录音", hint_en="Record only with the participants' consent"),
        text("remarks", "调查员备注", "Enumerator's remarks", appearance="multiline"),
        appearance=None,
    )


def form() -> FormDef:
    body: list[Node] = [*meta("township"), *township_pick(), gps(), participants(), basics(), industry(),
                        exit_and_services(), relocation_housing(), teams(), views()]
    return FormDef(
        form_id="povexit_township",
        instrument="township",
        title_zh="乡镇调查表及乡镇座谈访谈",
        title_en="Township form and township interview",
        version=FORM_VERSION,
        body=tuple(body),
        choices=C.subset("yes_no", "coop_join", "debt_origin", "exit_pathways", "burden"),
        instance_name="concat(${township}, ' ', ${today})",
    )
