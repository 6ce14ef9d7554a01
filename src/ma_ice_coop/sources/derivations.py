"""Rebuild, online, the Massachusetts extracts whose upstream originals are not in the mirror.

Each function takes the downloaded upstream file(s) and writes the extract. The result is accepted
only if it holds the same rows and values as the mirror's extract (its `content_sha256` in
data/sources.yaml, see extracts.content_fingerprint).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ma_ice_coop.io import write_csv

PEP_V2020_COLUMNS = [
    "SUMLEV",
    "REGION",
    "DIVISION",
    "STATE",
    "COUNTY",
    "STNAME",
    "CTYNAME",
    "CENSUS2010POP",
    "ESTIMATESBASE2010",
    "POPESTIMATE2020",
    "NPOPCHG_2020",
    "BIRTHS2020",
    "DEATHS2020",
    "NATURALINC2020",
    "INTERNATIONALMIG2020",
    "DOMESTICMIG2020",
    "NETMIG2010",
    "NETMIG2020",
    "RESIDUAL2020",
    "GQESTIMATES2020",
    "RBIRTH2020",
    "RDEATH2020",
    "RNATURALINC2020",
    "RINTERNATIONALMIG2020",
    "RDOMESTICMIG2020",
    "RNETMIG2020",
]


def derive_census_pep_v2020_ma(upstream: list[Path], out: Path) -> None:
    """Census co-est2020-alldata.csv (national, latin-1) → Massachusetts state + county rows, 26 columns."""
    import pandas as pd  # here: only an online fetch derives; a build from the mirror never imports pandas

    full = pd.read_csv(upstream[0], dtype=str, encoding="latin-1", keep_default_na=False)
    ma = full[full["STATE"].astype(int) == 25]
    write_csv(ma[PEP_V2020_COLUMNS], out)


def derive_medsl_countypres_2000_2004_ma(upstream: list[Path], out: Path) -> None:
    """MEDSL countypres_2000-2020.csv → Massachusetts rows of 2000 and 2004."""
    import pandas as pd  # see derive_census_pep_v2020_ma

    full = pd.read_csv(upstream[0], dtype=str, keep_default_na=False)
    keep = (full["state_po"] == "MA") & full["year"].isin(["2000", "2004"])
    write_csv(full.loc[keep], out)


# file id of the Massachusetts extract -> the function that rebuilds it from its upstream file(s)
ONLINE_DERIVATIONS: dict[str, Callable[[list[Path], Path], None]] = {
    "census_pep_v2020_ma": derive_census_pep_v2020_ma,
    "medsl_countypres_2000_2004_ma": derive_medsl_countypres_2000_2004_ma,
}
