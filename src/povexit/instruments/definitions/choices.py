"""Choice lists shared by the questionnaires (codes from docs/fields.md; labels from seed 002 附件2/3)."""

from __future__ import annotations

from ..formdef import Choice, choices

YES_NO = choices(("yes", "是", "Yes"), ("no", "否", "No"))

HOUSEHOLD_STATUS = choices(
    ("poor", "贫困户（未脱贫）", "Poor (not yet exited)"),
    ("exited", "脱贫户（已脱贫）", "Exited"),
    ("returned", "返贫户", "Returned to poverty"),
)

INTERVIEW_RESULT = choices(
    ("completed", "完成访问", "Interview completed"),
    ("not_found", "找不到该户", "Household not found"),
    ("absent", "多次上门无人在家", "Nobody at home after repeated visits"),
    ("refused", "拒绝访问", "Refused"),
    ("moved_out", "已整户迁出", "Whole household moved away"),
)

HOUSEHOLD_TYPE = choices(
    ("dibao", "低保户", "Minimum-living-allowance (低保) household"),
    ("tekun", "特困供养户", "Extreme-poverty support (特困) household"),
    ("disabled", "残疾人户", "Household with a disabled member"),
    ("seriously_ill", "大病、重病户", "Household with a seriously ill member"),
    ("dangerous_house", "危房户", "Household in a dangerous house"),
    ("no_labour", "无劳动力户", "Household without labour"),
    ("elderly_alone", "独居老人户", "Elderly person living alone"),
    ("other_focus", "其他重点户", "Other focus household"),
    ("normal", "正常户", "Ordinary household"),
)

RELATION = choices(
    ("head", "户主", "Head of household"),
    ("spouse", "配偶", "Spouse"),
    ("son", "之子", "Son"),
    ("daughter", "之女", "Daughter"),
    ("son_in_law", "之女婿", "Son-in-law"),
    ("daughter_in_law", "之儿媳", "Daughter-in-law"),
    ("grandson", "之孙子", "Grandson"),
    ("granddaughter", "之孙女", "Granddaughter"),
    ("father", "之父", "Father"),
    ("mother", "之母", "Mother"),
    ("grandparent", "之祖父母", "Grandparent"),
    ("sibling", "兄弟姐妹", "Sibling"),
    ("other", "其他", "Other"),
)

SEX = choices(("M", "男", "Male"), ("F", "女", "Female"))

SCHOOLING = choices(
    ("preschool", "学前教育", "Pre-school"),
    ("primary", "小学在读", "Primary school"),
    ("junior", "初中在读", "Junior secondary"),
    ("senior", "高中在读", "Senior secondary"),
    ("vocational", "中职/高职在读", "Vocational school"),
    ("college", "大专及以上在读", "College or university"),
    ("not_in_school", "非在校生", "Not a student"),
    ("dropout", "辍学", "Dropped out"),
    ("home_schooling", "送教上门", "Taught at home (送教上门)"),
)

HEALTH = choices(
    ("healthy", "健康", "Healthy"),
    ("chronic", "长期慢性病", "Chronic illness"),
    ("serious", "患有大病", "Serious illness"),
    ("disabled", "残疾", "Disabled"),
)

DISABILITY_GRADE = choices(
    ("none", "无残疾", "No disability"),
    ("1", "一级", "Grade 1"),
    ("2", "二级", "Grade 2"),
    ("3", "三级", "Grade 3"),
    ("4", "四级", "Grade 4"),
)

LABOUR = choices(
    ("normal", "普通劳动力", "Ordinary labour"),
    ("skilled", "技能劳动力", "Skilled labour"),
    ("weak", "弱劳动力或半劳动力", "Weak or half labour"),
    ("lost", "丧失劳动力", "Lost labour capacity"),
    ("none", "无劳动力（未成年、在校生等）", "No labour (minor, student…)"),
)

DROPOUT_REASON = choices(
    ("hardship", "家庭困难", "Family hardship"),
    ("unwilling", "不想上学，自己放弃", "Does not want to go to school"),
    ("health", "身体条件不允许", "Health does not allow"),
    ("other", "其他", "Other"),
)

HOUSING_GRADE = choices(
    ("A", "A级", "Grade A"),
    ("B", "B级", "Grade B"),
    ("C", "C级（局部危房）", "Grade C (partly dangerous)"),
    ("D", "D级（整栋危房）", "Grade D (dangerous)"),
    ("unassessed", "未鉴定", "Not assessed"),
)

