"""Error codes of the estimate layer (indicators, intervals, decision)."""

from __future__ import annotations

from . import spec

COUNTY_AMBIGUOUS = spec(
    "PVX-ES01", "error",
    "样本包含多个县（{value}），请用 --county 指定一个，或用 --all 计算全部",
    "The sample covers several counties ({value}): name one with --county, or use --all",
    "用 --county 县名 或 --all。", "Use --county NAME or --all.",
)
COUNTY_NOT_IN_SAMPLE = spec(
    "PVX-ES02", "error",
    "县“{value}”不在样本 {file} 中（样本中的县：{counties}）",
    "County '{value}' is not in the sample {file} (counties in the sample: {counties})",
    "检查县名是否与样本 villages.csv 的 county 列一致。",
    "Check that the name matches the county column of the sample's villages.csv.",
)
COUNTY_NOT_IN_REGISTRY = spec(
    "PVX-ES03", "error",
    "县“{value}”在建档立卡数据中没有行政村，无法计算综合贫困发生率",
    "County '{value}' has no villages in the registry: the composite incidence cannot be computed",
    "确认 --registry 指向该县（或全省）的建档立卡数据。",
    "Make sure --registry points at the registry of this county (or its province).",
)
HOUSEHOLD_NOT_IN_SAMPLE = spec(
    "PVX-ES04", "error",
    "调查户 {value} 不在样本中（households.csv、reserve.csv 和普查村民小组中都找不到）",
    "Surveyed household {value} is not in the sample (neither households.csv, reserve.csv nor a census group)",
    "确认 findings 与 --sample 属于同一次抽样；非建档立卡普查户需要 village_id 和 group 两列。",
    "Make sure the findings and --sample belong to the same draw; census households need village_id and group columns.",
)
VILLAGE_NOT_IN_SAMPLE = spec(
    "PVX-ES05", "error",
    "样本户所在的村 {value} 不在样本 villages.csv 中",
    "The village {value} of a sampled household is not in the sample's villages.csv",
    "样本目录不完整：请重新生成或检查 villages.csv。", "The sample directory is incomplete: re-draw it or check villages.csv.",
)
FINAL_NEEDS_CASES = spec(
    "PVX-ES06", "error",
    "最终结果只计入核实确认的问题，需要 --cases（核查结果 cases.csv）",
    "Final indicators count confirmed problems only: give --cases (the verification outcomes, cases.csv)",
    "提供 --cases，或用 --stage provisional 计算临时结果。", "Give --cases, or use --stage provisional.",
)
BAD_OPTION = spec(
    "PVX-ES07", "error",
    "选项 {column} 的值“{value}”无效", "Option {column} has an invalid value '{value}'",
    "允许的取值：{allowed}", "Allowed: {allowed}",
)
BAD_NUMBER = spec(
    "PVX-ES08", "error",
    "值“{value}”不是有效的{kind}", "Value '{value}' is not a valid {kind}",
    "{hint}", "{hint}",
)
DUPLICATE_HOUSEHOLD = spec(
    "PVX-ES09", "error",
    "户 {value} 在 {file} 中出现了不止一次", "Household {value} appears more than once in {file}",
    "每户只能有一行调查结论；删除重复行。", "Each household has one row of findings: remove the duplicates.",
)
DESIGN_INVALID = spec(
    "PVX-ES10", "error",
    "样本的抽样设计信息不一致：{reason}", "The sample's design information is inconsistent: {reason}",
    "检查样本 villages.csv / households.csv 中的 stratum、p_village、p_household、weight 与 fpc 列。",
    "Check the stratum, p_village, p_household, weight and fpc columns of the sample's villages.csv / households.csv.",
)
COUNTY_NAME_AMBIGUOUS = spec(
    "PVX-ES11", "error",
    "样本中有多个名为“{value}”的县（{counties}）：同名县属于不同的省",
    "The sample has several counties named '{value}' ({counties}): same-named counties of different provinces",
    "同时用 --province 指定省，或写成“省/县”。", "Name the province too: --province, or write PROVINCE/COUNTY.",
)
VILLAGE_NOT_IN_REGISTRY = spec(
    "PVX-ES12", "error",
    "样本村 {value} 不在建档立卡数据的 villages 中，无法得到该村的非建档立卡农业户籍人口（漏评率的分母）",
    "Sampled village {value} is not in the registry's villages: its non-registered agricultural population "
    "(the denominator of the missed rate) is unknown",
    "确认 --registry 与抽样时使用的建档立卡数据一致（village_id 相同）。",
    "Make sure --registry is the registry the sample was drawn from (same village_id).",
)
SAMPLE_DESIGN_MISSING = spec(
    "PVX-ES13", "error",
    "样本缺少{what}：{reason}",
    "The sample lacks {what_en}: {reason_en}",
    "{fix}", "{fix_en}",
)
SAMPLE_DESIGN_MISMATCH = spec(
    "PVX-ES14", "error",
    "样本的{what}前后不一致：本行为 {value}，按 {basis} 应为 {expected}",
    "The sample's {what_en} is inconsistent: {value} here, {expected} from {basis}",
    "权数应等于 1/(p_village × p_household)（普查组 1/(p_village × p_group)），同一村各行的 p_village 应相同；"
    "改正错误的一列，或删去可由其他列算出的列。",
    "weight must equal 1/(p_village × p_household) (census groups 1/(p_village × p_group)) and every row of a "
    "village must give the same p_village: correct the wrong column, or delete one that the others determine.",
)
BAD_PROBABILITY = spec(
    "PVX-ES15", "error",
    "“{value}”不是有效的{kind}：应大于 0 且不大于 1", "'{value}' is not a valid {kind}: it must be in (0, 1]",
    "入样概率写成小数（如 0.25）；权数写成入样概率的倒数（不小于 1）。",
    "Write inclusion probabilities as fractions (e.g. 0.25) and weights as their inverse (at least 1).",
)
STRATA_PARTLY_BLANK = spec(
    "PVX-ES16", "error",
    "样本村的“层”（stratum）有的填了、有的空着：空白不能当作一个层",
    "Some sampled villages have a stratum and some have none: a blank cannot be taken as a stratum",
    "给每个样本村填上其抽样时所在的层；不分层抽样则整列留空或删去该列。",
    "Give every sampled village the stratum it was drawn in; for an unstratified sample leave the whole column "
    "empty or delete it.",
)
BAD_INSTRUMENT = spec(
    "PVX-ES17", "error",
    "问卷类型“{value}”无法识别", "Instrument '{value}' is not recognised",
    "写 registered（建档立卡户）或 general（非建档立卡户）。",
    "Write registered (建档立卡户) or general (非建档立卡户).",
)
PERSONS_MISSING = spec(
    "PVX-ES18", "error",
    "户 {value} 的人数为空，建档立卡数据中也没有该户：无法计入{what}",
    "Household {value} has no number of persons, and the registry does not have it: it cannot be counted in the {what_en}",
    "在 persons（人数）列填上该户人数。", "Fill in the household's number of persons (column persons).",
)
