"""selfeval command line: `selfeval extract`, `check`, `batch`, `rules`.

Every word a person reads comes from patterns/messages/{zh,en}.yaml (extractor.i18n);
Chinese by default, `--lang en` or SELFEVAL_LANG=en for English.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional

# `selfeval --version` alone answers before typer and the message catalog are loaded: it needs neither.
if sys.argv[1:] == ["--version"]:
    from extractor import __version__
    print(f"selfeval {__version__}")
    sys.exit(0)

# Run from a checkout before `pip install -e .`: one line saying what to do, not a traceback. The words stay
# here, not in the catalog, because reading the catalog needs the very packages that are missing.
try:
    import typer

    from extractor import i18n
    from extractor.i18n import t
except ModuleNotFoundError as missing:
    sys.exit(f"selfeval: 缺少依赖包 {missing.name}，请先运行 python3 -m pip install -e . "
             f"(missing package {missing.name}: run python3 -m pip install -e . first)")


def _take_lang(argv: list) -> Optional[str]:
    """`--lang X` or `--lang=X` anywhere on the line: taken out before typer parses, because help
    texts are built when the commands are defined. Returns the value given, if any."""
    for i, a in enumerate(argv):
        if a == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
            del argv[i:i + 2]
            return value
        if a.startswith("--lang="):
            del argv[i]
            return a.split("=", 1)[1]
    return None


_LANG_GIVEN = _take_lang(sys.argv)
if _LANG_GIVEN in i18n.LANGS:
    i18n.set_lang(_LANG_GIVEN)


def _typer_in_language():
    """typer's own words on help pages (Usage:, Options, default: …) from the catalog. typer.core asks
    gettext for them, and its vendored click writes "Usage: " and the help option's text itself;
    a typer without these hooks just stays English."""
    import typer.core
    own = {"Usage:": "usage", "Options": "options", "Arguments": "arguments", "Commands": "commands",
           "default: {default}": "default", "required": "required", "Show this message and exit.": "show_help"}

    def gettext(msgid):
        return t(f"typer.{own[msgid]}") if msgid in own else msgid

    typer.core._ = gettext
    # An argument is named by its metavar (报告...), without typer's type label (<list[Path]>) or braces.
    typer.core.TyperArgument.display_type_rich = lambda self, ctx: None
    typer.core.TyperArgument._usage_display_name = lambda self: self.display_name_raw + (
        "..." if self.nargs != 1 else "")
    try:
        from typer._click import core, formatting
    except ImportError:
        return
    write_usage = formatting.HelpFormatter.write_usage

    def usage(self, prog, args="", prefix=None):
        return write_usage(self, prog, args, t("typer.usage") + " " if prefix is None else prefix)

    formatting.HelpFormatter.write_usage = usage
    get_help_option = core.Command.get_help_option

    def help_option(self, ctx):
        opt = get_help_option(self, ctx)
        if opt is not None:
            opt.help = t("typer.show_help")
        return opt

    core.Command.get_help_option = help_option


def _typer_without_pydantic():
    """typer coerces each parameter through a pydantic TypeAdapter, and importing pydantic costs more than all of
    typer (~0.09 s of every run). Text, flags, paths and whole numbers are coerced here as typer coerces them: a
    flag or a default stays what it is, digits are the number they write, a path is made a Path and then goes
    through typer's own path check, the step that needs no pydantic. Any other parameter, or a value of another
    shape (--jobs -1, --timeout 2.5), is typer's own; a typer without these hooks just stays as it is."""
    from dataclasses import dataclass
    from typing import get_args, get_origin

    import typer.core
    try:
        from typer import _coercion, _param_types
        build, base, check_path = typer.core.build_runtime_param, _coercion.RuntimeParam, _param_types.coerce_cli_path
    except (ImportError, AttributeError):
        return
    simple = (str, Path, bool, int)

    def leaf(annotation):
        return get_args(annotation)[0] if get_origin(annotation) is list and len(get_args(annotation)) == 1 else annotation

    @dataclass(frozen=True)
    class Plain(base):
        descriptor: object = None

        def _coerce_value(self, value, param, ctx):
            if get_origin(self.annotation) is list:
                items = value if isinstance(value, (list, tuple)) else [value]
                if all(isinstance(v, (str, Path)) for v in items):
                    return [self._one(v, param, ctx) for v in items]
            elif self.annotation in (bool, int):      # a flag; a number's default, or digits given (--jobs 2)
                if type(value) is self.annotation:
                    return value
                if self.annotation is int and isinstance(value, str) and value.isascii() and value.isdigit() \
                        and (value == "0" or value[0] != "0"):
                    return int(value)
            elif isinstance(value, (str, Path)):
                return self._one(value, param, ctx)
            return build(self.descriptor)._coerce_value(value, param=param, ctx=ctx)

        def _one(self, value, param, ctx):
            if leaf(self.annotation) is str:           # no path options asked for (build_plain)
                return str(value)
            return check_path(value if isinstance(value, Path) else Path(value), self.parameter_info, path_type=Path,
                              param=param, ctx=ctx)

    def build_plain(descriptor):
        info = descriptor.parameter_info
        kind = leaf(descriptor.annotation)
        path_options = getattr(info, "allow_dash", False) or getattr(info, "resolve_path", False)
        if (descriptor.file_annotation is None and getattr(info, "parser", None) is None and kind in simple
                and getattr(info, "path_type", None) in (None, Path) and not (kind is str and path_options)
                and not descriptor.is_choice and not descriptor.is_ranged and not (kind is int and descriptor.is_list)):
            return Plain(parameter_info=info, annotation=descriptor.annotation, descriptor=descriptor)
        return build(descriptor)

    typer.core.build_runtime_param = build_plain


