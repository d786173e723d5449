"""Located YAML: every node knows its line and column; duplicate keys and empty values are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

import engine
from engine import _yaml
from engine._yaml import load_file
from engine.errors import PolicySchemaError, PolicySyntaxError


def test_nodes_carry_locations_and_source_text(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("lists:\n  negations: [not, no, never]\n  n: [420]\n")
    root = load_file(path)
    negations = root.value["lists"].value["negations"]
    assert (negations.loc.line, negations.loc.col) == (2, 14)
    assert [n.value for n in negations.value] == ["not", False, "never"]  # YAML's reading
    assert [n.source for n in negations.value] == ["not", "no", "never"]  # what the moderator wrote
    assert root.value["lists"].value["n"].value[0].source == "420"


def test_duplicate_key(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("a: 1\nb:\n  c: 1\n  c: 2\n")
    with pytest.raises(PolicySchemaError) as info:
        load_file(path)
    assert str(info.value) == f"{path}:4:3: field 'b.c': duplicate key 'c'"


def test_syntax_error_points_at_the_problem(tmp_path: Path) -> None:
    path = tmp_path / "a.yaml"
    path.write_text("a: [1, 2\nb: 3\n")
    with pytest.raises(PolicySyntaxError, match=rf"^{path}:2:2: invalid YAML: "):
        load_file(path)


def test_not_utf8_and_empty_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"a: \xff\n")
    with pytest.raises(PolicySyntaxError, match="not UTF-8 text"):
        load_file(bad)
    empty = tmp_path / "empty.yaml"
    empty.write_text("# nothing yet\n")
    assert load_file(empty) is None


def test_loading_keeps_no_yaml_nodes_alive(tmp_path: Path) -> None:
    # a service reloads its policy on every edit: the YAML nodes of a load must not pile up
    import gc

    import yaml

    path = tmp_path / "a.yaml"
    path.write_text("words: [" + ", ".join(f"w{i}" for i in range(2000)) + "]\n")
    load_file(path)
    gc.collect()
    before = sum(isinstance(o, yaml.Node) for o in gc.get_objects())
    for _ in range(3):
        load_file(path)
    gc.collect()
    assert sum(isinstance(o, yaml.Node) for o in gc.get_objects()) == before


@pytest.mark.parametrize(
    "text",
    [
        "? a\n: b\n",
        "{? a}\n",
        "[? a]\n",
        "k: [a, ?]\n",
        "k:\tv\n",
        "k: '\tv'\n",  # a tab even where quoted
        # a '?' outside a quoted value, beside one
        "k: 'a' ? b\n",
        "k: {a: 'b', ? c}\n",
        "k: ['a ? b', ?]\n",
        "k: a, b 'c ? d'\n",  # quotes inside a plain value are no quoted value
        "k: 'a\n  ? b'\n",  # a quoted value over two lines is not skipped
    ],
)
def test_what_libyaml_reads_otherwise_goes_to_pyyaml(text: str) -> None:
    assert not _yaml._fast_reads_it(text)


@pytest.mark.parametrize(
    "text",
    [
        "k: '(?:a|b)?'\n",
        "q: are you insane?\n",
        "q: why? no\n",
        "k: a?b\n",
        # a '?' standing alone inside a quoted value: a regex's lazy repeat, a question in a case
        "- {regex: '\\b(?: \\w+){0,4}? (?:is|are)', x: 1}\n",
        "  - text: \"Calme-toi, pourquoi tant de haine ? J'ai\"  # fr\n",
        "k: 'it''s {1,2}? here'\n",
    ],
)
def test_a_question_mark_inside_text_takes_the_fast_parser(text: str) -> None:
    assert _yaml._fast_reads_it(text)


def _tree(node):
    if node is None:
        return None
    loc = (node.loc.line, node.loc.col)
    if node.is_map:
        return loc, [(k, node.key_loc(k).line, node.key_loc(k).col, _tree(v)) for k, v in node.value.items()]
    if node.is_list:
        return loc, [_tree(v) for v in node.value]
    return loc, repr(node.value), node.source


def test_every_bundled_policy_file_reads_the_same_with_libyaml_and_pyyaml(monkeypatch) -> None:
    files = sorted(Path(engine.__file__).resolve().parent.parent.joinpath("policies").rglob("*.yaml"))
    assert len(files) > 20
    fast = [_tree(load_file(f)) for f in files]
    monkeypatch.setattr(_yaml, "_FAST", None)
    assert [_tree(load_file(f)) for f in files] == fast
