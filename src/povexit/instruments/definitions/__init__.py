"""The six questionnaires. ``forms()`` maps the instrument (registered / general / village / cadre / township /
county_check) to its :class:`~povexit.instruments.formdef.FormDef`."""

from __future__ import annotations

from functools import cache

from ..formdef import FormDef
from . import cadre, county_check, general, registered, township, village

INSTRUMENTS = ("registered", "general", "village", "cadre", "township", "county_check")


@cache
def forms() -> dict[str, FormDef]:
    return {f.instrument: f for f in (registered.form(), general.form(), village.form(), cadre.form(), township.form(),
                                      county_check.form())}


def get(instrument: str) -> FormDef:
    return forms()[instrument]


def by_form_id(form_id: str) -> FormDef | None:
    for f in forms().values():
        if f.form_id == form_id:
            return f
    return None