_typer_in_language()
_typer_without_pydantic()

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None,
                  context_settings={"help_option_names": ["-h", "--help"]}, help=t("app.help"),
                  options_metavar=t("meta.options"), subcommand_metavar=t("meta.command"))

OCR = ("auto", "always", "never")


def _print_version(value: bool):
    if value:
        from extractor import __version__
        typer.echo(f"selfeval {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True, help=t("app.version")),
    lang: str = typer.Option("zh", "--lang", metavar="zh|en", show_default=False, help=t("app.lang")),
    indicators: List[Path] = typer.Option([], "--indicators", metavar=t("meta.file"), show_default=False,
                                          help=t("app.indicators")),
):
    """selfeval: read reports, extract facts, check them against the standards."""
    if indicators:
        from extractor.errors import InputError
        from extractor.text import metrics
        try:
            metrics.load_catalog(indicators)
        except InputError as e:
            _fail(i18n.error_line(e))
        os.environ[metrics.ENV] = os.pathsep.join(str(p.resolve()) for p in indicators)   # reaches batch workers


def _fail(msg: str, code: int = 2):
    typer.echo(f"selfeval: {msg}", err=True)
    raise typer.Exit(code)


def _check_ocr(ocr: str):
    if ocr not in OCR:
        _fail(t("msg.ocr_choice", got=ocr))


def _read_all(inputs, scheme, ocr: str, jobs: int = 1, facts_only: bool = False):
    """Run the pipeline over the inputs, in `jobs` processes (0: one per idle core); report unusable inputs one line
    each. Returns (results, any_failed); with `facts_only`, results that keep their facts, source and document alone."""
    from extractor.batch.inputs import collect
    from extractor.batch.reports import run

    _check_ocr(ocr)
    files, errors, skipped = collect(inputs)
    for e in skipped + errors:           # a skipped file (.doc, a Word lock file) is named, not an error
        typer.echo(f"selfeval: {i18n.error_line(e)}", err=True)
    if not files:
        if not errors:
            _fail(t("msg.no_reports", where=", ".join(str(p) for p in inputs)))
        raise typer.Exit(1)
    if not jobs:
        from extractor.procs import idle_cores
        jobs = idle_cores()
    results, failed = run(files, scheme, ocr=ocr, jobs=jobs, facts_only=facts_only)
    for e in failed:
        typer.echo(f"selfeval: {i18n.error_line(e)}", err=True)
    return results, bool(errors or failed)


