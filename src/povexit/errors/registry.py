"""Error codes of the registry layer (``povexit registry check|import``, ``registry.load``).

Codes ``PVX-R0xx`` concern files and tables, ``R1xx`` persons, ``R15x`` villages, ``R16x`` groups,
``R17x`` rosters, ``R18x`` counties.  ``{value}`` is always what the user wrote (ID numbers masked).
"""

from __future__ import annotations

from . import spec

# ---- files and tables ----------------------------------------------------------------------------

TABLE_MISSING = spec(
    "PVX-R001", "error",
    "登记目录 {file} 中没有找到“{table}”表（可用文件名：{names}）",
    "No '{table}' table in the registry directory {file} (accepted file names: {names})",
    "把该表保存为 {example}（CSV、XLSX 或 Parquet）放进目录。",
    "Put the table in the directory as {example} (CSV, XLSX or Parquet).",
)
TABLE_AMBIGUOUS = spec(
    "PVX-R002", "error",
    "“{table}”表有多个文件：{files}", "Several files hold the '{table}' table: {files}",
    "只保留一个文件。", "Keep only one of them.",
)
TABLE_EMPTY = spec(
    "PVX-R003", "error",
    "{file} 中没有数据行", "{file} has no data rows",
    "确认文件内容完整（表头下面应有数据）。", "Make sure the file has data below the header.",
)
NOT_A_REGISTRY = spec(
    "PVX-R004", "error",
    "{file} 不是登记数据目录，也不是 povexit 导入的目录", "{file} is neither a registry directory nor an imported registry",
    "给出含有 persons 和 villages 表的目录，或 `povexit registry import` 的输出目录。",
    "Give a directory with persons and villages tables, or the output of `povexit registry import`.",
)

ENCODING_BIG5 = spec(
    "PVX-R005", "error",
    "{file} 看起来是繁体中文 Big5 编码，不是 UTF-8 或 GBK/GB18030",
    "{file} looks like traditional-Chinese Big5 text, not UTF-8 or GBK/GB18030",
    "用 Excel 或 WPS 打开，另存为“CSV UTF-8（逗号分隔）”或 .xlsx；表头和取值请用简体中文（如“证件号码”“已脱贫”）。",
    "Open it in Excel or WPS and save as 'CSV UTF-8 (comma delimited)' or .xlsx; headers and values must be in "
    "simplified Chinese (证件号码, 已脱贫 …).",
)
ENCODING_MIXED = spec(
    "PVX-R006", "error",
    "{file} 第 {row} 行含有无法识别的字节（既不是 UTF-8 也不是 GBK/GB18030，第 {offset} 字节起）",
    "{file} line {row} holds bytes that are neither UTF-8 nor GBK/GB18030 (from byte {offset})",
    "文件可能由几个不同编码的文件拼接而成或已损坏：在 Excel 或 WPS 中打开检查该行，整体另存为“CSV UTF-8”。",
    "The file may be pieced together from files in different encodings, or damaged: check that line in Excel "
    "or WPS and save the whole file as 'CSV UTF-8'.",
)
SHEET_AMBIGUOUS = spec(
    "PVX-R007", "error",
    "{file} 中有多个工作表都像“{table}”表（{sheets}），无法确定用哪一个",
    "Several sheets of {file} look like the '{table}' table ({sheets}); cannot tell which one to use",
    "把数据合并到一个工作表（如按乡镇分表的，合并后删去其余工作表），或把要导入的工作表命名为“{name}”。",
    "Put the rows on one sheet (merge per-township sheets and delete the others), or name the sheet to import "
    "'{name}'.",
)
MERGED_CELLS_FILLED = spec(
    "PVX-R008", "warning",
    "数据区有 {count} 处合并单元格（如 {value}），已按合并区域左上角的值填入区域内每一行",
    "{count} merged cell range(s) in the data (e.g. {value}); the top-left value was filled into every row "
    "of each range",
    "这是 Excel 中看到的值；若某个合并区域跨了不该同值的行，请取消合并并逐行填写。",
    "That is what Excel shows; if a range spans rows that should differ, unmerge it and fill each row.",
)
HIDDEN_ROWS = spec(
    "PVX-R009", "warning",
    "有 {count} 个隐藏行（第 {rows} 行），已照常导入",
    "{count} hidden row(s) (rows {rows}) were imported like the others",
    "隐藏只是显示方式，不代表删除；不应导入的人员请从表中删去。",
    "Hiding is only a view; delete the rows that should not be imported.",
)
TOTALS_ROW_SKIPPED = spec(
    "PVX-R010", "warning",
    "第 {row} 行是合计行（“{value}”），未作为数据导入",
    "Row {row} is a totals row ('{value}'); not imported as data",
    "合计、小计行不是人员或村的记录，可以留在表中。", "Totals and subtotal rows are not records; they may stay.",
)
OLD_SPREADSHEET = spec(
    "PVX-R011", "error",
    "{file} 是 {kind} 格式，不能直接读取", "{file} is {kind_en}, which cannot be read directly",
    "在 Excel 或 WPS 中打开，另存为 .xlsx（Excel 工作簿）或“CSV UTF-8（逗号分隔）”，放进目录替换原文件。",
    "Open it in Excel or WPS and save it as .xlsx (Excel workbook) or 'CSV UTF-8 (comma delimited)' in its place.",
)
SHEET_NO_HEADER = spec(
    "PVX-R012", "error",
    "{file} 的工作表（{sheets}）前 {scanned} 行中都没有找到表头（应包含 {expected} 等列）",
    "No sheet of {file} ({sheets}) has a header row in its first {scanned} rows (expected columns such as {expected})",
    "确认数据所在工作表的表头行包含规定的列名（中文或英文）。",
    "Make sure the header row of the data sheet has the documented column names (Chinese or English).",
)