HOUSING_SUBSTITUTE = choices(
    ("none", "无其他安全住房", "No other safe housing"),
    ("safe_house_elsewhere", "另有安全住房", "Has a safe house elsewhere"),
    ("long_term_rent", "长期租住安全住房", "Long-term rent of a safe house"),
    ("collective_care", "集中供养/敬老院", "Collective care (nursing home)"),
    ("relocation_keys", "搬迁房已交钥匙", "Relocation house, keys handed over"),
    ("living_with_children", "与子女同住安全住房", "Lives with children in a safe house"),
)

INFRASTRUCTURE = choices(
    ("obvious", "有明显改善", "Obvious improvement"),
    ("some", "有改善", "Some improvement"),
    ("none", "没有改善", "No improvement"),
)

EMPLOYMENT_SUPPORT = choices(
    ("public_job", "公益性岗位", "Public-welfare job"),
    ("training", "技能培训或务工培训", "Skills or job training"),
    ("job_info", "介绍就业或提供就业信息", "Job placement or information"),
    ("other", "其他", "Other"),
    ("none", "没有享受就业帮扶政策", "No employment support"),
)

FINANCE_LOAN = choices(
    ("willing_eligible", "有意愿且符合条件", "Willing and eligible"),
    ("willing_ineligible", "有意愿不符合条件", "Willing, not eligible"),
    ("unwilling", "没意愿", "Not willing"),
    ("ineligible", "不符合条件", "Not eligible"),
)

VILLAGE_TEAM_HELP = choices(
    ("publicity", "宣传政府的政策和项目", "Explained policies and projects"),
    ("funding", "帮助争取政策、项目和资金支持", "Helped obtain policies, projects, funds"),
    ("implementation", "帮助落实政策和实施项目", "Helped implement policies and projects"),
    ("visits", "慰问看望", "Visits"),
    ("donation", "捐款捐物", "Donations"),
    ("other", "其他帮扶措施", "Other help"),
    ("nothing", "没什么帮助", "No help"),
)

CULTURE_CENTRE = choices(
    ("room", "文化活动室", "Activity room"),
    ("square", "文体广场", "Sports and culture square"),
    ("stage", "简易戏台", "Simple stage"),
    ("board", "宣传栏", "Notice board"),
    ("culture_kit", "文化器材", "Culture equipment"),
    ("broadcast_kit", "广播器材", "Broadcasting equipment"),
    ("sports_kit", "体育设施器材", "Sports equipment"),
)

CLINIC_ROOMS = choices(
    ("consulting", "诊室", "Consulting room"),
    ("treatment", "治疗室", "Treatment room"),
    ("public_health", "公共卫生室", "Public-health room"),
    ("pharmacy", "药房", "Pharmacy"),
)

RESPONDENT_ROLE = choices(
    ("county_cadre", "县级干部", "County cadre"),
    ("township_cadre", "乡镇干部", "Township cadre"),
    ("village_cadre", "村干部（村三委）", "Village cadre"),
    ("deputy", "人大代表", "People's congress deputy"),
    ("cppcc", "政协委员", "CPPCC member"),
    ("resident_team", "驻村工作队员/第一书记", "Resident work team / first secretary"),
)

# ---- added by the requirements review (form 2025.2) ----------------------------------------------------

COVID_IMPACT = choices(
    ("work_blocked", "外出务工受阻", "Could not go out to work"),
    ("produce_unsold", "农产品滞销", "Farm produce could not be sold"),
    ("income_loss", "收入减少", "Income fell"),
    ("supply_shortage", "物资短缺", "Shortage of supplies"),
    ("other", "其他", "Other"),
)

STUDENT_STAGE = choices(
    ("preschool", "学前教育", "Pre-school"),
    ("senior", "普通高中", "Senior secondary"),
    ("vocational", "中职（中专、技校）", "Secondary vocational"),
    ("college", "大学（高职、大专、本科及以上）", "College or university"),
)

RENOVATION_TARGET = choices(
    ("registered_poor", "建档立卡贫困户", "Registered poor household"),
    ("dibao", "低保户", "Minimum-living-allowance (低保) household"),
    ("tekun_scattered", "农村分散供养特困人员", "Scattered extreme-poverty (特困) support"),
    ("poor_disabled", "贫困残疾人家庭", "Poor household with a disabled member"),
    ("none", "不属于4类重点对象", "None of the four target groups"),
)

RENOVATION_METHOD = choices(
    ("repair", "维修加固", "Repair"),
    ("rebuild", "拆除重建", "Rebuild"),
)