def _opt_ocr(cmd):
    return typer.Option("auto", "--ocr", metavar=t("meta.ocr"), show_default=False, help=t(f"cmd.{cmd}.ocr"))


def _opt_jobs(cmd):
    return typer.Option(0, "--jobs", "-j", metavar=t("meta.n"), show_default=False, help=t(f"cmd.{cmd}.jobs"))


def _opt_scheme(cmd):
    return typer.Option(None, "--scheme", metavar=t("meta.file"), help=t(f"cmd.{cmd}.scheme"))


@app.command(help=t("cmd.extract.help"), options_metavar=t("meta.options"))
def extract(
    inputs: List[Path] = typer.Argument(..., metavar=t("meta.reports"), show_default=False, help=t("cmd.extract.inputs")),
    output: Optional[Path] = typer.Option(None, "-o", "--output", metavar=t("meta.file"), help=t("cmd.extract.output")),
    scheme: Optional[Path] = _opt_scheme("extract"),
    ocr: str = _opt_ocr("extract"),
    zh: bool = typer.Option(False, "--zh", show_default=False, help=t("cmd.extract.zh")),
    jobs: int = _opt_jobs("extract"),
):
    from extractor.errors import InputError
    from extractor.text.schemes import load_scheme

    if output is not None:
        from extractor.outputs.writers import check_output
        try:
            check_output(output)
        except InputError as e:
            _fail(i18n.error_line(e))
    try:
        sch = load_scheme(scheme)
    except InputError as e:
        _fail(i18n.error_line(e))
    from extractor.outputs import writers
    tables_out = output is not None and writers.kind_of(output) in writers.ALL_TABLES
    results, failed = _read_all(inputs, sch, ocr, jobs, facts_only=not tables_out)
    from extractor.errors import blame
    with blame(output or "<stdout>"):
        if tables_out:
            from extractor.batch.reports import assess_all
            from extractor.outputs import tables
            writers.write_tables(tables.build(assess_all(results)), output, zh=zh)
        else:
            writers.write_facts([f for r in results for f in r.facts], output, zh=zh)
    if failed:
        raise typer.Exit(1)


def _counts(statuses: dict) -> str:
    return t("msg.count_sep").join(t("msg.count_item", name=i18n.word("status", k), n=v)
                                  for k, v in sorted(statuses.items())) or t("msg.none")


@app.command(help=t("cmd.check.help"), options_metavar=t("meta.options"))
def check(
    inputs: List[Path] = typer.Argument(..., metavar=t("meta.reports"), show_default=False, help=t("cmd.check.inputs")),
    output: Optional[Path] = typer.Option(None, "-o", "--output", metavar=t("meta.file"), help=t("cmd.check.output")),
    rules: List[Path] = typer.Option([], "--rules", metavar=t("meta.file"), show_default=False, help=t("cmd.check.rules")),
    scheme: Optional[Path] = _opt_scheme("check"),
    ocr: str = _opt_ocr("check"),
    zh: bool = typer.Option(False, "--zh", show_default=False, help=t("cmd.check.zh")),
    jobs: int = _opt_jobs("check"),
):
    from extractor.outputs import writers
    from extractor.errors import InputError
    from extractor.checks.rules import load_rules
    from extractor.text.schemes import load_scheme

    try:
        if output is not None:
            writers.check_output(output, formats=writers.FINDING_FORMATS)
        ruleset = load_rules(rules)
        sch = load_scheme(scheme)
    except InputError as e:
        _fail(i18n.error_line(e))
    results, failed = _read_all(inputs, sch, ocr, jobs)
    from extractor.batch.reports import assess_all
    findings = [fd for a in assess_all(results, ruleset, entities=False) for fd in a.findings]
    from extractor.errors import blame
    with blame(output or "<stdout>"):
        writers.write_findings(findings, output, zh=zh, ruleset=ruleset)
    counts = {}
    for fd in findings:
        counts[fd.status] = counts.get(fd.status, 0) + 1
    if output is not None:
        typer.echo(t("msg.check_summary", reports=len(results), findings=len(findings), counts=_counts(counts)),
                   err=True)
    if failed:
        raise typer.Exit(1)