# ---- persons: values -----------------------------------------------------------------------------

VALUE_MISSING = spec(
    "PVX-R101", "error",
    "必填项“{column}”为空", "Required value '{column}' is empty",
    "填写该单元格。", "Fill in the cell.",
)
ID_FORMAT = spec(
    "PVX-R110", "error",
    "证件号码“{value}”格式不对：居民身份证号应为 18 位（17 位数字加一位数字或 X）",
    "ID number '{value}' is malformed: a resident ID has 18 characters (17 digits, then a digit or X)",
    "对照户口簿核对号码，补全或删去多余的字符。",
    "Check the number against the household register (户口簿) and fix missing or extra characters.",
)
ID_CHECK_DIGIT = spec(
    "PVX-R111", "error",
    "证件号码“{value}”校验位错误（按 GB 11643 应为 {expected}）",
    "ID number '{value}' has a wrong check digit (GB 11643 gives {expected})",
    "号码中有输错的数字，对照户口簿或身份证逐位核对。",
    "A digit was mistyped; compare it digit by digit with the ID card or household register.",
)
ID_BIRTH_DATE = spec(
    "PVX-R112", "error",
    "证件号码“{value}”中的出生日期 {birth} 无效{reason}",
    "ID number '{value}' has an invalid birth date {birth}{reason_en}",
    "核对号码第 7–14 位（出生年月日）。", "Check characters 7–14 (year, month, day of birth).",
)
ID_EXCEL_FLOAT = spec(
    "PVX-R113", "error",
    "证件号码“{value}”被 Excel 转成了数字（科学计数法），后几位已经丢失",
    "ID number '{value}' was turned into a number by Excel (scientific notation); its last digits are lost",
    "在原始表中把该列设为“文本”格式后重新粘贴号码（或在号码前加英文单引号 '），再另存为 CSV UTF-8；"
    "已丢失的位数只能从原始数据恢复。",
    "Format the column as Text in the source sheet and paste the numbers again (or prefix them with an "
    "apostrophe '), then save as CSV UTF-8; the lost digits can only be restored from the original data.",
)
ID_OTHER = spec(
    "PVX-R114", "warning",
    "证件号码“{value}”不是居民身份证号（{kind}），无法校验", "ID number '{value}' is not a resident ID ({kind_en}); it cannot be checked",
    "若此人有居民身份证，请改填 18 位身份证号（15 位旧号码已停用，不会自动换算）。",
    "If the person has a resident ID card, write its 18-character number (old 15-digit numbers are no longer "
    "valid and are not converted).",
)
ID_REGION = spec(
    "PVX-R115", "error",
    "证件号码“{value}”的前两位 {region} 不是有效的省级行政区划代码",
    "ID number '{value}' starts with {region}, which is not a valid province code",
    "核对号码前 6 位（地址码）。", "Check the first 6 digits (address code).",
)
ID_DUPLICATE_HOUSEHOLDS = spec(
    "PVX-R116", "error",
    "证件号码“{value}”同时出现在户 {household} 和户 {other_household}（第 {other_row} 行）",
    "ID number '{value}' appears in household {household} and in household {other_household} (row {other_row})",
    "一个人只能属于一户：核实此人实际所在的户，删去另一条记录。",
    "A person belongs to one household only: find the right one and delete the other record.",
)
ID_DUPLICATE_IN_HOUSEHOLD = spec(
    "PVX-R117", "error",
    "证件号码“{value}”在户 {household} 中重复出现（另见第 {other_row} 行）",
    "ID number '{value}' appears twice in household {household} (see also row {other_row})",
    "删去重复的人员记录。", "Delete the duplicated person record.",
)
HOUSEHOLD_ID_EXCEL_FLOAT = spec(
    "PVX-R118", "error",
    "户编号“{value}”被 Excel 转成了数字（科学计数法），后几位已经丢失，不同的户可能因此合成一户",
    "Household id '{value}' was turned into a number by Excel (scientific notation); its last digits are lost "
    "and different households may have merged",
    "在原始表中把“户编号”列设为“文本”格式后重新导出（或重新粘贴编号），再另存为 CSV UTF-8 或 .xlsx。",
    "Format the household-id column as Text in the source sheet and export it again (or paste the ids again), "
    "then save as CSV UTF-8 or .xlsx.",
)
ENUM_INVALID = spec(
    "PVX-R120", "error",
    "“{column}”的值“{value}”无法识别", "'{column}' has an unrecognised value '{value}'",
    "可用的值：{allowed}", "Allowed values: {allowed}",
)
YESNO_INVALID = spec(
    "PVX-R121", "error",
    "“{column}”的值“{value}”不是“是/否”", "'{column}' value '{value}' is not yes/no",
    "填“是”或“否”（也可用 1/0、Y/N、true/false）。", "Write 是 or 否 (1/0, Y/N, true/false also work).",
)
NUMBER_INVALID = spec(
    "PVX-R122", "error",
    "“{column}”的值“{value}”不是{kind}", "'{column}' value '{value}' is not {kind_en}",
    "只填数字（不带单位、文字）。", "Write a plain number (no units or words).",
)
NUMBER_RANGE = spec(
    "PVX-R123", "error",
    "“{column}”的值“{value}”超出合理范围（{range}）", "'{column}' value '{value}' is out of range ({range})",
    "核对该数值。", "Check the number.",
)
INCOME_NEGATIVE = spec(
    "PVX-R124", "warning",
    "年人均纯收入为负数（{value}）", "Income per head is negative ({value})",
    "核对收入和生产经营支出的计算。", "Check the income and production-cost figures.",
)

