"""selfeval command line: `selfeval extract`, `selfeval check`, `selfeval rules`."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  context_settings={"help_option_names": ["-h", "--help"]},
                  help="Numeric facts from self-evaluation reports on education duties (履行教育职责自评报告).")


def _print_version(value: bool):
    if value:
        from extractor import __version__
        typer.echo(f"selfeval {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                 help="Show the version and exit."),
    indicators: List[Path] = typer.Option([], "--indicators",
                                          help="A province's indicator catalog YAML: entries added, or replacing built-in ones by id."),
):
    """selfeval: read reports, extract facts, check them against the standards."""
    if indicators:
        from extractor.errors import InputError
        from extractor.text import metrics
        try:
            metrics.load_catalog(indicators)
        except InputError as e:
            _fail(str(e))
        os.environ[metrics.ENV] = os.pathsep.join(str(p.resolve()) for p in indicators)   # reaches batch workers


def _fail(msg: str, code: int = 2):
    typer.echo(f"selfeval: {msg}", err=True)
    raise typer.Exit(code)


def _read_all(inputs, scheme, ocr: str):
    """Run the pipeline over the inputs; report unusable inputs one line each. Returns (results, any_failed)."""
    from extractor.batch.inputs import collect
    from extractor.batch.run import run

    if ocr not in ("auto", "always", "never"):
        _fail(f"--ocr must be auto, always or never (got '{ocr}')")
    files, errors = collect(inputs)
    for e in errors:
        typer.echo(f"selfeval: {e}", err=True)
    if not files:
        if not errors:
            _fail("no reports found in " + ", ".join(str(p) for p in inputs) + " (looked for .txt .md .pdf .docx and images)")
        raise typer.Exit(1)
    results, failed = run(files, scheme, ocr=ocr)
    for e in failed:
        typer.echo(f"selfeval: {e}", err=True)
    return results, bool(errors or failed)


@app.command()
def extract(
    inputs: List[Path] = typer.Argument(..., help="Report files or folders (walked recursively)."),
    output: Optional[Path] = typer.Option(
        None, "-o", "--output",
        help="Facts as .jsonl .csv .parquet; all tables (documents, facts, entities, findings, metrics) as .xlsx, "
             ".duckdb, or a folder of Parquet files. Default: facts as JSON lines on stdout."),
    scheme: Optional[Path] = typer.Option(None, "--scheme", help="Evaluation scheme YAML (default: the built-in nine-section scheme)."),
    ocr: str = typer.Option("auto", "--ocr", help="auto | always | never"),
    zh: bool = typer.Option(False, "--zh", help="Chinese column headers (Excel and CSV), for inspectors."),
):
    """Extract every numeric fact with its section, item, indicator, period, subject and source."""
    from extractor.errors import InputError
    from extractor.text.segment import load_scheme

    if output is not None:
        from extractor.outputs.writers import check_output
        try:
            check_output(output)
        except InputError as e:
            _fail(str(e))
    try:
        sch = load_scheme(scheme)
    except InputError as e:
        _fail(str(e))
    results, failed = _read_all(inputs, sch, ocr)
    from extractor.errors import blame
    from extractor.outputs import writers
    with blame(output or "<stdout>"):
        if output is not None and writers.kind_of(output) in writers.ALL_TABLES:
            from extractor.outputs import tables
            writers.write_tables(tables.build(results, sch), output, zh=zh)
        else:
            writers.write_facts([f for r in results for f in r.facts], output, zh=zh)
    if failed:
        raise typer.Exit(1)


@app.command()
def check(
    inputs: List[Path] = typer.Argument(..., help="Report files or folders (walked recursively)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Findings file: .jsonl .csv .xlsx (default: JSON lines on stdout)."),
    rules: List[Path] = typer.Option([], "--rules", help="Extra rules YAML; a rule with a built-in id overrides it."),
    scheme: Optional[Path] = typer.Option(None, "--scheme", help="Evaluation scheme YAML."),
    ocr: str = typer.Option("auto", "--ocr", help="auto | always | never"),
):
    """Check every report against the standards, against itself and against the scheme."""
    from extractor.outputs import writers
    from extractor.errors import InputError
    from extractor.checks.rules import check as run_checks, load_rules
    from extractor.text.segment import load_scheme

    try:
        if output is not None:
            writers.check_output(output, formats=writers.FINDING_FORMATS)
        ruleset = load_rules(rules)
        sch = load_scheme(scheme)
    except InputError as e:
        _fail(str(e))
    results, failed = _read_all(inputs, sch, ocr)
    findings = [fd for r in results for fd in run_checks(r, ruleset, sch)]
    from extractor.errors import blame
    with blame(output or "<stdout>"):
        writers.write_findings(findings, output)
    counts = {}
    for fd in findings:
        counts[fd.status] = counts.get(fd.status, 0) + 1
    if output is not None:
        typer.echo(f"{len(results)} reports, {len(findings)} findings: "
                   + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())), err=True)
    if failed:
        raise typer.Exit(1)


@app.command()
def batch(
    folder: Path = typer.Argument(..., help="Folder of incoming reports (walked recursively)."),
    output: Path = typer.Option(..., "-o", "--output", help="Output folder: selfeval.duckdb, report.xlsx, facts.parquet, review/."),
    jobs: int = typer.Option(0, "--jobs", "-j", help="Worker processes (default: one per core)."),
    ocr: str = typer.Option("auto", "--ocr", help="auto | always | never"),
    rules: List[Path] = typer.Option([], "--rules", help="Extra rules YAML."),
    scheme: Optional[Path] = typer.Option(None, "--scheme", help="Evaluation scheme YAML."),
    timeout: float = typer.Option(600.0, "--timeout", help="Per-file time limit in seconds."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress output."),
    memo: bool = typer.Option(False, "--memo", help="Also write draft feedback memos (Word) into OUTPUT/memos/."),
):
    """Process a folder of reports into a database, a workbook and a review site; re-runs are incremental."""
    from extractor.batch.run import run_batch
    from extractor.errors import InputError
    from extractor.checks.rules import load_rules
    from extractor.text.segment import load_scheme

    if ocr not in ("auto", "always", "never"):
        _fail(f"--ocr must be auto, always or never (got '{ocr}')")
    if not folder.is_dir():
        _fail(f"{folder}: " + ("no such folder" if not folder.exists() else "not a folder"))
    try:
        load_rules(rules)
        load_scheme(scheme)
    except InputError as e:
        _fail(str(e))
    from extractor.errors import blame
    with blame(output):  # the database or the output folder itself failed: one line, not a traceback
        s = run_batch(folder, output, jobs=jobs, ocr=ocr, rule_paths=rules, scheme_path=scheme, quiet=quiet,
                      timeout=timeout)
    rate = s.processed / s.seconds if s.seconds else 0.0
    status = ", ".join(f"{k} {v}" for k, v in s.findings.items()) or "none"
    typer.echo(f"files {s.files} (processed {s.processed}, unchanged {s.unchanged}, failed {s.failed}, "
               f"unsupported {s.unsupported}); facts this run {s.facts}; findings: {status}; "
               f"files in error {s.errors_total}; {s.seconds:.1f} s, {rate:.2f} files/s"
               + ("; INTERRUPTED: run again to finish" if s.interrupted else ""))
    if s.interrupted:
        raise typer.Exit(130)
    if memo:
        _write_memos(output, None, [])
    raise typer.Exit(1 if s.errors_total else 0)


def _write_memos(source: Path, output: Optional[Path], docs: List[str]):
    from extractor.errors import InputError, blame
    from extractor.outputs.memo import write_memos
    try:
        with blame(output or source):
            r = write_memos(source, output, docs or None)
    except InputError as e:
        _fail(str(e))
    n = sum(r["problems"].values())
    typer.echo(f"memos {len(r['memos'])} ({n} problems) and summary in {r['summary'].parent if r['summary'] else output}", err=True)


@app.command()
def memo(
    source: Path = typer.Argument(..., help="A batch output folder (or its .duckdb), an .xlsx workbook or a Parquet folder of the tables."),
    doc: List[str] = typer.Option([], "--doc", help="Only this document id (repeatable); default: every report."),
    output: Optional[Path] = typer.Option(None, "-o", "--output", help="Folder for the memos (default: SOURCE/memos)."),
):
    """Draft feedback memos (Word) for the inspector to edit: one per report and a summary across them."""
    _write_memos(source, output, doc)


@app.command("rules")
def list_rules(
    rules: List[Path] = typer.Option([], "--rules", help="Extra rules YAML to include."),
):
    """List the rules in force, with their thresholds and sources."""
    from extractor.errors import InputError
    from extractor.checks.rules import fmt, load_rules

    try:
        ruleset = load_rules(rules)
    except InputError as e:
        _fail(str(e))
    for r in ruleset.rules:
        if "max_per_one" in r:
            limit = f"<= 1:{r['max_per_one']}"
        elif "threshold" in r:
            limit = f"{r['op']} {fmt(r['threshold'])}"
        elif r["kind"] == "compare":
            limit = f"left {r['op']} right"
        else:
            limit = ""
        typer.echo(f"{r['id']:40} {r['kind']:12} {limit:12} {r['title']}")
        if r.get("source"):
            typer.echo(f"{'':40} source: {r['source']}{(' ' + r['note']) if r.get('note') else ''}  [{r['origin']}]")


@app.command("indicators")
def list_indicators():
    """List the standard indicators of the catalog, with their ids, units, levels and standards."""
    from extractor.text import metrics
    cat = metrics.load_catalog()
    for e in cat.entries:
        stds = "; ".join(f"{s.get('level', '')}{metrics.standard_text(s)} ({s.get('since', '')})".strip() for s in e.standards)
        typer.echo(f"{e.id:36} {e.unit:12} {','.join(e.levels):10} {stds:40} {e.title}")


@app.command()
def compare(
    inputs: List[Path] = typer.Argument(..., help="A batch output folder (or its .duckdb), or report files and folders."),
    metric: Optional[str] = typer.Option(None, "--metric", help="One metric id (see `selfeval indicators`)."),
    output: Optional[Path] = typer.Option(None, "-o", "--output",
                                          help="Workbook .xlsx: one sheet per metric, and the cross-year findings."),
    ocr: str = typer.Option("auto", "--ocr", help="auto | always | never"),
):
    """Standard indicators side by side: district × year per metric; only-increase metrics checked across years."""
    from extractor.errors import InputError, blame
    from extractor.outputs import compare as cmp
    from extractor.text.segment import load_scheme

    if output is not None and output.suffix.lower() != ".xlsx":
        _fail(f"{output}: compare writes an .xlsx workbook")
    one = inputs[0] if len(inputs) == 1 else None
    if one is not None and (one.suffix == ".duckdb" or (one / "selfeval.duckdb").is_file()):
        try:
            with blame(one):
                df = cmp.read_metrics(one)
        except InputError as e:
            _fail(str(e))
    else:
        from extractor.outputs import tables
        sch = load_scheme(None)
        results, _ = _read_all(inputs, sch, ocr)
        df = tables.build(results, sch, entities=False)["metrics"]
    per_metric = cmp.comparison(df, metric)
    findings = cmp.cross_year(df if not metric else df[df["metric_id"] == metric])
    typer.echo(cmp.render(per_metric))
    for fd in findings:
        typer.echo(f"{fd.rule}\t{fd.status}\t{fd.message}")
    if output is not None:
        with blame(output):
            cmp.to_excel(per_metric, findings, output)


def main():
    """Run a command; an unexpected error is one line on stderr and a traceback in a log file (SELFEVAL_DEBUG=1: raised)."""
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("selfeval: interrupted", err=True)
        sys.exit(130)
    except Exception as e:  # noqa: BLE001 - no user ever sees a traceback
        if os.environ.get("SELFEVAL_DEBUG"):
            raise
        from extractor.errors import describe_unexpected
        typer.echo(f"selfeval: {describe_unexpected(e, sys.argv[1:])}", err=True)
        sys.exit(3)


if __name__ == "__main__":
    main()
