"""`civility diff` through the real CLI: an edit flips known comments, between directories and against git."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main

VALID = Path(__file__).parent / "policies" / "valid"

COMMENTS = [
    ("a", "you moron"),  # 'moron' leaves the insults: flag -> approve
    ("b", "you muppet"),  # 'muppet' joins them: approve -> flag
    ("c", "you idiot, see http://a.example and http://b.example"),  # links now outweigh the insult
    ("d", "hello there"),
    ("e", "you idiot"),
]


def edit(policy: Path) -> None:
    lists = policy / "lists" / "en.yaml"
    lists.write_text(lists.read_text().replace("insults: [idiot, moron,", "insults: [idiot, muppet,"))
    spam = policy / "spam.yaml"
    spam.write_text(spam.read_text().replace("score: 4", "score: 10", 1))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    src = tmp_path / "comments.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": text}) + "\n" for i, text in COMMENTS))
    return src


def decided(policy: Path) -> dict[str, tuple[str, list[str]]]:
    """Each comment's decision and top category, one `check --json` at a time."""
    out = {}
    for cid, text in COMMENTS:
        d = json.loads(CliRunner().invoke(main, ["check", "--policy", str(policy), "--json", text]).output)
        share: dict[str, float] = {}
        for h in d["hits"]:
            share[h["category"]] = share.get(h["category"], 0) + h["score"]
        top = "ok" if d["decision"] == "approve" else max(share, key=lambda c: share[c])
        out[cid] = (d["decision"], top)
    return out


def check_diff(output: str, old: Path, new: Path) -> None:
    got = json.loads(output)
    before, after = decided(old), decided(new)
    changed = [cid for cid, _ in COMMENTS if before[cid] != after[cid]]
    assert changed == ["a", "b", "c"]  # the edit was made to flip exactly these
    assert [c["id"] for c in got["changes"]] == changed
    moves: dict[str, int] = {}
    for cid in changed:
        if before[cid][0] != after[cid][0]:
            key = f"{before[cid][0]}->{after[cid][0]}"
            moves[key] = moves.get(key, 0) + 1
    assert got["counts"] == {
        "n": len(COMMENTS),
        "changed": 3,
        "decisions": moves,
        "category_changes": sum(1 for cid in changed if before[cid][0] == after[cid][0]),
    }
    assert moves == {"approve->flag": 1, "flag->approve": 1}
    a, b, c = got["changes"]
    assert a["old"]["rules"] == ["name_calling.insult_at_person"] and a["new"]["rules"] == []
    assert b["new"]["hits"][0]["match"] == "muppet"
    assert (c["old"]["label"], c["new"]["label"]) == ("name_calling", "spam")
    assert "spam.many_links" in c["new"]["rules"]


def test_diff_between_directories(tmp_path: Path, corpus: Path) -> None:
    new = tmp_path / "new"
    shutil.copytree(VALID, new)
    edit(new)
    r = CliRunner().invoke(main, ["diff", "--old", str(VALID), "--new", str(new), "--json", str(corpus)])
    assert r.exit_code == 0, r.output
    check_diff(r.stdout, VALID, new)
    text = CliRunner().invoke(main, ["diff", "--old", str(VALID), "--new", str(new), str(corpus)]).stdout
    assert "    old: flag (name_calling, score 5): name_calling.insult_at_person \u201cmoron\u201d" in text
    assert text.strip().endswith("5 comments, 3 changed: 1 approve->flag, 1 flag->approve, 1 category changes")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_diff_against_a_git_revision(tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(VALID, repo / "policies")

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "policy")
    edit(repo / "policies")
    git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qam", "edit")
    monkeypatch.chdir(repo)
    r = CliRunner().invoke(main, ["diff", "--old", "HEAD~1:policies", "--new", "HEAD:policies", "--json", str(corpus)])
    assert r.exit_code == 0, r.output
    old = tmp_path / "old"
    shutil.copytree(VALID, old)
    check_diff(r.stdout, old, repo / "policies")
    # the working directory against the last commit: nothing changed
    r = CliRunner().invoke(main, ["diff", "--old", "HEAD:policies", "--policy", "policies", "--json", str(corpus)])
    assert json.loads(r.stdout)["counts"]["changed"] == 0
    bad = CliRunner().invoke(main, ["diff", "--old", "HEAD~9:policies", str(corpus)])
    assert bad.exit_code == 2 and "git cannot give 'HEAD~9:policies'" in bad.output
    two = CliRunner().invoke(
        main, ["diff", "--old", "HEAD:policies", "--new", "policies", "--policy", "policies", str(corpus)]
    )
    assert two.exit_code == 2
