"""What the batch says, by where it goes: to the person at the terminal (their language), into the
database as a cause (English, translated when shown), or into a finding (the rules' language)."""
from __future__ import annotations

from ..i18n import said, t


class BatchError(Exception):
    """The batch cannot start or go on (another batch holds the folder, no reports, no Ray): one line for the user."""


def say(key: str, **kw) -> str:
    """A line for the person running the batch, from the catalog's `batch` section."""
    return t(f"batch.{key}", **kw)


def stored(key: str, **kw):
    """A cause kept in the database: an `errors` message with its key and parameters (i18n.said)."""
    return said(f"errors.{key}", **kw)
