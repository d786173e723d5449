"""The `civility` command (CONTRACT.md section 4): check, dry-run, lint, test; serve and feedback load lazily."""

from __future__ import annotations

import gc
import itertools
import json
import multiprocessing
import os
import sys
import time
import typing as t
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import click

from .corpus import open_input, read_comments
from .decide import decide
from .errors import PolicyError
from .model import Comment, Decision, Verdict
from .policy import Policy, load_policy

DEFAULT_BUDGET_MS = 1000
_LAZY = {"serve": ("webhook.commands", "serve"), "feedback": ("webhook.commands", "feedback")}


class PolicyLoadFailed(click.ClickException):
    exit_code = 1

    def show(self, file: t.IO[t.Any] | None = None) -> None:
        click.echo(self.message, err=True)


class _Group(click.Group):
    """Loads the service commands only when asked, so the engine never imports Flask for a dry run."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *_LAZY])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in _LAZY:
            import importlib

            module, attr = _LAZY[name]
            return t.cast(click.Command, getattr(importlib.import_module(module), attr))
        return super().get_command(ctx, name)


policy_option = click.option(
    "--policy",
    "policy_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Policy directory (default: the bundled policy).",
)
format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "html", "markdown"]),
    default="text",
    show_default=True,
    help="How TEXT is written: html has its tags stripped and entities decoded, markdown its quotes marked.",
)
#: a comment file or `-`; a missing file is a usage error (exit 2, CONTRACT.md section 4)
input_path = click.Path(exists=True, allow_dash=True, dir_okay=False, path_type=Path)
json_option = click.option("--json", "as_json", is_flag=True, help="Machine output (JSON; JSON Lines for dry-run).")


def one_policy(directory: Path | None, policy_dir: Path | None) -> Path | None:
    """The policy named by DIRECTORY or --policy; naming two is a usage error, not a silent choice."""
    if directory is not None and policy_dir is not None and directory.resolve() != policy_dir.resolve():
        raise click.UsageError(f"two policies named: {directory} and --policy {policy_dir}; name one")
    return directory or policy_dir


def _load(policy_dir: Path | None) -> Policy:
    try:
        return load_policy(policy_dir)
    except PolicyError as e:
        raise PolicyLoadFailed(str(e)) from e


@click.group(cls=_Group)
@click.version_option(package_name="civility")
def main() -> None:
    """Civility: comment moderation by readable YAML policy."""


@main.command()
@click.argument("text")
@policy_option
@json_option
@format_option
def check(text: str, policy_dir: Path | None, as_json: bool, fmt: str) -> None:
    """Decide one comment TEXT and explain the decision."""
    policy = _load(policy_dir)
    # one text is one input line: its id is the one dry-run gives a first line (CONTRACT.md section 1)
    decision = decide(policy, Comment(text=text, id="line-1", format=fmt), deadline=_deadline())
    if as_json:
        click.echo(json.dumps(decision.to_dict()))
    else:
        click.echo(render(decision, text, verbose=True))


@main.command("dry-run")
@click.argument("source", type=input_path)
@policy_option
@json_option
@click.option("--keep-fields", is_flag=True, help="Copy the input's unknown fields into each JSON line.")
@click.option(
    "--jobs",
    type=click.IntRange(min=0),
    default=0,
    help="Worker processes deciding an input longer than one batch, in input order (default 0: one per CPU).",
)
def dry_run(source: Path, policy_dir: Path | None, as_json: bool, keep_fields: bool, jobs: int) -> None:
    """Decide every comment in SOURCE (JSONL, CSV with a 'text' column, or - for stdin)."""
    policy = _load(policy_dir)
    with _open(source) as stream:
        bad = _dry_run(policy, stream, source, as_json, keep_fields, jobs or _cpus())
    if bad:
        sys.exit(1)


#: comments a worker decides at a time: enough to pay for sending them, few enough to keep memory flat
BATCH = 200
#: what the workers need, set before they fork from this process
_JOB: tuple[Policy, bool, bool] | None = None

Row = tuple[int, dict[str, t.Any], "str | None"]
#: per input line: (its number, an error, or the decision's verdict and its output line)
Done = tuple[int, "str | None", str, str]


def _dry_run(policy: Policy, stream: t.TextIO, source: Path, as_json: bool, keep_fields: bool, jobs: int = 1) -> int:
    """Decide each input line as it is read (constant memory): in this process, or for an input
    longer than one batch in `jobs` worker processes, written in input order; returns the number of
    bad lines."""
    global _JOB
    bad = 0
    counts: dict[str, int] = {}
    # a running count on the terminal while the decisions go to a file or a pipe
    progress = sys.stderr.isatty() and not sys.stdout.isatty()
    started = time.monotonic()
    n = 0
    _JOB = (policy, as_json, keep_fields)
    try:
        for done in _in_order(_decide_batch, _batches(read_comments(stream, source)), jobs):
            lines = []
            for line_no, error, verdict, line in done:
                n += 1
                if error is not None:
                    bad += 1
                    if lines:  # the lines before it first, as they were read
                        click.echo("\n".join(lines))
                        lines = []
                    click.echo(f"{source}: line {line_no}: {error}", err=True)
                    continue
                counts[verdict] = counts.get(verdict, 0) + 1
                lines.append(line)
            if lines:
                click.echo("\n".join(lines))  # one write per batch, not one per line
            if progress:
                click.echo(f"\r{n} comments, {n / (time.monotonic() - started):,.0f}/s", err=True, nl=False)
    finally:
        _JOB = None
    if progress:
        click.echo("", err=True)
    if not as_json:
        summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
        click.echo(
            f"{sum(counts.values())} comments: {summary or 'none'}" + (f"; {bad} bad lines" if bad else ""), err=True
        )
    return bad


def _decide_batch(rows: list[Row]) -> list[Done]:
    assert _JOB is not None
    policy, as_json, keep_fields = _JOB
    out: list[Done] = []
    for line_no, row, error in rows:
        if error is not None:
            out.append((line_no, error, "", ""))
            continue
        comment = Comment.from_dict(row)
        decision = decide(policy, comment, deadline=_deadline())
        if decision.id is None:
            decision = decision.with_id(f"line-{line_no}")
        if as_json:
            fields = decision.to_dict()
            if keep_fields:
                fields = {**{k: v for k, v in row.items() if k not in fields}, **fields}
            line = json.dumps(fields)  # ASCII escapes: a lone surrogate stays valid JSON
        else:
            line = render(decision, comment.text)
        out.append((line_no, None, decision.decision.value, line))
    return out


def _batches(rows: t.Iterable[Row]) -> t.Iterator[list[Row]]:
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _in_order(
    fn: t.Callable[[list[Row]], list[Done]], batches: t.Iterator[list[Row]], jobs: int
) -> t.Iterator[list[Done]]:
    """`map(fn, batches)`, by `jobs` forked worker processes once there is a second batch; at most two
    batches per worker are in flight, so a long input is never read ahead into memory."""
    first = next(batches, None)
    if first is None:
        return
    second = next(batches, None)
    read = itertools.chain((first,) if second is None else (first, second), batches)
    if second is None or jobs < 2 or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(fn, read)
        return
    # forked workers share the loaded policy with this process: nothing to pickle but the rows; frozen
    # out of the collector's reach, its objects are not written to (copied) by the workers' collections
    gc.freeze()
    try:
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            pending: deque[t.Any] = deque()
            for batch in read:
                pending.append(pool.submit(fn, batch))
                if len(pending) >= 2 * jobs:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
    finally:
        gc.unfreeze()


@main.command()
@click.argument("directory", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@policy_option
@json_option
def lint(directory: Path | None, policy_dir: Path | None, as_json: bool) -> None:
    """Validate a policy; print every error as FILE:LINE:COL: rule 'ID': field 'PATH': message."""
    from .checks import run_checks

    try:
        policy = load_policy(one_policy(directory, policy_dir))
    except PolicyError as e:
        errors = getattr(e, "errors", [e])
        if as_json:
            click.echo(json.dumps({"ok": False, "errors": [str(x) for x in errors]}))
        else:
            for x in errors:
                click.echo(str(x))
            click.echo(f"{len(errors)} error{'s' if len(errors) != 1 else ''}", err=True)
        sys.exit(1)
    warnings = run_checks(policy)
    if as_json:
        click.echo(
            json.dumps({"ok": True, "version": policy.version, "rules": len(policy.rules), "warnings": warnings})
        )
        return
    for w in warnings:
        click.echo(f"warning: {w}")
    click.echo(
        f"{policy.source_dir}: {len(policy.rules)} rules, {len(policy.cases)} cases, version {policy.version}: OK"
    )


_file = click.Path(exists=True, dir_okay=False, path_type=Path)


@main.command()
@click.argument("data", nargs=-1, type=_file)
@click.option("--recipe", type=_file, help="YAML naming models and their data (the shipped ones': bench/models.yaml).")
@click.option(
    "--data-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Where a recipe's file names are read from.",
)
@click.option("--category", help="The category a model of DATA learns (rows with that label; 'ok' rows are the rest).")
@click.option("--name", help="The model's name (the rules' 'model: NAME'); default: the category.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Model file to write (with DATA).")
@click.option(
    "--out-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for a recipe's models (default: models/ of --policy or of the bundled policy).",
)
@click.option("--map", "maps", multiple=True, metavar="LABEL=LABEL", help="Read one label as another: profanity=ok.")
@click.option("--group", help="Field whose rows share a cross-validation fold (dotted for nested JSON: orig.link_id).")
@click.option("--license", "license_", default="unknown", help="License of DATA, recorded in the model file.")
@click.option(
    "--feedback", multiple=True, type=_file, help="Moderators' labels ('civility feedback export'), merged in."
)
@click.option("--feedback-weight", type=float, default=5.0, show_default=True, help="Data rows one label counts as.")
@click.option("--ngrams", type=click.IntRange(1, 3), default=2, show_default=True, help="Most words in a feature.")
@click.option("--min-count", type=click.IntRange(1), default=2, show_default=True, help="Comments a feature needs.")
@click.option("--c", "c", type=float, default=1.0, show_default=True, help="Inverse regularization strength.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the folds and the solver.")
@policy_option
@json_option
def learn(
    data: tuple[Path, ...],
    recipe: Path | None,
    data_dir: Path,
    category: str | None,
    name: str | None,
    out: Path | None,
    out_dir: Path | None,
    maps: tuple[str, ...],
    group: str | None,
    license_: str,
    feedback: tuple[Path, ...],
    feedback_weight: float,
    ngrams: int,
    min_count: int,
    c: float,
    seed: int,
    policy_dir: Path | None,
    as_json: bool,
) -> None:
    """Train a model from labeled comments (JSONL or CSV: text, label) and moderators' feedback.

    Either DATA files with --category and --out, or --recipe. Prints cross-validated precision and
    recall and a calibration table; the same inputs give the same bytes. Needs the 'learn' extra."""
    try:
        from . import learn as lm
    except ImportError as e:  # pragma: no cover - depends on the installation
        raise click.UsageError(f"civility learn needs the 'learn' extra: pip install 'civility[learn]' ({e})") from e
    from .policy import bundled_policy_dir
    from .textmodel import dump_model

    label_map = {}
    for m in maps:
        if "=" not in m:
            raise click.BadParameter(f"'{m}' is not LABEL=LABEL", param_hint="--map")
        a, b = m.split("=", 1)
        label_map[a.strip()] = b.strip()
    settings = lm.Settings(ngrams=ngrams, min_count=min_count, c=c, seed=seed)
    extra = [lm.Source(p, "moderators' labels", label_map, weight=feedback_weight, feedback=True) for p in feedback]
    if recipe is not None:
        if data or category or out:
            raise click.UsageError("--recipe trains what the recipe says: give no DATA, --category or --out")
        try:
            plans = lm.read_recipe(recipe, data_dir)
        except (ValueError, OSError) as e:
            raise click.UsageError(str(e)) from e
        target = out_dir or ((policy_dir or bundled_policy_dir()) / "models")
        jobs = [(plan, target / f"{plan.name}.json") for plan in plans]
        command = f"civility learn --recipe {recipe.as_posix()}"
    else:
        if not data or not category or not out:
            raise click.UsageError("give DATA files, --category and --out (or --recipe)")
        source_list = [lm.Source(p, license_, group=group) for p in data]
        plan = lm.Plan(name or category, category, tuple(source_list), settings, label_map=label_map)
        jobs = [(plan, out)]
        command = "civility learn " + " ".join(p.name for p in data) + f" --category {category}"
    bad = 0
    results = []
    for plan, path in jobs:
        try:
            model, report, problems = lm.run(plan, extra, command)
        except (ValueError, OSError) as e:
            raise click.ClickException(f"{plan.name}: {e}") from e
        for problem in problems:
            click.echo(problem, err=True)
        bad += len(problems)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = dump_model(model)
        path.write_text(text, encoding="utf-8")
        size = len(text.encode())
        results.append({"model": plan.name, "file": str(path), "bytes": size, "features": len(model["weights"])})
        if not as_json:
            click.echo(f"wrote {path} ({len(model['weights'])} features, {size:,} bytes)")
            click.echo("\n".join(report.lines()))
    if as_json:
        click.echo(json.dumps(results if recipe is not None else results[0]))
    if bad:
        sys.exit(1)


@main.command("test")
@click.argument("directory", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@policy_option
@json_option
def test_cases(directory: Path | None, policy_dir: Path | None, as_json: bool) -> None:
    """Run the policy's example comments (*.cases.yaml); name every failing case."""
    policy = _load(one_policy(directory, policy_dir))
    failures = []
    for case in policy.cases:
        decision = decide(policy, case.comment)
        problem = case_problem(case.expect, decision)
        if problem:
            failures.append({"location": str(case.location), "text": case.comment.text, "problem": problem})
    if as_json:
        click.echo(
            json.dumps({"passed": len(policy.cases) - len(failures), "failed": len(failures), "failures": failures})
        )
    else:
        for f in failures:
            click.echo(f"{f['location']}: {f['problem']}\n    {_short(f['text'])}")
        click.echo(f"{len(policy.cases) - len(failures)} passed, {len(failures)} failed")
    if failures:
        sys.exit(1)


