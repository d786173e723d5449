"""The civility command through click's runner: output, exit codes, bad input lines."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main

VALID = Path(__file__).parent / "policies" / "valid"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(main, list(args), input=stdin, catch_exceptions=False)


def test_check_json_is_the_decision(runner: CliRunner) -> None:
    r = run(runner, "check", "--policy", str(VALID), "--json", "Listen, you idiot.")
    assert r.exit_code == 0
    d = json.loads(r.output)
    assert d["id"] == "line-1" and d["decision"] == "flag"
    assert d["hits"][0]["span"] == [12, 17] and d["hits"][0]["match"] == "idiot"


def test_check_for_people_names_rule_guideline_and_span(runner: CliRunner) -> None:
    r = run(runner, "check", "--policy", str(VALID), "Listen, you idiot.")
    assert "FLAG" in r.output
    assert (
        "    \u201cidiot\u201d [12, 17)  +5: name_calling.insult_at_person +5\n        guideline: no-name-calling\n"
        in r.output
    )
    assert "message: Please criticize the idea, not the person." in r.output


def test_dry_run_jsonl_keeps_order_ids_and_reports_bad_lines(runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"text": "you idiot"}\n{oops\n{"id": "b", "text": "Fair point."}\n{"id": "c", "text": 5}\n[1]\n')
    r = runner.invoke(main, ["dry-run", "--policy", str(VALID), "--json", str(src)])
    assert r.exit_code == 1
    out = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(d["id"], d["decision"]) for d in out] == [("line-1", "flag"), ("b", "approve")]
    assert f"{src}: line 2: invalid JSON" in r.stderr
    assert f"{src}: line 4: field 'text'" in r.stderr
    assert f"{src}: line 5: a comment must be a JSON object" in r.stderr


def test_dry_run_in_worker_processes_keeps_order_output_and_exit_code(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An input of many batches decided by two forked workers gives what one process gives, line for
    line, bad lines reported in their place."""
    monkeypatch.setattr("engine.cli.BATCH", 4)
    texts = ["you idiot", "Fair point.", "u moron", "Thanks for the link.", "you moron", "ok"]
    lines = [json.dumps({"id": f"c{i}", "text": texts[i % len(texts)]}) for i in range(41)]
    lines.insert(9, "{oops")
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(lines) + "\n")
    one = runner.invoke(main, ["dry-run", "--policy", str(VALID), "--json", "--jobs", "1", str(src)])
    two = runner.invoke(main, ["dry-run", "--policy", str(VALID), "--json", "--jobs", "2", str(src)])
    assert one.exit_code == two.exit_code == 1
    assert two.stdout == one.stdout and two.stderr == one.stderr
    assert one.stderr.startswith(f"{src}: line 10: invalid JSON") and one.stderr.count("\n") == 1
    out = [json.loads(line) for line in two.stdout.splitlines()]
    assert [d["id"] for d in out] == [f"c{i}" for i in range(41)]
    assert [d["decision"] for d in out[:6]] == ["flag", "approve", "flag", "approve", "flag", "approve"]
    text = runner.invoke(main, ["dry-run", "--policy", str(VALID), "--jobs", "2", str(src)])
    assert text.stdout == runner.invoke(main, ["dry-run", "--policy", str(VALID), "--jobs", "1", str(src)]).stdout


