"""Error codes of the verification workflow (五核) and the audit hash chain: PVX-V…"""

from __future__ import annotations

from . import spec

WRONG_STATE = spec(
    "PVX-V01",
    "error",
    "案件 {case} 当前为“{state}”，不能执行“{action}”",
    "Case {case} is '{state}'; '{action}' is not possible now",
    "刷新页面查看案件当前状态；可执行的操作：{allowed}。",
    "Reload the case to see its current state; possible now: {allowed}.",
)
ROLE_NOT_ALLOWED = spec(
    "PVX-V02",
    "error",
    "“{role}”不能在“{state}”阶段执行“{action}”",
    "A {role} cannot '{action}' a case that is '{state}'",
    "此步骤由{owner}办理。",
    "This step belongs to: {owner}.",
)
EVIDENCE_REQUIRED = spec(
    "PVX-V03",
    "error",
    "“{action}”必须附佐证材料（照片、录音或文件），案件 {case}",
    "'{action}' needs evidence files (photos, recordings or documents), case {case}",
    "上传至少一个证据文件后再提交（固化证据）。",
    "Attach at least one evidence file and submit again.",
)
COMMENT_REQUIRED = spec(
    "PVX-V04",
    "error",
    "“{action}”必须填写核查意见或说明，案件 {case}",
    "'{action}' needs a written opinion or explanation, case {case}",
    "在意见栏写明核查情况和依据。",
    "Write what was checked and on what grounds.",
)
DEADLINE_INVALID = spec(
    "PVX-V05",
    "error",
    "反馈期限“{value}”无效：必须晚于当前时间 {now}",
    "Feedback deadline '{value}' is invalid: it must be later than now ({now})",
    "填写县里答复的截止日期和时间（例如明天 18:00）。",
    "Give the date and time by which the county must answer.",
)
DEADLINE_PASSED = spec(
    "PVX-V06",
    "error",
    "案件 {case} 的答复期限 {deadline} 已过，不能再提交答复",
    "The answer deadline {deadline} of case {case} has passed; the county can no longer answer",
    "请与带队专家联系；逾期未答复的案件按程序提交专家组核。",
    "Contact the lead expert; unanswered cases go to the expert panel.",
)
DEADLINE_NOT_PASSED = spec(
    "PVX-V07",
    "error",
    "案件 {case} 的答复期限 {deadline} 未到，不能按逾期未答复处理",
    "The answer deadline {deadline} of case {case} has not passed yet",
    "等待县里答复，或期限过后再操作。",
    "Wait for the county's answer or for the deadline to pass.",
)
REASON_REQUIRED = spec(
    "PVX-V08",
    "error",
    "不予认定必须选择原因（{allowed}），案件 {case}，收到“{value}”",
    "Dismissal needs a reason ({allowed}), case {case}; got '{value}'",
    "选择原因并写明依据。",
    "Choose a reason and explain it.",
)
STALE_CASE = spec(
    "PVX-V09",
    "error",
    "案件 {case} 已被他人处理（您看到的是第 {value} 版，当前为第 {current} 版）",
    "Case {case} was changed by someone else (you saw version {value}, it is now {current})",
    "刷新页面，查看最新处理结果后再决定。",
    "Reload the case, read the latest decision, then decide.",
)
UNKNOWN_ACTION = spec(
    "PVX-V10",
    "error",
    "未知的核查操作“{value}”",
    "Unknown verification action '{value}'",
    "可用操作：{allowed}",
    "Known actions: {allowed}",
)
BAD_DECISION = spec(
    "PVX-V11",
    "error",
    "“{action}”的结论“{value}”无效",
    "Decision '{value}' is not valid for '{action}'",
    "可选结论：{allowed}",
    "Allowed decisions: {allowed}",
)
NOT_VERIFIED = spec(
    "PVX-V12",
    "error",
    "案件 {case} 没有经过核实或证据不充分，不能认定（凡没有核准、核实，或证据不充分的，不予采信）",
    "Case {case} has not been verified or lacks evidence and cannot be confirmed",
    "选择“不予采信”，或退回补充证据。",
    "Choose 'not adopted' (insufficient evidence) instead.",
)

# ---- audit chain ---------------------------------------------------------------------------------
AUDIT_HASH_MISMATCH = spec(
    "PVX-V20",
    "error",
    "审计日志第 {row} 条的内容与其哈希不符（记录被改动）",
    "Audit entry {row}: its content does not match its hash (the entry was altered)",
    "从备份恢复数据库，并调查谁在应用之外修改了审计日志。",
    "Restore the database from a backup and investigate who changed the log outside the application.",
)
AUDIT_BROKEN_LINK = spec(
    "PVX-V21",
    "error",
    "审计日志第 {row} 条没有接上前一条（前一条被删除、插入或改动）",
    "Audit entry {row} does not chain to the previous one (an entry was deleted, inserted or altered)",
    "从备份恢复数据库，并调查审计日志为何断链。",
    "Restore the database from a backup and investigate the break.",
)
AUDIT_SEQUENCE = spec(
    "PVX-V22",
    "error",
    "审计日志序号不连续：第 {row} 条之后应为 {expected}，实际为 {value}",
    "Audit log sequence broken: after entry {row} expected {expected}, found {value}",
    "有记录被删除或插入；从备份恢复。",
    "Entries were deleted or inserted; restore from a backup.",
)