def case_problem(expect: tuple[str, ...], decision: Decision) -> str | None:
    """Why a decision does not meet a case's expectation, or None when it does."""
    fired = [h.rule for h in decision.hits] + [h.rule for h in decision.shadow_hits]
    if decision.reasons:
        return f"decided without rules: {', '.join(r.value for r in decision.reasons)}"
    if not expect:
        if fired or decision.decision is not Verdict.APPROVE:
            return f"expected no rule to fire, got {', '.join(fired)} ({decision.decision.value})"
        return None
    missing = [r for r in expect if r not in fired]
    if missing:
        return f"expected {', '.join(missing)} to fire, got {', '.join(fired) or 'nothing'}"
    return None


def _open(source: Path) -> t.TextIO:
    try:
        return open_input(source)
    except OSError as e:
        raise click.FileError(str(source), e.strerror) from e


class _Corpus:
    """The valid rows of a comment file, read once as they are iterated; bad lines are reported on stderr and
    counted, and a progress bar runs on stderr when it is a terminal."""

    def __init__(self, source: Path, need: tuple[str, ...] = ()) -> None:
        self.source = source
        self.need = need
        self.bad = 0

    def __iter__(self) -> t.Iterator[tuple[int, dict[str, t.Any]]]:
        from .corpus import Counted, Progress

        progress = Progress(self.source)
        with _open(self.source) as f:
            stream = Counted(f)
            for n, (line_no, row, error) in enumerate(read_comments(stream, self.source, self.need), 1):  # type: ignore[arg-type]
                progress.update(n, stream.read)
                if error is not None:
                    self.bad += 1
                    click.echo(f"{self.source}: line {line_no}: {error}", err=True)
                    continue
                yield line_no, row
        progress.close()


