"""Error catalogue of the effectiveness-evaluation layer (``povexit evaluate``): codes PVX-EV…

成效评估 (seed 002, 004) scores townships and county departments on a weighted score sheet and ranks
them; it also keeps the task ledger (任务台账) of measures with responsible units and deadlines. The
codes here cover score sheets (YAML), manual score files, the data the indicators read, and ledgers.
"""

from __future__ import annotations

from . import spec

# ---- score sheets (YAML) ----------------------------------------------------------------------------

SHEET_NOT_FOUND = spec(
    "PVX-EV01", "error",
    "找不到评分表“{value}”：既不是内置评分表，也不是存在的文件",
    "Score sheet '{value}' not found: neither a built-in sheet nor an existing file",
    "内置评分表：{allowed}；或给出 YAML 文件路径。",
    "Built-in sheets: {allowed}; or give the path of a YAML file.",
)
SHEET_YAML = spec(
    "PVX-EV02", "error",
    "评分表 {file} 第 {row} 行不是有效的 YAML：{reason}",
    "Score sheet {file}, line {row}, is not valid YAML: {reason}",
    "检查缩进（用空格，不用 Tab）和冒号后的空格。",
    "Check the indentation (spaces, not tabs) and the space after each colon.",
)
SHEET_INVALID = spec(
    "PVX-EV03", "error",
    "评分表 {file} 中“{column}”的值“{value}”无效：{reason}",
    "In score sheet {file}, '{column}' has an invalid value '{value}': {reason}",
    "允许的取值：{allowed}", "Allowed: {allowed}",
)
SHEET_UNKNOWN_KEY = spec(
    "PVX-EV04", "error",
    "评分表 {file} 中有未知的键“{column}”",
    "Unknown key '{column}' in score sheet {file}",
    "允许的键：{allowed}", "Allowed keys: {allowed}",
)
SHEET_DUPLICATE_ID = spec(
    "PVX-EV05", "error",
    "评分表 {file} 中编号“{value}”重复（第一次出现在第 {first} 行）",
    "Id '{value}' appears twice in score sheet {file} (first on line {first})",
    "每个评分项和每个部分的 id 必须唯一。", "Every item and section id must be unique.",
)
SHEET_TOTALS = spec(
    "PVX-EV06", "error",
    "评分表 {file} 中层级“{column}”的分值不一致：{reason}",
    "Score sheet {file}: the points of level '{column}' do not add up: {reason}",
    "{allowed}", "{allowed}",
)

# ---- manual scores (CSV / XLSX) ---------------------------------------------------------------------

MANUAL_UNKNOWN_ITEM = spec(
    "PVX-EV10", "error",
    "人工评分表 {file} 中的评分项“{value}”不在评分表“{sheet}”中，或不是人工评分项",
    "Item '{value}' in the manual score file {file} is not a manually scored item of sheet '{sheet}'",
    "人工评分项：{allowed}", "Manually scored items: {allowed}",
)
MANUAL_OUT_OF_RANGE = spec(
    "PVX-EV11", "error",
    "人工评分表 {file} 中“{item}”的得分 {value} 超出范围（应在 0 到 {maximum} 之间）",
    "Score {value} for '{item}' in the manual score file {file} is out of range (0 to {maximum})",
    "按评分表的分值填写；加分、扣分项填写绝对值（不带负号），不超过该项上限。",
    "Enter points within the item's maximum; bonus and penalty items as positive numbers within their cap.",
)
MANUAL_LEVEL = spec(
    "PVX-EV12", "error",
    "人工评分表 {file} 中层级“{value}”无效，或与评分项“{item}”的层级（{expected}）不符",
    "Level '{value}' in the manual score file {file} is invalid or not the level of item '{item}' ({expected})",
    "层级填 township（乡镇）或 department（部门）。", "Level is township (乡镇) or department (部门).",
)
MANUAL_DUPLICATE = spec(
    "PVX-EV13", "error",
    "人工评分表 {file} 中“{unit}”的评分项“{item}”填写了两次（另见第 {first} 行）",
    "The manual score file {file} scores item '{item}' of '{unit}' twice (also row {first})",
    "每个单位的每个评分项只填一行。", "One row per unit and item.",
)
MANUAL_NOT_NUMBER = spec(
    "PVX-EV14", "error",
    "人工评分表 {file} 中“{item}”的得分“{value}”不是数字",
    "Score '{value}' for '{item}' in the manual score file {file} is not a number",
    "填写数字；一票否决项填 是/否。", "Enter a number; for a veto item, yes/no (是/否).",
)
MANUAL_MISSING_FIELD = spec(
    "PVX-EV15", "error",
    "人工评分表 {file} 第 {row} 行缺少“{column}”",
    "Row {row} of the manual score file {file} has no '{column}'",
    "每行需填写 层级、单位、评分项、得分。", "Every row needs level, unit, item and score.",
)

# ---- data the indicators read -----------------------------------------------------------------------

