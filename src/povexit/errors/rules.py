"""Error codes of the rules layer (rulesets, overrides, responses read for adjudication): ``PVX-RU…``."""

from __future__ import annotations

from . import spec

# ---- rulesets ------------------------------------------------------------------------------------

RULESET_NOT_FOUND = spec(
    "PVX-RU01", "error",
    "找不到规则集“{value}”", "Ruleset '{value}' not found",
    "可用的内置规则集：{allowed}；或给出 YAML 文件路径。",
    "Built-in rulesets: {allowed}; or give the path of a YAML file.",
)
RULESET_UNKNOWN_KEY = spec(
    "PVX-RU02", "error",
    "规则集 {file} 第 {row} 行：未知的键“{column}”", "Ruleset {file}, line {row}: unknown key '{column}'",
    "{hint}此处允许的键：{allowed}（检查拼写与缩进）。",
    "{hint_en}Keys allowed here: {allowed} (check spelling and indentation).",
)
RULESET_BAD_TYPE = spec(
    "PVX-RU03", "error",
    "规则集 {file} 第 {row} 行：键“{column}”的值“{value}”应为{expected}",
    "Ruleset {file}, line {row}: key '{column}' has value '{value}', expected {expected_en}",
    "改为{expected}{hint}。", "Use {expected_en}{hint_en}.",
)
RULESET_MISSING_KEY = spec(
    "PVX-RU04", "error",
    "规则集 {file}：缺少键“{column}”{where}", "Ruleset {file}: key '{column}' is missing{where_en}",
    "在规则集（或其 extends 的规则集）中给出该键；参数写成 {{value: …, source: …}}。",
    "Set it in the ruleset (or one it extends); parameters are written {{value: …, source: …}}.",
)
RULESET_BAD_VALUE = spec(
    "PVX-RU05", "error",
    "规则集 {file} 第 {row} 行：键“{column}”的值“{value}”无效：{reason}",
    "Ruleset {file}, line {row}: key '{column}' has an invalid value '{value}': {reason_en}",
    "允许的取值：{allowed}", "Allowed: {allowed}",
)
RULESET_EXTENDS_CYCLE = spec(
    "PVX-RU06", "error",
    "规则集 {file} 的 extends 形成循环：{value}", "Ruleset {file}: 'extends' forms a cycle: {value}",
    "让 extends 指向一个不再（直接或间接）继承本文件的规则集。",
    "Point 'extends' at a ruleset that does not (directly or indirectly) extend this one.",
)
RULESET_YAML_SYNTAX = spec(
    "PVX-RU07", "error",
    "规则集 {file} 第 {row} 行：YAML 格式错误：{reason}", "Ruleset {file}, line {row}: YAML syntax error: {reason}",
    "检查冒号、缩进和引号。", "Check colons, indentation and quotes.",
)
RULESET_ABSTRACT = spec(
    "PVX-RU08", "error",
    "规则集“{value}”只是基础参数（abstract），不能直接用于评判",
    "Ruleset '{value}' is an abstract base and cannot be used for adjudication directly",
    "选用继承它的规则集：{allowed}", "Use a ruleset that extends it: {allowed}",
)
RULESET_NO_POVERTY_LINE = spec(
    "PVX-RU09", "error",
    "规则集 {file}：poverty_lines 中没有 {value} 年（{province}）的扶贫标准，无法判定收入是否达标",
    "Ruleset {file}: poverty_lines has no poverty line for year {value} ({province}), so income cannot be judged",
    "在 poverty_lines 中加入 {{year: {value}, value: …, source: …}}，或改正 year（已有标准的年份：{allowed}）。",
    "Add {{year: {value}, value: …, source: …}} to poverty_lines, or correct 'year' (years with a line: {allowed}).",
)
RULESET_ENCODING = spec(
    "PVX-RU11", "error",
    "规则集 {file} 不是 UTF-8 编码（第 {row} 行附近）", "Ruleset {file} is not UTF-8 text (near line {row})",
    "用文本编辑器把它另存为 UTF-8（记事本：另存为 → 编码 UTF-8）。",
    "Save it as UTF-8 from a text editor (Notepad: Save as → Encoding UTF-8).",
)
RULESET_PROVINCE_LINE_MISSING = spec(
    "PVX-RU12", "error",
    "规则集 {file}：poverty_lines 有 {province} 的省定标准（{allowed} 年），但没有 {value} 年的；不会改用国家标准",
    "Ruleset {file}: poverty_lines has lines of {province} ({allowed}) but none for {value}; the national line is not "
    "used in its place",
    "加入 {{year: {value}, province: {province}, value: …, source: …}}（如该省当年按国家标准验收，写国家标准并注明出处），"
    "或改正 year。",
    "Add {{year: {value}, province: {province}, value: …, source: …}} (the national line, with its source, if the "
    "province assessed against it that year), or correct 'year'.",
)
RULESET_DUPLICATE_KEY = spec(
    "PVX-RU10", "error",
    "规则集 {file} 第 {row} 行：键“{column}”重复出现", "Ruleset {file}, line {row}: key '{column}' appears twice",
    "删除重复的键。", "Remove the duplicate key.",
)

