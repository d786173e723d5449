"""A policy directory parsed once into frozen, compiled objects (CONTRACT.md section 3)."""

from __future__ import annotations

import dataclasses
import hashlib
import threading
import typing as t
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

# the matcher kinds beyond matchers.py's own register themselves when imported
from . import _regex_safety, combinators, feature_matchers, matchers, textmodel  # noqa: F401
from ._regex_prefilter import Literals
from ._yaml import Node, Reader, load_file
from .errors import DuplicateRuleError, ErrorCollector, Location, PolicyError, PolicySchemaError
from .index import RuleIndex
from .language import FUNCTION_WORDS, Detector
from .model import Author, Comment
from .normalize_masks import MaskReader
from .terms import TermSet, Vocabulary, _paths, term_words

DISCLOSURES = ("guideline", "rule", "full")
DEFAULT_MAX_CHARS = 200_000
_POLICY_KEYS = (
    "version",
    "thresholds",
    "categories",
    "disclose",
    "max_chars",
    "guidelines",
    "description",
    "not_shown",
)
_RULE_KEYS = (
    "id",
    "description",
    "category",
    "guideline",
    "score",
    "mode",
    "message",
    "match",
    "unless",
    "in_quotes",
    "language",
)


@dataclass(frozen=True, slots=True)
class Guideline:
    id: str
    text: str
    #: left to moderators' judgment: no rule is expected, so lint does not ask for one
    moderators_only: bool = False
    #: the text in other languages, by ISO 639-1 code (`texts: {es: ..., de: ...}`)
    texts: t.Mapping[str, str] = field(default_factory=dict)

    def text_in(self, language: str | None) -> str:
        """The guideline in the commenter's language where the policy has it, else `text`."""
        return self.texts.get(language or "", self.text)


@dataclass(frozen=True, slots=True)
class Thresholds:
    flag: float
    reject: float | None = None


#: how far `before`/`after` exceptions reach: within the hit's sentence, or within its clause
SCOPES = ("sentence", "clause")


@dataclass(frozen=True, slots=True)
class ContextException:
    """`unless: before/after/inside`: drops a hit with `matcher` within `within` words before or after it,
    or among its own words."""

    matcher: matchers.Matcher
    within: int
    side: str
    clause: bool = False  # `scope: clause`: the reach stops at a comma, colon or dash too, not only a sentence end


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    description: str
    category: str
    guideline: str
    score: float
    shadow: bool
    message: str
    match: matchers.Matcher
    unless: tuple[matchers.Matcher, ...]
    unless_near: tuple[ContextException, ...]
    in_quotes: bool
    language: str | None
    location: Location
    #: the model whose probability a hit reports (the first `model:` matcher of `match`), if any
    model: str | None = None


@dataclass(frozen=True, slots=True)
class Case:
    comment: Comment
    expect: tuple[str, ...]
    location: Location


@dataclass(frozen=True, slots=True)
class Policy:
    version: str
    thresholds: Thresholds
    categories: tuple[str, ...]
    disclose: str
    max_chars: int
    guidelines: t.Mapping[str, Guideline]
    rules: tuple[Rule, ...]
    cases: tuple[Case, ...]
    source_dir: Path
    #: lists no rule refers to, with where they are defined (a lint warning: an edit there changes nothing)
    unused_lists: tuple[tuple[str, Location], ...] = ()
    #: the languages of the list files (`language:`), sorted; with two or more, each comment's is detected
    languages: tuple[str, ...] = ()
    detector: Detector | None = None
    models: t.Mapping[str, textmodel.TextModel] = dataclasses.field(default_factory=dict)
    #: words a hit's span does not start with (`not_shown` lists): it shows the insult, not "you're a"
    not_shown: frozenset[str] = frozenset()
    #: look up each comment's words once and run only the rules they may trigger (False: every rule, to
    #: check the index against)
    indexed: bool = True
    index: RuleIndex | None = dataclasses.field(default=None, init=False, compare=False, repr=False)
    #: the required literals of its regexes in one automaton (its rules' regexes hold it too)
    literals: Literals | None = dataclasses.field(default=None, compare=False, repr=False)
    #: reads a masked word ("s*ould*r") as the words of the policy it fits
    masks: MaskReader | None = dataclasses.field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        # built from `rules` here, so a copy with other rules (dataclasses.replace) gets its own
        object.__setattr__(self, "index", RuleIndex(self.rules) if self.indexed else None)


