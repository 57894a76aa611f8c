"""The error catalogue: every problem povexit reports has a code, says where, what and how to fix.

Modelled on pyxform's ``errors.py``: codes live in one package (one module per layer:
``errors.registry``, ``errors.sampling`` …), each an :class:`ErrorSpec` with a Chinese and an
English message template and a fix.  Core code raises :class:`PovexitError` (or returns
:class:`Diagnostic` lists inside its result objects); :mod:`povexit.errors.render` is the one
place that turns them into terminal, JSON or HTTP output.

Personal data never goes into a message unmasked: pass ID numbers through
:func:`povexit.privacy.mask_id` before putting them in ``value``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]

_CATALOGUE: dict[str, ErrorSpec] = {}


def current_lang() -> str:
    """Language for messages: ``POVEXIT_LANG`` (``zh`` default, ``en``)."""
    lang = os.environ.get("POVEXIT_LANG", "zh").lower()
    return "en" if lang.startswith("en") else "zh"


class _SafeDict(dict):
    def __missing__(self, key: str) -> str:  # a template placeholder the caller did not fill
        return "{" + key + "}"


@dataclass(frozen=True)
class ErrorSpec:
    """One catalogue entry. Templates use ``str.format`` placeholders filled from ``params``."""

    code: str
    severity: Severity
    zh: str
    en: str
    fix_zh: str = ""
    fix_en: str = ""

    def __post_init__(self) -> None:
        if self.code in _CATALOGUE and _CATALOGUE[self.code] != self:
            raise ValueError(f"duplicate error code {self.code}")
        _CATALOGUE[self.code] = self

    def __call__(
        self,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
        severity: Severity | None = None,
        **params: Any,
    ) -> Diagnostic:
        """Build a :class:`Diagnostic` for this code at a location."""
        return Diagnostic(
            code=self.code,
            severity=severity or self.severity,
            file=file,
            row=row,
            column=column,
            value=None if value is None else str(value),
            params={k: ("" if v is None else v) for k, v in params.items()},
        )


def spec(code: str, severity: Severity, zh: str, en: str, fix_zh: str = "", fix_en: str = "") -> ErrorSpec:
    return ErrorSpec(code, severity, zh, en, fix_zh, fix_en)


def lookup(code: str) -> ErrorSpec:
    return _CATALOGUE[code]


def catalogue() -> Mapping[str, ErrorSpec]:
    """All registered codes (import the layer modules first to fill it)."""
    return dict(_CATALOGUE)


@dataclass
class Diagnostic:
    """A located problem: file, row (as the user sees it: spreadsheet row / CSV line), column, value."""

    code: str
    severity: Severity
    file: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def spec(self) -> ErrorSpec:
        return _CATALOGUE[self.code]

    def _fmt(self, template: str) -> str:
        ctx = _SafeDict(self.params)
        ctx.setdefault("file", self.file or "")
        ctx.setdefault("row", "" if self.row is None else self.row)
        ctx.setdefault("column", self.column or "")
        ctx.setdefault("value", "" if self.value is None else self.value)
        return template.format_map(ctx)

    def message(self, lang: str | None = None) -> str:
        lang = lang or current_lang()
        return self._fmt(self.spec.en if lang == "en" else self.spec.zh)

    def fix(self, lang: str | None = None) -> str:
        lang = lang or current_lang()
        return self._fmt(self.spec.fix_en if lang == "en" else self.spec.fix_zh)

    def location(self) -> str:
        parts = []
        if self.file:
            parts.append(str(self.file))
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)

    def __str__(self) -> str:
        loc = self.location()
        val = f" [value: {self.value}]" if self.value not in (None, "") else ""
        fix = self.fix()
        return f"{self.code} {self.severity}: {loc + ': ' if loc else ''}{self.message()}{val}" + (
            f" — {fix}" if fix else ""
        )

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "message": self.message(lang),
            "fix": self.fix(lang),
            "message_zh": self.message("zh"),
            "message_en": self.message("en"),
        }


class PovexitError(Exception):
    """A domain error carrying one or more diagnostics. Nothing has been written when it is raised."""

    def __init__(self, diagnostics: Diagnostic | Iterable[Diagnostic]):
        if isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics: list[Diagnostic] = list(diagnostics)
        super().__init__("\n".join(str(d) for d in self.diagnostics[:20]))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]


def raise_if_errors(diagnostics: Iterable[Diagnostic]) -> None:
    diags = list(diagnostics)
    if any(d.severity == "error" for d in diags):
        raise PovexitError(diags)


# Codes shared by every layer (file access, formats). Layer modules define their own.
FILE_NOT_FOUND = spec(
    "PVX001", "error",
    "找不到文件或目录：{file}", "File or directory not found: {file}",
    "检查路径是否正确。", "Check the path.",
)
FILE_UNREADABLE = spec(
    "PVX002", "error",
    "无法读取文件 {file}：{reason}", "Cannot read {file}: {reason}",
    "确认文件是 CSV（UTF-8/GBK）、XLSX 或 Parquet，且未被其他程序占用。",
    "Make sure it is CSV (UTF-8/GBK), XLSX or Parquet and not open in another program.",
)
UNKNOWN_FORMAT = spec(
    "PVX003", "error",
    "不支持的文件格式：{file}", "Unsupported file format: {file}",
    "请提供 .csv、.xlsx 或 .parquet 文件。", "Provide a .csv, .xlsx or .parquet file.",
)
ENCODING_UNKNOWN = spec(
    "PVX004", "error",
    "无法识别文件编码：{file}", "Cannot detect the text encoding of {file}",
    "请在 Excel 中另存为“CSV UTF-8”。", "Save it from Excel as 'CSV UTF-8'.",
)
HEADER_NOT_FOUND = spec(
    "PVX005", "error",
    "在 {file} 的前 {scanned} 行中没有找到表头（应包含 {expected} 等列）",
    "No header row found in the first {scanned} rows of {file} (expected columns such as {expected})",
    "确认表头行包含规定的列名（中文或英文）。", "Make sure the header row has the documented column names (Chinese or English).",
)
MISSING_COLUMN = spec(
    "PVX006", "error",
    "缺少必需的列“{column}”（中文表头：{zh}）", "Required column '{column}' (Chinese header: {zh}) is missing",
    "在表头中加入该列。", "Add the column to the header row.",
)
DUPLICATE_COLUMN = spec(
    "PVX007", "error",
    "列“{column}”在表头中出现了两次（{headers}）", "Column '{column}' appears twice in the header ({headers})",
    "删除或重命名重复的列。", "Remove or rename the duplicate column.",
)
BAD_VALUE = spec(
    "PVX008", "error",
    "值“{value}”不是有效的{kind}", "Value '{value}' is not a valid {kind}",
    "{hint}", "{hint}",
)
OUTPUT_EXISTS = spec(
    "PVX009", "error",
    "输出目录 {file} 已存在且不是 povexit 的输出", "Output {file} exists and was not written by povexit",
    "换一个输出目录，或先删除它。", "Choose another output directory or remove it first.",
)
CONFIG_INVALID = spec(
    "PVX010", "error",
    "配置文件 {file} 中键“{column}”的值“{value}”无效：{reason}",
    "In {file}, key '{column}' has an invalid value '{value}': {reason}",
    "允许的取值：{allowed}", "Allowed: {allowed}",
)
CONFIG_UNKNOWN_KEY = spec(
    "PVX011", "error",
    "配置文件 {file} 中有未知的键“{column}”", "Unknown key '{column}' in {file}",
    "允许的键：{allowed}", "Allowed keys: {allowed}",
)
