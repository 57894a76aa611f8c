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
}


def subset(*names: str) -> dict[str, tuple[Choice, ...]]:
    return {n: ALL[n] for n in names}
