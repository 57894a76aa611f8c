"""Error codes of the sampling layer (designs, draws, release batches, recusal assignment).

Codes are ``PVX-CY..`` (抽样). Design-file problems use the shared ``CONFIG_INVALID`` /
``CONFIG_UNKNOWN_KEY`` codes of :mod:`povexit.errors` so every configuration error reads the same.
"""

from __future__ import annotations

from . import spec

# ---- designs ---------------------------------------------------------------------------------------

DESIGN_NOT_FOUND = spec(
    "PVX-CY01", "error",
    "找不到抽样方案“{value}”：既不是内置方案，也不是存在的文件",
    "Sampling design '{value}' is neither a built-in preset nor an existing file",
    "内置方案：{allowed}；或给出 YAML 方案文件的路径。",
    "Built-in presets: {allowed}; or give the path of a YAML design file.",
)
DESIGN_YAML = spec(
    "PVX-CY02", "error",
    "抽样方案文件 {file} 不是有效的 YAML：{reason}",
    "Design file {file} is not valid YAML: {reason}",
    "检查该行的缩进和冒号；可参照内置方案（povexit sample designs）。",
    "Check the indentation and colons on that line; compare with a built-in preset (povexit sample designs).",
)
DESIGN_EXTENDS_LOOP = spec(
    "PVX-CY03", "error",
    "抽样方案 {file} 的 extends 链形成循环：{value}",
    "The extends chain of design {file} loops: {value}",
    "让 extends 指向一个内置方案或另一个不再回指的文件。",
    "Point extends at a preset or at a file that does not point back.",
)

DESIGN_ENCODING = spec(
    "PVX-CY04", "error",
    "抽样方案文件 {file} 不是 UTF-8 编码（{reason}）",
    "Design file {file} is not UTF-8 text ({reason})",
    "用文本编辑器把它另存为 UTF-8（记事本：另存为 → 编码 UTF-8）。",
    "Save it as UTF-8 from a text editor (Notepad: Save as → Encoding UTF-8).",
)
DESIGN_DUPLICATE_KEY = spec(
    "PVX-CY05", "error",
    "抽样方案文件 {file} 第 {row} 行：键“{column}”重复出现（第 {first} 行已有），后写的会悄悄覆盖前面的",
    "Design file {file}, line {row}: key '{column}' appears twice (first on line {first}); the later one would "
    "silently replace the earlier",
    "把两处合并为一处。", "Merge the two into one.",
)
DESIGN_EXTENDS_INVALID = spec(
    "PVX-CY06", "error",
    "抽样方案文件 {file} 第 {row} 行：extends 的值“{value}”不是内置方案，也不是存在的文件",
    "Design file {file}, line {row}: extends '{value}' is neither a built-in preset nor an existing file",
    "extends 写一个内置方案名（{allowed}）或方案文件路径（相对于本文件）。",
    "Give extends one built-in preset name ({allowed}) or the path of a design file (relative to this file).",
)

# ---- drawing ---------------------------------------------------------------------------------------

SEED_INVALID = spec(
    "PVX-CY10", "error",
    "随机种子“{value}”无效：应为 0 到 2^63−1 之间的整数",
    "Seed '{value}' is invalid: it must be an integer from 0 to 2^63−1",
    "用 --seed 给出一个非负整数（公开抽样时可用公证的摇号结果）。",
    "Pass a non-negative integer with --seed (for a public draw, e.g. a notarised lottery number).",
)
FRAME_EMPTY = spec(
    "PVX-CY11", "error",
    "县“{value}”在登记数据中没有行政村，无法抽样",
    "County '{value}' has no villages in the registry; nothing to sample",
    "检查 villages.csv 是否包含该县的全部行政村。", "Check that villages.csv lists every village of the county.",
)
COUNTIES_MISSING = spec(
    "PVX-CY12", "error",
    "方案 {value} 需要抽取县，但登记目录没有带申请退出年度（exit_year）的 counties.csv",
    "Design {value} samples counties but the registry has no counties.csv with exit_year",
    "在登记目录中提供 counties.csv（省、市、县、区域、申请退出年度）。",
    "Provide counties.csv (province, city, county, region, exit_year) in the registry directory.",
)
NO_EXIT_COUNTIES = spec(
    "PVX-CY13", "error",
    "counties.csv 中没有申请退出年度为 {value} 的县",
    "counties.csv has no county with exit year {value}",
    "检查方案的 counties.exit_year（可取 latest、any 或年份）。",
    "Check the design's counties.exit_year (latest, any or a year).",
)
COUNTY_NOT_IN_FRAME = spec(
    "PVX-CY14", "error",
    "counties.csv 中的县“{value}”（{province}）在 villages.csv 中没有行政村",
    "County '{value}' ({province}) of counties.csv has no villages in villages.csv",
    "补齐该县的 villages.csv 与 persons.csv，或从 counties.csv 中删去它。",
    "Add the county's villages.csv and persons.csv rows, or drop it from counties.csv.",
)
KEY_TOWNSHIP_UNKNOWN = spec(
    "PVX-CY15", "warning",
    "方案列出的重点乡镇“{value}”不在县“{county}”的登记数据中，已忽略",
    "Key township '{value}' listed by the design is not in county '{county}'; ignored",
    "检查乡镇名称是否与 villages.csv 一致。", "Check the township name against villages.csv.",
)