def bundled_policy_dir() -> Path:
    """The default policy: inside the installed package, or at the top of a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "policies", here.parent / "policies"):
        if (candidate / "policy.yaml").is_file():
            return candidate
    raise PolicyError("the bundled policy is missing from this installation", Location(here / "policies"))


#: The last policies compiled, by directory, regex refusal and the digest of every file: a Policy is
#: frozen, so loading unchanged files again (a reload that finds no edit, a second app or worker thread, a
#: CLI command that loads twice) returns the same object instead of compiling it again (seconds).
_loaded: OrderedDict[tuple[Path, bool, str], Policy] = OrderedDict()
_loaded_lock = threading.Lock()
_LOADED_MAX = 2


def load_policy(directory: str | Path | None = None, *, refuse_unsafe_regex: bool = True) -> Policy:
    """Load, validate and compile a policy directory (None: the bundled default policy).

    ``refuse_unsafe_regex=False`` is for tests and experts only: it skips the load-time refusal of regexes
    that can backtrack catastrophically, so that the run-time time budget can be shown to stop them.

    :raises PolicyError: every problem found, one per line as FILE:LINE:COL: rule 'ID': field 'PATH': message.
    """
    root = Path(directory) if directory is not None else bundled_policy_dir()
    key = _loaded_key(root, refuse_unsafe_regex)
    if key is not None:
        with _loaded_lock:
            if key in _loaded:
                _loaded.move_to_end(key)
                return _loaded[key]
    token = _regex_safety.refusing.set(refuse_unsafe_regex)
    try:
        policy = _load_policy(root)
    finally:
        _regex_safety.refusing.reset(token)
    # kept only if no file changed while it compiled: its version's hash was taken after the compile
    if key is not None and policy.version.endswith("-" + key[2][:8]):
        with _loaded_lock:
            _loaded[key] = policy
            while len(_loaded) > _LOADED_MAX:
                _loaded.popitem(last=False)
    return policy


def forget_loaded() -> None:
    """Drop the memo of compiled policies, regexes and models: the next load compiles (for measuring it)."""
    with _loaded_lock:
        _loaded.clear()
    matchers.forget_compiled()
    textmodel.forget_parsed()


def _loaded_key(root: Path, refuse_unsafe_regex: bool) -> tuple[Path, bool, str] | None:
    if not (root / "policy.yaml").is_file():
        return None  # _load_policy says what is wrong
    try:
        return (root.resolve(), refuse_unsafe_regex, policy_digest(root))
    except OSError:
        return None


def _load_policy(root: Path) -> Policy:
    errors = ErrorCollector()
    if not (root / "policy.yaml").is_file():
        raise PolicySchemaError("no policy.yaml in this directory", Location(root / "policy.yaml"))
    header = _load(root / "policy.yaml", errors)
    settings = _parse_header(header, root / "policy.yaml", errors) if header else None
    vocabulary, detector = _parse_lists(root, errors)
    models = textmodel.load_models(root, errors)
    not_shown = _not_shown(settings["not_shown"] if settings else [], vocabulary, errors)
    rules: list[Rule] = []
    cases: list[Case] = []
    unreadable: set[str] = set()  # rule files that did not load: their cases cannot be checked
    for path in sorted(root.glob("*.yaml")):
        if path.name == "policy.yaml" or path.name.endswith(".cases.yaml"):
            continue
        node = _load(path, errors)
        if node is not None and settings is not None:
            rules.extend(_parse_rule_file(node, path, settings, vocabulary, (models, not_shown), errors))
        else:
            unreadable.add(path.stem)
    _check_duplicates(rules, errors)
    textmodel.group_models(models, [(r.language, r.model) for r in rules if r.model])
    # a rule with an error is reported once, at the rule, not again at every case that names it
    known = {r.id for r in rules} | {e.rule_id for e in errors.errors if e.rule_id}
    for path in sorted(root.glob("*.cases.yaml")):
        node = _load(path, errors)
        if node is not None:
            cases.extend(_parse_cases(node, path, known, unreadable, errors))
    errors.raise_if_any()
    assert settings is not None
    # the language model loads now (once per process), not within the first comment's time budget; so
    # does the automaton of the regexes' literals
    detector.warm()
    vocabulary.literals.build()
    masks = MaskReader(*_mask_vocabulary(vocabulary, models))
    return Policy(
        version=f"{settings['version']}-{policy_hash(root)}",
        thresholds=settings["thresholds"],
        categories=settings["categories"],
        disclose=settings["disclose"],
        max_chars=settings["max_chars"],
        guidelines=settings["guidelines"],
        rules=tuple(rules),
        cases=tuple(cases),
        source_dir=root,
        unused_lists=tuple((name, loc) for name, loc in vocabulary.where.items() if name not in vocabulary.used),
        languages=detector.languages,
        detector=detector,
        models={name: m for name, m in models.items() if m is not None},
        not_shown=not_shown,
        literals=vocabulary.literals,
        masks=masks,
    )


def _mask_vocabulary(
    vocabulary: Vocabulary, models: t.Mapping[str, textmodel.TextModel | None]
) -> tuple[dict[str, int], frozenset[str], frozenset[str]]:
    """What masked words are read against (`MaskReader`): each word of the lists, of the regexes' literals,
    of the models and the languages' function words, with how many of them hold it; the function words; the
    lists' single words."""
    common: dict[str, int] = {}

    def add(words: t.Iterable[str]) -> None:
        for w in set(words):
            if len(w) >= 2 and w.isalpha():
                common[w] = common.get(w, 0) + 1

    singles: set[str] = set()
    phrase_words: set[str] = set()
    for termset in vocabulary.lists.values():
        singles.update(termset.singles)
        phrase_words.update(w for phrase in _paths(termset.phrases) for w in phrase)
    add(singles | phrase_words)
    add(w for lit in vocabulary.literals.words() for w in lit.split())
    for model in models.values():
        if model is not None:
            add(k for k in model.weights if " " not in k)
    function = frozenset(w for words in FUNCTION_WORDS.values() for w in words if w.isalpha())
    add(function)
    return common, function, frozenset(singles)