@app.command(help=t("cmd.batch.help"), options_metavar=t("meta.options"))
def batch(
    folder: Path = typer.Argument(..., metavar=t("meta.folder"), show_default=False, help=t("cmd.batch.folder")),
    output: Path = typer.Option(..., "-o", "--output", metavar=t("meta.folder"), show_default=False,
                                help=t("cmd.batch.output")),
    jobs: int = typer.Option(0, "--jobs", "-j", metavar=t("meta.n"), show_default=False, help=t("cmd.batch.jobs")),
    ocr: str = _opt_ocr("batch"),
    rules: List[Path] = typer.Option([], "--rules", metavar=t("meta.file"), show_default=False, help=t("cmd.batch.rules")),
    scheme: Optional[Path] = _opt_scheme("batch"),
    timeout: float = typer.Option(600.0, "--timeout", metavar=t("meta.seconds"), show_default=False,
                                  help=t("cmd.batch.timeout")),
    quiet: bool = typer.Option(False, "--quiet", "-q", show_default=False, help=t("cmd.batch.quiet")),
    retry: bool = typer.Option(False, "--retry", show_default=False, help=t("cmd.batch.retry")),
    memo: bool = typer.Option(False, "--memo", show_default=False, help=t("cmd.batch.memo")),
    engine: str = typer.Option("local", "--engine", metavar="local|ray", show_default=False, help=t("cmd.batch.engine")),
    address: Optional[str] = typer.Option(None, "--address", metavar=t("meta.address"), show_default=False,
                                          help=t("cmd.batch.address")),
):
    from extractor.batch.run import BatchError, format_summary, run_batch
    from extractor.errors import InputError
    from extractor.checks.rules import load_rules
    from extractor.text.schemes import load_scheme

    _check_ocr(ocr)
    if engine not in ("local", "ray"):
        _fail(t("msg.engine_choice", got=engine))
    if address and engine != "ray":
        _fail(t("msg.address_needs_ray"))
    if not folder.is_dir():
        _fail(t("msg.no_such_folder" if not folder.exists() else "msg.not_a_folder", path=folder))
    if output.exists() and not output.is_dir():
        _fail(t("msg.output_is_a_file", path=output))
    try:
        load_rules(rules)
        load_scheme(scheme)
    except InputError as e:
        _fail(i18n.error_line(e))
    from extractor.errors import blame
    with blame(output):  # the database or the output folder itself failed: one line, not a traceback
        try:
            s = run_batch(folder, output, jobs=jobs, ocr=ocr, rule_paths=rules, scheme_path=scheme, quiet=quiet,
                          timeout=timeout, retry=retry, engine=engine, address=address)
        except BatchError as e:
            _fail(str(e), 1)
    if not quiet:
        typer.echo(format_summary(s))
    if s.interrupted:
        raise typer.Exit(130)
    if memo:
        _write_memos(output, None, [], quiet=quiet)
    raise typer.Exit(1 if s.errors_total else 0)


def _write_memos(source: Path, output: Optional[Path], docs: List[str], quiet: bool = False):
    from extractor.errors import InputError, blame
    from extractor.outputs.memo import write_memos
    try:
        with blame(output or source):
            r = write_memos(source, output, docs or None)
    except InputError as e:
        _fail(i18n.error_line(e))
    where = r["summary"].parent if r["summary"] else output
    if not quiet:
        typer.echo(t("msg.memo_summary", memos=len(r["memos"]), problems=sum(r["problems"].values()), where=where),
                   err=True)