# ---- persons: households -------------------------------------------------------------------------

HEAD_NONE = spec(
    "PVX-R130", "error",
    "户 {value} 没有户主（{persons} 人）", "Household {value} has no head (户主) among its {persons} member(s)",
    "在“{column}”列中把户主标为“户主”。", "Mark the head as 户主 in the '{column}' column.",
)
HEAD_MULTIPLE = spec(
    "PVX-R131", "error",
    "户 {value} 有 {heads} 个户主（第 {rows} 行）", "Household {value} has {heads} heads (rows {rows})",
    "每户只能有一个户主，改正其余成员的“与户主关系”。",
    "A household has exactly one head; correct the relation of the others.",
)
HOUSEHOLD_STATUS_MIXED = spec(
    "PVX-R132", "error",
    "户 {value} 的成员脱贫属性不一致（{values}）", "Members of household {value} have different statuses ({values})",
    "同一户所有成员的脱贫属性必须相同。", "All members of a household must have the same status.",
)
HOUSEHOLD_EXIT_YEAR_MIXED = spec(
    "PVX-R133", "error",
    "户 {value} 的成员脱贫年度不一致（{values}）", "Members of household {value} have different exit years ({values})",
    "同一户所有成员的脱贫年度必须相同。", "All members of a household must have the same exit year.",
)
HOUSEHOLD_PLACE_MIXED = spec(
    "PVX-R134", "error",
    "户 {value} 的成员登记在不同的村", "Members of household {value} are registered in different villages",
    "同一户成员的省、市、县、乡镇、行政村必须相同；不同户请用不同的户编号。",
    "Members of one household share province, city, county, township and village; use distinct household ids otherwise.",
)
HOUSEHOLD_ATTR_MIXED = spec(
    "PVX-R135", "warning",
    "户 {value} 的成员在 {columns} 上不一致；按户主所在行取值",
    "Members of household {value} differ in {columns}; the head's row is used",
    "户级信息（贫困户属性、人均纯收入、住房等）应每个成员相同。",
    "Household-level fields (poor type, income per head, housing…) should be the same for every member.",
)
EXIT_YEAR_MISSING = spec(
    "PVX-R140", "error",
    "户 {value} 为已脱贫，但没有脱贫年度", "Household {value} is exited but has no exit year",
    "填写该户的脱贫年度（如 2018）。", "Fill in the household's exit year (e.g. 2018).",
)
YEAR_IN_FUTURE = spec(
    "PVX-R141", "error",
    "“{column}”为 {value}，晚于今天（{today}）", "'{column}' is {value}, after today ({today})",
    "核对年度。", "Check the year.",
)
EXIT_YEAR_UNEXPECTED = spec(
    "PVX-R142", "warning",
    "户 {value} 为未脱贫，却填了脱贫年度 {year}", "Household {value} is not exited but has exit year {year}",
    "核对脱贫属性和脱贫年度。", "Check the status and the exit year.",
)

