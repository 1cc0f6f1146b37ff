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


FINDING_DTYPES = {
    "doc": "string", "rule": "string", "status": "string", "severity": "string", "section": "Int64",
    "item": "Int64", "indicator": "string", "value": "string", "values": "string", "threshold": "string",
    "message": "string", "source": "string", "raw": "string", "start": "Int64", "end": "Int64", "page": "Int64",
}


def findings_frame(findings):
    import json
    import pandas as pd
    from .rules import FINDING_FIELDS
    rows = []
    for f in findings:
        d = f.to_dict()
        d["value"] = None if d["value"] is None else str(d["value"])
        d["threshold"] = None if d["threshold"] is None else str(d["threshold"])
        d["values"] = json.dumps(d["values"], ensure_ascii=False)
        rows.append(d)
    return pd.DataFrame(rows, columns=list(FINDING_FIELDS)).astype(FINDING_DTYPES)
