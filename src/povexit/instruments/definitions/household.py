"""Sections shared by the registered (附件2) and non-registered (附件3) household questionnaires.

Standards behind the constraints and hints: seed 001 §三(三) (不愁吃: 500 g grain, 500 g vegetables,
~100 g protein a day; 不愁穿; 住房 A/B, relocated moved in, rebuilt house finished and occupied) and
seed 002 附件1 (water: quality, ≥40 L per person a day, ≤10 min round trip, reliability ≥95%).
"""

from __future__ import annotations

from ..formdef import (
    V2025_2,
    Node,
    Question,
    added,
    calc,
    decimal,
    group,
    integer,
    note,
    q,
    repeat,
    s1,
    sm,
    text,
    yn,
)

COMPLETED = "${interview_result} = 'completed'"
MAX_INCOME = 10_000_000  # yuan a year: anything above is a typing slip


def meta(instrument: str) -> list[Node]:
    """Form metadata every instrument starts with: times, device, the enumerator pair."""
    return [
        q("start", "start", "", ""),
        q("end", "end", "", ""),
        q("today", "today", "", ""),
        q("deviceid", "deviceid", "", ""),
        calc("instrument", f"'{instrument}'"),
        text("enumerator_id", "调查员编号", "Enumerator ID", required=True,
             hint_zh="评估机构分配的编号，例如 E07", hint_en="The ID given by the assessment team, e.g. E07",
             constraint="regex(., '^[A-Za-z0-9_-]{2,12}$')",
             cmsg_zh="编号为 2–12 位字母、数字、下划线或短横线", cmsg_en="2–12 letters, digits, _ or -"),
        text("enumerator_partner", "同组调查员编号（两人一组入户）", "Partner enumerator ID (interviews in pairs)",
             required=True, constraint="regex(., '^[A-Za-z0-9_-]{2,12}$') and . != ${enumerator_id}",
             cmsg_zh="编号格式同上，且不能与本人编号相同", cmsg_en="Same format as above and not your own ID"),
        calc("enumerators", "concat(${enumerator_id}, ';', ${enumerator_partner})"),
    ]


def village_pick() -> list[Node]:
    """Pick the sampled village from the ``villages.csv`` attachment; place names follow from it."""
    lookup = "instance('villages')/root/item[name = ${village_id}]"
    return [
        Question(type="select_one_from_file villages.csv", name="village_id", zh="行政村", en="Administrative village",
                 required=True, hint_zh="从抽中村名单中选择", hint_en="Choose from the list of sampled villages"),
        calc("county", f"{lookup}/county"),
        calc("township", f"{lookup}/township"),
        calc("village", f"{lookup}/village"),
    ]


def gps() -> Question:
    return Question(type="geopoint", name="gps", zh="入户位置（GPS）", en="Location at the door (GPS)",
                    hint_zh="在农户家门口采集；室内信号弱时到院子里采集", hint_en="Capture at the door; step outside if the signal is weak")


def interview_result() -> Question:
    return s1("interview_result", "interview_result", "访问结果", "Result of the visit",
              hint_zh="找不到或无法访问时，按抽样名单顺序启用备选户", hint_en="If not found or not interviewable, use the next reserve household")