# ---- villages ------------------------------------------------------------------------------------

VILLAGE_UNKNOWN = spec(
    "PVX-R150", "error",
    "行政村“{value}”（{place}）不在 {villages_file} 中（{persons} 人，{households} 户）",
    "Village '{value}' ({place}) is not in {villages_file} ({persons} person(s), {households} household(s))",
    "在行政村表中补上该村，或改正人员表中的省/市/县/乡镇/村名称使两表一致。",
    "Add the village to the villages table, or correct the place names so both tables agree.",
)
VILLAGE_OVER_POPULATION = spec(
    "PVX-R151", "error",
    "村 {value} 的建档立卡人数 {registered} 超过农业户籍人口 {population}",
    "Village {value} has {registered} registered persons, more than its agricultural population {population}",
    "核对农业户籍人口，或核对人员表中该村的人员。",
    "Check the agricultural population, or the village's persons in the persons table.",
)
VILLAGE_DUPLICATE = spec(
    "PVX-R152", "error",
    "行政村“{value}”重复（与第 {other_row} 行相同）", "Village '{value}' is listed twice (same as row {other_row})",
    "删去重复的行，或改正名称/代码。", "Delete the duplicate row or correct the name/code.",
)
VILLAGE_EXITED_NOT_POOR = spec(
    "PVX-R153", "warning",
    "村 {value} 有出列年度但不是贫困村", "Village {value} has an exit year but is not a poor village",
    "核对“是否贫困村”和“出列年度”。", "Check the poor-village flag and the exit year.",
)
VILLAGE_HOUSEHOLDS_BELOW = spec(
    "PVX-R154", "warning",
    "村 {value} 的建档立卡户数 {registered} 超过总户数 {households}",
    "Village {value} has {registered} registered households, more than its {households} households",
    "核对总户数。", "Check the number of households.",
)
VILLAGE_CODE_INVALID = spec(
    "PVX-R155", "warning",
    "行政区划代码“{value}”不是 12 位数字，已忽略", "Village code '{value}' is not 12 digits; ignored",
    "填 12 位统计用区划代码，或留空。", "Give the 12-digit statistical division code, or leave it empty.",
)
VILLAGE_NO_PERSONS = spec(
    "PVX-R156", "warning",
    "贫困村 {value} 没有建档立卡人员", "Poor village {value} has no registered persons",
    "核对人员表中该村的名称。", "Check the village name in the persons table.",
)

# ---- groups --------------------------------------------------------------------------------------

