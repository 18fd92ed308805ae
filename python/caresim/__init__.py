"""Run caresim from Python and read its results as pandas DataFrames.

The simulator is the ``caresim`` program shipped in this wheel (installed beside the
Python interpreter's scripts, like ruff or uv). This module only runs it and reads the
result folders it writes, so results are the same files, with the same numbers, as from
the command line::

    import caresim
    res = caresim.run("scenarios/nhs_2003_baseline.toml", reps=20, out="out/base", force=True)
    res.summary                      # summary.csv, with the catalogue's label and unit per metric
    cmp = caresim.compare("base.toml", "policy.toml", reps=20, out="out/cmp")
    cmp.comparison                   # comparison.csv: alternative - base, paired by replication
    caresim.read("out/cmp").arms["policy"].by_year

Every command raises :class:`CaresimError` (with caresim's own message) when it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from functools import cached_property
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

import pandas as pd

__all__ = [
    "CaresimError",
    "Result",
    "binary",
    "compare",
    "metrics",
    "read",
    "run",
    "sweep",
]

PathLike = Union[str, "os.PathLike[str]"]

#: Result files whose rows are one per metric (a ``metric`` column): each frame read from
#: them gets ``label`` and ``unit`` columns from the metric catalogue.
_LONG_FILES = (
    "summary.csv",
    "by_year.csv",
    "by_group.csv",
    "comparison.csv",
    "by_year_differences.csv",
    "sweep.csv",
)


class CaresimError(RuntimeError):
    """caresim failed: ``returncode`` 2 is bad input (a scenario error, an existing output
    folder), 1 a run or I/O failure. ``stderr`` holds caresim's messages, ``command`` the
    command line that was run."""

    def __init__(self, command: List[str], returncode: int, stderr: str):
        self.command = command
        self.returncode = returncode
        self.stderr = stderr
        kind = "bad input" if returncode == 2 else "failed"
        super().__init__(f"caresim {kind} (exit {returncode}):\n{stderr.strip()}")


def binary() -> str:
    """The caresim program this module runs: ``$CARESIM_BIN`` if set, else the one installed
    with this package (the interpreter's scripts folder, or the user scheme's for
    ``pip install --user``), else ``caresim`` on the ``PATH``."""
    env = os.environ.get("CARESIM_BIN")
    if env:
        return env
    exe = "caresim.exe" if os.name == "nt" else "caresim"
    schemes = [None, f"{os.name}_user"]
    for scheme in schemes:
        try:
            folder = sysconfig.get_path("scripts", scheme) if scheme else sysconfig.get_path("scripts")
        except KeyError:
            continue
        candidate = Path(folder) / exe
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    # Beside the interpreter (a virtual environment run without activation).
    candidate = Path(sys.executable).parent / exe
    if candidate.is_file():
        return str(candidate)
    found = shutil.which("caresim")
    if found:
        return found
    raise CaresimError(
        ["caresim"],
        127,
        "the caresim program was not found: install the caresim wheel, or set CARESIM_BIN to its path",
    )


def _call(args: Sequence[str]) -> str:
    """Run ``caresim args`` and return its standard output; raise :class:`CaresimError`
    with its standard error when it fails."""
    command = [binary(), *args]
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise CaresimError(command, proc.returncode, proc.stderr)
    return proc.stdout


def _options(
    reps: Union[int, str, None],
    seed: Optional[int],
    out: Optional[PathLike],
    threads: Optional[int],
    force: bool,
    charts: bool,
    extra: Iterable[str],
) -> List[str]:
    """The command-line options shared by run, compare and sweep."""
    args: List[str] = ["--quiet"]
    if reps is not None:
        args += ["--reps", str(reps)]
    if seed is not None:
        args += ["--seed", str(int(seed))]
    if out is not None:
        args += ["--out", os.fspath(out)]
    if threads is not None:
        args += ["--threads", str(int(threads))]
    if force:
        args.append("--force")
    if not charts:
        args.append("--no-charts")
    args += [str(a) for a in extra]
    return args


def _folder(stdout: str) -> Path:
    """The result folder: the last line caresim prints on standard output."""
    lines = [line for line in stdout.splitlines() if line.strip()]
    if not lines:
        raise CaresimError([], 1, "caresim printed no result folder")
    return Path(lines[-1].strip())


def run(
    scenario: PathLike,
    *,
    reps: Union[int, str, None] = None,
    seed: Optional[int] = None,
    out: Optional[PathLike] = None,
    threads: Optional[int] = None,
    force: bool = False,
    charts: bool = False,
    extra_args: Iterable[str] = (),
) -> "Result":
    """``caresim run SCENARIO``: replications of one scenario; returns its :class:`Result`.

    ``reps`` is a number or ``"auto"`` (default: the scenario's), ``seed`` the base seed
    (default: the scenario's), ``out`` the result folder (default ``output/<name>/`` in the
    current folder), ``force`` replaces a folder caresim made before, ``charts`` draws the
    PNG charts, ``extra_args`` are further options (``["--precision", "0.01"]``).
    """
    opts = _options(reps, seed, out, threads, force, charts, extra_args)
    return read(_folder(_call(["run", os.fspath(scenario), *opts])))


def compare(
    base: PathLike,
    *alternatives: PathLike,
    reps: Union[int, str, None] = None,
    seed: Optional[int] = None,
    out: Optional[PathLike] = None,
    threads: Optional[int] = None,
    force: bool = False,
    charts: bool = False,
    extra_args: Iterable[str] = (),
) -> "Result":
    """``caresim compare BASE ALTERNATIVE...``: every arm with common random numbers;
    returns the comparison's :class:`Result` (options as for :func:`run`)."""
    if not alternatives:
        raise ValueError("compare needs a base scenario and at least one alternative")
    opts = _options(reps, seed, out, threads, force, charts, extra_args)
    files = [os.fspath(base), *(os.fspath(a) for a in alternatives)]
    return read(_folder(_call(["compare", *files, *opts])))


def sweep(
    sweep_file: PathLike,
    *,
    reps: Optional[int] = None,
    seed: Optional[int] = None,
    out: Optional[PathLike] = None,
    threads: Optional[int] = None,
    force: bool = False,
    charts: bool = False,
    extra_args: Iterable[str] = (),
) -> "Result":
    """``caresim sweep SWEEP_FILE``: every point of a sweep; returns its :class:`Result`
    (options as for :func:`run`)."""
    opts = _options(reps, seed, out, threads, force, charts, extra_args)
    return read(_folder(_call(["sweep", os.fspath(sweep_file), *opts])))


def metrics(names: Optional[Iterable[str]] = None) -> pd.DataFrame:
    """The metric catalogue (``caresim metrics --json``) indexed by metric name: ``label``,
    ``unit`` (``£`` stands for the scenario's currency), ``format``, ``can_be_negative``,
    ``by_year``. With ``names``, those metrics (per-service ones resolved, such as
    ``community_days_care_home``); without, every metric, services as ``<service>``."""
    names = list(names or [])
    entries = json.loads(_call(["metrics", "--json", *names]))
    frame = pd.DataFrame(entries, columns=["name", "label", "unit", "format", "can_be_negative", "by_year"])
    return frame.set_index("name")


def read(folder: PathLike) -> "Result":
    """The result folder of ``caresim run``, ``compare``, ``sweep`` or ``merge`` (the last
    line they print) as a :class:`Result`."""
    path = Path(folder)
    if not path.is_dir():
        raise FileNotFoundError(f"{path} is not a folder: give a result folder written by caresim")
    if not (path / ".caresim").is_file():
        raise ValueError(f"{path} is not a result folder written by caresim (it has no .caresim marker)")
    return Result(path)


class Result:
    """A result folder read into DataFrames, each read when first used.

    ``kind`` is ``"run"``, ``"compare"`` or ``"sweep"``. Every frame holds its CSV file's
    columns, in order, with its values; frames with one row per metric (``summary``,
    ``by_year``, ``by_group``, ``comparison``, ``by_year_differences``, ``sweep``) also get
    ``label`` and ``unit`` columns from the metric catalogue, and :attr:`catalogue` has
    every metric of the result. A file the result does not have reads as ``None``.

    For a comparison, :attr:`arms` holds each arm's own result (base first), and
    ``summary``, ``runs``, ``by_year``, ``by_group`` and ``timeseries`` stack the arms'
    frames with an ``arm`` column first.
    """

    def __init__(self, folder: Path):
        #: The result folder.
        self.folder = folder

    def __repr__(self) -> str:
        return f"caresim.Result({str(self.folder)!r}, kind={self.kind!r})"

    @cached_property
    def kind(self) -> str:
        """``run``, ``compare`` or ``sweep``."""
        if (self.folder / "comparison.csv").is_file():
            return "compare"
        if (self.folder / "sweep.csv").is_file():
            return "sweep"
        return "run"

    @cached_property
    def manifest(self) -> Optional[Dict[str, Any]]:
        """``manifest.json`` (for a comparison, ``comparison.json``'s header fields)."""
        if self.kind == "compare":
            data = self._json("comparison.json")
            return {k: v for k, v in data.items() if k != "alternatives"} if data else None
        return self._json("manifest.json")

    @cached_property
    def arms(self) -> Dict[str, "Result"]:
        """For a comparison, each arm's result by scenario name, base first; else empty."""
        if self.kind != "compare":
            return {}
        data = self._json("comparison.json") or {}
        names = [data.get("base")] + [a["name"] for a in data.get("alternatives", [])]
        return {n: Result(self.folder / n) for n in names if n and (self.folder / n).is_dir()}

    @cached_property
    def catalogue(self) -> pd.DataFrame:
        """The catalogue entries of this result's metrics (see :func:`metrics`)."""
        names: List[str] = []
        for frame in self._metric_sources():
            for name in frame["metric"].unique():
                if name not in names:
                    names.append(name)
        if not names:
            return metrics([]).iloc[0:0]
        return metrics(names)

    def label(self, metric: str) -> str:
        """The catalogue's label of ``metric``."""
        return str(self.catalogue.loc[metric, "label"])

    def unit(self, metric: str) -> str:
        """The catalogue's unit of ``metric`` (``£``: the scenario's currency)."""
        return str(self.catalogue.loc[metric, "unit"])

    # One property per result file.

    @cached_property
    def summary(self) -> Optional[pd.DataFrame]:
        """``summary.csv`` (for a sweep, ``sweep.csv``: the summary of every point)."""
        if self.kind == "compare":
            return self._stacked("summary")
        if self.kind == "sweep":
            return self.sweep
        return self._labelled("summary.csv")

    @cached_property
    def runs(self) -> Optional[pd.DataFrame]:
        """``runs.csv``: one row per replication (and point), one column per metric."""
        if self.kind == "compare":
            return self._stacked("runs")
        return self._csv("runs.csv")

    @cached_property
    def by_year(self) -> Optional[pd.DataFrame]:
        """``by_year.csv``: each additive metric by observed year."""
        if self.kind == "compare":
            return self._stacked("by_year")
        return self._labelled("by_year.csv")

    @cached_property
    def by_group(self) -> Optional[pd.DataFrame]:
        """``by_group.csv``: metrics by condition and age band."""
        if self.kind == "compare":
            return self._stacked("by_group")
        return self._labelled("by_group.csv")

    @cached_property
    def timeseries(self) -> Optional[pd.DataFrame]:
        """``timeseries.csv``: the midnight census of each day, by pool."""
        if self.kind == "compare":
            return self._stacked("timeseries")
        return self._csv("timeseries.csv")

    @cached_property
    def comparison(self) -> Optional[pd.DataFrame]:
        """``comparison.csv``: each alternative minus the base, paired by replication."""
        return self._labelled("comparison.csv")

    @cached_property
    def by_year_differences(self) -> Optional[pd.DataFrame]:
        """``by_year_differences.csv``: the paired differences by observed year."""
        return self._labelled("by_year_differences.csv")

    @cached_property
    def cost_effectiveness(self) -> Optional[pd.DataFrame]:
        """``cost_effectiveness.csv``: ICERs and net monetary benefit by perspective."""
        return self._csv("cost_effectiveness.csv")

    @cached_property
    def ceac(self) -> Optional[pd.DataFrame]:
        """``ceac.csv``: the cost-effectiveness acceptability curves."""
        return self._csv("ceac.csv")

    @cached_property
    def levers_evidence(self) -> Optional[pd.DataFrame]:
        """``levers_evidence.csv``: the graded lever settings of every arm."""
        return self._csv("levers_evidence.csv")

    @cached_property
    def sweep(self) -> Optional[pd.DataFrame]:
        """``sweep.csv``: one row per point and metric."""
        return self._labelled("sweep.csv")

    # Reading.

    def _json(self, name: str) -> Optional[Dict[str, Any]]:
        path = self.folder / name
        if not path.is_file():
            return None
        with open(path, encoding="utf-8") as f:
            return json.load(f)

    def _csv(self, name: str) -> Optional[pd.DataFrame]:
        path = self.folder / name
        if not path.is_file():
            return None
        # Names of arms, services and conditions stay text even when they look like numbers.
        return pd.read_csv(path, dtype={"metric": str, "series": str, "arm": str})

    def _metric_sources(self) -> List[pd.DataFrame]:
        """The unlabelled frames that name metrics, to collect the catalogue from."""
        frames = []
        folders = [self.folder, *(a.folder for a in self.arms.values())]
        for folder in folders:
            for name in _LONG_FILES:
                path = folder / name
                if path.is_file():
                    frames.append(pd.read_csv(path, usecols=["metric"], dtype=str))
        return frames

    def _labelled(self, name: str) -> Optional[pd.DataFrame]:
        frame = self._csv(name)
        if frame is None:
            return None
        cat = self.catalogue
        frame["label"] = frame["metric"].map(cat["label"])
        frame["unit"] = frame["metric"].map(cat["unit"])
        return frame

    def _stacked(self, attribute: str) -> Optional[pd.DataFrame]:
        frames = {}
        for name, arm in self.arms.items():
            # An arm shares the comparison's catalogue rather than asking caresim again.
            arm.__dict__.setdefault("catalogue", self.catalogue)
            frame = getattr(arm, attribute)
            if frame is not None:
                frames[name] = frame
        if not frames:
            return None
        # Arms with services of their own have more columns: the stack has them all, empty
        # (NaN) in the other arms' rows.
        stacked = pd.concat(frames.values(), ignore_index=True)
        arm = pd.DataFrame({"arm": [name for name, f in frames.items() for _ in range(len(f))]})
        return pd.concat([arm, stacked], axis=1)