def roster() -> list[Node]:
    """家庭人口 and the members repeat (one row per member of the 户口簿)."""
    return [
        integer("persons", "户籍人口（人）", "Household members on the household register (persons)", min=1, max=30),
        integer("persons_sharing", "实际共享收支人数（人）", "Members actually sharing income and expenses",
                min=1, max=30, extra=". <= ${persons}", extra_zh="不能多于户籍人口", extra_en="Cannot exceed the registered members"),
        repeat(
            "members", "家庭成员", "Household member",
            calc("member_no", "position(..)", "int"),
            text("member_name", "姓名", "Name", hint_zh="按户口簿填写", hint_en="As in the household register"),
            text("member_id_number", "身份证号", "Resident ID number",
                 constraint="regex(., '^[0-9]{17}[0-9Xx]$')", cmsg_zh="应为18位身份证号（末位可为X）",
                 cmsg_en="An 18-character resident ID (the last may be X)"),
            s1("relation", "member_relation", "与户主关系", "Relation to the head"),
            integer("member_age", "年龄（周岁）", "Age (years)", min=0, max=120),
            s1("sex", "member_sex", "性别", "Sex", appearance="horizontal-compact"),
            s1("schooling", "member_schooling", "在校情况", "Schooling"),
            s1("health", "member_health", "健康状况", "Health"),
            s1("disability_grade", "member_disability_grade", "残疾等级", "Disability grade"),
            s1("labour", "member_labour", "劳动能力", "Labour capacity"),
            yn("member_basic_insurance", "参加城乡居民基本医疗保险", "Enrolled in basic medical insurance"),
            yn("member_critical_insurance", "参加大病保险", "Enrolled in critical-illness insurance"),
            repeat_count="${persons}",
        ),
        yn("children_support_capable", "子女（父母）是否有赡养（抚养）能力", "Do children (parents) have the means to support them?"),
        yn("children_support_provided", "子女是否实际提供赡养", "Do the children actually provide support?",
           relevant="${children_support_capable} = 'yes'"),
    ]


def food_clothing() -> Node:
    return group(
        "grp_food", "不愁吃、不愁穿", "Food and clothing",
        yn("food_staple_enough", "主食（米或面）每人每天能达到500克", "Staple food (rice or flour) reaches 500 g per person a day"),
        yn("food_vegetable_enough", "蔬菜每人每天能达到500克", "Vegetables reach 500 g per person a day"),
        yn("food_protein_enough", "能补充100克左右的蛋白质（肉、蛋、奶、豆制品）", "About 100 g of protein a day (meat, eggs, milk, soy)"),
        yn("clothing_seasonal", "四季有换季衣服", "Seasonal clothes for every season"),
        yn("clothing_change", "日常有换洗衣服", "Clothes to change for washing"),
        relevant=COMPLETED,
    )


def water() -> Node:
    return group(
        "grp_water", "饮水安全", "Safe drinking water",
        yn("water_quality_ok", "水质达标（无色、无味、无肉眼可见物，或经检测合格）", "Water quality acceptable (clear, odourless, or tested)"),
        decimal("water_litres_per_person_day", "每人每天可获得的水量（升）", "Water available per person a day (litres)",
                min=0, max=2000, hint_zh="标准：不低于40升", hint_en="Standard: at least 40 litres"),
        decimal("water_fetch_minutes", "取水往返时间（分钟）", "Round trip to fetch water (minutes)", min=0, max=600,
                hint_zh="自来水入户填 0；标准：不超过10分钟", hint_en="Tap at home: 0. Standard: at most 10 minutes"),
        decimal("water_horizontal_m", "取水水平距离（米）", "Horizontal distance to the water point (m)", min=0, max=50000,
                required=False, relevant="${water_fetch_minutes} > 0"),
        decimal("water_vertical_m", "取水垂直高差（米）", "Vertical height difference to the water point (m)", min=0, max=5000,
                required=False, relevant="${water_fetch_minutes} > 0"),
        decimal("water_reliability_pct", "供水保证率（%）", "Supply reliability (%)", min=0, max=100, required=False,
                hint_zh="一年中能正常供水的天数占比；农户不清楚时可不填", hint_en="Share of days with normal supply; leave empty if unknown"),
        integer("water_days_without", "一年中断水天数", "Days without water in a year", min=0, max=366, required=False),
        yn("water_scarce_area", "是否属于缺水地区", "Is this a water-scarce area?", required=False),
        relevant=COMPLETED,
    )


