"""Error codes of the report layer (documents, charts, summaries, the end-to-end demo)."""

from __future__ import annotations

from . import spec

WORKDIR_FILE_MISSING = spec(
    "PVX-RP01", "error",
    "工作目录中缺少 {file}（{what}）",
    "The work directory has no {file} ({what})",
    "先运行 {step}，或用 --workdir 指向完整的评估工作目录。",
    "Run {step} first, or point --workdir at a complete assessment work directory.",
)
ESTIMATES_INVALID = spec(
    "PVX-RP02", "error",
    "{file} 不是有效的评估结果（契约第5节）：键“{column}”{reason}",
    "{file} is not a valid estimates file (contract §5): key '{column}' {reason}",
    "用 povexit estimate 重新生成该文件。", "Regenerate it with povexit estimate.",
)
CJK_FONT_MISSING = spec(
    "PVX-RP03", "error",
    "找不到中文字体 {value}，图表和 PDF 中的汉字将无法显示",
    "Chinese font {value} not found: Chinese text in charts and the PDF cannot be rendered",
    "安装 Debian 软件包 fonts-noto-cjk（make setup 会自动安装），然后删除 matplotlib 字体缓存（~/.cache/matplotlib）。",
    "Install the Debian package fonts-noto-cjk (make setup does), then delete the matplotlib font cache (~/.cache/matplotlib).",
)
TABLE_COLUMN_MISSING = spec(
    "PVX-RP04", "error",
    "{file} 缺少列“{column}”",
    "{file} has no column '{column}'",
    "该文件应按 docs/data-layout.md 的格式由上一步命令生成；请重新运行那一步。",
    "The file should be written by the previous step in the format of docs/data-layout.md; re-run that step.",
)
COUNTY_NOT_FOUND = spec(
    "PVX-RP05", "error",
    "评估结果中的县“{value}”在 {file} 中没有数据",
    "County '{value}' of the estimates has no rows in {file}",
    "确认 estimates.json 与工作目录中的样本、调查数据属于同一个县。",
    "Make sure estimates.json and the sample and survey data of the work directory are for the same county.",
)
SUMMARY_NO_INPUT = spec(
    "PVX-RP06", "error",
    "没有找到任何县的评估结果：{file}",
    "No county estimates found in: {file}",
    "给出 povexit estimate --all 输出的 CSV 表，或若干 estimates.json 文件（或含有它们的目录）。",
    "Give the CSV table written by povexit estimate --all, or estimates.json files (or directories holding them).",
)
SUMMARY_DUPLICATE_COUNTY = spec(
    "PVX-RP07", "error",
    "县“{value}”出现了两次（{file}）",
    "County '{value}' appears twice ({file})",
    "每个县只给一份评估结果。", "Give one estimates file per county.",
)
SUMMARY_BAD_VALUE = spec(
    "PVX-RP08", "error",
    "{file} 第 {row} 行“{column}”的值“{value}”不是数字",
    "{file} row {row}, column '{column}': '{value}' is not a number",
    "检查该列是否为比率（小数，如 0.012）。", "Check the column holds rates as fractions (e.g. 0.012).",
)
PDF_RENDER_FAILED = spec(
    "PVX-RP09", "error",
    "生成 PDF 失败：{reason}",
    "Rendering the PDF failed: {reason}",
    "确认已安装 WeasyPrint 所需的 Pango 库（Debian: libpango-1.0-0）。",
    "Make sure the Pango library WeasyPrint needs is installed (Debian: libpango-1.0-0).",
)
BAD_DATE = spec(
    "PVX-RP11", "error",
    "日期“{value}”无效（应为 YYYY-MM-DD）",
    "Invalid date '{value}' (expected YYYY-MM-DD)",
    "例如 2019-04-15。", "For example 2019-04-15.",
)