def _not_shown(names: list[Node], vocabulary: Vocabulary, errors: ErrorCollector) -> frozenset[str]:
    """Every word of the lists `not_shown` names (a phrase gives each of its words)."""
    words: set[str] = set()
    for node in names:
        terms = vocabulary.lists.get(node.value)
        if terms is None:
            from ._yaml import did_you_mean

            hint = did_you_mean(node.value, vocabulary.lists)
            errors.add(PolicySchemaError(f"no list named '{node.value}'{hint}", node.loc, field="not_shown"))
            continue
        vocabulary.used.add(node.value)
        words |= terms.singles
        stack = [terms.phrases]
        while stack:
            trie = stack.pop()
            for word, below in trie.items():
                if isinstance(below, dict):
                    words.add(word)
                    stack.append(below)
    return frozenset(words)


def policy_hash(root: Path) -> str:
    """First 8 hex digits of `policy_digest`: the hash part of the policy's version."""
    return policy_digest(root)[:8]


def policy_files(root: Path) -> list[Path]:
    """The files a policy directory holds, sorted by path: hidden ones and ``__pycache__`` left out (what
    the digest covers, and what the service watches for an edit)."""
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not any(part.startswith(".") or part == "__pycache__" for part in p.relative_to(root).parts)
    )


def policy_digest(root: Path) -> str:
    """SHA-256 over every file, sorted by path: path, NUL, length, NUL, bytes. Any edit, rename or
    deletion changes it, so the service also uses it to notice an edit.

    :raises OSError: when a file cannot be read.
    """
    digest = hashlib.sha256()
    for path in policy_files(root):
        data = path.read_bytes()
        name = path.relative_to(root).as_posix().encode("utf-8", "surrogateescape")
        digest.update(name + b"\0" + str(len(data)).encode() + b"\0" + data)
    return digest.hexdigest()


