"""Pass rates of every example corpus, development and held-out side by side, in the run's terminal summary.

Corpus tests name their examples `<corpus>.<split>…` (percent.held_out-3, indicators.development-0 …) with
`corpus_case_id`, and use the `corpus_rates` fixture, which registers the summary once per session. An example
that fails as expected (a strict known failure) counts as run and not passing."""
import re
from collections import defaultdict

import pytest

SPLITS = ("development", "held_out", "regression", "negatives")
_ID = re.compile(r"\[([a-z_]+)\.(" + "|".join(SPLITS) + r")\b")


def corpus_case_id(corpus: str, split: str, i: int, what: str = "") -> str:
    return f"{corpus}.{split}-{i}" + (f"-{what}" if what else "")


def rates(reports) -> dict:
    """(corpus, split) → [passing, run] over test reports of the call phase."""
    counts = defaultdict(lambda: [0, 0])
    for outcome, rep in reports:
        m = _ID.search(rep.nodeid)
        if m and rep.when == "call":
            c = counts[m.groups()]
            c[0] += outcome == "passed"
            c[1] += 1
    return counts


class _Summary:
    def pytest_terminal_summary(self, terminalreporter):
        stats = terminalreporter.stats
        counts = rates([(o, r) for o in ("passed", "failed", "xfailed", "xpassed") for r in stats.get(o, [])
                        if hasattr(r, "when")])
        if not counts:
            return
        terminalreporter.section("example corpora: passing / run")
        for corpus in sorted({c for c, _ in counts}):
            cells = [f"{s} {counts[(corpus, s)][0]}/{counts[(corpus, s)][1]} "
                     f"({counts[(corpus, s)][0] / counts[(corpus, s)][1]:.2f})"
                     for s in SPLITS if (corpus, s) in counts]
            terminalreporter.write_line(f"{corpus:12} " + "   ".join(cells))


@pytest.fixture(scope="session", autouse=True)
def corpus_rates(request):
    """Imported by each corpus test module (autouse there): the summary is registered once."""
    pm = request.config.pluginmanager
    if not pm.has_plugin("selfeval-corpus-rates"):
        pm.register(_Summary(), "selfeval-corpus-rates")
