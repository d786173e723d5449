"""Located YAML: every node knows its line and column; duplicate keys and empty values are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

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
