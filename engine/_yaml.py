"""YAML loading that keeps every node's location and rejects duplicate keys and nulls."""

from __future__ import annotations

import re
import typing as t
from dataclasses import dataclass
from pathlib import Path

import yaml

from .errors import Location, PolicySchemaError, PolicySyntaxError


@dataclass(frozen=True, slots=True)
class Node:
    """A YAML value with its location: `value` is a dict[str, Node], a list[Node] or a scalar."""

    value: t.Any
    loc: Location
    source: str | None = None  # a scalar as written: word lists read `no` and `420` as words, not values
    #: for a mapping, where each key is written: an unknown key is reported there, not at its value
    key_locs: t.Mapping[str, Location] | None = None

    def plain(self) -> t.Any:
        """The value without locations: dicts, lists and scalars, as yaml.safe_load would give."""
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        return self.value

    def key_loc(self, key: str) -> Location:
        return self.key_locs[key] if self.key_locs and key in self.key_locs else self.loc

    @property
    def is_map(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_list(self) -> bool:
        return isinstance(self.value, list)


def _loc(path: Path, node: yaml.Node) -> Location:
    return Location(path, node.start_mark.line + 1, node.start_mark.column + 1)


_STR = "tag:yaml.org,2002:str"


def _convert(node: yaml.Node, path: Path, field: str, constructor: yaml.constructor.SafeConstructor) -> Node:
    loc = _loc(path, node)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Node] = {}
        key_locs: dict[str, Location] = {}
        for key_node, value_node in node.value:
            key = constructor.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                raise PolicySchemaError(f"keys must be text, not {key!r}", _loc(path, key_node), field=field)
            sub = f"{field}.{key}" if field else key
            if key in out:
                raise PolicySchemaError(f"duplicate key '{key}'", _loc(path, key_node), field=sub)
            key_locs[key] = _loc(path, key_node)
            out[key] = _convert(value_node, path, sub, constructor)
        return Node(out, loc, key_locs=key_locs)
    if isinstance(node, yaml.SequenceNode):
        return Node([_convert(v, path, f"{field}[{i}]", constructor) for i, v in enumerate(node.value)], loc)
    # text, as the resolver tagged it (a word list's 50,000 terms): what the constructor would return
    value = (
        node.value
        if node.tag == _STR and isinstance(node.value, str)
        else constructor.construct_object(node, deep=True)
    )
    if value is None:
        raise PolicySchemaError("empty value (write a value or remove the key)", loc, field=field or None)
    return Node(value, loc, node.value if isinstance(node.value, str) else None)


#: libyaml's parser, when PyYAML has it: a list of 50,000 terms parses in a tenth of the time
_FAST = getattr(yaml, "CSafeLoader", None)
#: what libyaml reads otherwise than PyYAML: tabs, '?' as an indicator (a key, or in a flow collection: a '?'
#: standing alone between spaces, line ends or flow marks; inside a word or a regex it is text to both) and a
#: comment after '|' or '>' (libyaml takes some that PyYAML refuses), line breaks other than CR and LF and
#: byte order marks (it places them elsewhere); a text with one of them is parsed by PyYAML alone (found by
#: comparing both on 60,000 random texts of YAML pieces; the narrower '?' on 95,000 more, and every policy
#: file: most hold a '?' in a regex or a question, and PyYAML's pure-Python parser was 1 s of a policy load)
_NOT_FAST = re.compile(r"[\t\x85\u2028\u2029\ufeff]|[|>][-+0-9]*#")
_QUESTION = re.compile(r"(?:^|[\s\[\]{},:])\?(?=[\s\[\]{},]|$)", re.M)
#: a key's value quoted on one line (`regex: '\b\w{0,4}? you'`, `- {text: "why ? no"}`): a '?' inside is text
#: to both parsers, so the '?' check skips it (a '?' after a repeat in a regex, "{0,4}? ", is in most
#: rule files: PyYAML parsed them all, 0.4 s of a policy load)
_QUOTED_VALUE = re.compile(
    r"""((?:^[ ]*(?:-[ ]+)*|[{,][ ]*)[\w.-]+:[ ]+)(?:'(?:[^'\n]|'')*'|"(?:[^"\\\n]|\\.)*")(?=[ ]*(?:[,}\n#]|$))""",
    re.M,
)


def _fast_reads_it(text: str) -> bool:
    """Whether libyaml reads `text` as PyYAML does (`_NOT_FAST`, `_QUESTION` outside quoted values)."""
    return _FAST is not None and not _NOT_FAST.search(text) and not _QUESTION.search(_QUOTED_VALUE.sub(r"\1''", text))


def load_file(path: Path) -> Node | None:
    """Parse one YAML file into located nodes; None for an empty file.

    :raises PolicySyntaxError: for invalid YAML, with the line and column YAML reports.
    :raises PolicySchemaError: for duplicate keys or null values.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise PolicySyntaxError(f"not UTF-8 text: {e.reason}", Location(path)) from e
    if _fast_reads_it(text):
        try:
            root = yaml.compose(text, Loader=_FAST)
            return None if root is None else _convert(root, path, "", yaml.constructor.SafeConstructor())
        except (yaml.YAMLError, PolicySchemaError):
            pass  # reported below as PyYAML reports it (libyaml places some problems elsewhere)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        loc = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        raise PolicySyntaxError(f"invalid YAML: {e.problem or e.context}", loc) from e
    except yaml.YAMLError as e:
        raise PolicySyntaxError(f"invalid YAML: {e}", Location(path)) from e
    if root is None:
        return None
    # a constructor per file: it remembers every node it built, which must not outlive the load
    return _convert(root, path, "", yaml.constructor.SafeConstructor())


_KIND_NAMES = {
    str: "text",
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    list: "a list",
    dict: "a mapping",
}


class Reader:
    """Reads the fields of one mapping node, reporting unknown keys with a close match."""

    def __init__(self, node: Node, allowed: t.Iterable[str], field: str, rule_id: str | None, errors: t.Any) -> None:
        self.node = node
        self.field = field
        self.rule_id = rule_id
        self.errors = errors
        allowed = tuple(allowed)
        if not node.is_map:
            self.fail("must be a mapping", node)
            self.values: dict[str, Node] = {}
            return
        self.values = node.value
        for key in node.value:
            if key not in allowed:
                self.fail(f"unknown field '{key}'{did_you_mean(key, allowed)}", node, key, at_key=True)

    def sub(self, key: str) -> str:
        return f"{self.field}.{key}" if self.field else key

    def fail(self, message: str, node: Node, key: str | None = None, at_key: bool = False) -> None:
        field = self.sub(key) if key else (self.field or None)
        loc = node.key_loc(key) if at_key and key else node.loc
        self.errors.add(PolicySchemaError(message, loc, self.rule_id, field))

    def get(self, key: str, kinds: tuple[type, ...], default: t.Any = None, required: bool = False) -> t.Any:
        node = self.values.get(key)
        if node is None:
            if required:
                self.fail(f"missing required field '{key}'", self.node)
            return default
        value = node.value
        ok = isinstance(value, kinds) and not (isinstance(value, bool) and bool not in kinds)
        if not ok and float in kinds and isinstance(value, int) and not isinstance(value, bool):
            ok = True
        if not ok:
            names = " or ".join(_KIND_NAMES.get(k, k.__name__) for k in kinds)
            self.fail(f"must be {names}", node, key)
            return default
        return value

    def node_of(self, key: str) -> Node | None:
        return self.values.get(key)


def did_you_mean(word: str, choices: t.Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""
