"""The covariate entries of the measure catalogue (data/reference/measures.yaml `covariates:`), and how a label
reads inside a sentence. Read and validated by tables/catalogue.py, through its reader (which names the file,
line and entry of every error).

This module imports no pandas: the parameter checks read the catalogue before any kernel starts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

COVARIATE_FIELDS = ("label", "short_label", "unit", "axis_label", "definition", "source", "vintage")
_COVARIATE_ID = re.compile(r"^[a-z][a-z0-9_]*$")

# First words of labels that keep their capital inside a sentence (proper adjectives); words in capitals
# (ICE, ACS) and labels starting with a digit (287(g) years) keep theirs too.
PROPER_WORDS = ("Black", "Census", "Democratic", "Hispanic", "Latino", "Republican")


@dataclass(frozen=True)
class Covariate:
    """One variable of the county covariate panel, as the catalogue describes it to readers."""

    id: str
    label: str
    short_label: str
    unit: str
    axis_label: str
    definition: str
    source: str
    vintage: str
    line: int | None = None  # where the entry starts in the catalogue file


def read_covariate(reader, key: str, entry, line: int | None) -> Covariate:
    """A validated covariate entry: every field required, non-empty text (errors through `reader.fail`)."""
    where = ("covariates", key)
    if not _COVARIATE_ID.match(str(key)):
        reader.fail(where, "a covariate id is lower-case letters, digits and underscores")
    reader.fields(where, entry, COVARIATE_FIELDS)
    text = {field: reader.string((*where, field), entry[field], field) for field in COVARIATE_FIELDS}
    return Covariate(id=key, line=line, **text)


def in_sentence(label: str) -> str:
    """A label as it reads inside a sentence: 'Custody share (all)' -> 'custody share (all)'; 'ICE arrests',
    'Democratic share' and '287(g) years' unchanged."""
    first = label.split(" ", 1)[0]
    word = first.split("-", 1)[0]
    if not label or not label[0].isupper() or word in PROPER_WORDS or (len(word) > 1 and word.isupper()):
        return label
    return label[0].lower() + label[1:]


def as_heading(label: str) -> str:
    """A label with a capital first letter (for a table header or a figure title)."""
    return label[:1].upper() + label[1:]