def _load(path: Path, errors: ErrorCollector) -> Node | None:
    try:
        node = load_file(path)
    except PolicyError as e:
        errors.add(e)
        return None
    if node is not None and not node.is_map:
        errors.add(PolicySchemaError("the file must hold a mapping", node.loc))
        return None
    return node


def _parse_header(node: Node, path: Path, errors: ErrorCollector) -> dict[str, t.Any] | None:
    r = Reader(node, _POLICY_KEYS, "", None, errors)
    version = r.get("version", (str, int, float), required=True)
    categories = r.get("categories", (list,), required=True) or []
    names = tuple(str(c.value) for c in categories)
    th = r.node_of("thresholds")
    thresholds = Thresholds(flag=3.0)
    if th is None:
        r.fail("missing required field 'thresholds'", node)
    else:
        tr = Reader(th, ("flag", "reject"), "thresholds", None, errors)
        flag = tr.get("flag", (float,), 3.0, required=True)
        reject = tr.get("reject", (float,))
        if reject is not None and reject < flag:
            tr.fail("must not be below 'flag'", th.value["reject"], "reject")
        thresholds = Thresholds(float(flag), None if reject is None else float(reject))
    disclose = r.get("disclose", (str,), "guideline")
    if disclose not in DISCLOSURES:
        r.fail(f"must be one of {', '.join(DISCLOSURES)}", node.value["disclose"], "disclose")
    max_chars = r.get("max_chars", (int,), DEFAULT_MAX_CHARS)
    guidelines: dict[str, Guideline] = {}
    for i, g in enumerate(r.get("guidelines", (list,), required=True) or []):
        gr = Reader(g, ("id", "text", "moderators_only", "texts"), f"guidelines[{i}]", None, errors)
        gid, text = gr.get("id", (str,), required=True), gr.get("text", (str,), required=True)
        moderators_only = gr.get("moderators_only", (bool,), False)
        texts: dict[str, str] = {}
        texts_node = gr.node_of("texts")
        if texts_node is not None and not texts_node.is_map:
            gr.fail("must map language codes to the guideline's text in that language", texts_node, "texts")
        elif texts_node is not None:
            for lang, value in texts_node.value.items():
                if isinstance(value.value, str) and value.value.strip():
                    texts[str(lang)] = " ".join(value.value.split())
                else:
                    gr.fail("must be the guideline's text in that language", value, f"texts.{lang}")
        if gid and text:
            guidelines[gid] = Guideline(gid, text.strip(), bool(moderators_only), texts)
    not_shown = r.node_of("not_shown")
    if not_shown is not None and not (not_shown.is_list and all(isinstance(n.value, str) for n in not_shown.value)):
        r.fail("must be a list of list names", not_shown, "not_shown")
        not_shown = None
    if version is None:
        return None
    return {
        "not_shown": not_shown.value if not_shown is not None else [],
        "version": str(version),
        "thresholds": thresholds,
        "categories": names,
        "disclose": disclose,
        "max_chars": max_chars,
        "guidelines": guidelines,
    }