def education(registered: bool = False) -> Node:
    """义务教育 (附件2 Q2, 附件3 二(二)1), plus — added in 2025.2 — whether the education support (资助)
    policies were delivered (附件2 Q2(2), registered) and students at other stages (附件2 Q3, 附件3 (2))."""
    dropout = "${dropout} = 'yes'"
    other = "${other_stage_students} = 'yes'"
    extra: list[Node] = []
    if registered:
        extra += [
            yn("education_policy_delivered", "（无辍学时）今年教育扶持（资助）政策是否全部落实到位",
               "(No dropout) Were this year's education support (grants, waivers) policies all delivered?",
               relevant="${has_compulsory_child} = 'yes' and ${dropout} = 'no'"),
            text("education_policy_gap", "哪些教育扶持政策没有落实到位", "Which education policies were not delivered?",
                 required=True, relevant="${education_policy_delivered} = 'no'"),
        ]
    extra += [
        yn("other_stage_students", "是否有其他阶段在校生（含学前教育、高中、中职、大学）",
           "Any student at another stage (pre-school, senior or vocational secondary, college)?"),
        sm("student_stage", "other_stage_levels", "在哪个阶段（可多选）", "Which stages (several allowed)", relevant=other),
    ]
    if registered:
        extra += [
            yn("other_stage_policy_delivered", "今年是否享受了全部教育扶持政策", "Did they receive all education support this year?",
               relevant=other),
            text("other_stage_policy_gap", "哪些项目未享受", "Which support was not received?", required=True,
                 relevant="${other_stage_policy_delivered} = 'no'"),
        ]
    extra.append(text("schooling_difficulties", "上学方面有什么困难", "Difficulties with schooling", relevant=other,
                      hint_zh="没有困难可不填", hint_en="Leave empty if none"))
    return group(
        "grp_education", "义务教育", "Compulsory education",
        yn("has_compulsory_child", "家中有义务教育阶段适龄儿童、少年（6–15周岁）", "Any child of compulsory-school age (6–15)?"),
        yn("dropout", "是否有义务教育阶段辍学", "Has any of them dropped out?", relevant="${has_compulsory_child} = 'yes'"),
        integer("dropout_count", "辍学人数", "Number who dropped out", min=1, max=20, extra=". <= ${persons}",
                extra_zh="不能多于户籍人口", extra_en="Cannot exceed the household members", relevant=dropout),
        s1("dropout_reason", "dropout_reason", "辍学原因", "Reason for dropping out", relevant=dropout),
        yn("home_schooling", "是否送教上门（重度残疾）", "Taught at home (送教上门, severe disability)?", relevant=dropout),
        yn("persuaded_back", "是否已开展劝返复学工作", "Has the school persuaded them back (劝返复学)?",
           relevant=f"{dropout} and ${{home_schooling}} = 'no'"),
        *added(V2025_2, *extra),
        relevant=COMPLETED,
    )


