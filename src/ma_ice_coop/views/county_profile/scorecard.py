"""The county report's first section: the county's scorecard row (the same cells as the index's scorecard, each
with where it comes from), the coded written policies beside ICE's records, and every dated policy row."""

from __future__ import annotations

import html

from ma_ice_coop.analysis.measures import FY2015_DETAINERS
from ma_ice_coop.analysis.scorecard import SCORECARD_POLICIES, policy_vs_records, scorecard
from ma_ice_coop.present import scorecard as card
from ma_ice_coop.present.scorecard_words import bed_contract_finding, card_explanations
from ma_ice_coop.present.text import html_source_links
from ma_ice_coop.tables.policies import POLICY_QUESTIONS, load_sheriff_policies
from ma_ice_coop.views.county_profile.compute import CountyProfile

#: The coded values of the policy history table in words (public statements keep their own words).
_VALUE_WORDS = {**card.POLICY_WORDS, "supports": "supports cooperation", "limits": "limits cooperation"}


def _policy_history_html(policies, fips: str) -> str:
    """Every coded policy row of the county, by question and date: what the sources say, with confidence."""
    rows = policies[policies["county_fips"] == fips]
    order = {question: i for i, question in enumerate(POLICY_QUESTIONS)}
    rows = rows.assign(_order=rows["policy"].map(order)).sort_values(["_order"], kind="stable")
    body = "".join(
        f"<tr><td>{html.escape(POLICY_QUESTIONS[r.policy])}</td><td>{html.escape(r.date)}</td>"
        f"<td>{html.escape(_VALUE_WORDS.get(r.value, r.value))}</td><td>{html.escape(r.statement)}</td>"
        f"<td>{html.escape(r.confidence)}</td><td>{html_source_links(r.source_url)}</td></tr>"
        for r in rows.itertuples()
    )
    return (
        '<div class="table-wrap"><table class="ma-table"><caption>What the sources say, question by question '
        "(data/reference/sheriff_policies.csv; unknown rows are dated the day the sources were searched)</caption>"
        '<thead><tr><th scope="col">Question</th><th scope="col">Date</th><th scope="col">Coded</th>'
        '<th scope="col">What the source says</th><th scope="col">Confidence</th><th scope="col">Source</th>'
        f"</tr></thead><tbody>{body}</tbody></table></div>"
    )


def scorecard_html(profile: CountyProfile):
    """The county's scorecard row with sources, the bed-contract policy beside ICE's records, the policy rows."""
    # Imported here: IPython is only needed inside a notebook, not by the tests of this view.
    from IPython.display import HTML

    policies = load_sheriff_policies()
    frame = scorecard(policies=policies)
    row = frame[frame["county_fips"] == profile.county_fips].iloc[0]
    labels = dict(POLICY_QUESTIONS)
    columns = card.columns(labels, SCORECARD_POLICIES)
    check = policy_vs_records(frame, policies)
    check = check[check["county_fips"] == profile.county_fips].iloc[0]
    parts = [
        card.county_card_html(row, columns, card_explanations(row, SCORECARD_POLICIES)),
        f"<p><strong>Policy beside records, ICE bed contract:</strong> {html.escape(bed_contract_finding(check))}</p>",
        "<p>Since Lunn v. Commonwealth (2017-07-24) Massachusetts law gives no authority to hold anyone on an ICE "
        f"detainer alone; the detainer records with outcomes end on {FY2015_DETAINERS.end}, so the policy column on "
        "holds is what the sources say, not what the records show.</p>",
        _policy_history_html(policies, profile.county_fips),
        '<p>The same row for every county: <a href="../index.html#scorecard">the statewide scorecard</a>.</p>',
    ]
    return HTML("\n".join(parts))
