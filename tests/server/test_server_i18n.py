"""The committed Chinese translations are complete and their .mo is what the .po compiles to."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from povexit.server import i18n

PO = i18n.LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_mo_matches_po():
    assert PO.with_suffix(".mo").read_bytes() == i18n.compile_mo(
        i18n.parse_po(PO.read_text(encoding="utf-8"))
    ), "run: python -m povexit.server.i18n"


def test_every_message_translated_with_its_placeholders():
    text = PO.read_text(encoding="utf-8")
    messages = i18n.parse_po(text)
    n_ids = len(re.findall(r"^msgid ", text, flags=re.M)) - 1  # minus the header
    assert len(messages) - 1 == n_ids, "some msgid has no translation"
    for key, val in messages.items():
        if not key:
            continue
        src, dst = key.decode(), val.decode()
        assert set(re.findall(r"%\(\w+\)[sd]", src.split("\0")[0])) == set(
            re.findall(r"%\(\w+\)[sd]", dst)
        ), src
        assert re.search(r"[\u4e00-\u9fff]", dst) or dst.strip("% 0123456789.") == "", src


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext not installed")
def test_gnu_msgfmt_agrees(tmp_path):
    out = tmp_path / "x.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(out), str(PO)], check=True)
    import gettext

    with open(PO.with_suffix(".mo"), "rb") as a, open(out, "rb") as b:
        ours, theirs = gettext.GNUTranslations(a), gettext.GNUTranslations(b)
    strip = lambda cat: {k: v for k, v in cat.items() if k != ""}  # noqa: E731 (msgfmt rewrites the header)
    assert strip(ours._catalog) == strip(theirs._catalog) and len(ours._catalog) > 100


def test_pages_render_chinese_by_default(shared_team, client_for):
    team = shared_team[1]
    html = client_for(team["checker"]).get("/").content.decode()
    assert "各核查环节案件数" in html and "Cases by verification step" not in html