def _parse_lists(root: Path, errors: ErrorCollector) -> tuple[Vocabulary, Detector]:
    """Every language pack's lists, the real words that no list term's doubled spelling stands for, and the
    packs' languages with their words and everyday words, for detection."""
    languages: set[str] = set()
    #: the words of each language's lists, casefolded as written: evidence for detection
    words_of: dict[str, set[str]] = {}
    lists: dict[str, TermSet] = {}
    seen: dict[str, Location] = {}
    bodies: list[tuple[str | None, Node]] = []
    real: set[str] = set()
    #: each language's everyday words that other packs' lists hold ("Abo", "Kraut"): its evidence alone
    everyday: dict[str, set[str]] = {}
    for path in sorted((root / "lists").glob("*.yaml")):
        node = _load(path, errors)
        if node is None:
            continue
        r = Reader(node, ("language", "lists", "real_words", "everyday_words", "description"), "", None, errors)
        lang = r.get("language", (str,))
        if lang:
            languages.add(lang)
        body = r.node_of("lists")
        if body is None or not body.is_map:
            r.fail("needs 'lists:', a mapping of list names to words", node)
            continue
        words = r.node_of("real_words")
        if words is not None:
            real.update(
                w
                for term in matchers._string_list(words, "real_words", matchers.Build(lists, None, errors))
                for w in term_words(term)
            )
        words = r.node_of("everyday_words")
        if words is not None:
            if not lang:
                r.fail("'everyday_words' needs the file's 'language:'", words)
            else:
                # casefolded as written, as detection reads a comment's words
                everyday.setdefault(lang, set()).update(
                    term.strip().casefold()
                    for term in matchers._string_list(words, "everyday_words", matchers.Build(lists, None, errors))
                )
        bodies.append((lang, body))
    real_words = frozenset(real)
    for lang, body in bodies:
        for name, items in body.value.items():
            if name in seen:
                errors.add(
                    PolicySchemaError(
                        f"list '{name}' is also defined at {seen[name]}", items.loc, field=f"lists.{name}"
                    )
                )
                continue
            seen[name] = items.loc
            build = matchers.Build(lists, None, errors)
            terms = matchers._string_list(items, f"lists.{name}", build)
            lists[name] = TermSet(terms, real_words)
            if lang:
                # single words only: a phrase's words are often another language's ("like por like")
                words_of.setdefault(lang, set()).update(t.casefold() for t in terms if " " not in t.strip())
    return Vocabulary(lists, real_words, seen), Detector(languages, words_of, everyday)


def _parse_rule_file(
    node: Node,
    path: Path,
    settings: dict[str, t.Any],
    vocabulary: Vocabulary,
    models: tuple[t.Mapping[str, textmodel.TextModel | None], frozenset[str]],
    errors: ErrorCollector,
) -> list[Rule]:
    r = Reader(node, ("rules", "description", "language"), "", None, errors)
    items = r.get("rules", (list,), required=True) or []
    # a file's `language` is the default of its rules: a language pack's rule file says it once
    language = r.get("language", (str,))
    return [
        rule
        for i, item in enumerate(items)
        if (rule := _parse_rule(item, path, i, settings, vocabulary, models, errors, language))
    ]


def _parse_rule(
    node: Node,
    path: Path,
    i: int,
    settings: dict[str, t.Any],
    vocabulary: Vocabulary,
    models: tuple[t.Mapping[str, textmodel.TextModel | None], frozenset[str]],
    errors: ErrorCollector,
    language: str | None = None,
) -> Rule | None:
    raw_id = node.value.get("id").value if node.is_map and node.value.get("id") else None
    rule_id = f"{path.stem}.{raw_id}" if isinstance(raw_id, str) else f"{path.stem}[{i}]"
    before = len(errors.errors)
    r = Reader(node, _RULE_KEYS, "", rule_id, errors)
    rid = r.get("id", (str,), required=True)
    category = r.get("category", (str,), required=True)
    if category and category not in settings["categories"]:
        r.fail(
            f"unknown category '{category}' (one of: {', '.join(settings['categories'])})",
            node.value["category"],
            "category",
        )
    guideline = r.get("guideline", (str,), required=True)
    if guideline and guideline not in settings["guidelines"]:
        r.fail(f"no guideline with id '{guideline}' in policy.yaml", node.value["guideline"], "guideline")
    score = r.get("score", (float,), required=True)
    mode = r.get("mode", (str,), "enforce")
    if mode not in ("enforce", "shadow"):
        r.fail("must be 'enforce' or 'shadow'", node.value["mode"], "mode")
    message = r.get("message", (str,), required=True)
    by_name, not_shown = models
    build = matchers.Build(
        vocabulary.lists,
        rule_id,
        errors,
        vocabulary.real_words,
        vocabulary.used,
        by_name,
        not_shown=not_shown,
        literals=vocabulary.literals,
        merged=vocabulary.merged,
    )
    match_node = r.node_of("match")
    match = matchers.build(match_node, "match", build) if match_node else None
    model = build.rule_models[0] if build.rule_models else None
    if match_node is None:
        r.fail("missing required field 'match'", node)
    unless, unless_near = _parse_unless(r.node_of("unless"), build)
    if len(errors.errors) > before or rid is None or match is None:
        return None
    return Rule(
        id=rule_id,
        description=r.get("description", (str,), ""),
        category=category,
        guideline=guideline,
        score=float(score),
        shadow=mode == "shadow",
        message=" ".join(message.split()),
        match=match,
        unless=unless,
        unless_near=unless_near,
        in_quotes=bool(r.get("in_quotes", (bool,), False)),
        language=r.get("language", (str,)) or language,
        location=node.loc,
        model=model,
    )