@app.command(help=t("cmd.memo.help"), options_metavar=t("meta.options"))
def memo(
    source: Path = typer.Argument(..., metavar=t("meta.folder"), show_default=False, help=t("cmd.memo.source")),
    doc: List[str] = typer.Option([], "--doc", metavar="ID", show_default=False, help=t("cmd.memo.doc")),
    output: Optional[Path] = typer.Option(None, "-o", "--output", metavar=t("meta.folder"), help=t("cmd.memo.output")),
):
    _write_memos(source, output, doc)


@app.command("rules", help=t("cmd.rules.help"), options_metavar=t("meta.options"))
def list_rules(
    rules: List[Path] = typer.Option([], "--rules", metavar=t("meta.file"), show_default=False, help=t("cmd.rules.rules")),
    fmt: str = typer.Option("table", "--format", metavar=t("meta.format"), show_default=False, help=t("cmd.rules.format")),
):
    from extractor.errors import InputError
    from extractor.checks.rules import load_rules
    from extractor.outputs import rule_table

    if fmt not in ("table", "csv", "json"):
        _fail(t("msg.format_choice", got=fmt))
    try:
        ruleset = load_rules(rules)
    except InputError as e:
        _fail(i18n.error_line(e))
    typer.echo(rule_table.render(ruleset, fmt), nl=False)


@app.command("indicators", help=t("cmd.indicators.help"), options_metavar=t("meta.options"))
def list_indicators():
    from extractor.checks.standards import standards_of
    from extractor.text import metrics
    cat = metrics.load_catalog()
    typer.echo(t("msg.indicators_header"))
    for e in cat.entries:
        stds = standards_of(e.id)
        typer.echo(f"{e.id:36} {e.unit:12} {','.join(e.levels):10} {stds:40} {e.title}")


@app.command("schemes", help=t("cmd.schemes.help"), options_metavar=t("meta.options"))
def list_schemes():
    from extractor.text.schemes import builtin
    typer.echo(t("msg.schemes_header"))
    for s in builtin():
        typer.echo(f"{s.id:27} {t('msg.list_sep').join(s.governments):10} {len(s.sections):>4} {len(s.item_section):>5}  {s.name}")
        if s.cites:
            typer.echo(t("msg.schemes_cites", cites=" | ".join(s.cites)))


@app.command(help=t("cmd.compare.help"), options_metavar=t("meta.options"))
def compare(
    inputs: List[Path] = typer.Argument(..., metavar=t("meta.reports"), show_default=False, help=t("cmd.compare.inputs")),
    metric: Optional[str] = typer.Option(None, "--metric", metavar="ID", help=t("cmd.compare.metric")),
    output: Optional[Path] = typer.Option(None, "-o", "--output", metavar=t("meta.file"), help=t("cmd.compare.output")),
    ocr: str = _opt_ocr("compare"),
):
    from extractor.checks.crossyear import cross_year
    from extractor.errors import InputError, blame
    from extractor.outputs import compare as cmp
    from extractor.text.schemes import load_scheme

    if output is not None and output.suffix.lower() != ".xlsx":
        _fail(t("msg.compare_xlsx", path=output))
    one = inputs[0] if len(inputs) == 1 else None
    if one is not None and (one.suffix == ".duckdb" or (one / "selfeval.duckdb").is_file()):
        try:
            with blame(one):
                df = cmp.read_metrics(one)
        except InputError as e:
            _fail(i18n.error_line(e))
    else:
        from extractor.batch.reports import assess_all
        from extractor.outputs import tables
        sch = load_scheme(None)
        results, _ = _read_all(inputs, sch, ocr)
        df = tables.build(assess_all(results, entities=False))["metrics"]
    per_metric = cmp.comparison(df, metric)
    findings = cross_year(df if not metric else df[df["metric_id"] == metric])
    if output is not None:                  # a file asked for: the terminal stays quiet
        with blame(output):
            cmp.to_excel(per_metric, findings, output)
        return
    typer.echo(cmp.render(per_metric))
    for fd in findings:
        typer.echo(f"{fd.rule}\t{fd.status}\t{fd.message}")


# ---------------- the review server (extractor/server) ----------------

