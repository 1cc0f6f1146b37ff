"""What the readers say about a file: the cause after 'path: ', from the `errors` section of the message
catalog (patterns/messages/). Kept in English, as batch stores causes and programs match them;
i18n.cause shows each in the reader's language (Chinese by default) when it is printed."""
from __future__ import annotations

from ..i18n import t


def say(key: str, **kw) -> str:
    return t(f"errors.{key}", "en", **kw)


def pages(key: str, numbers: list[int], **kw) -> str:
    """A cause naming pages: `key` for one page, `key`_many for several ('pages 3, 7-9')."""
    out, k = [], 0
    while k < len(numbers):
        j = k
        while j + 1 < len(numbers) and numbers[j + 1] == numbers[j] + 1:
            j += 1
        out.append(str(numbers[k]) if j == k else f"{numbers[k]}-{numbers[j]}")
        k = j + 1
    return say(key if len(numbers) == 1 else f"{key}_many", pages=", ".join(out), **kw)
