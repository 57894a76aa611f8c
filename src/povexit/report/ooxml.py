"""Make Office Open XML archives (.docx, .xlsx) reproducible: same content → same bytes.

python-docx and openpyxl stamp the zip entries and ``docProps/core.xml`` with the current time; we
re-pack with fixed entry times and put a given timestamp (the assessment's own date) in the core
properties instead of the clock.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import zipfile

EPOCH = _dt.datetime(2000, 1, 1, tzinfo=_dt.UTC)
_CORE_TIME = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def normalise_zip(data: bytes, *, stamp: _dt.datetime | None = None) -> bytes:
    when = (stamp or EPOCH).astimezone(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = _CORE_TIME.sub(lambda m: m.group(1) + when + m.group(3), body)
            zi = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            dst.writestr(zi, body)
    return out.getvalue()