@app.command(help=t("cmd.serve.help"), options_metavar=t("meta.options"))
def serve(
    outdir: Path = typer.Argument(..., metavar=t("meta.folder"), show_default=False, help=t("cmd.serve.outdir")),
    host: str = typer.Option("127.0.0.1", "--host", metavar="HOST", show_default=False, help=t("cmd.serve.host")),
    port: int = typer.Option(8000, "--port", metavar=t("meta.n"), show_default=False, help=t("cmd.serve.port")),
):
    from extractor.server.serve import ServeError, serve as run_server
    try:
        run_server(outdir, host, port)
    except ServeError as e:
        _fail(str(e))


users_app = typer.Typer(help=t("cmd.users.help"), no_args_is_help=True, options_metavar=t("meta.options"),
                        subcommand_metavar=t("meta.command"))
app.add_typer(users_app, name="users")


@users_app.command("add", help=t("cmd.users.add"), options_metavar=t("meta.options"))
def users_add(
    name: str = typer.Argument(..., metavar="NAME", show_default=False, help=t("cmd.users.name")),
    role: str = typer.Option(..., "--role", metavar="inspector|viewer", show_default=False, help=t("cmd.users.role")),
):
    from extractor.server.accounts import AccountError, add_user
    try:
        typer.echo(add_user(name, role), err=True)
    except AccountError as e:
        _fail(t(e.key, **e.params))


@users_app.command("list", help=t("cmd.users.list"), options_metavar=t("meta.options"))
def users_list():
    from extractor.server.accounts import listing
    typer.echo(listing())


@app.command(help=t("cmd.decisions.help"), options_metavar=t("meta.options"))
def decisions(
    outdir: Path = typer.Argument(..., metavar=t("meta.folder"), show_default=False, help=t("cmd.decisions.outdir")),
    output: Path = typer.Option(..., "-o", "--output", metavar=t("meta.file"), show_default=False,
                                help=t("cmd.decisions.output")),
):
    from extractor.errors import InputError, blame
    from extractor.server.export import write
    try:
        with blame(output):
            n = write(outdir, output)
    except InputError as e:
        _fail(i18n.error_line(e))
    typer.echo(t("serve.exported", n=n, path=output), err=True)


def _usage_error(e) -> str:
    """typer's complaint about the command line, on one line, in the reader's language."""
    ctx = getattr(e, "ctx", None)
    cmd = ctx.command_path if ctx is not None else "selfeval"
    detail = i18n.usage_words(e.format_message())
    return t("typer.usage_error", cmd=cmd, detail=detail, hint=t("typer.try_help", cmd=cmd))


def main():
    """Run a command; an unexpected error is one line on stderr and a traceback in a log file (SELFEVAL_DEBUG=1: raised)."""
    if _LANG_GIVEN is not None and _LANG_GIVEN not in i18n.LANGS:
        typer.echo(f"selfeval: {t('msg.lang_choice', got=_LANG_GIVEN)}", err=True)
        sys.exit(2)
    try:
        rv = app(standalone_mode=False, prog_name="selfeval")
    except KeyboardInterrupt:
        typer.echo(f"selfeval: {t('msg.interrupted')}", err=True)
        sys.exit(130)
    except Exception as e:  # noqa: BLE001 - no user ever sees a traceback
        if hasattr(e, "format_message") and hasattr(e, "exit_code"):       # a usage error from typer
            if type(e).__name__ == "NoArgsIsHelpError":       # no arguments at all: the help is the answer
                typer.echo(e.format_message(), err=True)
            else:
                typer.echo(_usage_error(e), err=True)
            sys.exit(e.exit_code)
        if os.environ.get("SELFEVAL_DEBUG"):
            raise
        from extractor.errors import describe_unexpected
        typer.echo(f"selfeval: {i18n.cause(describe_unexpected(e, sys.argv[1:]))}", err=True)
        sys.exit(3)
    sys.exit(rv if isinstance(rv, int) else 0)


if __name__ == "__main__":
    main()