# ---- warnings raised while drawing (the sample is still a probability sample) ----------------------

VILLAGE_COUNT_RAISED = spec(
    "PVX-CY20", "warning",
    "县“{county}”：为覆盖全部 {townships} 个乡镇，抽样村数由 {planned} 增至 {value}",
    "County '{county}': village count raised from {planned} to {value} to reach all {townships} townships",
    "如需固定村数，可在方案中设 villages.cover_townships: false。",
    "To keep the count fixed set villages.cover_townships: false in the design.",
)
STRATUM_SHORT = spec(
    "PVX-CY21", "warning",
    "县“{county}”：层“{column}”只有 {available} 个村（计划 {planned} 个），差额已分给其他层",
    "County '{county}': stratum '{column}' has only {available} villages (planned {planned}); the rest went to other strata",
    "这是该县村庄构成决定的；入样概率仍按实际分配精确计算。",
    "This follows from the county's villages; inclusion probabilities are computed exactly for the actual allocation.",
)
HOUSEHOLD_SHORTFALL = spec(
    "PVX-CY22", "warning",
    "县“{county}”：抽中村共有{kind_zh}户 {available} 户，少于目标 {planned} 户，已全部入样",
    "County '{county}': the sampled villages hold only {available} {kind_en} households (target {planned}); all taken",
    "可增加抽样村数（villages.count）或改用按规模成比例抽村。",
    "Increase villages.count or sample villages by size.",
)
GROUPS_EXTENDED = spec(
    "PVX-CY23", "warning",
    "县“{county}”：普查 {max} 个村民小组预计只能调查 {expected} 户非建档立卡户（目标 {planned}），已增至 {value} 个组",
    "County '{county}': a census of {max} groups would reach about {expected} non-registered households (target {planned}); raised to {value} groups",
    "这是为满足非贫困户户数下限；如不需要，可调低 households.general.total。",
    "Done to meet the non-registered household minimum; lower households.general.total if not wanted.",
)
NO_GROUPS = spec(
    "PVX-CY24", "warning",
    "登记目录没有村民小组表（groups.csv），县“{county}”以整个行政村作为普查单位",
    "The registry has no groups.csv; county '{county}' uses whole villages as census units",
    "提供 groups.csv（村民小组及其农业户籍人口）可按组普查。",
    "Provide groups.csv (village groups and their agricultural population) to census by group.",
)
QUOTA_SUBSTITUTED = spec(
    "PVX-CY25", "warning",
    "县“{county}”：{value} 个村的{kind_zh}不足配额 {planned} 户，差额已按方案由其他类型户调剂（{villages}）",
    "County '{county}': {value} villages have fewer {kind_en} households than the quota of {planned}; the shortfall "
    "was filled from other types as the design says ({villages})",
    "", "",
)
FEW_VILLAGES = spec(
    "PVX-CY26", "warning",
    "县“{county}”只有 {value} 个行政村（方案要求至少 {planned} 个）",
    "County '{county}' has only {value} villages (the design asks for at least {planned})",
    "", "",
)
NO_WEAK_VILLAGES = spec(
    "PVX-CY27", "warning",
    "县“{county}”没有“三边一少”等薄弱地区村，无法按 {value} 的比例抽取薄弱地区村",
    "County '{county}' has no weak-area (三边一少) villages; the weak-area share {value} cannot be met",
    "检查 villages.csv 的边远/边角/边界/少数民族村标记。", "Check the remote/edge/border/minority flags of villages.csv.",
)
VILLAGE_COUNT_RAISED_STRATA = spec(
    "PVX-CY29", "warning",
    "县“{county}”：{planned} 个村不够每层至少一个，层“{column}”各加 1 个村，共 {value} 个",
    "County '{county}': {planned} villages cannot give every stratum one; stratum '{column}' got one more each, "
    "{value} in all",
    "否则这些层的村入样概率为 0，样本就不再是概率样本。",
    "Otherwise those strata's villages would have probability 0 and the sample would not be a probability sample.",
)
ROSTER_UNPLACED = spec(
    "PVX-CY28", "warning",
    "{value} 名部门名单人员的乡镇/行政村与登记数据的村名对不上，未参与大数据比对抽样",
    "{value} roster persons name a township/village not found in the registry and were left out of roster matching",
    "检查 rosters.csv 的乡镇、行政村名称。", "Check the township and village names in rosters.csv.",
)