def _cpus() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _deadline() -> float:
    return time.monotonic() + DEFAULT_BUDGET_MS / 1000


def _short(text: str, width: int = 100) -> str:
    one = " ".join(text.split())
    return one if len(one) <= width else one[: width - 1] + "\u2026"


_COLOURS = {Verdict.APPROVE: "green", Verdict.FLAG: "yellow", Verdict.REJECT: "red"}


def render(decision: Decision, text: str, verbose: bool = False) -> str:
    """A decision for people: verdict, score, then one line per offending word (hits whose spans overlap
    are grouped) with the rules it fired; `--json` keeps every hit."""
    head = click.style(f"{decision.decision.value.upper():8}", fg=_COLOURS[decision.decision], bold=True)
    lines = [f"{decision.id or '-'}\t{head} score {decision.score:g}\t{_short(text, 70)}"]
    shadow = set(map(id, decision.shadow_hits))
    for group in group_hits(decision.hits + decision.shadow_hits):
        where = _where(group, text)
        total = sum(h.score for h in group if id(h) not in shadow)
        rules = ", ".join(
            f"{h.rule}{' (shadow)' if id(h) in shadow else ''} +{h.score:g}{_model(h, text)}" for h in group
        )
        lines.append(f"    {where}  +{total:g}: {rules}")
        if verbose:
            guidelines = ", ".join(dict.fromkeys(h.guideline for h in group))
            lines.append(f"        guideline: {guidelines}")
    for r in decision.reasons:
        lines.append(f"    reason: {r.value}")
    if verbose and decision.message:
        lines.append(f"    message: {decision.message}")
    if verbose and decision.guideline_text:
        lines.append(f"    guideline: {decision.guideline_text}")
    return _safe("\n".join(lines))


