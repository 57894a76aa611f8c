"""Map export headers onto responses column names: group prefixes stripped (``grp_water-…`` from ODK
Central, ``grp_water/…`` from Kobo), geopoint parts recombined, select-multiple split columns
(``household_type/dibao``) and server bookkeeping recognised, Chinese headers of plain files accepted.

Header shapes (ODK Central ``lib/data/briefcase.js``, KoboToolbox ``formpack``):

- group paths joined by ``-`` (Central) or ``/`` (Kobo), or none at all (Central "Remove group names",
  Kobo without "Include groups in headers"): the leaf is the field name;
- Kobo "label" exports: question labels (Chinese), optionally below group labels (``家庭基本情况/户籍人口``);
- select_multiple split into one column per choice: ``<field>/<choice>`` (Central: 1/0, after the
  combined column; Kobo: 1/0, or only the split columns with "Separate columns"; legacy exports
  True/False; label exports ``<question label>/<choice label>``). When the combined column is absent the
  answer is rebuilt from the split columns (:attr:`ColumnMap.split`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from ..contracts import normalise_header
from .schema import META_ZH, RENAME, all_schemas, known_names, note_names, zh_headers

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
    "formhub/uuid": "", "formhub-uuid": "", "_ragged": "_ragged", "_deleted_at": "_deleted_at",
    # plain
    "instance_id": "instance_id", "member_no": "member_no",
}
IGNORED_LEAVES = {"instanceName", "audit", "audit_URL"}
# Kobo meta: rootUuid is the submission's identity across edits (instanceID changes on every edit, the
# replaced one is kept in deprecatedID)
META_LEAVES = {"instanceID": "instance_id", "rootUuid": "_root_uuid", "deprecatedID": "_deprecated_id"}
GEO_CENTRAL = {"Latitude": 0, "Longitude": 1, "Altitude": 2, "Accuracy": 3}
GEO_KOBO = re.compile(r"^_(?P<name>.+)_(?P<part>latitude|longitude|altitude|precision)$")
GEO_KOBO_PART = {"latitude": 0, "longitude": 1, "altitude": 2, "precision": 3}


@dataclass
class ColumnMap:
    rename: dict[str, str] = field(default_factory=dict)  # raw header -> column name
    geo: dict[str, dict[int, str]] = field(default_factory=dict)  # geopoint column -> {part index: raw header}
    unknown: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (raw header, column it would map to)
    # select_multiple split columns: field -> {choice code (or the raw leaf when unknown): raw header}
    split: dict[str, dict[str, str]] = field(default_factory=dict)


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


def _choice_code(field_name: str, leaf: str) -> str | None:
    key = unicodedata.normalize("NFKC", leaf).strip().lower()
    for sch in all_schemas().values():
        for f in (*sch.main, *sch.members):
            if f.name == field_name and key in f.choice_labels:
                return f.choice_labels[key]
    return None


@cache
def _label_candidates() -> dict[str, tuple[str, ...]]:
    """Normalised Chinese header or question label → the columns it may name, in order of preference.
    A few labels are also meta headers of hand-made files (调查员编号, 行政村): in a Kobo label export the
    meta column keeps its own name, so the label then goes to the question (the first unused candidate)."""
    out: dict[str, list[str]] = {}
    for k, v in META_ZH.items():
        out.setdefault(normalise_header(k), []).append(v)
    for sch in all_schemas().values():
        for f in (*sch.main, *sch.members):
            if f.info and f.info.question.zh:
                cands = out.setdefault(normalise_header(f.info.question.zh), [])
                if f.name not in cands:
                    cands.append(f.name)
    for k, v in zh_headers().items():
        cands = out.setdefault(k, [])
        if v not in cands:
            cands.append(v)
    return {k: tuple(v) for k, v in out.items()}


@cache
def _note_labels() -> frozenset[str]:
    """Labels of display-only notes (a label export has them as empty columns, ``${…}`` and all)."""
    out = set()
    for sch in all_schemas().values():
        for f in sch.form.walk():
            if f.kind == "none":
                out |= {normalise_header(x) for x in (f.question.zh, f.question.en) if x}
    return frozenset(out)


def map_columns(headers: list[str]) -> ColumnMap:
    known, geos, sms = _vocab()
    labels = _label_candidates()
    notes = note_names()
    note_labels = _note_labels()
    out = ColumnMap()
    used: dict[str, str] = {}
    split: dict[str, dict[str, str]] = {}

    def assign(raw: str, name: str) -> None:
        if name in used:
            out.duplicates.append((raw, name))
            return
        used[name] = raw
        out.rename[raw] = name

    def resolve(part: str | None, among: set[str] | dict | None = None) -> str | None:
        """A header part as a column name: the field name itself, else a (Chinese) label — the first
        candidate not yet used (or, with ``among``, the first that is one of those)."""
        if part is None:
            return None
        if part in known or part in RENAME:
            return RENAME.get(part, part)
        cands = labels.get(normalise_header(part), ())
        if among is not None:
            return next((c for c in cands if c in among), None)
        return next((c for c in cands if c not in used), cands[0] if cands else None)

    rest: list[str] = []
    for raw in headers:  # pass 1: bookkeeping and exact field names, so labels cannot take their place
        if raw == "_row":
            continue
        h = raw.strip()
        if h in SPECIAL:
            if SPECIAL[h]:
                assign(raw, SPECIAL[h])
        elif h.startswith("_submission__"):
            continue
        elif h in known or h in RENAME:
            assign(raw, RENAME.get(h, h))
        else:
            rest.append(raw)
    for raw in rest:
        h = raw.strip()
        if h in notes or re.split(r"[-/]", h)[-1] in notes or normalise_header(h) in note_labels:
            continue
        whole = resolve(h) if normalise_header(h) in labels else None
        if whole is not None:
            assign(raw, whole)
            continue
        parts = [p.strip() for p in re.split(r"[-/]", h) if p.strip()]
        if not parts:
            out.unknown.append(raw)
            continue
        leaf = parts[-1]
        parent = parts[-2] if len(parts) > 1 else None
        if leaf in META_LEAVES:
            assign(raw, META_LEAVES[leaf])
            continue
        if leaf in IGNORED_LEAVES or normalise_header(leaf) in note_labels:
            continue
        geo_parent = resolve(parent, geos)
        if geo_parent and leaf in GEO_CENTRAL:
            out.geo.setdefault(geo_parent, {})[GEO_CENTRAL[leaf]] = raw
            continue
        m = GEO_KOBO.match(leaf)
        if m and resolve(m.group("name"), geos):
            out.geo.setdefault(resolve(m.group("name"), geos) or "", {})[GEO_KOBO_PART[m.group("part")]] = raw
            continue
        sm_parent = resolve(parent, sms)
        if sm_parent and resolve(leaf) not in known:
            # split select_multiple column; used only when the combined column is missing
            split.setdefault(sm_parent, {})[_choice_code(sm_parent, leaf) or leaf] = raw
            continue
        name = resolve(leaf)
        if name in known:
            assign(raw, name)
            continue
        out.unknown.append(raw)
    out.split = {f: cols for f, cols in split.items() if f not in used}
    return out
