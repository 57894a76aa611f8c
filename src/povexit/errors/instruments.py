"""Error catalogue of the instruments layer (questionnaires, ingest, simulated fieldwork): codes PVX-I…

Row-level problems of ingest land in ``responses/rejected.csv`` (severity ``error``: the submission is
rejected; ``warning``: it is kept and flagged); file-level problems stop the ingest before anything is
written.
"""

from __future__ import annotations

from . import spec

# ---- row level (rejected.csv) ---------------------------------------------------------------------

NOT_IN_SAMPLE = spec(
    "PVX-I01", "error",
    "户 {value} 不在样本中（问卷：{instrument}）{detail}",
    "Household {value} is not in the sample (instrument: {instrument}){detail}",
    "核对户编号；确认调查的是抽中户或其备选户。非建档立卡户只有在普查村民小组（样本 groups.csv）中才可不在名单内。",
    "Check the household ID; only sampled or reserve households count. Non-registered households outside the "
    "list are accepted only in the census groups of the sample's groups.csv.",
)
SECOND_INTERVIEW = spec(
    "PVX-I02", "error",
    "户 {value} 被重复调查：已保留较早的访问 {kept}，本次访问被剔除",
    "Household {value} was interviewed twice: the earlier interview {kept} is kept, this one is rejected",
    "确认是否误选了户；如需以本次为准，请先在 ODK Central 中将较早的提交标记为 rejected 后重新导出。",
    "Check whether the wrong household was picked; to keep this one instead, mark the earlier submission as "
    "rejected in ODK Central and export again.",
)
WRONG_INSTRUMENT = spec(
    "PVX-I03", "error",
    "户 {value} 在样本中应使用“{expected}”问卷，但提交的是“{instrument}”问卷",
    "Household {value} must be interviewed with the '{expected}' questionnaire, not '{instrument}'",
    "用正确的问卷重新调查该户。", "Interview the household again with the right questionnaire.",
)
REQUIRED_MISSING = spec(
    "PVX-I04", "error",
    "必答题“{column}”没有回答", "Required question '{column}' has no answer",
    "补充该题答案后重新导出；题目只在跳转条件成立时必答。",
    "Fill in the answer and export again; the question is required only when its skip condition holds.",
)
CONSTRAINT_VIOLATED = spec(
    "PVX-I05", "error",
    "“{column}”的值 {value} 不可能：{constraint_msg}", "Impossible value {value} for '{column}': {constraint_msg}",
    "核实并更正该值（问卷约束：{constraint}）。", "Check and correct the value (form constraint: {constraint}).",
)
BAD_TYPE = spec(
    "PVX-I06", "error",
    "“{column}”的值“{value}”不是有效的{kind}", "Value '{value}' of '{column}' is not a valid {kind}",
    "{hint}", "{hint}",
)
INSTANCE_CONFLICT = spec(
    "PVX-I07", "error",
    "提交 {value} 出现两次但答案不同：保留 {kept}（修改次数更多或提交更晚者）",
    "Submission {value} appears twice with different answers: keeping {kept} (more edits or submitted later)",
    "如两份都不对，请在 ODK Central 中修改后重新导出。", "If neither is right, edit it in ODK Central and export again.",
)
INSTANCE_RESENT = spec(
    "PVX-I08", "warning",
    "提交 {value} 在本次导入的文件中出现了 {count} 次（内容相同），只保留一份",
    "Submission {value} appears {count} times in this import (identical); kept once",
    "无需处理；同一提交重复导出不会重复计数。", "Nothing to do; a resent submission is counted once.",
)
MISSING_INSTANCE_ID = spec(
    "PVX-I09", "error",
    "该行没有实例编号（instanceID）", "The row has no instance ID (instanceID)",
    "使用 ODK/Kobo 原始导出文件，或在普通 CSV 中填写 instance_id 列。",
    "Use the original ODK/Kobo export, or fill the instance_id column of a plain CSV.",
)
UNKNOWN_INSTRUMENT = spec(
    "PVX-I10", "error",
    "无法判断该行属于哪份问卷（instrument = “{value}”）",
    "Cannot tell which questionnaire the row belongs to (instrument = '{value}')",
    "instrument 列应为 registered、general、village、cadre、township 或 county_check；或使用 povexit 导出的问卷采集。",
    "The instrument column must be registered, general, village, cadre, township or county_check; or collect with "
    "povexit's forms.",
)
VILLAGE_NOT_IN_SAMPLE = spec(
    "PVX-I11", "error",
    "村 {value} 不在抽中村名单中（问卷：{instrument}）", "Village {value} is not among the sampled villages ({instrument})",
    "核对村编号（样本 villages.csv 中的 village_id）。", "Check the village ID (village_id in the sample's villages.csv).",
)
SECOND_CHECKLIST = spec(
    "PVX-I12", "error",
    "村 {value} 的核查表提交了两次：保留较早的 {kept}", "Village {value} has two checklists: the earlier {kept} is kept",
    "删除多余的提交或在 ODK Central 中标记为 rejected。", "Remove the extra submission or mark it rejected in ODK Central.",
)
ORPHAN_REPEAT = spec(
    "PVX-I13", "error",
    "家庭成员行找不到所属的提交（关联键 {value}）", "Member row has no matching submission (link key {value})",
    "把主表和成员表（同一次导出的 ZIP 或两个 CSV）一起导入。",
    "Import the main table and the member table (the same export's ZIP, or both CSVs) together.",
)
UNKNOWN_COLUMN = spec(
    "PVX-I14", "warning",
    "列“{column}”不是问卷中的题目，已忽略", "Column '{column}' is not a question of the forms; ignored",
    "如使用了修改过的问卷，请用 povexit instruments export 导出的版本。",
    "If the form was modified, collect with the version from `povexit instruments export`.",
)
CALCULATE_MISMATCH = spec(
    "PVX-I15", "warning",
    "“{column}”提交值 {value} 与按问卷公式重算的 {expected} 不一致，已采用重算值",
    "'{column}' was submitted as {value} but the form's formula gives {expected}; the recomputed value is used",
    "检查收入各项是否在提交后被修改。", "Check whether income items were edited after submission.",
)
MEMBER_COUNT_MISMATCH = spec(
    "PVX-I16", "warning",
    "家庭成员行数 {value} 与户籍人口 {expected} 不一致", "{value} member rows but {expected} household members",
    "核对家庭成员表是否完整。", "Check that the member table is complete.",
)
REVIEW_REJECTED = spec(
    "PVX-I17", "error",
    "该提交在 {platform} 中已被审核为不通过（{value}）", "The submission was rejected on review in {platform} ({value})",
    "如审核有误，请在服务器上更改审核状态后重新导出。", "If the review was wrong, change its state on the server and export again.",
)
UNREADABLE_SUBMISSION = spec(
    "PVX-I18", "error",
    "该提交无法读取（{value}）", "The submission cannot be read ({value})",
    "在 ODK Central 中上传解密密钥后重新导出。", "Provide the decryption key in ODK Central and export again.",
)
VILLAGE_MISMATCH = spec(
    "PVX-I19", "warning",
    "户 {household_id} 提交的村编号 {value} 与样本中的 {expected} 不一致，已按样本更正",
    "Household {household_id} was submitted with village {value}, the sample says {expected}; corrected",
    "核对所选村。", "Check the chosen village.",
)
SUBSTITUTE_UNEXPLAINED = spec(
    "PVX-I20", "warning",
    "启用了备选户 {value}，但村 {village_id} 中没有记录未访成功的抽中户",
    "Reserve household {value} was interviewed but no sampled household of village {village_id} is recorded as not interviewed",
    "为找不到或拒访的抽中户提交一份“访问结果”不是“完成访问”的问卷。",
    "Submit a questionnaire with the visit result (not 'completed') for the sampled household that was replaced.",
)
CADRE_VILLAGE_OUTSIDE = spec(
    "PVX-I21", "warning",
    "受访干部所在村 {value} 不在抽中村名单中", "The cadre's village {value} is not among the sampled villages",
    "核对所选村。", "Check the chosen village.",
)