def _model(h: t.Any, text: str) -> str:
    """A model hit's probability and the other words that raised it, strongest first."""
    if h.probability is None:
        return ""
    others = [f"\u201c{text[a:b]}\u201d" for a, b in h.spans if (a, b) != h.span]
    return f" (probability {h.probability:.2f}" + (f"; also {', '.join(others)})" if others else ")")


def _where(group: list[t.Any], text: str) -> str:
    """The words a group of overlapping hits stands on: all of them when short, else the shortest hit's."""
    spans = [h.span for h in group if h.span]
    if not spans:
        return "(whole comment)"
    start, end = min(s for s, _ in spans), max(e for _, e in spans)
    if end - start > 60:
        start, end = min(spans, key=lambda s: s[1] - s[0])
    return f"\u201c{_short(text[start:end], 60)}\u201d [{start}, {end})"


def group_hits(hits: t.Sequence[t.Any]) -> list[list[t.Any]]:
    """Hits whose shown spans overlap, together, in text order; hits without a span last, together."""
    placed = sorted((h for h in hits if h.span), key=lambda h: (h.span[0], h.span[1]))
    groups: list[list[t.Any]] = []
    end = -1
    for h in placed:
        if groups and h.span[0] < end:
            groups[-1].append(h)
            end = max(end, h.span[1])
        else:
            groups.append([h])
            end = h.span[1]
    whole = [h for h in hits if not h.span]
    return groups + ([whole] if whole else [])


