"""Property: the responses do not depend on how exports are split into imports or in which order they
come — resends, edits (conflicting versions), second interviews and rows outside the sample included."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from instruments_helpers import central_zip, make_sample, members, registered, village

from povexit.instruments import ingest
from povexit.instruments.sample_view import load_sample_view


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[object, list[Path]]:
    root = tmp_path_factory.mktemp("prop")
    sample = load_sample_view(make_sample(root))
    early = "2019-02-13T09:00:00.000+08:00"
    files = [
        central_zip(root / "a.zip", "registered",
                    [registered("H1", "uuid:1"), registered("H2", "uuid:2"), registered("H77", "uuid:77")],
                    members("uuid:1") + members("uuid:2") + members("uuid:77")),
        central_zip(root / "b.zip", "registered", [registered("H1", "uuid:1"), registered("H3", "uuid:3",
                                                                                          village_id="V2", group="二组")],
                    members("uuid:1") + members("uuid:3")),
        central_zip(root / "c.zip", "registered",
                    [registered("H2", "uuid:2b", start=early),
                     registered("H1", "uuid:1", income_wage="30000", income_net_per_capita="17000", edits="1")],
                    members("uuid:2b") + members("uuid:1", 2, {1: {"member_age": "50"}})),
        central_zip(root / "d.zip", "village", [village("uuid:v1"), village("uuid:v2", start="x")]),
        central_zip(root / "e.zip", "registered", [registered("H9", "uuid:9"),
                                                   registered("H3", "uuid:3nf", village_id="V2", group="二组",
                                                              interview_result="not_found")],
                    members("uuid:9")),
    ]
    return sample, files


def _state(res) -> tuple:
    def norm(df: pl.DataFrame) -> pl.DataFrame:
        drop = [c for c in ("source_file", "source_row", "submission_date") if c in df.columns]
        return df.drop(drop).sort(df.columns[0:1] + (["member_no"] if "member_no" in df.columns else []))

    errors = res.rejected.filter(pl.col("severity") == "error").select("instance_id", "code", "field").unique().sort(
        "instance_id", "code", "field")
    return (norm(res.households), norm(res.members), norm(res.villages), norm(res.nonresponse), errors)


def _assert_same(a: tuple, b: tuple) -> None:
    for x, y in zip(a, b, strict=True):
        assert x.equals(y), (x, y)


@pytest.fixture(scope="module")
def together(world) -> tuple:
    sample, files = world
    return _state(ingest(sample, files))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(5)), cuts=st.lists(st.booleans(), min_size=4, max_size=4),
       repeat=st.integers(min_value=0, max_value=4))
def test_order_and_batching_do_not_matter(world, together, order: list[int], cuts: list[bool], repeat: int) -> None:
    sample, files = world
    batches: list[list[Path]] = [[files[order[0]]]]
    for i, cut in zip(order[1:], cuts, strict=True):
        if cut:
            batches.append([files[i]])
        else:
            batches[-1].append(files[i])
    batches.append([files[repeat]])  # and one export imported a second time
    existing = None
    for batch in batches:
        res = ingest(sample, batch, existing=existing)
        existing = res.responses()
    _assert_same(_state(res), together)


def test_expected_outcome_of_the_world(world) -> None:
    sample, files = world
    res = ingest(sample, files)
    hh = res.households.sort("household_id")
    assert hh.select("household_id", "instance_id").rows() == [("H1", "uuid:1"), ("H2", "uuid:2b"), ("H3", "uuid:3"),
                                                               ("H9", "uuid:9")]
    assert hh.filter(pl.col("household_id") == "H1")["income_wage"].item() == 30000.0  # the edited version
    codes = res.rejected.filter(pl.col("severity") == "error").select("instance_id", "code").sort("instance_id").rows()
    assert ("uuid:1", "PVX-I07") in codes and ("uuid:2", "PVX-I02") in codes and ("uuid:77", "PVX-I01") in codes
    assert ("uuid:v2", "PVX-I06") in codes  # start = "x" is not a date
    assert res.nonresponse["household_id"].to_list() == ["H3"]