INDUSTRY_PARTICIPATION = choices(
    ("cooperative", "加入合作经营", "Joined cooperative operation"),
    ("dividend", "享受分红", "Receives dividends"),
    ("base_production", "参加基地生产", "Works in the production base"),
    ("coop_work", "在合作社（企业）打工", "Works for the cooperative (company)"),
    ("supply", "为合作社（企业）提供原料或产品", "Supplies the cooperative (company)"),
    ("other", "其它", "Other"),
)

EFFECT = choices(
    ("good", "好", "Good"),
    ("fair", "一般", "Fair"),
    ("poor", "差", "Poor"),
)

LOAN_TERMS = choices(
    ("base_rate", "基准利率", "Base interest rate"),
    ("no_guarantee", "免担保", "No guarantor"),
    ("no_collateral", "免抵押", "No collateral"),
    ("interest_subsidy", "财政贴息", "Interest subsidised by the government"),
    ("none", "都没有享受", "None of these"),
)

YES_NO_UNSURE = choices(("yes", "是", "Yes"), ("no", "否", "No"), ("unsure", "不确定", "Uncertain"))

SATISFACTION = choices(
    ("satisfied", "满意", "Satisfied"),
    ("basic", "基本满意", "Fairly satisfied"),
    ("dissatisfied", "不满意", "Dissatisfied"),
    ("not_applicable", "不适用（没有驻村工作队或帮扶责任人）", "Not applicable (no work team or helper)"),
)

COOP_JOIN = choices(
    ("land", "以土地承包经营权、林权入股", "Land or forest rights as shares"),
    ("funds", "资金入股（扶贫资金、信贷资金、家庭财产）", "Money as shares (poverty funds, loans, own assets)"),
    ("labour", "技术、劳务入股", "Skills or labour as shares"),
    ("custody", "托管、托养", "Custody or contract rearing"),
    ("other", "其他", "Other"),
)

DEBT_ORIGIN = choices(
    ("historical", "历史遗留", "Inherited from the past"),
    ("recent", "近年新产生", "Incurred recently"),
    ("both", "两者都有", "Both"),
)

EXIT_PATHWAYS = choices(
    ("industry", "产业帮扶脱贫", "Industry support"),
    ("relocation", "易地扶贫搬迁脱贫", "Relocation"),
    ("housing", "危房改造脱贫", "Housing renovation"),
    ("employment", "就业创业脱贫", "Employment and enterprise"),
    ("social_security", "兜底保障脱贫", "Social-security safety net"),
    ("education_health", "教育医疗卫生脱贫", "Education, health and medical care"),
    ("ecology", "生态补偿脱贫", "Ecological compensation"),
    ("other", "其他", "Other"),
)

BURDEN = choices(
    ("heavy", "较多", "Heavy"),
    ("moderate", "一般", "Moderate"),
    ("light", "较少", "Light"),
)

ALL: dict[str, tuple[Choice, ...]] = {
    "yes_no": YES_NO,
    "household_status": HOUSEHOLD_STATUS,
    "interview_result": INTERVIEW_RESULT,
    "household_type": HOUSEHOLD_TYPE,
    "relation": RELATION,
    "sex": SEX,
    "schooling": SCHOOLING,
    "health": HEALTH,
    "disability_grade": DISABILITY_GRADE,
    "labour": LABOUR,
    "dropout_reason": DROPOUT_REASON,
    "housing_grade": HOUSING_GRADE,
    "housing_substitute": HOUSING_SUBSTITUTE,
    "infrastructure": INFRASTRUCTURE,
    "employment_support": EMPLOYMENT_SUPPORT,
    "finance_loan": FINANCE_LOAN,
    "village_team_help": VILLAGE_TEAM_HELP,
    "culture_centre": CULTURE_CENTRE,
    "clinic_rooms": CLINIC_ROOMS,
    "respondent_role": RESPONDENT_ROLE,
    "covid_impact_kind": COVID_IMPACT,
    "student_stage": STUDENT_STAGE,
    "renovation_target": RENOVATION_TARGET,
    "renovation_method": RENOVATION_METHOD,
    "industry_participation": INDUSTRY_PARTICIPATION,
    "effect": EFFECT,
    "loan_terms": LOAN_TERMS,
    "yes_no_unsure": YES_NO_UNSURE,
    "satisfaction": SATISFACTION,
    "coop_join": COOP_JOIN,
    "debt_origin": DEBT_ORIGIN,
    "exit_pathways": EXIT_PATHWAYS,
    "burden": BURDEN,
}


def subset(*names: str) -> dict[str, tuple[Choice, ...]]:
    return {n: ALL[n] for n in names}
