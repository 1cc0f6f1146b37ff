"""Facts as a pandas DataFrame with stable column names and dtypes."""
from __future__ import annotations

from .records import FACT_FIELDS

# value is kept as text: it holds numbers (exact decimal text) and dates/ratios alike.
FACT_DTYPES = {
    "doc": "string", "kind": "string", "value": "string", "unit": "string", "approx": "string",
    "section": "Int64", "item": "Int64", "indicator": "string", "period": "string", "subject": "string",
    "raw": "string", "start": "Int64", "end": "Int64", "heading": "string", "sentence": "string", "page": "Int64",
}


def facts_frame(facts):
    import pandas as pd
    rows = []
    for f in facts:
        d = f.to_dict()
        d["value"] = str(d["value"])
        rows.append(d)
    df = pd.DataFrame(rows, columns=list(FACT_FIELDS))
    return df.astype(FACT_DTYPES)
