"""`civility eval` through the real CLI: its figures against ones computed here from the decisions."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import main

VALID = Path(__file__).parent / "policies" / "valid"

# (text, label in the file); the policy's own answers are read one by one with `check --json`
LABELED = [
    ("you idiot", "name_calling"),
    ("Listen, you moron.", "name_calling"),
    ("You are not an idiot", "ok"),
    ("Thanks for the link.", "ok"),
    ("what a clown", "ok"),
    ("check out my channel http://a.example http://b.example", "spam"),
    ("I will kill you", "threat"),
    ("That idea is idiotic", "name_calling"),
    ("you idiot, see http://a.example and http://b.example", "ok"),
    ("great post", "offensive"),
    ("u brainlessly wrong", "offensive"),
    ("Read the report before you post.", "ok"),
]


@pytest.fixture
def labeled(tmp_path: Path) -> Path:
    src = tmp_path / "labeled.jsonl"
    lines = [json.dumps({"id": f"c{i}", "text": text, "label": label}) for i, (text, label) in enumerate(LABELED)]
    src.write_text("\n".join(lines) + "\n")
    return src


def decisions() -> list[dict]:
    runner = CliRunner()
    out = []
    for text, _ in LABELED:
        r = runner.invoke(main, ["check", "--policy", str(VALID), "--json", text])
        assert r.exit_code == 0
        out.append(json.loads(r.output))
    return out


def single_label(d: dict, categories: list[str]) -> str:
    """CONTRACT.md section 1, written out again: ok if approved, else the category with most hit score."""
    if d["decision"] == "approve":
        return "ok"
    share: dict[str, float] = {}
    for h in d["hits"]:
        if h["score"] > 0:
            share[h["category"]] = share.get(h["category"], 0) + h["score"]
    if not share:
        return "error"
    return min(share, key=lambda c: (-share[c], categories.index(c)))


def expected(categories: list[str]) -> dict:
    ds = decisions()
    pairs = [(label, single_label(d, categories)) for (_, label), d in zip(LABELED, ds)]
    labels = {}
    for label in {lab for lab, _ in pairs}:
        mine = [(lab, d) for (_, lab), d in zip(LABELED, ds) if lab == label]
        labels[label] = {"n": len(mine), "caught": sum(d["decision"] != "approve" for _, d in mine) / len(mine)}
    cats = {}
    for c in categories:
        tp = sum(1 for lab, p in pairs if lab == c and p == c)
        pred = sum(1 for _, p in pairs if p == c)
        act = sum(1 for lab, _ in pairs if lab == c)
        prec = tp / pred if pred else None
        rec = tp / act if act else None
        f1 = None if prec is None or rec is None else (0.0 if prec + rec == 0 else 2 * prec * rec / (prec + rec))
        cats[c] = {"precision": prec, "recall": rec, "f1": f1}
    rules: dict[str, dict[str, int]] = {}
    for (_, label), d in zip(LABELED, ds):
        for h in d["hits"]:
            r = rules.setdefault(h["rule"], {"hits": 0, "true_positives": 0, "false_positives": 0, "false_flags": 0})
            r["hits"] += 1
            r["true_positives" if label != "ok" else "false_positives"] += 1
            r["false_flags"] += int(label == "ok" and d["decision"] != "approve")
    confusion: dict[str, dict[str, int]] = {}
    for lab, p in pairs:
        confusion.setdefault(lab, {}).setdefault(p, 0)
        confusion[lab][p] += 1
    return {"labels": labels, "categories": cats, "rules": rules, "confusion": confusion, "pairs": pairs}


def test_eval_json_figures_match_the_decisions(labeled: Path) -> None:
    r = CliRunner().invoke(main, ["eval", "--policy", str(VALID), "--json", str(labeled)])
    assert r.exit_code == 0, r.output
    got = json.loads(r.output)
    want = expected(["threat", "name_calling", "spam"])
    # the file is built to hold every kind of outcome: a hit, a miss, a false flag, a label no category has
    assert ("name_calling", "ok") in want["pairs"] and ("ok", "name_calling") in want["pairs"]
    assert ("threat", "threat") in want["pairs"] and ("spam", "spam") in want["pairs"]
    assert got["n"] == len(LABELED) and got["bad_lines"] == 0
    assert got["labels"] == want["labels"]
    assert got["confusion"] == want["confusion"]
    assert {c: {k: v[k] for k in ("precision", "recall", "f1")} for c, v in got["categories"].items()} == (
        want["categories"]
    )
    assert got["rules"] == want["rules"]
    assert sum(k for _, k in got["scores"]["ok"]) == want["labels"]["ok"]["n"]
    # the one false flag and the misses, with the rules and spans behind them
    ff, *_ = got["worst_false_flags"]  # the highest score first
    assert ff["text"].startswith("you idiot, see") and {h["match"] for h in ff["hits"]} >= {"idiot"}
    assert [m["text"] for m in got["worst_misses"]][:2] == ["That idea is idiotic", "great post"]


def test_eval_text_csv_and_bad_lines(tmp_path: Path) -> None:
    src = tmp_path / "labeled.csv"
    src.write_text('text,label\n"you idiot",name_calling\n"Thanks!",ok\n"no label here",\n')
    r = CliRunner().invoke(main, ["eval", "--policy", str(VALID), str(src)])
    assert r.exit_code == 1
    assert f"{src}: line 4: field 'label'" in r.stderr
    assert "name_calling           1      1.000   1.000  1.000" in r.stdout
    assert "2 comments" in r.stdout
    missing = CliRunner().invoke(main, ["eval", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 2


class _Tables(HTMLParser):
    """Cell texts of every table with an id, and the report's external references (there must be none)."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.current: str | None = None
        self.cell: list[str] | None = None
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for key in ("src", "href"):
            if a.get(key):
                self.external.append(str(a[key]))
        if tag == "table":
            self.current = a.get("id")
            self.tables[str(self.current)] = []
        elif tag == "tr" and self.current:
            self.tables[self.current].append([])
        elif tag in ("td", "th") and self.current:
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None and self.current:
            self.tables[self.current][-1].append("".join(self.cell).strip())
            self.cell = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def _share(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium package is not installed")
def test_html_report_in_a_headless_browser_shows_the_json_figures(labeled: Path, tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    r = CliRunner().invoke(main, ["eval", "--policy", str(VALID), "--html", str(html), "--json", str(labeled)])
    got = json.loads(r.output)
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run(
            [
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--no-first-run",
                f"--user-data-dir={profile}",
                "--dump-dom",
                html.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
    page = _Tables()
    page.feed(dom)
    assert page.external == []  # self-contained: nothing to fetch
    assert page.tables["labels"][1:] == [[k, str(v["n"]), _share(v["caught"])] for k, v in got["labels"].items()]
    assert page.tables["categories"][1:] == [
        [c, str(v["n"]), _share(v["precision"]), _share(v["recall"]), _share(v["f1"])]
        for c, v in got["categories"].items()
    ]
    assert page.tables["rules"][1:] == [
        [k, str(v["hits"]), str(v["true_positives"]), str(v["false_positives"]), str(v["false_flags"])]
        for k, v in got["rules"].items()
    ]
    head, *rows = page.tables["confusion"]
    for row in rows:
        assert {p: int(n) for p, n in zip(head[1:], row[1:]) if int(n)} == got["confusion"][row[0]]
    # the false flag's insult is highlighted in the page
    assert "<mark>idiot</mark>" in dom
    assert "<svg" in dom and "flag at 3" in dom
