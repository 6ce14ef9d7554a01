"""Bad input of every kind ends fast with a message that names the thing at fault and the fix, and changes
no output: values that cannot be read, misspelled parameters (also through papermill), unusable --out
folders, folders where files belong, folders that cannot be written, a second build, stale scratch."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from ma_ice_coop import config, io
from ma_ice_coop.build import guard
from ma_ice_coop.build.execute import report_header
from ma_ice_coop.errors import DataSourceError, ParameterError, ProjectError
from ma_ice_coop.sources import fetch
from ma_ice_coop.sources.registry import get
from ma_ice_coop.specs import notebooks
from ma_ice_coop.specs.parameters import parse_value, shown

REPO = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "ma_ice_coop"]


def _cli(*args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}
    )


# ----------------------------------------------------------------------------- values and parameters


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("2015-02-30", "period_start=2015-02-30 is not a date that exists; write YYYY-MM-DD"),
        ("[unclosed", "county=[unclosed cannot be read"),
        ("!!python/object/apply:os.system [ls]", "cannot be read"),
    ],
)
def test_values_that_yaml_cannot_read_name_the_parameter_and_the_form(text, words):
    name = "period_start" if text.startswith("2015") else "county"
    with pytest.raises(ParameterError) as error:
        parse_value(name, text)
    assert words in str(error.value)


def test_only_true_and_false_are_booleans():
    assert parse_value("include_codebook", "true") is True
    assert parse_value("include_codebook", "yes") == "yes"
    assert parse_value("include_codebook", "off") == "off"
    assert parse_value("covariates", "[pres_dem_share, hispanic_share]") == ["pres_dem_share", "hispanic_share"]


def test_values_are_shown_as_a_user_writes_them():
    assert shown(date(2010, 1, 1)) == "2010-01-01"
    assert shown(None) == ""
    assert shown(True) == "true"
    assert shown(["a", date(2010, 1, 1)]) == "[a, 2010-01-01]"


def test_yes_is_not_true_for_a_true_false_choice():
    with pytest.raises(ParameterError, match="include_codebook=yes is not one of the choices; valid: true, false"):
        notebooks.notebook_parameters("data_and_coverage", include_codebook="yes")
    with pytest.raises(ParameterError, match="include_codebook=1 is not one of the choices"):
        notebooks.notebook_parameters("data_and_coverage", include_codebook=1)


def test_an_empty_value_is_shown_empty():
    with pytest.raises(ParameterError, match="parameter county= is not a Massachusetts county"):
        notebooks.notebook_parameters("county_profile", county=None)


def test_a_stray_name_in_the_kernel_namespace_is_refused(monkeypatch):
    """What papermill -p countee Essex leaves in a kernel: a value under a name the notebook does not take.
    Names the notebook itself assigns (params, from an earlier run of its setup cell) are not strays."""
    namespace = {"county": "Suffolk", "countee": "Essex", "params": {}, "In": [], "_oh": {}}
    namespace["notebook_parameters"] = notebooks.notebook_parameters

    class Shell:
        user_ns = namespace

    monkeypatch.setitem(sys.modules, "IPython", type(sys)("IPython"))
    monkeypatch.setattr(sys.modules["IPython"], "get_ipython", lambda: Shell(), raising=False)
    call = "notebook_parameters('county_profile', county=county)"
    with pytest.raises(ParameterError, match=r"unknown parameter\(s\) countee .*this notebook takes: county, "):
        exec(call, namespace)
    del namespace["countee"]
    assert exec(call, namespace) is None  # no stray: the same call passes
    assert notebooks.notebook_parameters("county_profile", county="Essex")["county"] == "Essex"  # from a module


def test_papermill_with_a_misspelled_parameter_fails_and_names_it(tmp_path):
    """The named tool used directly: a non-zero exit and a message naming the parameter (the setup cell
    stops before any computing, so this takes only a kernel start)."""
    out = tmp_path / "out.ipynb"
    done = subprocess.run(
        [str(Path(sys.executable).parent / "papermill"), "notebooks/county/county_profile.ipynb", str(out)]
        + ["-p", "countee", "Essex", "--cwd", str(REPO), "--no-progress-bar"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )
    assert done.returncode != 0
    assert "unknown parameter(s) countee" in done.stderr + done.stdout
    assert "this notebook takes: county, period_start" in done.stderr + done.stdout


# ----------------------------------------------------------------------------- ma-ice run --out


def test_run_out_that_is_a_file_is_refused_before_any_kernel(tmp_path):
    target = tmp_path / "a_file"
    target.write_text("keep me", encoding="utf-8")
    scratch_before = set((REPO / "build" / "tmp").glob("run-*"))
    start = time.monotonic()
    done = _cli("run", "county_profile", "--out", str(target))
    assert done.returncode == 2
    assert f"--out {target} is a file, not a folder" in done.stderr
    assert time.monotonic() - start < 15
    assert target.read_text(encoding="utf-8") == "keep me"
    assert set((REPO / "build" / "tmp").glob("run-*")) <= scratch_before
    assert "Traceback" not in done.stderr


def test_run_out_that_cannot_be_written_is_refused_before_any_kernel():
    done = _cli("run", "county_profile", "--out", "/proc/ma-ice-cannot-write-here")
    assert done.returncode == 2
    assert "--out /proc/ma-ice-cannot-write-here cannot be written" in done.stderr
    assert "choose a folder you can write to" in done.stderr


def test_a_report_written_with_out_links_to_the_notebook_beside_it():
    run = notebooks.plan_runs(["which_counties"])[0]
    assert "[the notebook](which_counties__default.ipynb)" in report_header(run, "which_counties__default.ipynb")
    assert "[the notebook](../notebooks/statewide/which_counties.ipynb)" in report_header(run)


# ----------------------------------------------------------------------------- files and folders


@pytest.fixture
def small_raw(tmp_path, monkeypatch):
    """data/raw/ in a temporary project folder, so the real verified copies are never touched."""
    monkeypatch.setenv(config.HOME_ENV, str(tmp_path))
    (tmp_path / "data" / "reference").mkdir(parents=True)
    shutil.copyfile(REPO / "data" / "sources.yaml", tmp_path / "data" / "sources.yaml")
    return tmp_path


def test_a_folder_where_a_verified_input_belongs_is_named(small_raw):
    entry = get("vera_facility_codes")
    entry.cache_path.mkdir(parents=True)
    with pytest.raises(DataSourceError, match="a folder is where the verified copy of this file belongs") as error:
        fetch.fetch_file(entry, None)
    assert "rm -r" in str(error.value)
    assert entry.cache_path.is_dir()  # nothing was removed behind the user's back


def test_a_folder_in_the_mirror_is_named(small_raw, tmp_path_factory):
    mirror = tmp_path_factory.mktemp("mirror")
    entry = get("vera_facility_codes")
    (mirror / entry.path).mkdir(parents=True)
    with pytest.raises(DataSourceError, match="holds a folder, not a file") as error:
        fetch.fetch_file(entry, mirror)
    assert str(mirror / entry.path) in str(error.value)


def test_an_altered_mirror_file_is_named_not_its_staging_copy(small_raw, tmp_path_factory):
    mirror = tmp_path_factory.mktemp("mirror")
    entry = get("vera_facility_codes")
    (mirror / entry.path).parent.mkdir(parents=True)
    (mirror / entry.path).write_text("not the registered file\n", encoding="utf-8")
    with pytest.raises(DataSourceError) as error:
        fetch.fetch_file(entry, mirror)
    assert f"({mirror / entry.path})" in str(error.value)
    assert ".fetch-" not in str(error.value)


def test_a_cached_copy_that_fails_its_check_is_said_to_be_unused(small_raw, monkeypatch):
    entry = get("vera_facility_codes")
    entry.cache_path.parent.mkdir(parents=True)
    entry.cache_path.write_text("damaged\n", encoding="utf-8")

    def no_network(entry, stage):
        raise DataSourceError(entry.file_id, "download failed: no network", "check the network")

    monkeypatch.setattr(fetch, "_download", no_network)
    with pytest.raises(DataSourceError, match="the cached copy failed its check .* and was not used"):
        fetch.fetch_file(entry, None)
    assert entry.cache_path.read_text(encoding="utf-8") == "damaged\n"


def test_a_folder_that_cannot_be_written_is_named_with_the_fix():
    with pytest.raises(ProjectError, match=r"cannot write /proc/ma-ice/x.parquet .*make /proc/ma-ice writable"):
        io.atomic_write_bytes(Path("/proc/ma-ice/x.parquet"), b"data")


def test_a_read_only_processed_folder_fails_every_table_with_a_clear_message(monkeypatch):
    from ma_ice_coop.tables import process

    monkeypatch.setattr(config, "processed_dir", lambda: Path("/proc/ma-ice-processed"))
    with pytest.raises(ProjectError, match="cannot write /proc/ma-ice-processed"):
        process.process_all(["county_boundaries"])


# ----------------------------------------------------------------------------- one build at a time


def _small_project(tmp_path: Path, monkeypatch) -> None:
    """A project folder of its own (the real checkout's lock stays free), enough for `ma-ice codebook`."""
    monkeypatch.setenv(config.HOME_ENV, str(tmp_path))
    (tmp_path / "data" / "reference").mkdir(parents=True)
    shutil.copyfile(REPO / "data" / "reference" / "measures.yaml", tmp_path / "data" / "reference" / "measures.yaml")


def test_a_second_build_says_one_is_running_and_exits(tmp_path, monkeypatch):
    _small_project(tmp_path, monkeypatch)
    with guard.build_lock():
        done = _cli("codebook", env={config.HOME_ENV: str(tmp_path)})
    assert done.returncode == 2
    assert "another build is running in this checkout" in done.stderr
    assert "--wait" in done.stderr
    assert not (tmp_path / "data" / "processed" / "CODEBOOK.md").exists()


def test_a_second_build_with_wait_starts_when_the_first_ends(tmp_path, monkeypatch):
    _small_project(tmp_path, monkeypatch)
    held = threading.Event()
    release = threading.Event()

    def hold():
        with guard.build_lock():
            held.set()
            release.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    waiting = subprocess.Popen(
        [*CLI, "codebook", "--wait"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, config.HOME_ENV: str(tmp_path)},
    )
    time.sleep(2)
    assert waiting.poll() is None, "the second build did not wait"
    release.set()
    holder.join(10)
    _, stderr = waiting.communicate(timeout=60)
    assert waiting.returncode == 0, stderr
    assert "waiting for the other build to finish" in stderr
    assert (tmp_path / "data" / "processed" / "CODEBOOK.md").exists()


def test_stale_scratch_folders_are_removed_and_live_ones_kept(tmp_path, monkeypatch):
    monkeypatch.setenv(config.HOME_ENV, str(tmp_path))
    dead = tmp_path / "build" / "tmp" / "run-999999999-abc"
    old_style = tmp_path / "build" / "tmp" / "run-xyz"
    live = guard.scratch_folder()
    for folder in (dead, old_style):
        folder.mkdir(parents=True)
        (folder / "x.ipynb").write_text("{}", encoding="utf-8")
    assert guard.remove_stale_scratch() == 2
    assert live.exists() and not dead.exists() and not old_style.exists()