def _parse_unless(
    node: Node | None, b: matchers.Build
) -> tuple[tuple[matchers.Matcher, ...], tuple[ContextException, ...]]:
    if node is None:
        return (), ()
    if not node.is_list:
        b.fail("must be a list of exceptions", node, "unless", PolicySchemaError)
        return (), ()
    anywhere, near = [], []
    for i, item in enumerate(node.value):
        field = f"unless[{i}]"
        side = next((k for k in ("before", "after", "inside") if item.is_map and k in item.value), None)
        if side is None:
            m = matchers.build(item, field, b)
            if m:
                anywhere.append(m)
            continue
        if side == "inside" and "within" in item.value:
            b.fail(
                "'inside' looks among the hit's own words and takes no 'within'",
                item.value["within"],
                f"{field}.within",
                PolicySchemaError,
            )
            continue
        r = Reader(item, (side,) if side == "inside" else (side, "within", "scope"), field, b.rule_id, b.errors)
        within = r.get("within", (int,), 3) if side != "inside" else 0
        scope = r.get("scope", (str,), "sentence") if side != "inside" else "sentence"
        if scope not in SCOPES:
            r.fail(f"must be one of {', '.join(repr(s) for s in SCOPES)}", item.value["scope"], "scope")
            continue
        m = matchers.build(item.value[side], f"{field}.{side}", b)
        if m:
            near.append(ContextException(m, within, side, scope == "clause"))
    return tuple(anywhere), tuple(near)


def _check_duplicates(rules: list[Rule], errors: ErrorCollector) -> None:
    first: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in first:
            errors.add(
                DuplicateRuleError(
                    f"duplicate rule id, first defined at {first[rule.id].location}", rule.location, rule.id, "id"
                )
            )
        else:
            first[rule.id] = rule


def _parse_cases(node: Node, path: Path, known: set[str], unreadable: set[str], errors: ErrorCollector) -> list[Case]:
    r = Reader(node, ("cases", "description"), "", None, errors)
    stem = path.name[: -len(".cases.yaml")]
    out = []
    for i, item in enumerate(r.get("cases", (list,), required=True) or []):
        cr = Reader(item, ("text", "expect", "format", "parent", "author", "note"), f"cases[{i}]", None, errors)
        text = cr.get("text", (str,), required=True)
        expect_node = cr.node_of("expect")
        if expect_node is None or not expect_node.is_list:
            cr.fail("needs 'expect:', a list of rule ids ([] for must not fire)", item)
            continue
        expect = []
        for e in expect_node.value:
            rid = str(e.value) if "." in str(e.value) else f"{stem}.{e.value}"
            if rid not in known and rid.split(".", 1)[0] not in unreadable:
                errors.add(PolicySchemaError(f"no rule '{rid}'", e.loc, field=f"cases[{i}].expect"))
            expect.append(rid)
        if text is None:
            continue
        comment = Comment(
            text=text,
            id=f"{path.name}:{item.loc.line}",
            format=cr.get("format", (str,), "text"),
            author=_case_author(cr.node_of("author")),
            parent_text=_case_parent(cr.node_of("parent")),
        )
        out.append(Case(comment, tuple(expect), item.loc))
    return out


def _case_author(node: Node | None) -> Author | None:
    if node is None or not node.is_map:
        return None
    return Comment.from_dict({"text": "", "author": node.plain()}).author


def _case_parent(node: Node | None) -> str | None:
    if node is None:
        return None
    value = node.plain()
    return value.get("text") if isinstance(value, dict) else str(value)