DELETED_ON_SERVER = spec(
    "PVX-I22", "error",
    "该提交已在 ODK Central 中删除（删除时间 {value}）", "The submission was deleted in ODK Central (at {value})",
    "已删除的提交不计入评估。如删除有误，请在 ODK Central 的回收站中恢复后重新导出。",
    "Deleted submissions do not count. If it was deleted by mistake, restore it from the trash in ODK Central "
    "and export again.",
)
UNKNOWN_REPEAT = spec(
    "PVX-I23", "warning",
    "表“{value}”不是问卷中的家庭成员表，已忽略", "Table '{value}' is not the household-member repeat of the forms; ignored",
    "家庭成员表应包含成员题目（member_name、member_age …）及 PARENT_KEY/KEY 或 _parent_index 列；"
    "如该表确有成员数据，请使用 povexit instruments export 导出的问卷。",
    "The member table needs the member questions (member_name, member_age …) and PARENT_KEY/KEY or _parent_index; "
    "if this table does hold members, collect with the forms from `povexit instruments export`.",
)
RAGGED_ROW = spec(
    "PVX-I24", "error",
    "该行的字段比表头多（多出：{value}），列已错位，整行不能使用",
    "The row has more fields than the header (extra: {value}); its columns are shifted and it cannot be used",
    "答案中含有未加引号的分隔符。请用原始导出文件，或在 Excel 中另存为“CSV UTF-8（逗号分隔）”后重新导入。",
    "An answer holds an unquoted separator. Use the original export, or save it from Excel as "
    "'CSV UTF-8 (Comma delimited)' and import again.",
)
WITHDRAWN = spec(
    "PVX-I25", "warning",
    "提交 {value} 在服务器上已被审核为不通过或已删除（{where}）：此前导入或同批文件中的这份提交一并撤回",
    "Submission {value} is rejected or deleted on the server ({where}): this copy of it (imported earlier or "
    "in another file) is withdrawn too",
    "无需处理。如撤回有误，请在服务器上更改审核状态，重新导出后导入新的导出文件。",
    "Nothing to do. If this is wrong, change its review state on the server, export again and import the new export.",
)
TOWNSHIP_NOT_IN_SAMPLE = spec(
    "PVX-I26", "warning",
    "乡镇 {value} 不在抽中村所在乡镇中（乡镇调查表）", "Township {value} has no sampled village (township form)",
    "核对所选乡镇；对未抽中村的乡镇开展座谈也可保留。",
    "Check the chosen township; a township interviewed without a sampled village may be kept.",
)
COUNTY_NOT_IN_SAMPLE = spec(
    "PVX-I27", "error",
    "县 {value} 不在样本中（县级资料核查表）", "County {value} is not in the sample (county document checklist)",
    "核对所选县（样本 villages.csv 中的 county）。", "Check the chosen county (county in the sample's villages.csv).",
)
SECOND_TOWNSHIP_FORM = spec(
    "PVX-I28", "error",
    "乡镇 {value} 的调查表提交了两次：保留较早的 {kept}", "Township {value} has two township forms: the earlier {kept} is kept",
    "删除多余的提交或在 ODK Central 中标记为 rejected。", "Remove the extra submission or mark it rejected in ODK Central.",
)
SECOND_COUNTY_CHECK = spec(
    "PVX-I29", "error",
    "县 {value} 的资料核查表提交了两次：保留较早的 {kept}", "County {value} has two document checklists: the earlier {kept} is kept",
    "删除多余的提交或在 ODK Central 中标记为 rejected。", "Remove the extra submission or mark it rejected in ODK Central.",
)