# ---- overrides (checker decisions on exclusion flags) --------------------------------------------

OVERRIDE_FIELD_MISSING = spec(
    "PVX-RU20", "error",
    "{file} 第 {row} 行：复核记录缺少“{column}”", "{file}, row {row}: the override lacks '{column}'",
    "每条复核记录都要写明户编号、规则、理由和核查员。",
    "Every override needs household_id, rule, reason and checker.",
)
OVERRIDE_RULE_NOT_ALLOWED = spec(
    "PVX-RU21", "error",
    "{file} 第 {row} 行：规则“{value}”不能在这里被复核排除", "{file}, row {row}: rule '{value}' cannot be overridden here",
    "这里只能复核排除名单（{allowed}）；对两不愁三保障问题的异议走核查流程（五核）。",
    "Only exclusion-list rules can be overridden here ({allowed}); dispute a problem through verification (五核).",
)
OVERRIDE_UNKNOWN_HOUSEHOLD = spec(
    "PVX-RU22", "warning",
    "{file} 第 {row} 行：户“{value}”不在本次调查的住户中，该复核记录未使用",
    "{file}, row {row}: household '{value}' is not among the interviewed households; override not used",
    "检查户编号。", "Check the household id.",
)

# ---- responses as read for adjudication ----------------------------------------------------------

RESPONSES_NOT_FOUND = spec(
    "PVX-RU30", "error",
    "{file} 中没有入户调查数据（households.parquet 或 responses.csv）",
    "No household responses in {file} (households.parquet or responses.csv)",
    "先运行 povexit ingest，或放入契约格式的 responses.csv（可附 members.csv）。",
    "Run povexit ingest first, or provide a contract responses.csv (and optionally members.csv).",
)
RESPONSES_BAD_VALUE = spec(
    "PVX-RU31", "warning",
    "{file} 第 {row} 行，字段“{column}”：值“{value}”不是有效的{kind}，按缺失处理",
    "{file}, row {row}, field '{column}': '{value}' is not a valid {kind_en}; treated as missing",
    "在核查中补正该答案；涉及的规则将判为“无法判定”。",
    "Correct the answer during checking; rules that need it will say 'cannot judge'.",
)
RESPONSES_DUPLICATE = spec(
    "PVX-RU32", "warning",
    "户“{value}”有 {count} 份入户问卷，采用最后结束的一份（{instance}）",
    "Household '{value}' has {count} submissions; the one that ended last ({instance}) is used",
    "在核查中确认应保留哪一份。", "Confirm during checking which submission to keep.",
)
RESPONSES_NOT_IN_SAMPLE = spec(
    "PVX-RU33", "warning",
    "户“{value}”不在样本中（也不属于普查村民小组），仍作评判但不应计入指标",
    "Household '{value}' is not in the sample (nor in a census group); judged, but it should not enter the indicators",
    "检查户编号或样本目录。", "Check the household id or the sample directory.",
)
RESPONSES_MISSING_COLUMN = spec(
    "PVX-RU34", "error",
    "{file} 缺少必需的列“{column}”", "{file} lacks the required column '{column}'",
    "用 povexit ingest 生成入户数据，或补上该列。", "Produce the responses with povexit ingest, or add the column.",
)
REGISTERED_NOT_IN_REGISTRY = spec(
    "PVX-RU35", "warning",
    "建档立卡户“{value}”不在建档立卡名册中，无法确定其脱贫属性，判为“无法判定”",
    "Registered household '{value}' is not in the registry; its status is unknown, so it cannot be judged",
    "检查户编号与名册。", "Check the household id against the registry.",
)
RULESET_PROVINCE_MISMATCH = spec(
    "PVX-RU36", "warning",
    "规则集“{value}”适用于 {province}，但名册中的省份是 {registry_province}",
    "Ruleset '{value}' is for {province}, but the registry's province is {registry_province}",
    "确认所选规则集是否正确（--ruleset）。", "Check that the right ruleset was chosen (--ruleset).",
)
NO_HOUSEHOLDS = spec(
    "PVX-RU37", "error",
    "没有可评判的入户问卷（registered 或 general）", "No household submissions (registered or general) to adjudicate",
    "检查 --responses 目录。", "Check the --responses directory.",
)
RULESET_YEAR_MISMATCH = spec(
    "PVX-RU38", "warning",
    "规则集“{value}”是 {year} 年的标准，但名册中的申请退出年度是 {registry_year}",
    "Ruleset '{value}' is for {year}, but the registry's exit year is {registry_year}",
    "确认所选规则集是否正确（--ruleset）。", "Check that the right ruleset was chosen (--ruleset).",
)
