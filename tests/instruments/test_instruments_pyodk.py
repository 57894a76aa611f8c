"""Pulling from a live ODK Central project through pyodk, against a fake client (no server here): the
OData pages are requested as pyodk's API takes them, nested groups/repeats/GeoJSON are flattened, and
the pulled submissions go through the same ingest."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from instruments_helpers import make_sample, members, odata, registered

from povexit.cli.main import main
from povexit.errors import PovexitError
from povexit.instruments import ingest, load_responses, pull_central
from povexit.instruments import odk_pull as odk_pull_module


class FakeSubmissions:
    def __init__(self, payload: dict, fail: Exception | None = None):
        self.payload = payload
        self.fail = fail
        self.calls: list[dict] = []

    def get_table(self, form_id=None, project_id=None, table_name="Submissions", skip=None, top=None, count=None,
                  wkt=None, filter=None, expand=None, select=None) -> dict:
        self.calls.append(dict(form_id=form_id, project_id=project_id, skip=skip, top=top, count=count, expand=expand))
        if self.fail:
            raise self.fail
        value = self.payload["value"][skip or 0:(skip or 0) + (top or 10**9)]
        return {"@odata.context": self.payload["@odata.context"], "@odata.count": len(self.payload["value"]),
                "value": value}


class FakeClient:
    def __init__(self, payload: dict, fail: Exception | None = None):
        self.submissions = FakeSubmissions(payload, fail)
        self.opened = False

    def __enter__(self):
        self.opened = True
        return self

    def __exit__(self, *exc):
        self.opened = False


@pytest.fixture
def payload() -> dict:
    rows = [registered("H1", "uuid:p1"), registered("H2", "uuid:p2"), registered("H3", "uuid:p3", village_id="V2",
                                                                                 group="二组")]
    return odata(rows, members("uuid:p1") + members("uuid:p2") + members("uuid:p3", 2), "registered")


def test_pull_pages_and_ingests(tmp_path: Path, payload: dict) -> None:
    fake = FakeClient(payload)
    src, raw = pull_central(tmp_path / "pyodk_config.toml", 7, "povexit_registered",
                            client_factory=lambda cfg: fake, page_size=2)
    calls = fake.submissions.calls
    assert [c["skip"] for c in calls] == [0, 2]
    assert all(c["expand"] == "*" and c["project_id"] == 7 and c["form_id"] == "povexit_registered" for c in calls)
    assert len(raw["value"]) == 3
    res = ingest(make_sample(tmp_path), [], sources=[src])
    assert res.errors.height == 0, res.rejected
    hh = res.households.sort("household_id")
    assert hh["household_id"].to_list() == ["H1", "H2", "H3"]
    assert hh["gps_lat"].to_list() == [25.123456] * 3  # GeoJSON [lon, lat, alt] turned back into lat lon
    assert hh["water_litres_per_person_day"].to_list() == [60.0] * 3
    assert res.members.height == 6
    assert res.inputs == {"odk-central-7-povexit_registered.json": src.sha256}


def test_pull_failure_is_reported(tmp_path: Path, payload: dict) -> None:
    fake = FakeClient(payload, fail=RuntimeError("401 Client Error: Unauthorized"))
    with pytest.raises(PovexitError) as exc:
        pull_central(tmp_path / "cfg.toml", 7, "povexit_registered", client_factory=lambda cfg: fake)
    d = exc.value.diagnostics[0]
    assert d.code == "PVX-I34" and "Unauthorized" in d.message("en") and "7" in d.message("en")


def test_default_client_is_pyodk_with_the_config(tmp_path: Path) -> None:
    cfg = tmp_path / "pyodk_config.toml"
    cfg.write_text('[central]\nbase_url = "https://central.example.org"\nusername = "team@example.org"\n'
                   'password = "secret"\ndefault_project_id = 7\n', encoding="utf-8")
    client = odk_pull_module._default_client(cfg)
    from pyodk.client import Client

    assert isinstance(client, Client)
    assert client.config.central.base_url == "https://central.example.org"
    # the keyword arguments we call get_table with exist in pyodk's signature
    params = inspect.signature(client.submissions.get_table).parameters
    assert {"form_id", "project_id", "expand", "skip", "top", "count"} <= set(params)


def test_cli_pulls_with_odk_config(tmp_path: Path, payload: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeClient(payload)
    monkeypatch.setattr(odk_pull_module, "_default_client", lambda cfg: fake)
    cfg = tmp_path / "pyodk_config.toml"
    cfg.write_text("[central]\n", encoding="utf-8")
    sample = make_sample(tmp_path)
    out = tmp_path / "responses"
    code = main(["ingest", "--sample", str(sample), "--out", str(out), "--odk-config", str(cfg), "--project", "7",
                 "--form", "povexit_registered"])
    assert code == 0
    assert load_responses(out).households.height == 3
    assert main(["ingest", "--sample", str(sample), "--out", str(out), "--odk-config", str(cfg)]) == 2