def test_dry_run_csv_and_stdin(runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text('id,text\nk1,"you moron, honestly"\nk2,Thanks for the link.\n')
    r = run(runner, "dry-run", "--policy", str(VALID), "--json", str(src))
    assert [(d["id"], d["decision"]) for d in map(json.loads, r.output.splitlines())] == [
        ("k1", "flag"),
        ("k2", "approve"),
    ]
    r = run(runner, "dry-run", "--policy", str(VALID), "--json", "-", stdin='{"id": "s", "text": "u idiot"}\n')
    assert json.loads(r.output)["id"] == "s"


def test_dry_run_keep_fields(runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "a", "text": "hi", "label": "ok"}\n')
    r = run(runner, "dry-run", "--policy", str(VALID), "--json", "--keep-fields", str(src))
    assert json.loads(r.output)["label"] == "ok"


def test_lint_ok_and_broken(runner: CliRunner, tmp_path: Path) -> None:
    r = run(runner, "lint", str(VALID))
    assert r.exit_code == 0 and "5 rules, 3 cases" in r.output
    broken = tmp_path / "p"
    import shutil

    shutil.copytree(VALID, broken)
    (broken / "spam.yaml").write_text((broken / "spam.yaml").read_text().replace("score: 4", "scroe: 4"))
    r = runner.invoke(main, ["lint", str(broken)])
    assert r.exit_code == 1
    assert (
        f"{broken}/spam.yaml:5:5: rule 'spam.many_links': field 'scroe': unknown field 'scroe'; did you mean 'score'?"
        in r.stdout
    )
    assert f"{broken}/spam.yaml:2:5: rule 'spam.many_links': missing required field 'score'" in r.stdout
    r = runner.invoke(main, ["dry-run", "--policy", str(broken), "-"], input="")
    assert r.exit_code == 1 and "Traceback" not in r.output


def test_test_names_each_failing_case(runner: CliRunner, tmp_path: Path) -> None:
    r = run(runner, "test", str(VALID))
    assert r.exit_code == 0 and r.output.strip().endswith("3 passed, 0 failed")
    import shutil

    broken = tmp_path / "p"
    shutil.copytree(VALID, broken)
    cases = broken / "name_calling.cases.yaml"
    cases.write_text(
        cases.read_text()
        + '  - text: "what a clown"\n    expect: []\n  - text: "You absolute moron"\n    expect: [insult_at_person]\n  - text: "you muppet"\n    expect: [insult_at_person]\n'
    )
    r = runner.invoke(main, ["test", str(broken)])
    assert r.exit_code == 1
    assert f"{cases}:8:5: expected no rule to fire, got name_calling.watch_clown (approve)" in r.output
    assert f"{cases}:12:5: expected name_calling.insult_at_person to fire, got nothing" in r.output
    assert r.output.strip().endswith("4 passed, 2 failed")


def test_usage_error_exits_2(runner: CliRunner) -> None:
    assert runner.invoke(main, ["dry-run", "--no-such-option"]).exit_code == 2


def test_hostile_text_never_breaks_output(runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "s", "text": "\\ud800 lone surrogate, you idiot"}\n{"id": "z", "text": "\\u200b\\u200b"}\n')
    r = run(runner, "dry-run", "--policy", str(VALID), "--json", str(src))
    out = [json.loads(line) for line in r.output.splitlines()]
    assert [(d["id"], d["decision"]) for d in out] == [("s", "flag"), ("z", "approve")]
    assert out[0]["hits"][0]["match"] == "idiot"
    r = run(runner, "dry-run", "--policy", str(VALID), str(src))
    assert r.exit_code == 0 and "? lone surrogate" in r.output


def test_a_byte_order_mark_is_not_part_of_the_first_line(runner: CliRunner, tmp_path: Path) -> None:
    # spreadsheet exports often start with a BOM
    src = tmp_path / "in.csv"
    src.write_bytes("\ufeffid,text\nb1,you idiot\n".encode())
    r = run(runner, "dry-run", "--policy", str(VALID), "--json", str(src))
    assert [json.loads(line)["id"] for line in r.output.splitlines()] == ["b1"]
    src = tmp_path / "in.jsonl"
    src.write_bytes('\ufeff{"id": "j1", "text": "hello"}\n'.encode())
    r = run(runner, "dry-run", "--policy", str(VALID), "--json", str(src))
    assert r.exit_code == 0 and json.loads(r.output)["id"] == "j1"


def test_two_policies_named_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    import shutil

    other = tmp_path / "other"
    shutil.copytree(VALID, other)
    for command in ("lint", "test"):
        r = runner.invoke(main, [command, str(VALID), "--policy", str(other)])
        assert r.exit_code == 2, command
        assert "two policies named" in r.output
        # the same directory named twice is one policy
        assert runner.invoke(main, [command, str(VALID), "--policy", str(VALID)]).exit_code == 0


def test_a_missing_input_file_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    r = runner.invoke(main, ["dry-run", "--policy", str(VALID), str(tmp_path / "nope.jsonl")])
    assert r.exit_code == 2 and "does not exist" in r.output


def test_unknown_matcher_key_is_reported_at_the_key(runner: CliRunner, tmp_path: Path) -> None:
    import shutil

    broken = tmp_path / "p"
    shutil.copytree(VALID, broken)
    rules = broken / "spam.yaml"
    text = rules.read_text()
    lines = text.splitlines()
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("match:"))
    indent = len(lines[at]) - len(lines[at].lstrip())
    lines[at] = " " * indent + "match: {wordz: [x]}"
    rules.write_text("\n".join(lines) + "\n")
    r = runner.invoke(main, ["lint", str(broken)])
    col = indent + len("match: {") + 1
    assert r.exit_code == 1
    assert f"spam.yaml:{at + 1}:{col}: " in r.output and "unknown matcher 'wordz'" in r.output


def test_every_option_has_help_text() -> None:
    import click

    ctx = click.Context(main)
    for name in main.list_commands(ctx):
        command = main.get_command(ctx, name)
        assert command is not None and command.help, name
        groups = [command]
        if isinstance(command, click.Group):
            groups += [command.get_command(ctx, n) for n in command.list_commands(ctx)]
        for cmd in groups:
            for p in cmd.params:
                if isinstance(p, click.Option):
                    assert p.help, f"{name} {cmd.name} {p.opts}"


def test_the_readme_says_which_commands_take_policy_and_json() -> None:
    import re

    import click

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    said = re.search(r"Every command that reads a policy \(([^)]*)\)", readme)
    assert said is not None
    with_policy = set(re.findall(r"`([a-z-]+)`", said.group(1)))
    ctx = click.Context(main)
    commands = {n: main.get_command(ctx, n) for n in main.list_commands(ctx)}
    opts = {n: {o for p in c.params for o in getattr(p, "opts", [])} for n, c in commands.items()}
    assert with_policy == {n for n, o in opts.items() if "--policy" in o}
    assert {n for n, o in opts.items() if "--json" not in o} == {"serve", "feedback"}


def test_python_dash_m_runs_the_same_commands_as_the_console_script() -> None:
    # from a checkout (a helper's worktree, say) `python -m engine.cli` is how the checkout's own code runs
    done = subprocess.run([sys.executable, "-m", "engine.cli", "check", "--json", "you absolute moron"],
                          capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parent.parent)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["decision"] == "flag"
