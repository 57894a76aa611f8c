"""Error catalogue of the field data-quality layer (``povexit quality``): codes PVX-Q…

The quality checks themselves are not errors: what they find goes to ``quality/flags.csv`` (one row
per flagged submission, described by the check catalogue in ``povexit.quality.catalogue``). The codes
here are about the inputs and the command: a responses table that cannot be checked, a bad parameter,
a back-check that cannot be drawn, and warnings about checks that could not run on part of the data.
"""

from __future__ import annotations

from . import spec

NO_HOUSEHOLDS = spec(
    "PVX-Q01", "error",
    "{file} 中没有入户问卷（households 表为空或不存在）",
    "{file} holds no household interviews (the households table is empty or missing)",
    "先用 povexit ingest 导入调查数据，再运行质量检查。",
    "Import the field data with povexit ingest first, then run the quality checks.",
)
MISSING_COLUMN = spec(
    "PVX-Q02", "error",
    "答卷表 {file} 缺少列“{column}”，无法进行质量检查",
    "The responses table {file} has no column '{column}'; the quality checks need it",
    "使用 povexit ingest 的输出目录（responses/），或在表中加入该列（列名见 docs/fields.md）。",
    "Use the output directory of povexit ingest (responses/), or add the column (names in docs/fields.md).",
)
BAD_SHARE = spec(
    "PVX-Q03", "error",
    "复核抽样比例“{value}”无效：应大于 0 且不超过 1",
    "Back-check share '{value}' is invalid: it must be above 0 and at most 1",
    "例如 --share 0.05 表示抽取 5% 的问卷复核。", "For example --share 0.05 re-interviews 5% of the submissions.",
)
BAD_SEED = spec(
    "PVX-Q04", "error",
    "随机种子“{value}”无效：应为 0 到 2^63−1 之间的整数",
    "Seed '{value}' is invalid: it must be an integer from 0 to 2^63−1",
    "给出一个非负整数作为 --seed，并记录下来，以便他人复现抽取结果。",
    "Give a non-negative integer as --seed and record it so others can repeat the draw.",
)
BAD_PARAM = spec(
    "PVX-Q05", "error",
    "质量检查参数 {file} 中“{column}”的值“{value}”无效：{reason}",
    "Quality parameter '{column}' in {file} has an invalid value '{value}': {reason}",
    "改为有效值（参数及默认值见 quality.json 的 params）。",
    "Use a valid value (parameters and defaults are listed under params in quality.json).",
)
UNKNOWN_PARAM = spec(
    "PVX-Q06", "error",
    "质量检查参数文件 {file} 中有未知的参数“{column}”",
    "Unknown quality parameter '{column}' in {file}",
    "允许的参数：{allowed}", "Allowed parameters: {allowed}",
)
BAD_OUTPUT = spec(
    "PVX-Q07", "error",
    "复核名单只能写成 .csv 或 .xlsx 文件，收到 {file}",
    "The back-check list is written as .csv or .xlsx, got {file}",
    "把 --out 改为以 .csv 或 .xlsx 结尾的文件名。", "Give --out a file name ending in .csv or .xlsx.",
)
BAD_FLAGS_FILE = spec(
    "PVX-Q08", "error",
    "无法读取质量检查结果 {file}：{reason}",
    "Cannot read the quality-check result {file}: {reason}",
    "给出 povexit quality 的输出目录（含 flags.csv）。", "Give the output directory of povexit quality (with flags.csv).",
)

# ---- warnings kept in the report (the checks ran, but not on everything) --------------------------------

NO_ENUMERATORS = spec(
    "PVX-Q10", "warning",
    "{value} 份问卷没有调查员编号，未参加同组调查员的时间冲突、日工作量、抄袭和调查员统计检查",
    "{value} submission(s) have no enumerator IDs; they are left out of the overlap, daily-load, copying and "
    "enumerator checks",
    "在问卷中填写调查员编号（enumerator_id / enumerator_partner）。",
    "Fill in the enumerator IDs (enumerator_id / enumerator_partner) in the questionnaire.",
)
NO_GPS_CENTRE = spec(
    "PVX-Q11", "warning",
    "{value} 个村的有效定位少于 {minimum} 个，无法判断这些村的问卷定位是否偏离（例如 {example}）",
    "{value} village(s) have fewer than {minimum} GPS points, so distances from the village centre are not "
    "checked there (e.g. {example})",
    "确保每份问卷都采集定位。", "Make sure every interview records a GPS point.",
)
NAIVE_TIMES = spec(
    "PVX-Q12", "warning",
    "开始/结束时间没有时区，按北京时间（UTC+8）处理",
    "Start/end times carry no time zone; they are read as China Standard Time (UTC+8)",
    "ODK/Kobo 导出的时间带时区；手工表格请写成 2019-02-14T09:12:00+08:00。",
    "ODK/Kobo exports carry the offset; in hand-made tables write 2019-02-14T09:12:00+08:00.",
)
REGISTRY_UNMATCHED = spec(
    "PVX-Q13", "warning",
    "{value} 户建档立卡户问卷的户编号在名册中找不到，未与名册核对",
    "{value} registered-household interview(s) have a household ID not in the registry; not compared with it",
    "确认 --registry 与样本来自同一份名册。", "Make sure --registry is the registry the sample was drawn from.",
)
TOO_FEW_FOR_STATS = spec(
    "PVX-Q14", "warning",
    "{value} 名调查员（或调查组）的问卷少于 {minimum} 份，只列出统计量，不做离群判断",
    "{value} enumerator(s) or pair(s) have fewer than {minimum} submissions: statistics are listed but not "
    "tested for outliers",
    "这是正常情况；样本量太小的调查员无法可靠地与团队比较。",
    "Nothing to fix: too few submissions cannot be compared reliably with the team.",
)
BACKCHECK_MINIMUM = spec(
    "PVX-Q15", "warning",
    "为保证每组调查员至少复核 {minimum} 份，实际抽取 {value} 份（按比例应为 {target} 份）",
    "To re-check at least {minimum} submission(s) of every enumerator pair, {value} are drawn ({target} by the "
    "share alone)",
    "这是设计如此：每组调查员都要有问卷被复核。",
    "By design: every enumerator pair gets at least one back-check.",
)