# ---- file level (stop the ingest) ------------------------------------------------------------------

NOT_AN_EXPORT = spec(
    "PVX-I30", "error",
    "无法识别 {file} 的格式：{reason}", "Cannot recognise {file}: {reason}",
    "提供 ODK Central 导出的 CSV/ZIP、KoboToolbox 导出的 CSV/XLSX（使用 XML 值和表头），或契约格式的 CSV。",
    "Provide an ODK Central CSV/ZIP, a KoboToolbox CSV/XLSX export (XML values and headers) or a contract CSV.",
)
SAMPLE_INVALID = spec(
    "PVX-I31", "error",
    "样本目录 {file} 无效：{reason}", "Sample directory {file} is not valid: {reason}",
    "提供 povexit sample 的输出目录（至少包含 households.csv 和 villages.csv）。",
    "Give the output directory of `povexit sample` (households.csv and villages.csv at least).",
)
NOTHING_VALID = spec(
    "PVX-I32", "error",
    "没有任何有效的提交：{rejected} 行被拒绝，未写入任何文件", "No valid submission: {rejected} row(s) rejected; nothing was written",
    "按上面列出的问题更正后重新导入。", "Fix the problems listed above and import again.",
)
STRICT_FAILED = spec(
    "PVX-I33", "error",
    "{rejected} 行有错误，未写入任何文件", "{rejected} row(s) have errors; nothing was written",
    "按上表逐行更正后重新导入（如同一户访问两次：在 ODK Central 中把不要的一份标记为 rejected 再导出）；"
    "或加 --keep-valid 先导入有效的提交（错误行写入 rejected.csv）。",
    "Fix the rows listed above and import again (a household interviewed twice: mark the unwanted submission "
    "rejected in ODK Central and export again), or add --keep-valid to import the valid submissions now (the "
    "rest go to rejected.csv).",
)
ODK_PULL_FAILED = spec(
    "PVX-I34", "error",
    "从 ODK Central 拉取数据失败（项目 {project}，问卷 {form}）：{reason}",
    "Pulling from ODK Central failed (project {project}, form {form}): {reason}",
    "检查 pyodk 配置文件（base_url、username、password）、项目编号和问卷 ID。",
    "Check the pyodk config file (base_url, username, password), the project number and the form ID.",
)
TRUTH_INVALID = spec(
    "PVX-I35", "error",
    "真值目录 {file} 无效：{reason}", "Truth directory {file} is not valid: {reason}",
    "提供 povexit synth 输出中的 truth/ 目录（households.parquet、persons.parquet）。",
    "Give the truth/ directory of `povexit synth` (households.parquet, persons.parquet).",
)
RESPONSES_INVALID = spec(
    "PVX-I36", "error",
    "答卷目录 {file} 无效：{reason}", "Responses directory {file} is not valid: {reason}",
    "提供 povexit ingest 的输出目录，或包含 responses.csv 的目录。",
    "Give the output directory of `povexit ingest`, or a directory with responses.csv.",
)
VALIDATOR_FAILED = spec(
    "PVX-I37", "error",
    "问卷 {file} 转换或校验失败：{reason}", "Form {file} failed to convert or validate: {reason}",
    "这是 povexit 问卷定义的错误，请报告。", "This is a bug in povexit's form definitions; please report it.",
)