def medical(registered: bool) -> Node:
    serious = "${serious_illness_present} = 'yes'"
    items: list[Node] = [
        yn("all_basic_insured", "家庭成员都参加了基本医疗保险", "All members enrolled in basic medical insurance"),
        yn("all_critical_insured", "家庭成员都参加了大病保险", "All members enrolled in critical-illness insurance"),
    ]
    if registered:
        items.append(yn("premium_subsidy", "是否获得政府保费补贴", "Premium subsidy received?"))
    items += [
        yn("serious_illness_present", "家中有大病、重病病人", "Anyone seriously ill?"),
        yn("medical_expense_excessive", "医疗刚性支出是否过大", "Are unavoidable medical costs excessive?", relevant=serious),
        *added(V2025_2, text("medical_expense_detail", "医疗支出过大的具体情况", "How the medical costs are excessive",
                             required=True, relevant="${medical_expense_excessive} = 'yes'")),
        yn("medical_basic_life_secured", "得病后基本生活是否有保障", "Is basic living secured despite the illness?", relevant=serious),
        *added(V2025_2, text("medical_life_detail", "基本生活无保障的具体情况", "How basic living is not secured",
                             required=True, relevant="${medical_basic_life_secured} = 'no'")),
    ]
    if registered:
        items += [
            yn("medical_policy_gap", "是否存在医疗保障政策落实不到位", "Medical-security policies not fully delivered?"),
            text("medical_policy_gap_detail", "哪些医疗保障政策没有落实到位", "Which policies were not delivered?",
                 relevant="${medical_policy_gap} = 'yes'"),
            yn("chronic_patient_present", "是否有符合家庭医生签约服务的慢性病患者", "Any chronic patient eligible for family-doctor contracting?"),
            yn("chronic_contracted", "慢性病患者是否已签约家庭医生", "Has the chronic patient a family-doctor contract?",
               relevant="${chronic_patient_present} = 'yes'"),
            *added(
                V2025_2,
                yn("contracted_doctor_serves", "签约医生是否提供相关服务", "Does the contracted doctor actually provide services?",
                   relevant="${chronic_contracted} = 'yes'"),
                yn("chronic_card", "是否有慢性病卡", "Has the patient a chronic-illness card (慢性病卡)?",
                   relevant="${chronic_patient_present} = 'yes'"),
                yn("chronic_drug_subsidy", "慢性病合规药费是否享受了补助", "Are eligible chronic-illness drug costs subsidised?",
                   relevant="${chronic_patient_present} = 'yes'"),
                text("chronic_drug_subsidy_reason", "没有享受药费补助的原因", "Why the drug costs are not subsidised",
                     required=True, relevant="${chronic_drug_subsidy} = 'no'"),
            ),
            yn("hospitalised", "今年家庭成员是否住院治疗", "Anyone hospitalised this year?"),
            yn("hospital_one_stop", "先诊疗后付费、“一站式”结算是否落实", "Treatment-first and one-stop settlement applied?",
               relevant="${hospitalised} = 'yes'"),
        ]
    items += added(V2025_2, text("medical_other_problems", "医疗保障方面还存在的其他问题", "Other problems with medical security",
                                 hint_zh="没有可不填", hint_en="Leave empty if none"))
    return group("grp_medical", "基本医疗", "Basic medical care", *items, relevant=COMPLETED)


def housing() -> Node:
    return group(
        "grp_housing", "住房安全", "Housing safety",
        s1("housing_grade", "housing_grade", "住房安全鉴定等级", "Housing safety grade",
           hint_zh="以住建部门鉴定为准；标准：A级或B级", hint_en="As assessed by the housing department; standard: A or B"),
        yn("relocated", "是否易地扶贫搬迁户", "Relocated household (易地扶贫搬迁)?"),
        yn("relocated_moved_in", "是否已入住搬迁房", "Moved into the relocation house?", relevant="${relocated} = 'yes'"),
        yn("renovated", "是否实施危房改造", "Dangerous-house renovation carried out?"),
        yn("renovation_finished", "新房是否已完工（经鉴定合格）", "New house finished (certified)?", relevant="${renovated} = 'yes'"),
        yn("renovation_occupied", "是否已入住改造后的住房", "Moved into the renovated house?", relevant="${renovation_finished} = 'yes'"),
        *added(V2025_2, *renovation_details()),
        s1("housing_substitute", "housing_substitute", "是否有其他安全住房保障", "Other safe housing arrangement",
           relevant="${housing_grade} = 'C' or ${housing_grade} = 'D' or ${housing_grade} = 'unassessed'"),
        yn("housing_safe", "综合判断住房安全是否有保障", "All in all, is housing safe?"),
        *added(
            V2025_2,
            text("housing_unsafe_detail", "住房安全无保障的具体表现", "How the housing is not safe", required=True,
                 relevant="${housing_safe} = 'no'"),
            text("housing_other_problems", "住房保障方面还存在的其他问题", "Other problems with housing security",
                 hint_zh="没有可不填", hint_en="Leave empty if none"),
        ),
        Question(type="image", name="photo_house", zh="住房照片", en="Photo of the house", parameters="max-pixels=1600",
                 hint_zh="拍摄房屋正面及主要承重结构", hint_en="Front of the house and the main load-bearing structure"),
        relevant=COMPLETED,
    )


