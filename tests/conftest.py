"""Shared fixtures. Tests never touch the network.

Tests read the verified inputs that `make test` fetched into data/raw/ (from the mirror named by
MA_ICE_MIRROR in CI). Tests that need an isolated project (to damage files on purpose) use
`isolated_home`, a temporary project folder with the real registry and reference tables.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ma_ice_coop import config

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def isolated_home(tmp_path, monkeypatch) -> Path:
    """A throw-away project root: data/sources.yaml, data/reference/ and release specs copied in."""
    home = tmp_path / "project"
    (home / "data").mkdir(parents=True)
    shutil.copy(REPO / "data" / "sources.yaml", home / "data" / "sources.yaml")
    shutil.copy(REPO / "data" / "detainer_releases.yaml", home / "data" / "detainer_releases.yaml")
    shutil.copytree(REPO / "data" / "reference", home / "data" / "reference")
    monkeypatch.setenv(config.HOME_ENV, str(home))
    return home


@pytest.fixture
def processed_tmp(tmp_path, monkeypatch) -> Path:
    """Send processed tables to a temporary folder (inputs still come from the real data/raw/)."""
    out = tmp_path / "processed"
    monkeypatch.setattr(config, "processed_dir", lambda: out)
    return out


@pytest.fixture(scope="session")
def mirror() -> Path:
    """The offline mirror, for tests that need a source of good files to damage."""
    path = config.mirror_dir()
    if path is None or not path.exists():
        pytest.skip(f"no data mirror configured ({config.MIRROR_ENV})")
    return path


def _skip_if_reference_extract_missing(outcome) -> None:
    """Online without a mirror, the mirror's reference extracts (use: check) are not fetched:
    tests comparing with them are skipped with a reason instead of failing."""
    from ma_ice_coop.errors import DataSourceError
    from ma_ice_coop.sources.registry import load_registry

    excinfo = outcome.excinfo
    if not excinfo or not isinstance(excinfo[1], DataSourceError) or config.mirror_dir() is not None:
        return
    err = excinfo[1]
    entry = load_registry().get(err.file_id)
    if entry is not None and entry.use == "check" and "not fetched" in err.problem:
        outcome.force_exception(
            pytest.skip.Exception(
                f"reference extract '{err.file_id}' comes only from the data mirror; "
                f"set {config.MIRROR_ENV} to run this"
            )
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    outcome = yield
    _skip_if_reference_extract_missing(outcome)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    outcome = yield
    _skip_if_reference_extract_missing(outcome)


@pytest.fixture(scope="session")
def county_profiles() -> dict:
    """The county profile of every county for the default FY2015 period, computed once per test run
    (several test modules read them; none may change them)."""
    from ma_ice_coop.tables.reference import load_counties
    from ma_ice_coop.views import county_profile

    return {
        county: county_profile.compute(county, "2014-10-01", "2015-07-19")
        for county in sorted(load_counties()["county"])
    }
