"""Inclusive date ranges (the periods measures are computed for, and the coverage of their sources)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ma_ice_coop.errors import ParameterError

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class Period:
    """An inclusive date range."""

    start: date
    end: date

    def __post_init__(self):
        if self.end < self.start:
            raise ParameterError(f"period end {self.end} is before its start {self.start}")

    @classmethod
    def parse(cls, start: str, end: str) -> "Period":
        try:
            return cls(date.fromisoformat(str(start)), date.fromisoformat(str(end)))
        except ValueError as exc:
            raise ParameterError(f"period dates must be ISO dates (YYYY-MM-DD), got {start!r}..{end!r}") from exc

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def years(self) -> float:
        return self.days / 365.25

    def contains(self, dates: pd.Series) -> pd.Series:
        """Per value of a date Series: True inside the period."""
        # pandas is imported here, not at the top: the parameter checks use periods before any kernel
        # starts, and the CLI stays fast without pandas.
        import pandas as pd

        return (dates >= pd.Timestamp(self.start)) & (dates <= pd.Timestamp(self.end))

    def within(self, other: "Period") -> bool:
        return other.start <= self.start and self.end <= other.end


def check_within(period: Period, coverage: Period, what: str) -> None:
    """ParameterError unless `period` lies inside `coverage` (the dates `what` covers)."""
    if not period.within(coverage):
        raise ParameterError(
            f"period {period.start}..{period.end} is outside the coverage of {what} "
            f"({coverage.start}..{coverage.end}); choose dates within it"
        )