def _safe(text: str) -> str:
    """A lone surrogate in a comment cannot be written to a terminal: show it as '?'."""
    return text.encode("utf-8", "replace").decode("utf-8")


@main.command("eval")
@click.argument("labeled", type=input_path)
@policy_option
@json_option
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write the report as one self-contained HTML file (tables, score plot, worst mistakes).",
)
def eval_command(labeled: Path, policy_dir: Path | None, as_json: bool, html_path: Path | None) -> None:
    """Score the policy on LABELED comments (JSONL or CSV with 'text' and 'label': ok or a category)."""
    from .evaluate import evaluate, render_text

    policy = _load(policy_dir)
    corpus = _Corpus(labeled, need=("label",))
    report = evaluate(policy, corpus, DEFAULT_BUDGET_MS).to_dict()
    bad = corpus.bad
    report["bad_lines"] = bad
    if html_path is not None:
        from .report_html import render_html

        html_path.write_text(render_html(report, policy.thresholds.flag), encoding="utf-8")
    click.echo(json.dumps(report) if as_json else render_text(report))
    if bad:
        sys.exit(1)


@main.command("diff")
@click.argument("corpus", type=input_path)
@click.option(
    "--old",
    "old_spec",
    required=True,
    help="The policy before the edit: a directory, or a git revision (HEAD~1:policies).",
)
@click.option(
    "--new",
    "new_spec",
    help="The policy after the edit: a directory or git revision (default: --policy, else the bundled one).",
)
@policy_option
@json_option
def diff_command(corpus: Path, old_spec: str, new_spec: str | None, policy_dir: Path | None, as_json: bool) -> None:
    """Every comment of CORPUS whose decision or category changes between two policies, with the rules on each
    side, and the counts (approve->flag, flag->approve, category changes)."""
    import tempfile

    from .backtest import Counts, RevisionError, backtest, checkout, render_change, render_counts

    if new_spec is not None and policy_dir is not None:
        raise click.UsageError("--new and --policy both name the new policy; name one")
    with tempfile.TemporaryDirectory(prefix="civility-diff-") as tmp:
        try:
            old_dir = checkout(old_spec, Path(tmp))
            new_dir = checkout(new_spec, Path(tmp)) if new_spec is not None else policy_dir
        except RevisionError as e:
            raise click.BadParameter(str(e), param_hint="--old/--new") from e
        old, new = _load(old_dir), _load(new_dir)
        rows = _Corpus(corpus)
        counts = Counts()
        if as_json:
            # one JSON document, written as it goes: the changes are never all held at once
            click.echo(f'{{"old": {json.dumps(old.version)}, "new": {json.dumps(new.version)}, "changes": [')
            for i, change in enumerate(backtest(old, new, rows, counts, DEFAULT_BUDGET_MS)):
                click.echo(("," if i else "") + json.dumps(change.to_dict()))
            click.echo(f'], "counts": {json.dumps(counts.to_dict())}, "bad_lines": {rows.bad}}}')
        else:
            for change in backtest(old, new, rows, counts, DEFAULT_BUDGET_MS):
                click.echo(_safe(render_change(change, lambda s: _short(s, 70))))
            click.echo(f"old {old.version}, new {new.version}: " + render_counts(counts))
    if rows.bad:
        sys.exit(1)