def renovation_details() -> list[Node]:
    """危房改造 details (附件2 Q8), asked when a renovation was carried out."""
    ren = "${renovated} = 'yes'"
    rebuild = f"{ren} and ${{renovation_method}} = 'rebuild'"
    return [
        yn("renovation_policy_ok", "是否符合危改政策", "Does the renovation meet the policy?", relevant=ren),
        s1("renovation_target", "renovation_target_group", "属于哪类危改重点对象（4类重点对象）",
           "Which target group (the four priority groups)?", relevant=ren),
        s1("renovation_method", "renovation_method", "危改方式", "Renovation method", relevant=ren,
           appearance="horizontal-compact"),
        yn("renovation_area_ok", "D级拆除重建的面积是否在标准范围内", "Is the rebuilt (grade D) floor area within the limits?",
           relevant=rebuild),
        decimal("renovation_area_gap_m2", "超标（正数）或不达标（负数）的面积（平方米）",
                "Area above (positive) or below (negative) the limits (m²)", min=-300, max=500, extra=". != 0",
                extra_zh="面积不达标时不能为 0", extra_en="Cannot be 0 when the area is off the limits",
                relevant=f"{rebuild} and ${{renovation_area_ok}} = 'no'"),
        yn("renovation_quality_ok", "改造质量是否达标", "Does the build quality meet the standard?", relevant=ren),
        text("renovation_quality_problems", "质量不达标的具体表现", "How the quality falls short", required=True,
             relevant=f"{ren} and ${{renovation_quality_ok}} = 'no'"),
        yn("renovation_old_demolished", "旧房是否拆除", "Was the old house demolished?", relevant=rebuild),
        yn("renovation_subsidy_paid", "危改补贴是否落实", "Was the renovation subsidy paid?", relevant=ren),
        decimal("renovation_subsidy_yuan", "危改补贴金额（元）", "Renovation subsidy received (yuan)", min=1, max=200_000,
                relevant=f"{ren} and ${{renovation_subsidy_paid}} = 'yes'"),
        decimal("renovation_own_yuan", "农户自筹金额（元）", "Paid by the household itself (yuan)", min=0, max=1_000_000,
                relevant=ren, hint_zh="没有自筹填 0", hint_en="0 if nothing"),
    ]


INCOME_FORMULA = (
    "round((${income_wage} + ${income_business} + ${income_property} + ${income_transfer}"
    " - ${production_cost} - ${income_windfall}) div ${persons_sharing}, 2)"
)


