"""The caresim Python module against the files the program writes.

Run with the wheel installed (``.ci/python-test``): every function calls the installed
binary, and every frame is checked against its CSV file read with the standard library's
csv module, so a frame that drops, renames or changes anything fails.
"""

import csv
import importlib.metadata
import json
import math
import subprocess
import sysconfig
from pathlib import Path

import pandas as pd
import pytest

import caresim

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "scenarios" / "reference_chronic_flow_small.toml"
BASE = ROOT / "scenarios" / "nhs_2003_baseline.toml"
POLICY = ROOT / "scenarios" / "policies" / "early_discharge.toml"


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def same_value(text, value):
    """A CSV cell and the frame's value are the same number or text (empty = missing)."""
    if text == "":
        return value is None or (isinstance(value, float) and math.isnan(value))
    try:
        number = float(text)
    except ValueError:
        return str(value) == text
    return float(value) == number


def assert_frame_is_csv(frame, path, extra=()):
    """``frame`` holds the CSV's header, rows and values, in order, plus ``extra`` columns."""
    header, rows = read_csv(path)
    assert list(frame.columns) == header + list(extra), path
    assert len(frame) == len(rows), path
    for i, row in enumerate(rows):
        for column, text in zip(header, row):
            value = frame.iloc[i][column]
            assert same_value(text, value), f"{path}: row {i}, {column}: {text!r} != {value!r}"


def test_binary_is_the_wheels_and_of_its_version():
    # The wheel installs the program beside the interpreter's scripts (a fresh venv in CI).
    path = Path(caresim.binary())
    assert path.parent == Path(sysconfig.get_path("scripts")), path
    out = subprocess.run([str(path), "--version"], capture_output=True, text=True, check=True)
    # "caresim 0.6.0 (commit 0123456789ab)": the version, then the commit it was built from.
    assert out.stdout.split()[:2] == ["caresim", importlib.metadata.version("caresim")]


def test_run_reads_every_file_with_labels(tmp_path):
    res = caresim.run(SMALL, reps=3, seed=11, out=tmp_path / "run")
    assert res.kind == "run"
    assert res.folder == tmp_path / "run"
    assert_frame_is_csv(res.summary, res.folder / "summary.csv", extra=["label", "unit"])
    assert_frame_is_csv(res.runs, res.folder / "runs.csv")
    assert_frame_is_csv(res.by_year, res.folder / "by_year.csv", extra=["label", "unit"])
    assert_frame_is_csv(res.by_group, res.folder / "by_group.csv", extra=["label", "unit"])
    assert_frame_is_csv(res.timeseries, res.folder / "timeseries.csv")
    assert len(res.runs) == 3
    assert list(res.runs["replication"]) == [0, 1, 2]
    assert res.manifest["seed"] == 11 and res.manifest["replications"] == 3
    # Labels and units are the catalogue's, for every metric.
    assert res.summary["label"].notna().all() and res.summary["unit"].notna().all()
    beds = res.summary.set_index("metric").loc["acute_bed_days"]
    assert beds["unit"] == "bed-days" and beds["label"] == res.label("acute_bed_days")
    assert res.unit("total_cost") == "£"
    # The summary is the runs' mean.
    assert math.isclose(beds["mean"], res.runs["acute_bed_days"].mean(), rel_tol=1e-12)
    # Nothing in a comparison or sweep.
    assert res.comparison is None and res.sweep is None and res.arms == {}


