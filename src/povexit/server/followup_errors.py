"""Error codes of the exit procedure and the rectification ledger (PVX-X…, HTTP 400).

They live beside the server code that raises them (the catalogue is global: ``errors.spec`` registers
each code once). Spreadsheet errors name the file, sheet, row, column and value, like the registry's.
"""

from __future__ import annotations

from ..errors import spec

UNKNOWN_STAGE = spec(
    "PVX-X01",
    "error",
    "未知的退出程序环节“{value}”",
    "Unknown exit-procedure stage '{value}'",
    "可选环节：{allowed}",
    "Stages: {allowed}",
)
STAGE_ORDER = spec(
    "PVX-X02",
    "error",
    "“{stage}”须在上一环节“{value}”完成后登记",
    "'{stage}' can be recorded only after '{value}' is done",
    "先登记上一环节的完成日期和文号。",
    "Record the previous stage (date and document reference) first.",
)
STAGE_DATE = spec(
    "PVX-X03",
    "error",
    "“{stage}”的日期 {value} 早于上一环节“{prev}”的完成日期 {prev_date}",
    "The date of '{stage}' ({value}) is before '{prev}' was done ({prev_date})",
    "检查日期；各环节按顺序进行。",
    "Check the date; the stages follow one another.",
)
PUBLICITY_SHORT = spec(
    "PVX-X04",
    "error",
    "公示期 {start} 至 {value} 只有 {n} 个工作日，公示期不少于 5 个工作日，最早 {earliest} 才能登记公示结束",
    "The public notice from {start} to {value} lasts {n} working days; it must last at least 5 working "
    "days, so it can end on {earliest} at the earliest",
    "公示期按工作日计算（周一至周五，节假日除外，含首尾两天）；等公示期满后再登记。",
    "Working days are Monday–Friday except holidays, first and last day included; record the end "
    "once the notice has run its course.",
)
FIELD_REQUIRED = spec(
    "PVX-X05",
    "error",
    "“{stage}”缺少{value}",
    "'{stage}' needs {value}",
    "填写后再提交。",
    "Fill it in and submit again.",
)
BAD_DATE = spec(
    "PVX-X06",
    "error",
    "“{value}”不是日期",
    "'{value}' is not a date",
    "日期写作 2019-04-01。",
    "Write dates as 2019-04-01.",
)
RECHECK_REQUIRED = spec(
    "PVX-X07",
    "error",
    "{county}参考指标未达标，须限期整改并复核：问题清单中还有 {value} 个问题未复核通过",
    "{county} failed a reference indicator and must rectify and be re-checked: {value} problems "
    "have not passed the re-check",
    "县里在问题清单中填报整改结果并上传，带队专家或核查员复核通过后再登记整改完成。",
    "The county fills in and uploads the results, the lead expert or a checker re-checks them, then "
    "record the rectification as done.",
)
EXIT_REFUSED = spec(
    "PVX-X08",
    "error",
    "{county}综合贫困发生率未达标，当年不予退出，不能登记“{value}”",
    "{county} failed the composite incidence and may not exit this year; '{value}' cannot be recorded",
    "按评估结论办理；如结论有误，先核实指标。",
    "Follow the assessment's decision; if it is wrong, check the indicators first.",
)
NOT_DRAWN_ONLY = spec(
    "PVX-X09",
    "error",
    "只有“国家抽查”可以登记为未抽中",
    "Only the national spot check can be recorded as not drawn",
    "",
    "",
)
XLSX_UNREADABLE = spec(
    "PVX-X10",
    "error",
    "{file} 不是可读取的 .xlsx 文件（{value}）",
    "{file} is not a readable .xlsx file ({value})",
    "用 Excel 或 WPS 另存为 .xlsx 后重新上传。",
    "Save it as .xlsx in Excel or WPS and upload it again.",
)
XLSX_NO_SHEET = spec(
    "PVX-X11",
    "error",
    "{file} 中没有问题清单工作表（表头须含 户编号、规则编号、整改措施、整改结果 等列）",
    "{file} has no problem-list sheet (its header must name Household, Rule id, Rectification "
    "measures, Rectification result …)",
    "上传由本系统或 povexit report 生成、由县里填写的 problem-list.xlsx，不要改动表头。",
    "Upload the problem-list.xlsx written by povexit, filled in by the county, with its header unchanged.",
)
XLSX_COLUMN = spec(
    "PVX-X12",
    "error",
    "{file} 工作表“{sheet}”缺少列“{column}”",
    "{file} sheet '{sheet}' has no column '{column}'",
    "不要删除或改名问题清单的列。",
    "Do not delete or rename the problem list's columns.",
)
XLSX_UNKNOWN_PROBLEM = spec(
    "PVX-X13",
    "error",
    "{file} 工作表“{sheet}”第 {row} 行：问题“{value}”不在{county}的问题清单中",
    "{file} sheet '{sheet}' row {row}: problem '{value}' is not on {county}'s problem list",
    "不要改动 户编号/乡镇/行政村/规则编号 列；县里自查发现的问题另行报送。",
    "Do not change the household, township, village or rule id columns; report self-found problems separately.",
)
XLSX_BAD_VALUE = spec(
    "PVX-X14",
    "error",
    "{file} 工作表“{sheet}”第 {row} 行“{column}”列：“{value}”{what}",
    "{file} sheet '{sheet}' row {row} column '{column}': '{value}' {what_en}",
    "按填写说明改正该单元格后重新上传。",
    "Correct the cell as the notes sheet says and upload again.",
)
XLSX_DUPLICATE = spec(
    "PVX-X15",
    "error",
    "{file} 工作表“{sheet}”第 {row} 行：问题“{value}”与第 {first} 行重复",
    "{file} sheet '{sheet}' row {row}: problem '{value}' repeats row {first}",
    "每个问题只保留一行。",
    "Keep one row per problem.",
)
XLSX_EMPTY = spec(
    "PVX-X16",
    "error",
    "{file} 工作表“{sheet}”没有问题行",
    "{file} sheet '{sheet}' has no problem rows",
    "检查是否上传了正确的文件。",
    "Check that this is the right file.",
)
LEDGER_NOT_ISSUED = spec(
    "PVX-X17",
    "error",
    "{value}的问题清单尚未下发",
    "{value}'s problem list has not been issued",
    "由评估机构（带队专家、机构负责人）或扶贫办先上传问题清单。",
    "The assessment team (lead expert, institution lead) or the office uploads the problem list first.",
)
RECHECK_NOT_ANSWERED = spec(
    "PVX-X18",
    "error",
    "问题 {value} 还没有整改结果，不能复核",
    "Problem {value} has no rectification result yet and cannot be re-checked",
    "等县里填报整改结果后再复核。",
    "Wait for the county's result.",
)
RECHECK_COMMENT = spec(
    "PVX-X19",
    "error",
    "复核未通过须写明意见（问题 {value}）",
    "A failed re-check needs a comment (problem {value})",
    "写明哪里未整改到位。",
    "Say what is not rectified.",
)
RECHECK_BAD_RESULT = spec(
    "PVX-X20",
    "error",
    "复核结论“{value}”无效",
    "'{value}' is not a re-check result",
    "选择“复核通过”或“复核未通过”。",
    "Choose passed or failed.",
)
FUTURE_DATE = spec(
    "PVX-X21",
    "error",
    "“{stage}”的日期 {value} 晚于今天，不能登记为已完成",
    "'{stage}' cannot be recorded as done on {value}, a date after today",
    "环节完成后再登记。",
    "Record a stage once it is done.",
)
WORKDIR_GONE = spec(
    "PVX-X22",
    "error",
    "评估“{value}”的工作目录 {file} 已不存在，无法从评估结果生成问题清单",
    "The work directory {file} of assessment '{value}' no longer exists; the problem list cannot be "
    "built from the assessment",
    "把工作目录放回原处，或用 povexit server load 新目录 --name {value} 从新位置重新加载；"
    "也可以上传报告生成的 problem-list.xlsx 下发问题清单。",
    "Put the work directory back, or reload it from where it is now with "
    "povexit server load NEW_DIR --name {value}; or issue the list by uploading the report's problem-list.xlsx.",
)
COUNTY_CHOICE = spec(
    "PVX-X23",
    "error",
    "找不到唯一的县“{value}”（{n} 个匹配）",
    "No single county '{value}' ({n} found)",
    "检查县名；同名的县在多个评估中时用 --assessment 指明评估。已加载的县：{allowed}",
    "Check the name; when several assessments have the county, name one with --assessment. Loaded: {allowed}",
)
UNKNOWN_USER = spec(
    "PVX-X24",
    "error",
    "没有用户“{value}”",
    "There is no user '{value}'",
    "用 povexit server users 查看用户；不指定 --as 则以服务器管理员（system）身份下发。",
    "List users with povexit server users; without --as the list is issued as the administrator (system).",
)