def income(registered: bool = False) -> Node:
    def amount(name: str, zh: str, en: str, hint_zh: str = "", hint_en: str = "") -> Question:
        return decimal(name, zh, en, min=0, max=MAX_INCOME, hint_zh=hint_zh, hint_en=hint_en)

    return group(
        "grp_income", "家庭收入（近12个月）", "Household income (last 12 months)",
        *added(V2025_2, integer("wage_earners", "目前家中有几人务工（人）", "Members working for wages (persons)", min=0, max=30,
                                extra=". <= ${persons}", extra_zh="不能多于户籍人口",
                                extra_en="Cannot exceed the household members")),
        amount("income_wage", "工资性收入（元）", "Wages (yuan)", "务工、公益性岗位等", "Wage work, public-welfare jobs …"),
        amount("income_business", "生产经营性收入（元）", "Business and farming income (yuan)"),
        amount("income_property", "财产性收入（元）", "Property income (yuan)", "租金、分红、入股收益等", "Rent, dividends, shares …"),
        amount("income_transfer", "转移性收入（元）", "Transfer income (yuan)", "低保、养老金、各类补贴、赡养费等",
               "Allowances, pensions, subsidies, support from children …"),
        amount("production_cost", "生产经营费用支出（元）", "Production costs (yuan)"),
        Question(type="decimal", name="income_windfall", zh="其中一次性收入（元）", en="Of which one-off income (yuan)",
                 required=True, default="0", constraint=f". >= 0 and . <= {MAX_INCOME}",
                 cmsg_zh=f"应在 0 到 {MAX_INCOME} 之间", cmsg_en=f"Must be between 0 and {MAX_INCOME}",
                 hint_zh="已计入上面各项、但不可持续的收入（如征地补偿、一次性奖励），计算人均纯收入时扣除",
                 hint_en="Counted above but not recurring (e.g. land compensation); excluded from net income per head"),
        calc("income_net_per_capita", INCOME_FORMULA, "dec"),
        note("income_net_note", "测算人均纯收入：${income_net_per_capita} 元", "Net income per head: ${income_net_per_capita} yuan"),
        yn("income_stable", "综合研判该户收入是否稳定可持续", "All in all, is the income stable and sustainable?"),
        text("income_unstable_reason", "收入不稳定的具体情况", "Why the income is not stable",
             relevant="${income_stable} = 'no'"),
        *(added(V2025_2, s1("yes_no_unsure", "income_above_line_expected",
                            "根据该户实际情况研判，今年人均纯收入能否超过扶贫标准",
                            "Judging by the household's situation, will this year's net income per head exceed the poverty line?",
                            appearance="horizontal-compact")) if registered else []),
        relevant=COMPLETED,
    )


def covid() -> Node:
    """新冠肺炎疫情影响情况 (附件2 Q29, 附件3 五), added in 2025.2."""
    hit = "${covid_impact} = 'yes'"
    return group(
        "grp_covid", "新冠肺炎疫情影响", "COVID-19 impact",
        *added(
            V2025_2,
            yn("covid_impact", "新冠肺炎疫情对该户是否造成较大影响", "Did COVID-19 hit the household hard?"),
            sm("covid_impact_kind", "covid_impact_kinds", "带来哪些较大影响（可多选）", "What impact (several allowed)", relevant=hit),
            text("covid_impact_other", "其他影响的具体情况", "Other impact: what", required=True,
                 relevant=f"{hit} and selected(${{covid_impact_kinds}}, 'other')"),
            text("covid_solution", "是怎么解决的", "How was it solved?", required=True, relevant=hit,
                 hint_zh="尚未解决的写明“未解决”及原因", hint_en="If not solved, say so and why"),
        ),
        relevant=COMPLETED,
    )


def approval(extra: list[Node] | None = None) -> Node:
    return group(
        "grp_approval", "综合认可", "Approval",
        *(extra or []),
        yn("approves", "综合研判该户对本村脱贫攻坚工作是否认可", "All in all, does the household approve of the work?"),
        text("disapproval_reason", "不认可的具体原因", "Why not", required=True, relevant="${approves} = 'no'"),
        relevant=COMPLETED,
    )


def evidence() -> Node:
    return group(
        "grp_evidence", "佐证材料", "Evidence",
        Question(type="image", name="photo_other", zh="其他照片（户口簿、收入凭证等）", en="Other photo (register, income proof …)",
                 parameters="max-pixels=1600"),
        Question(type="audio", name="audio_interview", zh="访谈录音", en="Interview recording",
                 hint_zh="征得受访者同意后录音", hint_en="Record only with the respondent's consent"),
        text("remarks", "调查员备注", "Enumerator's remarks", appearance="multiline"),
        relevant=COMPLETED,
    )


def household_info(type_question: Node | None = None) -> Node:
    items: list[Node] = [type_question] if type_question is not None else []
    return group("grp_household", "家庭基本情况", "Household", *items, *roster(), relevant=COMPLETED, appearance=None)