NO_POOR_STRATUM = spec(
    "PVX-CY60", "warning",
    "县“{county}”没有{kind_zh}，方案中{kind_zh}占 {value} 的比例无法满足，抽样村全部来自{other_zh}",
    "County '{county}' has no {kind_en}; the design's share {value} of them cannot be met, every sampled village is "
    "{other_en}",
    "检查 villages.csv 的“是否贫困村”一列；如确无此类村，可在方案中调整 villages.poor_share。",
    "Check the poor_village column of villages.csv; if the county really has none, adjust villages.poor_share.",
)
NO_FRAME_HOUSEHOLDS = spec(
    "PVX-CY61", "error",
    "县“{county}”（{province}）的登记数据中没有{kind_zh}（方案要抽 {planned} 户），无法评估错退",
    "County '{county}' ({province}) has no {kind_en} households in the registry (the design asks for {planned}); "
    "wrongful exits cannot be assessed",
    "检查 persons.csv 的“脱贫属性”一列（已脱贫/未脱贫/返贫）是否填写正确；如本县确实尚无此类户，"
    "在方案中改 households.registered.statuses（可取 {allowed}）。",
    "Check the status column (脱贫属性: 已脱贫/未脱贫/返贫) of persons.csv; if the county really has none, change "
    "households.registered.statuses in the design ({allowed}).",
)
ROSTER_AMBIGUOUS = spec(
    "PVX-CY62", "warning",
    "{value} 名部门名单人员所写的县、乡镇、行政村在登记数据中对应不止一个村（同名县在不同省市），未参与大数据比对抽样",
    "{value} roster persons name a county/township/village that matches more than one village (same-named counties in "
    "different provinces or cities) and were left out of roster matching",
    "在 rosters.csv 中加入 village_id（或 village_code 行政区划代码）一列，或按省分别抽样。",
    "Add a village_id (or village_code) column to rosters.csv, or draw each province separately.",
)
COUNTY_AMBIGUOUS = spec(
    "PVX-CY63", "error",
    "counties.csv 中的县“{value}”（{province}）在 villages.csv 中对应多个市（{allowed}），但市名“{city}”与其中任何一个都对不上",
    "County '{value}' ({province}) of counties.csv matches counties of several cities in villages.csv ({allowed}), "
    "and its city '{city}' matches none of them",
    "把 counties.csv 的市名写成与 villages.csv 一致。", "Spell the city in counties.csv as in villages.csv.",
)

TOWNSHIP_SHORT = spec(
    "PVX-CY64", "warning",
    "县“{county}”：{value} 个乡镇的行政村少于方案的每乡镇抽村数，已全部抽取（{column}）",
    "County '{county}': {value} townships have fewer villages than the design's villages per township; all of "
    "them were taken ({column})",
    "这些村的入样概率为 1；如需更多样本村，可提高其他乡镇的 villages.per_township。",
    "Those villages have probability 1; raise villages.per_township for the other townships if more villages are wanted.",
)

