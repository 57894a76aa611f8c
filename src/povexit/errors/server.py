"""Error codes of the team server: PVX-S… (permission: HTTP 403) and PVX-D… (data, loading, set-up)."""

from __future__ import annotations

from . import spec

FORBIDDEN = spec(
    "PVX-S01",
    "error",
    "“{role}”无权{what}",
    "A {role} may not {what}",
    "如需此权限，请联系扶贫办管理员调整角色或负责的县。",
    "Ask the office administrator to change your role or counties.",
)
NOT_IN_SCOPE = spec(
    "PVX-S02",
    "error",
    "您负责的县不包括“{value}”",
    "Your counties do not include '{value}'",
    "请联系扶贫办管理员。",
    "Ask the office administrator.",
)
BAD_DB_URL = spec(
    "PVX-D01",
    "error",
    "无法识别数据库地址“{value}”",
    "Cannot understand the database URL '{value}'",
    "使用 sqlite:///路径/文件.sqlite3 或 postgresql://用户@主机:端口/库名。",
    "Use sqlite:///path/file.sqlite3 or postgresql://user@host:port/dbname.",
)
WORKDIR_MISSING = spec(
    "PVX-D02",
    "error",
    "工作目录 {file} 缺少 {value}",
    "Work directory {file} has no {value}",
    "先运行流水线的相应步骤（见 docs/data-layout.md），或检查目录是否正确。",
    "Run the pipeline step that writes it (docs/data-layout.md) or check the directory.",
)
WORKDIR_COLUMN = spec(
    "PVX-D03",
    "error",
    "{file} 缺少列“{column}”",
    "{file} has no column '{column}'",
    "该文件应符合 CONTRACTS.md / docs/data-layout.md 的格式。",
    "The file must follow CONTRACTS.md / docs/data-layout.md.",
)
UNKNOWN_HOUSEHOLD = spec(
    "PVX-D04",
    "error",
    "{file} 第 {row} 行：户编号“{value}”不在样本中",
    "{file} row {row}: household '{value}' is not in the sample",
    "检查 cases.csv 是否与 sample/households.csv 来自同一次评估。",
    "Check that cases.csv and sample/households.csv belong to the same assessment.",
)
BAD_ROLE = spec(
    "PVX-D05",
    "error",
    "未知角色“{value}”",
    "Unknown role '{value}'",
    "可选角色：{allowed}",
    "Roles: {allowed}",
)
UNKNOWN_COUNTY = spec(
    "PVX-D06",
    "error",
    "数据库中没有县“{value}”",
    "No county '{value}' in the database",
    "先用 povexit server load 加载评估工作目录。",
    "Load the work directory first (povexit server load).",
)
USER_EXISTS = spec(
    "PVX-D07",
    "error",
    "用户“{value}”已存在",
    "User '{value}' already exists",
    "换一个用户名。",
    "Choose another user name.",
)
UPLOAD_TOO_LARGE = spec(
    "PVX-D08",
    "error",
    "文件“{value}”超过 {limit} MB",
    "File '{value}' is larger than {limit} MB",
    "压缩照片或拆分文件后再上传。",
    "Compress or split the file and upload again.",
)
UPLOAD_INCOMPLETE = spec(
    "PVX-D09",
    "error",
    "文件“{value}”上传不完整，未保存任何内容",
    "The upload of '{value}' was incomplete; nothing was saved",
    "重新上传。",
    "Upload again.",
)
ATTACHMENT_MISSING = spec(
    "PVX-D10",
    "error",
    "证据文件 {value} 缺失或内容与登记的 SHA-256 不符",
    "Evidence file {value} is missing or does not match its SHA-256",
    "从备份恢复附件目录。",
    "Restore the attachment store from a backup.",
)
BATCH_UNKNOWN = spec(
    "PVX-D11",
    "error",
    "{value} 没有第 {row} 批样本村",
    "{value} has no village batch {row}",
    "检查批次号。",
    "Check the batch number.",
)
