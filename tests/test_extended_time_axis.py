"""The extended releases on a time axis: the interrupted time series around an event (analysis.extended_its)
and the year and ITS figures (present.time_axis_figures).

Every table here is INVENTED for these tests, built in code in the schema of the lead's `extended_monthly`
and `extended_windows` tables: made-up counts for made-up months (2008-10..2017-09 and 2023-09..2025-10, with
no release in between), not data about any facility. Offline and fast: no file is read but the event table.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from ma_ice_coop.analysis import extended_its as xits  # noqa: E402
from ma_ice_coop.analysis.events import event_timestamp, key_event  # noqa: E402
from ma_ice_coop.analysis.extended_measures import year_measures  # noqa: E402
from ma_ice_coop.analysis.key_events import KeyEvent  # noqa: E402
from ma_ice_coop.errors import ParameterError, SchemaError  # noqa: E402
from ma_ice_coop.present import time_axis_figures as taf  # noqa: E402
from ma_ice_coop.present.figure_style import figure_svg_bytes  # noqa: E402
from ma_ice_coop.tables.loaders.extended.windows import CENSOR_DAYS  # noqa: E402

STATE = "MASSACHUSETTS"
# Invented release spans: (release_id, first month, last month, cut-off). Two NPR-like spans end 2017-09,
# then nothing until a DDP-like span from 2023-09.
SPANS = (
    ("npr_lea", "2008-10-01", "2015-06-01", "2015-06-30"),
    ("npr_fy", "2015-07-01", "2017-09-01", "2017-09-30"),
    ("ddp_2025_12", "2023-09-01", "2025-10-01", "2025-10-15"),
)
SMALL_MONTH = pd.Timestamp("2011-02-01")  # an invented month with only 5 detainers
DROP_FROM = pd.Timestamp("2012-04-01")  # the invented custody share drops from 60% to 40% here
# An invented event in the middle of the dense span (not a row of the policy timeline).
MID_SPAN = KeyEvent("invented_mid_span", "2012-04-15", "policy", "", "Invented mid-span event", "statewide")
COLUMNS = [
    "release_id",
    "kept",
    "month",
    "facility_state",
    "sheriff_county_fips",
    "outcome",
    "lea_release_without_transfer",
    "near_cutoff",
    "detainers",
]
# extended_monthly also says whether a row's facility is unlisted in every crosswalk (none here)


def _month_rows(release: str, month: pd.Timestamp, near: bool, rng) -> list[tuple]:
    """Invented rows of one month: a Massachusetts county jail (custody, declined, unresolved), a Texas
    facility with no county, and a duplicate of another release that the de-duplication rule drops."""
    n = 5 if month == SMALL_MONTH else 120
    custody = int(rng.binomial(n, 0.6 if month < DROP_FROM else 0.4))
    declined = (n - custody) // 2
    rows = [
        (release, True, month, STATE, "25005", "custody", False, near, custody),
        (release, True, month, STATE, "25005", "declined", False, near, declined),
        (release, True, month, STATE, "25005", "unresolved", False, near, n - custody - declined),
        (release, True, month, "TEXAS", "", "custody", False, near, 50),
    ]
    rows.append(
        ("npr_fy" if release == "npr_lea" else "npr_lea", False, month, STATE, "25005", "custody", False, near, 999)
    )
    return rows


@pytest.fixture(scope="module")
def monthly() -> pd.DataFrame:
    """INVENTED extended_monthly table (see the module docstring)."""
    rng = np.random.default_rng(13)
    rows = []
    for release, first, last, cutoff in SPANS:
        edge = pd.Timestamp(cutoff) - pd.Timedelta(days=CENSOR_DAYS)
        for month in pd.date_range(first, last, freq="MS"):
            rows += _month_rows(release, month, bool(month > edge), rng)
    frame = pd.DataFrame(rows, columns=COLUMNS).assign(unlisted=False)
    frame["detainers"] = frame["detainers"].astype("int64")
    frame["month"] = pd.to_datetime(frame["month"])
    return frame


@pytest.fixture(scope="module")
def windows() -> pd.DataFrame:
    """INVENTED extended_windows table: the dates each invented release supplies."""
    rows = []
    for release, first, last, cutoff in SPANS:
        end = min(pd.Timestamp(last) + pd.offsets.MonthEnd(0), pd.Timestamp(cutoff))
        rows.append((release, pd.Timestamp(first), end, pd.Timestamp(cutoff)))
    return pd.DataFrame(rows, columns=["release_id", "start", "end", "cutoff"])


@pytest.fixture(scope="module")
def mid_span(monthly, windows) -> xits.EventIts:
    return xits.event_its(monthly, MID_SPAN, windows=windows)


@pytest.fixture(scope="module")
def state_years(monthly, windows) -> pd.DataFrame:
    years = year_measures(monthly, windows)
    return years[(years["geography"] == "state") & (years["facility_state"] == STATE)]


# --------------------------------------------------------------------------------------------
# The interrupted time series


def test_lunn_is_refused_and_the_reason_names_the_months_after(monthly, windows):
    result = xits.lunn_its(monthly, windows=windows)
    assert result.refused
    assert result.event.key == "lunn" and result.event_date == event_timestamp(key_event("lunn"))
    assert "only 2 months after Lunn v. Commonwealth" in result.reason
    assert "to 2017-09-30" in result.reason  # the last day the invented npr_fy span covers
    assert "the next starts 2023-09 (ddp_2025_12)" in result.reason
    assert "At least 8 usable months on each side" in result.reason
    assert result.summary.startswith("No interrupted time series")
    assert result.coefficients["estimate"].isna().all()


def test_a_refusal_without_windows_still_names_the_next_loaded_month(monthly):
    result = xits.lunn_its(monthly)
    assert result.refused and "the next starts 2023-09" in result.reason


def test_an_event_in_the_dense_span_gives_a_level_change(mid_span):
    result = mid_span
    assert not result.refused and result.reason == ""
    level = result.level_change
    assert level["term"] == "level change at event"
    assert level["ci_low"] < level["estimate"] < level["ci_high"]
    assert level["estimate"] == pytest.approx(-0.2, abs=0.05)  # the invented drop
    assert "percentage points (95% interval" in result.summary
    assert result.its.n_before == 35 and result.its.n_after == 33


def test_near_cutoff_and_small_months_are_left_out_and_counted(monthly, mid_span):
    result = mid_span
    left = result.series.set_index("month")["left_out"]
    near = left[left == xits.NEAR_CUTOFF].index
    assert list(near) == list(pd.date_range("2015-02-01", "2015-04-01", freq="MS"))  # window ends 2015-04
    assert result.excluded_near_cutoff == 3 and result.excluded_few_detainers == 1
    assert left[SMALL_MONTH] == xits.FEW_DETAINERS
    missing = result.fitted[result.fitted["segment"] == "missing"]
    assert SMALL_MONTH in set(missing["date"]) and missing["observed"].isna().all()
    assert f"3 months with detainers prepared within {CENSOR_DAYS} days" in result.note
    assert "1 month with fewer than 10 detainers" in result.note
    kept_all = xits.event_its(monthly, MID_SPAN, drop_near_cutoff=False)
    assert kept_all.excluded_near_cutoff == 0 and kept_all.its.n_after == result.its.n_after + 3


def test_only_the_window_and_the_geography_are_used(monthly):
    result = xits.event_its(monthly, MID_SPAN, window_months=12)
    assert result.series["month"].min() == pd.Timestamp("2011-04-01")
    assert result.series["month"].max() == pd.Timestamp("2013-04-01")
    assert (
        result.series["detainers"].drop(index=result.series.index[result.series["month"] == SMALL_MONTH]) == 120
    ).all()
    county = xits.event_its(monthly, MID_SPAN, state=None, county_fips="25005")
    assert county.geography == "county 25005" and not county.refused
    nowhere = xits.event_its(monthly, "lunn", state="NOWHERE")
    assert nowhere.refused and "no detainers for this geography" in nowhere.reason


def test_bad_inputs_say_what_to_do(monthly):
    with pytest.raises(ParameterError, match="unknown event"):
        xits.event_its(monthly, "no_such_event")
    with pytest.raises(SchemaError, match="extended_monthly"):
        xits.event_its(monthly.drop(columns="near_cutoff"), "lunn")


def test_key_event_frame_reads_the_event_table():
    frame = xits.key_event_frame(["lunn", "franklin_contract_end"])
    assert list(frame.columns) == ["key", "date", "date_text", "label", "category"]
    assert frame.loc[0, "date"] == event_timestamp(key_event("lunn"))
    assert frame.loc[1, "date_text"] == key_event("franklin_contract_end").date


# --------------------------------------------------------------------------------------------
# Figures


def _bars(fig):
    return fig.axes[0].containers[0]


def test_years_figure_bars_equal_the_detainers_with_gaps_and_partial_years(state_years):
    events = xits.key_event_frame(["secure_communities", "lunn", "federal_actions_2025"])
    fig = taf.years_figure(state_years, events, title="Invented detainers per fiscal year", year_type="fiscal")
    fiscal = state_years[state_years["year_type"] == "fiscal"].sort_values("year")
    bars = _bars(fig)
    assert [p.get_x() + p.get_width() / 2 for p in bars.patches] == pytest.approx(fiscal["year"].tolist())
    assert [p.get_height() for p in bars.patches] == fiscal["detainers"].tolist()
    assert not set(range(2018, 2023)) & set(fiscal["year"])  # the gap: no row, hence no bar
    partial = fiscal["days_covered"] < fiscal["days_in_year"]
    assert [bool(p.get_hatch()) for p in bars.patches] == partial.tolist()
    assert partial.any() and (~partial).any()
    table = taf.year_table(state_years, "fiscal")
    gap = table[~table["covered"]]
    assert gap["year"].tolist() == list(range(2018, 2023)) and gap["custody_share"].isna().all()
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "partial year (% of days covered)" in labels and "no loaded release" in labels
    assert b"<svg" in figure_svg_bytes(fig)


def test_years_figure_calendar_years_and_alt_text(state_years):
    events = xits.key_event_frame(["lunn"])
    fig = taf.years_figure(state_years, events, title="Invented detainers per calendar year", year_type="calendar")
    calendar = state_years[state_years["year_type"] == "calendar"].sort_values("year")
    assert [p.get_height() for p in _bars(fig).patches] == calendar["detainers"].tolist()
    alt = taf.years_alt_text(state_years, events, what="invented detainers", year_type="calendar")
    assert "No loaded release covers: 2018 to 2022." in alt and "Lunn v. Commonwealth (2017-07-24)" in alt
    assert "near a release's cut-off" in alt


def test_crowded_event_labels_become_numbers_listed_in_the_legend(state_years):
    keys = ["bristol_287g_start", "plymouth_287g_start", "lunn", "barnstable_287g_start", "secure_communities"]
    fig = taf.years_figure(state_years, xits.key_event_frame(keys), title="Invented", year_type="fiscal")
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    numbered = [text for text in labels if text[:1].isdigit() and ": " in text]
    assert len(numbered) == len(keys)


def test_years_figure_refuses_mixed_geographies(monthly, windows):
    with pytest.raises(ValueError, match="more than one geography"):
        taf.years_figure(year_measures(monthly, windows), None, title="Invented")


def test_its_figure_fitted_and_refused(monthly, windows, mid_span):
    fitted = mid_span
    fig = taf.its_figure(fitted)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "fitted" in labels and "earlier trend continued" in labels
    assert "near a release's cut-off (left out)" in labels and "fewer than 10 detainers (left out)" in labels
    assert "level by" in taf.its_alt_text(fitted)
    refused = xits.lunn_its(monthly, windows=windows)
    fig = taf.its_figure(refused)
    notes = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert any(text.startswith("No model fitted.") and "2017-09-30" in text.replace("\n", " ") for text in notes)
    assert "No model is fitted" in taf.its_alt_text(refused)
    empty = taf.its_figure(xits.event_its(monthly, "lunn", state="NOWHERE"))
    assert empty.axes