FINDINGS_MISSING = spec(
    "PVX-EV20", "error",
    "找不到研判结果 {file}（findings.csv），或缺少列“{column}”",
    "Findings {file} (findings.csv) not found, or it has no column '{column}'",
    "给出 povexit adjudicate 的输出目录（含 findings.csv，列见 docs/data-layout.md）。",
    "Give the output directory of povexit adjudicate (with findings.csv; columns in docs/data-layout.md).",
)
NO_DATA = spec(
    "PVX-EV21", "warning",
    "评分项“{item}”在 {value} 个乡镇没有可用数据，记 0 分（例如 {example}）",
    "Item '{item}' has no data in {value} township(s) and scores 0 there (e.g. {example})",
    "检查这些乡镇的入户问卷、村级核查表是否已导入；或在评分表中改用人工评分。",
    "Check that those townships' interviews and village checklists were ingested, or score the item manually.",
)
MANUAL_NOT_ENTERED = spec(
    "PVX-EV22", "warning",
    "人工评分项“{item}”有 {value} 个单位未填写得分，记 0 分（例如 {example}）",
    "Manual item '{item}' has no score for {value} unit(s); they get 0 (e.g. {example})",
    "在人工评分表（--manual）中为这些单位补填得分。", "Add their scores to the manual score file (--manual).",
)
SMALL_SAMPLE = spec(
    "PVX-EV23", "warning",
    "{value} 个乡镇的样本不足 {minimum} 户（或 {minimum_villages} 个村），相关评分项的得分不够可靠（例如 {example}）",
    "{value} township(s) have fewer than {minimum} households (or {minimum_villages} villages) for some "
    "items, whose points are not reliable (e.g. {example})",
    "见得分明细的“说明”列；排名时谨慎对待，或补充调查。",
    "See the note column of the item detail; treat those ranks with care, or survey more households.",
)
UNIT_NOT_IN_DATA = spec(
    "PVX-EV24", "warning",
    "人工评分表中的乡镇“{value}”在调查数据中没有出现，其数据类评分项记 0 分",
    "Township '{value}' of the manual score file does not appear in the survey data; its data items score 0",
    "检查乡镇名称是否与名册一致（全称、简称）。", "Check the township's name against the registry (full name, short name).",
)
NO_MANUAL = spec(
    "PVX-EV25", "warning",
    "评分表有 {value} 个人工评分项，但没有给出人工评分表（--manual），这些项均记 0 分",
    "The sheet has {value} manual item(s) but no manual score file (--manual) was given; they score 0",
    "用 --manual 给出人工评分表（CSV/XLSX：层级、单位、评分项、得分、说明）。",
    "Give the manual scores with --manual (CSV/XLSX: level, unit, item, score, note).",
)

# ---- task ledger (任务台账) ---------------------------------------------------------------------------

LEDGER_FIELD_MISSING = spec(
    "PVX-EV30", "error",
    "任务台账 {file} 第 {row} 条缺少“{column}”",
    "Entry {row} of the task ledger {file} has no '{column}'",
    "每条措施需填写 措施、责任单位、完成时限。", "Every measure needs a measure, responsible unit(s) and a deadline.",
)
LEDGER_BAD_DATE = spec(
    "PVX-EV31", "error",
    "任务台账 {file} 第 {row} 条的“{column}”“{value}”不是日期",
    "Entry {row} of the task ledger {file}: '{column}' value '{value}' is not a date",
    "写成 2018-12-31、2018年12月31日 或 2018年12月（按月底计）。",
    "Write 2018-12-31, 2018年12月31日 or 2018年12月 (taken as the month's last day).",
)
LEDGER_BAD_CLOSED = spec(
    "PVX-EV32", "error",
    "任务台账 {file} 第 {row} 条的销号“{value}”无效",
    "Entry {row} of the task ledger {file}: closed (销号) value '{value}' is invalid",
    "填 是/否，或销号日期（如 2018-11-30）。", "Write yes/no (是/否) or the date it was closed (e.g. 2018-11-30).",
)
LEDGER_OUTPUT = spec(
    "PVX-EV33", "error",
    "任务台账只能写成 .xlsx 文件，收到 {file}",
    "The task ledger is written as an .xlsx file, got {file}",
    "把 --out 改为以 .xlsx 结尾的文件名。", "Give --out a file name ending in .xlsx.",
)
LEDGER_BAD_AS_OF = spec(
    "PVX-EV34", "error",
    "核对日期“{value}”不是日期",
    "As-of date '{value}' is not a date",
    "写成 2018-12-31。", "Write it as 2018-12-31.",
)
LEDGER_INVALID = spec(
    "PVX-EV35", "error",
    "任务台账 {file} 无法读取：{reason}",
    "Cannot read the task ledger {file}: {reason}",
    "YAML 台账为 measures: 下的列表（每条含 measure、units、deadline）；表格台账需含 措施、责任单位、完成时限 列。",
    "A YAML ledger is a list under measures: (each with measure, units, deadline); a spreadsheet needs the "
    "columns 措施, 责任单位, 完成时限.",
)
