"""Compile the interface translations (``locale/*/LC_MESSAGES/django.po`` → ``.mo``) without GNU gettext.

The logic of CPython's ``Tools/i18n/msgfmt.py``: parse the .po (msgctxt, plurals, multi-line strings),
write a GNU .mo with keys sorted, no hash table — the same bytes on every machine, so the committed
.mo files can be checked against their .po in a test (``tests/server/test_server_i18n.py``) and
rebuilt with ``python -m povexit.server.i18n``.
"""

from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path

LOCALE = Path(__file__).resolve().parent / "locale"


def parse_po(text: str) -> dict[bytes, bytes]:
    """msgid (with context ``ctx\\x04id`` and plural ``id\\0plural``) → msgstr (plural forms joined by NUL).
    Fuzzy entries and untranslated ones are left out, as msgfmt does."""
    messages: dict[bytes, bytes] = {}
    section = None
    fuzzy = False
    msgctxt = msgid = msgid_plural = None
    msgstr: dict[int, str] = {}

    def flush() -> None:
        nonlocal msgctxt, msgid, msgid_plural, msgstr, fuzzy
        if msgid is not None and not fuzzy and any(msgstr.values()):
            key = msgid if msgid_plural is None else msgid + "\0" + msgid_plural
            if msgctxt is not None:
                key = msgctxt + "\x04" + key
            val = "\0".join(msgstr[i] for i in sorted(msgstr))
            messages[key.encode("utf-8")] = val.encode("utf-8")
        elif msgid == "" and msgstr.get(0):  # header
            messages[b""] = msgstr[0].encode("utf-8")
        msgctxt = msgid = msgid_plural = None
        msgstr = {}
        fuzzy = False

    index = 0
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                if section == "msgstr":
                    flush()
                    section = None
                fuzzy = True
            continue
        if not line:
            continue
        if line.startswith("msgctxt"):
            if section == "msgstr":
                flush()
            section, msgctxt = "msgctxt", ast.literal_eval(line[7:].strip())
        elif line.startswith("msgid_plural"):
            section, msgid_plural = "msgid_plural", ast.literal_eval(line[12:].strip())
        elif line.startswith("msgid"):
            if section == "msgstr":
                flush()
            section, msgid = "msgid", ast.literal_eval(line[5:].strip())
        elif line.startswith("msgstr"):
            section = "msgstr"
            rest = line[6:]
            if rest.startswith("["):
                index = int(rest[1 : rest.index("]")])
                rest = rest[rest.index("]") + 1 :]
            else:
                index = 0
            msgstr[index] = ast.literal_eval(rest.strip())
        elif line.startswith('"'):
            s = ast.literal_eval(line)
            if section == "msgctxt":
                msgctxt += s
            elif section == "msgid":
                msgid += s
            elif section == "msgid_plural":
                msgid_plural += s
            elif section == "msgstr":
                msgstr[index] += s
    if section == "msgstr":
        flush()
    return messages


def compile_mo(messages: dict[bytes, bytes]) -> bytes:
    keys = sorted(messages)
    ids = strs = b""
    offsets = []
    for k in keys:
        offsets.append((len(ids), len(k), len(strs), len(messages[k])))
        ids += k + b"\0"
        strs += messages[k] + b"\0"
    n = len(keys)
    keystart = 7 * 4 + 16 * n
    valuestart = keystart + len(ids)
    koffsets, voffsets = [], []
    for o1, l1, o2, l2 in offsets:
        koffsets += [l1, o1 + keystart]
        voffsets += [l2, o2 + valuestart]
    header = struct.pack("Iiiiiii", 0x950412DE, 0, n, 7 * 4, 7 * 4 + n * 8, 0, 0)
    import array

    return header + array.array("i", koffsets).tobytes() + array.array("i", voffsets).tobytes() + ids + strs


def build(locale_dir: Path = LOCALE) -> list[Path]:
    out = []
    for po in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        mo = po.with_suffix(".mo")
        mo.write_bytes(compile_mo(parse_po(po.read_text(encoding="utf-8"))))
        out.append(mo)
    return out


if __name__ == "__main__":
    for p in build():
        print(p, file=sys.stderr)