GROUP_UNKNOWN_VILLAGE = spec(
    "PVX-R160", "error",
    "村民小组“{value}”所在的行政村（{place}）不在行政村表中",
    "Village group '{value}' refers to a village ({place}) that is not in the villages table",
    "改正县/乡镇/村名称，或在行政村表中补上该村。", "Correct the place names or add the village.",
)
GROUP_DUPLICATE = spec(
    "PVX-R161", "error",
    "村民小组“{value}”（{place}）重复（与第 {other_row} 行相同）",
    "Village group '{value}' ({place}) is listed twice (same as row {other_row})",
    "删去重复的行。", "Delete the duplicate row.",
)
GROUP_OVER_POPULATION = spec(
    "PVX-R162", "error",
    "村民小组“{value}”（{place}）的建档立卡人数 {registered} 超过农业户籍人口 {population}",
    "Group '{value}' ({place}) has {registered} registered persons, more than its agricultural population {population}",
    "核对该组的农业户籍人口，或人员表中的村民小组。", "Check the group's population or the persons' group.",
)
GROUPS_EXCEED_VILLAGE = spec(
    "PVX-R163", "warning",
    "村 {value} 各村民小组农业户籍人口合计 {groups_total} 超过全村 {population}",
    "The groups of village {value} add up to {groups_total}, more than the village's {population}",
    "核对村和组的人口数。", "Check the village and group populations.",
)
PERSON_GROUP_UNKNOWN = spec(
    "PVX-R164", "warning",
    "人员表中的村民小组“{value}”（{place}）不在村民小组表中（{persons} 人）",
    "Group '{value}' ({place}) of the persons table is not in the groups table ({persons} person(s))",
    "统一两表中村民小组的写法。", "Write the group the same way in both tables.",
)

# ---- rosters -------------------------------------------------------------------------------------

ROSTER_BAD_ID = spec(
    "PVX-R170", "warning",
    "部门名单中的证件号码“{value}”无效（{problem}），该行无法比对",
    "Roster ID number '{value}' is invalid ({problem}); the row cannot be matched",
    "请提供名单的部门核对号码。", "Ask the department that supplied the list to check it.",
)
ROSTER_UNKNOWN_SOURCE = spec(
    "PVX-R171", "warning",
    "部门名单来源“{value}”无法识别（{rows} 行），不参与比对",
    "Roster source '{value}' is not recognised ({rows} row(s)); not used for matching",
    "可用的来源：{allowed}", "Known sources: {allowed}",
)

# ---- counties ------------------------------------------------------------------------------------

COUNTY_REGION_MISMATCH = spec(
    "PVX-R180", "warning",
    "县 {value} 的区域“{region}”与所在省份（{province}，应为{expected}）不符",
    "County {value}: region '{region}' does not match its province ({province}, expected {expected})",
    "西部 12 省（区、市）及吉林延边州为西部标准（3%），其余为中部标准（2%）。",
    "The 12 western provinces and Yanbian (Jilin) use the western threshold (3%); others the central one (2%).",
)
COUNTY_THRESHOLD_INVALID = spec(
    "PVX-R181", "error",
    "县 {value} 的综合贫困发生率标准“{raw}”不合理：{reason}",
    "County {value}: poverty threshold '{raw}' is not plausible: {reason_en}",
    "写成小数（0.02、0.03）或百分数（2%、3%）。", "Write a fraction (0.02, 0.03) or a percentage (2%, 3%).",
)
COUNTY_DUPLICATE = spec(
    "PVX-R182", "error",
    "县 {value} 重复（与第 {other_row} 行相同）", "County {value} is listed twice (same as row {other_row})",
    "删去重复的行。", "Delete the duplicate row.",
)
COUNTY_UNLISTED = spec(
    "PVX-R183", "warning",
    "县 {value}（{province}）出现在行政村表中，但不在县表中", "County {value} ({province}) is in the villages table but not in the counties table",
    "在县表中补上该县（区域、标准）。", "Add the county (region, threshold) to the counties table.",
)
COUNTY_THRESHOLD_DIFFERS = spec(
    "PVX-R184", "warning",
    "县 {value} 的标准 {threshold} 与区域“{region}”的标准 {expected} 不同",
    "County {value}: threshold {threshold} differs from the {region} standard {expected}",
    "核对该县执行的综合贫困发生率标准。", "Check which threshold applies to this county.",
)
COUNTY_NO_THRESHOLD = spec(
    "PVX-R185", "warning",
    "县 {value} 没有综合贫困发生率标准，区域也无法确定标准",
    "County {value} has no poverty threshold and its region does not give one",
    "在县表中填写综合贫困发生率标准。", "Fill in the poverty threshold in the counties table.",
)
