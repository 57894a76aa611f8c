"""Map export headers onto responses column names: group prefixes stripped (``grp_water-…`` from ODK
Central, ``grp_water/…`` from Kobo), geopoint parts recombined, select-multiple split columns
(``household_type/dibao``) and server bookkeeping recognised, Chinese headers of plain files accepted."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from ..contracts import normalise_header
from .schema import RENAME, all_schemas, known_names, note_names, zh_headers

# server / platform columns -> internal names ("" = ignore)
SPECIAL = {
    # ODK Central
    "SubmissionDate": "submission_date", "KEY": "_key", "PARENT_KEY": "_parent_key", "SubmitterID": "",
    "SubmitterName": "submitter", "AttachmentsPresent": "", "AttachmentsExpected": "", "Status": "_status",
    "ReviewState": "review_state", "DeviceID": "", "Edits": "edits", "FormVersion": "form_version",
    # KoboToolbox
    "_id": "", "_uuid": "_uuid", "_submission_time": "submission_date", "_validation_status": "review_state",
    "_submitted_by": "submitter", "__version__": "form_version", "_version_": "", "_index": "_index",
    "_parent_index": "_parent_index", "_parent_table_name": "", "_submission__uuid": "_sub_uuid", "_notes": "",
    "_status": "", "_tags": "", "_attachments": "", "_geolocation": "", "_xform_id_string": "", "_duration": "",
    "formhub/uuid": "", "formhub-uuid": "",
    # plain
    "instance_id": "instance_id", "member_no": "member_no",
}
IGNORED_LEAVES = {"instanceName", "deprecatedID", "audit", "audit_URL"}
GEO_CENTRAL = {"Latitude": 0, "Longitude": 1, "Altitude": 2, "Accuracy": 3}
GEO_KOBO = re.compile(r"^_(?P<name>.+)_(?P<part>latitude|longitude|altitude|precision)$")
GEO_KOBO_PART = {"latitude": 0, "longitude": 1, "altitude": 2, "precision": 3}


@dataclass
class ColumnMap:
    rename: dict[str, str] = field(default_factory=dict)  # raw header -> column name
    geo: dict[str, dict[int, str]] = field(default_factory=dict)  # geopoint column -> {part index: raw header}
    unknown: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (raw header, column it would map to)


@cache
def _vocab() -> tuple[dict[str, str], set[str], dict[str, set[str]]]:
    known = dict(known_names())
    geos = {n for n, k in known.items() if k == "geopoint"}
    sms: dict[str, set[str]] = {}
    for s in all_schemas().values():
        for f in (*s.main, *s.members):
            if f.kind == "sm":
                sms.setdefault(f.name, set()).update(f.choices)
    return known, geos, sms


def map_columns(headers: list[str]) -> ColumnMap:
    known, geos, sms = _vocab()
    zh = zh_headers()
    out = ColumnMap()
    used: dict[str, str] = {}

    def assign(raw: str, name: str) -> None:
        if name in used:
            out.duplicates.append((raw, name))
            return
        used[name] = raw
        out.rename[raw] = name

    for raw in headers:
        if raw == "_row":
            continue
        h = raw.strip()
        if h in SPECIAL:
            if SPECIAL[h]:
                assign(raw, SPECIAL[h])
            continue
        if h.startswith("_submission__"):
            continue
        if h in note_names() or re.split(r"[-/]", h)[-1] in note_names():
            continue
        if h in known or h in RENAME:
            assign(raw, RENAME.get(h, h))
            continue
        zh_name = zh.get(normalise_header(h))
        if zh_name is not None:
            assign(raw, zh_name)
            continue
        parts = [p for p in re.split(r"[-/]", h) if p]
        if not parts:
            out.unknown.append(raw)
            continue
        leaf = parts[-1]
        parent = parts[-2] if len(parts) > 1 else None
        if leaf == "instanceID":
            assign(raw, "instance_id")
            continue
        if leaf in IGNORED_LEAVES:
            continue
        if parent in geos and leaf in GEO_CENTRAL:
            out.geo.setdefault(parent, {})[GEO_CENTRAL[leaf]] = raw
            continue
        m = GEO_KOBO.match(leaf)
        if m and m.group("name") in geos:
            out.geo.setdefault(m.group("name"), {})[GEO_KOBO_PART[m.group("part")]] = raw
            continue
        if parent in sms and leaf in sms[parent]:
            continue  # split select_multiple column (1/0); the combined column carries the answer
        name = RENAME.get(leaf, leaf)
        if name in known:
            assign(raw, name)
            continue
        out.unknown.append(raw)
    return out
