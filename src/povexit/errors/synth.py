"""Error codes of the synthetic-data layer (``povexit synth``)."""

from __future__ import annotations

from . import spec

BAD_PARAMETER = spec(
    "PVX-Y01",
    "error",
    "合成参数 {column} 的值“{value}”无效：{reason_zh}",
    "Synthesis parameter {column} has an invalid value '{value}': {reason_en}",
    "允许的取值：{allowed}",
    "Allowed: {allowed}",
)
UNKNOWN_PROVINCE = spec(
    "PVX-Y02",
    "error",
    "不认识的省份“{value}”",
    "Unknown province '{value}'",
    "可用的省份（中西部 22 省区市）：{allowed}",
    "Available provinces (22 central/western): {allowed}",
)
WRONG_SCALE_FOR_CALL = spec(
    "PVX-Y03",
    "error",
    "规模 {value} 不能在内存中一次生成",
    "Scale {value} cannot be generated in memory",
    "全国规模请用 stream_national（命令行：povexit synth --scale national），它按县流式写出。",
    "For the national scale use stream_national (CLI: povexit synth --scale national), which streams county by county.",
)
TOO_FEW_PERSONS = spec(
    "PVX-Y04",
    "error",
    "登记人口 {value} 不足以分配到 {counties} 个县（每县至少 {minimum} 人）",
    "{value} registered persons cannot be spread over {counties} counties (at least {minimum} per county)",
    "增大 --persons 或减少县数（--counties）。",
    "Raise --persons or lower the number of counties (--counties).",
)