def test_compare_reads_arms_and_differences(tmp_path):
    res = caresim.compare(BASE, POLICY, reps=2, seed=5, out=tmp_path / "cmp")
    assert res.kind == "compare"
    assert list(res.arms) == ["nhs_2003_baseline", "early_discharge"]
    assert_frame_is_csv(res.comparison, res.folder / "comparison.csv", extra=["label", "unit"])
    assert_frame_is_csv(
        res.by_year_differences, res.folder / "by_year_differences.csv", extra=["label", "unit"]
    )
    assert_frame_is_csv(res.cost_effectiveness, res.folder / "cost_effectiveness.csv")
    assert_frame_is_csv(res.ceac, res.folder / "ceac.csv")
    for name, arm in res.arms.items():
        assert arm.kind == "run"
        assert_frame_is_csv(arm.summary, arm.folder / "summary.csv", extra=["label", "unit"])
        assert_frame_is_csv(arm.runs, arm.folder / "runs.csv")
        # The stack holds every arm's columns (services differ); this arm's are its own.
        stacked = res.runs[res.runs["arm"] == name].reset_index(drop=True)
        pd.testing.assert_frame_equal(stacked[arm.runs.columns], arm.runs, check_dtype=False)
        assert stacked.drop(columns=[*arm.runs.columns, "arm"]).isna().all().all()
    assert len(res.runs) == 4 and list(res.runs.columns[:2]) == ["arm", "replication"]
    assert len(res.runs.columns) > len(res.arms["nhs_2003_baseline"].runs.columns) + 1
    assert set(res.by_year["arm"]) == set(res.arms)
    # A paired difference is the difference of the arms' means.
    row = res.comparison.set_index("metric").loc["acute_bed_days"]
    means = res.summary[res.summary["metric"] == "acute_bed_days"].set_index("arm")["mean"]
    assert math.isclose(
        row["difference_mean"], means["early_discharge"] - means["nhs_2003_baseline"], rel_tol=1e-9
    )
    with open(res.folder / "comparison.json", encoding="utf-8") as f:
        assert res.manifest["base"] == json.load(f)["base"]


def test_sweep_reads_points(tmp_path):
    sweep_file = tmp_path / "beds.toml"
    sweep_file.write_text(
        f'scenario = {json.dumps(str(SMALL))}\ndesign = "grid"\nreplications = 2\n\n'
        '[parameters]\n"acute.beds" = [60, 70]\n',
        encoding="utf-8",
    )
    res = caresim.sweep(sweep_file, out=tmp_path / "sweep")
    assert res.kind == "sweep"
    assert_frame_is_csv(res.sweep, res.folder / "sweep.csv", extra=["label", "unit"])
    assert res.summary is res.sweep
    assert_frame_is_csv(res.runs, res.folder / "runs.csv")
    assert sorted(res.sweep["acute.beds"].unique()) == [60, 70]
    assert len(res.runs) == 4


def test_read_gives_the_same_frames(tmp_path):
    first = caresim.run(SMALL, reps=2, out=tmp_path / "a")
    again = caresim.read(tmp_path / "a")
    pd.testing.assert_frame_equal(first.summary, again.summary)
    with pytest.raises(ValueError, match="not a result folder"):
        caresim.read(tmp_path)


def test_catalogue_lists_every_metric_and_resolves_services():
    cat = caresim.metrics()
    assert cat.loc["acute_bed_days", "unit"] == "bed-days"
    assert "community_days_<service>" in cat.index
    one = caresim.metrics(["community_cost_care_home"])
    assert one.loc["community_cost_care_home", "label"] == "cost of care_home"


def test_errors_raise_with_caresims_message(tmp_path):
    with pytest.raises(caresim.CaresimError) as bad:
        caresim.run(ROOT / "tests" / "fixtures" / "out_of_range.toml", out=tmp_path / "x")
    assert bad.value.returncode == 2
    assert "acute.beds: must be at least 1, got 0" in bad.value.stderr
    assert "acute.beds: must be at least 1" in str(bad.value)
    # An existing folder is refused, and replaced with force.
    caresim.run(SMALL, reps=1, out=tmp_path / "y")
    with pytest.raises(caresim.CaresimError) as exists:
        caresim.run(SMALL, reps=1, out=tmp_path / "y")
    assert exists.value.returncode == 2
    assert len(caresim.run(SMALL, reps=2, out=tmp_path / "y", force=True).runs) == 2
    with pytest.raises(caresim.CaresimError, match="not a metric"):
        caresim.metrics(["no_such_metric"])