COUNTY_HOUSEHOLDS_SHORT = spec(
    "PVX-CY65", "warning",
    "县“{county}”：全县只有{kind_zh}户 {available} 户，少于目标 {planned} 户；已抽全部行政村，这些户全部入样",
    "County '{county}': the whole county has only {available} {kind_en} households (target {planned}); every village "
    "was sampled and all of them were taken",
    "这是该县规模决定的（入样概率为 1，权数为 1）；无需更改方案。",
    "This follows from the county's size (probability 1, weight 1); nothing in the design needs changing.",
)

# ---- sample directory / release --------------------------------------------------------------------

SAMPLE_DIR_INVALID = spec(
    "PVX-CY30", "error",
    "{file} 不是 povexit 样本目录：缺少 {value}",
    "{file} is not a povexit sample directory: {value} is missing",
    "用 povexit sample 生成样本目录。", "Create it with povexit sample.",
)
BATCH_NOT_FOUND = spec(
    "PVX-CY31", "error",
    "样本中没有第 {value} 批",
    "The sample has no release batch {value}",
    "可发布的批次：{allowed}", "Batches: {allowed}",
)
SAMPLE_TAMPERED = spec(
    "PVX-CY32", "error",
    "样本文件 {file} 与 manifest.json 记录的哈希值不符，可能被改动",
    "Sample file {file} does not match the hash in manifest.json; it may have been changed",
    "用相同的登记数据、方案和种子重新抽样，核对后再发布。",
    "Re-draw with the same registry, design and seed, and compare before releasing.",
)

# ---- sample size -----------------------------------------------------------------------------------

SIZE_PARAM_INVALID = spec(
    "PVX-CY40", "error",
    "样本量参数 {column} 的值 {value} 超出范围",
    "Sample-size parameter {column} = {value} is out of range",
    "允许的取值：{allowed}", "Allowed: {allowed}",
)

# ---- recusal assignment (三回避) --------------------------------------------------------------------

ASSIGN_NO_INSTITUTION = spec(
    "PVX-CY50", "error",
    "县“{value}”（{province}）没有可派的评估机构：{reason}",
    "County '{value}' ({province}) has no eligible institution: {reason}",
    "增加一个既不在 {province} 也未承担该省省级评估的机构。",
    "Add an institution that is neither based in {province} nor did its provincial assessment.",
)
ASSIGN_FEW_EXPERTS = spec(
    "PVX-CY51", "error",
    "县“{value}”（{province}）需要 {planned} 名专家，符合回避要求的只有 {available} 名：{reason}",
    "County '{value}' ({province}) needs {planned} experts but only {available} meet the recusal rules: {reason}",
    "增加工作单位不在 {province}、且未承担该省省级评估的专家，或减少每县专家数（--experts-per-county）。",
    "Add experts whose unit is outside {province} and who did not assess it provincially, or lower --experts-per-county.",
)
ASSIGN_CAPACITY = spec(
    "PVX-CY52", "error",
    "{province} 共 {planned} 个县，可派的{kind}最多只能承担 {available} 个：{reason}",
    "{province} has {planned} counties but the eligible {kind} can take at most {available}: {reason}",
    "提高这些{kind}的 capacity，或增加可派的{kind}。", "Raise their capacity or add eligible {kind}.",
)
ASSIGN_INFEASIBLE = spec(
    "PVX-CY53", "error",
    "没有同时满足全部回避要求和工作量上限的分配方案：{reason}",
    "No assignment meets every recusal rule and workload limit together: {reason}",
    "逐项放宽：提高 capacity、增加机构或专家，或减少每县专家数。",
    "Relax one at a time: raise capacities, add institutions or experts, or lower the experts per county.",
)
ASSIGN_INPUT = spec(
    "PVX-CY54", "error",
    "{reason}",
    "{reason}",
    "{hint}", "{hint}",
)
ASSIGN_PROVINCE_UNKNOWN = spec(
    "PVX-CY55", "warning",
    "省份“{value}”不是已知的省级行政区名称，回避检查可能因写法不同而失效",
    "Province '{value}' is not a known provincial-level name; recusal checks may miss it if spelt differently",
    "使用规范省名（如“吉林省”或“吉林”）。", "Use the standard province name (e.g. 吉林省 or 吉林).",
)