@main.command("explain")
@click.argument("text")
@policy_option
@json_option
@format_option
def explain_command(text: str, policy_dir: Path | None, as_json: bool, fmt: str) -> None:
    """Why TEXT gets its decision: normalization steps, each rule that fired and where, each rule that
    nearly fired and what stopped it, and the arithmetic of the score."""
    from .explain import explain, render

    policy = _load(policy_dir)
    report = explain(policy, Comment(text=text, id="line-1", format=fmt), budget_ms=DEFAULT_BUDGET_MS)
    if as_json:
        click.echo(json.dumps(report))
        return

    def mark(s: str) -> str:
        return click.style(s, reverse=True, bold=True) if sys.stdout.isatty() else f"[{s}]"

    click.echo(_safe(render(report, mark)))


@main.command("coverage")
@click.argument("corpus", required=False, type=input_path)
@policy_option
@json_option
def coverage_command(corpus: Path | None, policy_dir: Path | None, as_json: bool) -> None:
    """Each guideline with the rules and cases covering it (uncovered first); with a CORPUS (JSONL or CSV),
    the rules that never fire and those that only ever fire together with another of their category."""
    from .coverage import firing, guidelines, render

    policy = _load(policy_dir)
    report: dict[str, t.Any] = {"guidelines": guidelines(policy)}
    rows = _Corpus(corpus) if corpus is not None else None
    if rows is not None:
        report["corpus"] = firing(policy, rows, DEFAULT_BUDGET_MS).to_dict()
        report["bad_lines"] = rows.bad
    click.echo(json.dumps(report) if as_json else render(report))
    if rows is not None and rows.bad:
        sys.exit(1)


@main.command("schema")
@click.option("--json", "as_json", is_flag=True, help="One line of JSON (default: indented, for reading).")
def schema_command(as_json: bool) -> None:
    """Print the JSON Schema of the policy format: every YAML file of a policy directory validates against
    it (for an editor's YAML extension; see the README)."""
    from .policy_schema import schema

    click.echo(json.dumps(schema(), indent=None if as_json else 2))


@main.command("evasion")
@policy_option
@json_option
@click.option(
    "--seeds", type=click.IntRange(1, 20), default=1, show_default=True, help="Disguises of each kind per case."
)
def evasion_command(policy_dir: Path | None, as_json: bool, seeds: int) -> None:
    """Disguise the policy's cases (leetspeak, homoglyphs, spacing, dots, zero-width, repeats, masking,
    markup, fullwidth, quotes, mixes): recall per rule and per kind, and the false flags the disguises
    cause on cases no rule may fire on."""
    from .evasion import evasion, render

    report = evasion(_load(policy_dir), seeds).to_dict()
    click.echo(json.dumps(report) if as_json else _safe(render(report)))


if __name__ == "__main__":  # `python -m engine.cli ...` runs the same commands as `civility ...`
    main()
