"""Training a policy model (`civility learn`): labeled comments -> a `models/NAME.json` data file.

Needs the `learn` extra (scikit-learn); serving a model needs nothing but the engine. The model reads the
same features the engine scores (`textmodel.features` over a `Scan`), so what was learned is what runs.

Steps, all deterministic for a given input and seed: features of every comment; a vocabulary of the
features seen in at least `min_count` comments; logistic regression (liblinear; L2, or L1 with
`penalty: l1`), rows weighted (moderators' feedback counts `feedback_weight` times); weights pruned below
`prune` and rounded to 4 significant digits; then a calibration table fitted by isotonic regression on
out-of-fold scores (folds grouped by thread or video where the data says so), so that `above: 0.9` means a
probability of 0.9 on the training distribution.
"""

from __future__ import annotations

import hashlib
import typing as t
from dataclasses import dataclass, field
from pathlib import Path

import regex

from .model import Comment
from .scan import Scan
from .textmodel import FORMAT, MAX_CHARS, MAX_NGRAM, char_grams, features, interpolate

OK = "ok"


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: str
    #: rows of one group (a thread, a video) always fall in the same fold
    group: str
    weight: float = 1.0
    format: str = "text"


@dataclass(frozen=True, slots=True)
class Settings:
    ngrams: int = 2
    #: runs of characters inside each word, (shortest, longest), marks of the word's edges included; None:
    #: words only. A run counts once per distinct word form holding it
    chars: tuple[int, int] | None = None
    #: what one run of characters counts for against one word feature in the regularization (below 1: the
    #: many runs of a word weigh less, together, than the word); the file holds the weights as they run
    char_scale: float = 1.0
    min_count: int = 2
    c: float = 1.0
    #: the regularization: `l2` keeps every feature with a small weight; `l1` sets most to zero (a model of
    #: a few thousand features instead of tens of thousands: smaller files, tables and probes)
    penalty: str = "l2"
    folds: int = 5
    seed: int = 0
    prune: float = 0.02
    max_knots: int = 40
    #: the share of ok rows (out of fold) a rule may flag on the model alone: `sure` for a rule firing on
    #: the model by itself, `likely` for a lower band that needs more (a "you" nearby, a link); the model
    #: file records the lowest probability on THRESHOLD_GRID within each (`training.thresholds`)
    sure_ok_flagged: float = 0.005
    likely_ok_flagged: float = 0.02
    #: words that must not move the score (identity terms: "gay", "muslim"): every feature holding one
    #: is left out, so that the model cannot learn the bias of its data against the people they name
    neutral: tuple[str, ...] = ()


@dataclass
class Report:
    """Cross-validated figures of a training: per threshold, precision and recall of the category and the
    share of ok flagged; and the calibration table (predicted probability band vs. observed rate)."""

    category: str
    n_pos: int
    n_neg: int
    thresholds: list[tuple[float, float | None, float, float]] = field(default_factory=list)
    calibration: list[tuple[float, float, int, float, float]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{self.category}: {self.n_pos} positive, {self.n_neg} ok (cross-validated, out-of-fold)"]
        out.append(f"  {'above':>6} {'precision':>10} {'recall':>7} {'ok flagged':>11}")
        for th, prec, rec, fpr in self.thresholds:
            p = "-" if prec is None else f"{prec:.3f}"
            out.append(f"  {th:>6.2f} {p:>10} {rec:>7.3f} {fpr:>11.3f}")
        out.append("  calibration: predicted band -> observed share positive")
        for lo, hi, n, predicted, observed in self.calibration:
            out.append(f"  [{lo:.1f}, {hi:.1f})  n={n:>6}  predicted {predicted:.3f}  observed {observed:.3f}")
        return out


# ---- reading ----------------------------------------------------------------------------------------

_ESCAPE = regex.compile(r"\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|[nrt\\'\"])")
_SIMPLE = {"n": "\n", "r": "\n", "t": "\t", "\\": "\\", "'": "'", '"': '"'}


def unescape_kaggle(text: str) -> str:
    """A text published as Kaggle's insult set does: wrapped in double quotes, with Python-style escapes
    (`\\n`, `\\xa0`, `\\u2019`, sometimes escaped twice; `\\xc2\\xa0` being UTF-8 bytes)."""
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        text = text[1:-1]
    for _ in range(2):  # some rows are escaped twice
        if "\\" not in text:
            break
        text = _ESCAPE.sub(lambda m: _unescape_one(m.group(1)), text)
    try:  # escaped UTF-8 bytes read as Latin-1: "Ã©" back to "é"
        text = text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        pass
    return text


def _unescape_one(code: str) -> str:
    if code[0] in "xu":
        return chr(int(code[1:], 16))
    return _SIMPLE[code]


def _dig(row: dict[str, t.Any], path: str) -> t.Any:
    value: t.Any = row
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def read_examples(
    path: Path,
    *,
    label_map: t.Mapping[str, str] | None = None,
    weight: float = 1.0,
    group: str | None = None,
    fmt: str | None = None,
    decode: str | None = None,
) -> tuple[list[Example], list[str]]:
    """Labeled comments of a JSONL or CSV file (`text`, `label`), and the problems of its bad lines.

    :param label_map: label -> label (e.g. `profanity` -> `ok`; `*` -> `ok` reads every other label as ok).
    :param group: a field (dotted for nested JSON, e.g. `orig.link_id`) whose rows share a fold.
    :param decode: `kaggle` to unwrap and unescape texts published that way.
    """
    from .corpus import open_input, read_comments

    examples: list[Example] = []
    problems: list[str] = []
    with open_input(path) as stream:
        for line_no, row, error in read_comments(stream, path, need=("label",)):
            if error is not None:
                problems.append(f"{path}: line {line_no}: {error}")
                continue
            text = row["text"]
            if decode == "kaggle":
                text = unescape_kaggle(text)
            label = str(row["label"])
            if label_map:
                label = label_map.get(label, label_map.get("*", label))
            key = _dig(row, group) if group else None
            examples.append(
                Example(
                    text=text,
                    label=label,
                    group=f"{path.name}:{key if key is not None else line_no}",
                    weight=weight,
                    format=fmt or row.get("format") or "text",
                )
            )
    return examples, problems


def assign_folds(groups: t.Iterable[str], folds: int, seed: int = 0) -> dict[str, int]:
    """Each group's fold, balancing rows (`groups` holds one name per row): the largest group first, each
    into the fold holding the fewest rows so far (the lowest-numbered on a tie), groups of one size in the
    order of a hash of their name. So 3 videos fall in 3 different folds, single rows are dealt out in
    turn, and the same rows fall in the same fold on every run and machine."""
    import heapq
    from collections import Counter

    def key(group: str) -> bytes:
        return hashlib.sha256(f"{seed}:{group}".encode("utf-8", "surrogateescape")).digest()

    sizes = Counter(groups)
    order = sorted(sizes, key=lambda g: (-sizes[g], key(g)))
    lightest = [(0, k) for k in range(folds)]  # (rows so far, fold): a heap, smallest first
    out: dict[str, int] = {}
    for g in order:
        rows, k = lightest[0]
        out[g] = k
        heapq.heapreplace(lightest, (rows + sizes[g], k))
    return out


# ---- training -----------------------------------------------------------------------------------------


def comment_features(ex: Example, ngrams: int) -> set[str]:
    return features(Scan(Comment(text=ex.text, format=ex.format), None), ngrams)


def train(
    examples: t.Sequence[Example],
    category: str,
    name: str,
    settings: Settings = Settings(),
    *,
    description: str = "",
    provenance: t.Mapping[str, t.Any] | None = None,
    featurized: t.Sequence[set[str]] | None = None,
) -> tuple[dict[str, t.Any], Report]:
    """A model file's content (for `textmodel.dump_model`) and its cross-validated report.

    Rows labelled `category` are positive, `ok` negative, any other label is left out.
    :param featurized: the examples' features when already computed (a bench trains many folds).
    """
    import numpy as np

    if not 1 <= settings.ngrams <= MAX_NGRAM:
        raise ValueError(f"ngrams must be 1 to {MAX_NGRAM}")
    if settings.chars is not None and not 2 <= settings.chars[0] <= settings.chars[1] <= MAX_CHARS:
        raise ValueError(f"chars must be [shortest, longest] with 2 <= shortest <= longest <= {MAX_CHARS}")
    keep = [i for i, ex in enumerate(examples) if ex.label in (category, OK)]
    rows = [examples[i] for i in keep]
    if featurized is not None:
        feats = [featurized[i] for i in keep]
    else:
        feats = [comment_features(ex, settings.ngrams) for ex in rows]
    y = np.array([ex.label == category for ex in rows], dtype=np.int8)
    w = np.array([ex.weight for ex in rows], dtype=np.float64)
    if y.sum() == 0 or y.sum() == len(y):
        n_pos = int(y.sum())
        raise ValueError(f"need comments labelled both '{category}' and '{OK}' (got {n_pos} and {len(y) - n_pos})")
    fold_by_group = assign_folds((ex.group for ex in rows), settings.folds, settings.seed)
    folds = np.array([fold_by_group[ex.group] for ex in rows])

    neutral = frozenset(w.casefold() for w in settings.neutral)
    vocab = _vocabulary(feats, settings.min_count, neutral)
    matrix = _matrix(feats, vocab)
    char_vocab: dict[str, int] = {}
    if settings.chars is not None:
        grams = _char_features(feats, settings.chars, neutral)
        char_vocab = _vocabulary(grams, settings.min_count)
        from scipy.sparse import hstack

        matrix = hstack([matrix, _matrix(grams, char_vocab, counts=True) * settings.char_scale], format="csr")
    scores = np.zeros(len(rows))
    for k in range(settings.folds):
        train_rows, test_rows = folds != k, folds == k
        if not test_rows.any() or len(set(y[train_rows])) < 2:
            continue
        bias, coef = _fit(matrix[train_rows], y[train_rows], w[train_rows], settings)
        scores[test_rows] = matrix[test_rows] @ coef + bias
    knots = _calibration(scores, y, w, settings.max_knots)
    thresholds = choose_thresholds(scores, y, knots, settings)
    bias, coef = _fit(matrix, y, w, settings)
    weights = {f: float(coef[j]) for f, j in vocab.items() if coef[j] != 0.0}
    first = len(vocab)
    char_weights = {
        g: _round(float(coef[first + j]) * settings.char_scale) for g, j in char_vocab.items() if coef[first + j] != 0.0
    }
    report = _report(category, scores, y, w, knots)
    data = {
        "format": FORMAT,
        "name": name,
        "category": category,
        "description": description,
        "features": {"ngrams": settings.ngrams, **({"chars": list(settings.chars)} if settings.chars else {})},
        "bias": float(bias),
        "weights": weights,
        **({"char_weights": char_weights} if settings.chars else {}),
        "calibration": [[x, p] for x, p in knots],
        "training": {
            **(provenance or {}),
            "settings": {
                "ngrams": settings.ngrams,
                **({"chars": list(settings.chars), "char_scale": settings.char_scale} if settings.chars else {}),
                "min_count": settings.min_count,
                "C": settings.c,
                "folds": settings.folds,
                "seed": settings.seed,
                "prune": settings.prune,
                "sure_ok_flagged": settings.sure_ok_flagged,
                "likely_ok_flagged": settings.likely_ok_flagged,
                "neutral": sorted(settings.neutral),
                "solver": f"liblinear {settings.penalty.upper()} logistic regression",
            },
            "rows": {"positive": int(y.sum()), "ok": int(len(y) - y.sum())},
            "thresholds": thresholds,
            "cross_validated": [
                {
                    "above": th,
                    "precision": None if p is None else round(p, 4),
                    "recall": round(r, 4),
                    "ok_flagged": round(f, 4),
                }
                for th, p, r, f in report.thresholds
            ],
        },
    }
    return data, report


def _vocabulary(feats: t.Sequence[t.Collection[str]], min_count: int, neutral: frozenset[str] = frozenset()) -> dict[str, int]:
    """Features seen in at least `min_count` comments and holding no neutral word, in sorted order (so
    column numbers, and with them the solver's path, do not depend on the order of the input)."""
    counts: dict[str, int] = {}
    for fs in feats:
        for f in fs:
            counts[f] = counts.get(f, 0) + 1
    kept = sorted(
        f
        for f, n in counts.items()
        if n >= min_count and "" not in (words := f.split(" ")) and not neutral.intersection(words)
    )
    return {f: j for j, f in enumerate(kept)}


def _char_features(
    feats: t.Sequence[set[str]], chars: tuple[int, int], neutral: frozenset[str] = frozenset()
) -> list[dict[str, int]]:
    """Per comment, each run of characters with the number of its distinct word forms holding it (as
    `textmodel.ModelGroup` adds them up: each word once, with its runs). A run found inside a neutral word
    is left out everywhere, so that a neutral word weighs nothing by its parts either."""
    memo: dict[str, set[str]] = {}
    banned: set[str] = set()
    for word in neutral:
        banned |= char_grams(word, *chars)
    out = []
    for fs in feats:
        counts: dict[str, int] = {}
        for f in fs:
            if " " in f:
                continue
            grams = memo.get(f)
            if grams is None:
                grams = memo[f] = char_grams(f, *chars) - banned
            for g in grams:
                counts[g] = counts.get(g, 0) + 1
        out.append(counts)
    return out


def _matrix(feats: t.Sequence[t.Collection[str]], vocab: t.Mapping[str, int], counts: bool = False) -> t.Any:
    """Rows of features: present (1), or with `counts`, each feature's count (`feats` of dicts)."""
    import numpy as np
    from scipy.sparse import csr_matrix

    indptr, indices, values = [0], [], []
    for fs in feats:
        cols = sorted((vocab[f], f) for f in fs if f in vocab)
        indices.extend(j for j, _ in cols)
        if counts:
            values.extend(t.cast(t.Mapping[str, int], fs)[f] for _, f in cols)
        indptr.append(len(indices))
    data = np.array(values, dtype=np.float64) if counts else np.ones(len(indices), dtype=np.float64)
    return csr_matrix((data, np.array(indices, dtype=np.int64), np.array(indptr)), shape=(len(feats), len(vocab)))


def _round(x: float) -> float:
    return float(f"{x:.4g}")


def _fit(matrix: t.Any, y: t.Any, w: t.Any, settings: Settings) -> tuple[float, t.Any]:
    """Bias and weights, pruned and rounded as they will be stored (so the calibration fits what runs)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    if settings.penalty == "l1":  # the primal problem; scikit-learn 1.8 names L1 by l1_ratio
        import sklearn

        major, minor = (int(v) for v in sklearn.__version__.split(".")[:2])
        kind: dict[str, t.Any] = {"l1_ratio": 1.0} if (major, minor) >= (1, 8) else {"penalty": "l1"}
    else:
        kind = {"dual": True}
    clf = LogisticRegression(C=settings.c, solver="liblinear", random_state=settings.seed, max_iter=1000, **kind)
    clf.fit(matrix, y, sample_weight=w)
    coef = clf.coef_[0].copy()
    coef[np.abs(coef) < settings.prune] = 0.0
    coef = np.array([_round(c) if c else 0.0 for c in coef])
    return _round(float(clf.intercept_[0])), coef


def _calibration(scores: t.Any, y: t.Any, w: t.Any, max_knots: int) -> list[tuple[float, float]]:
    """Isotonic regression of the label on the out-of-fold score, as at most `max_knots` [score, probability]
    pairs with scores strictly increasing and probabilities never decreasing.

    Each constant block of the isotonic fit becomes one knot at its rows' weighted mean score (centered
    isotonic regression, Oron and Flournoy 2017), and while there are too many, the two neighbouring blocks
    of least weight together are pooled into one (their weighted means). Read linearly between knots, the
    table rises across the scores where the label's rate changes instead of jumping at one block's edge;
    picking some of the fit's block edges, as before, made a comment near a jump move by 0.2 or more when
    a retrain barely moved its score (its raw score equal to 3 decimals) but moved which edges were picked.
    """
    import numpy as np
    from sklearn.isotonic import IsotonicRegression

    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0)
    fitted = iso.fit_transform(scores, y, sample_weight=w)
    order = np.lexsort((y, scores))  # stable for equal scores
    blocks: list[list[float]] = []  # [weight, weighted score sum, probability]
    for i in order:
        p, wi, x = float(fitted[i]), float(w[i]), float(scores[i])
        if blocks and abs(blocks[-1][2] - p) < 1e-12:
            blocks[-1][0] += wi
            blocks[-1][1] += wi * x
        else:
            blocks.append([wi, wi * x, p])
    while len(blocks) > max(max_knots, 2):
        j = min(range(len(blocks) - 1), key=lambda k: (blocks[k][0] + blocks[k + 1][0], k))
        a, b = blocks[j], blocks[j + 1]
        weight = a[0] + b[0]
        blocks[j : j + 2] = [[weight, a[1] + b[1], (a[0] * a[2] + b[0] * b[2]) / weight]]
    knots: list[tuple[float, float]] = []
    for weight, total, p in blocks:
        x, p = round(total / weight, 4), round(p, 4)
        if knots and x <= knots[-1][0]:
            continue
        if knots and p < knots[-1][1]:
            p = knots[-1][1]
        knots.append((x, p))
    if len(knots) < 2:
        knots = [(knots[0][0] - 1.0, knots[0][1]), knots[0]] if knots else [(-1.0, 0.0), (1.0, 1.0)]
    return knots


THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)
#: the probabilities a rule's `above:` is chosen among
THRESHOLD_GRID = tuple(round(0.05 * i, 2) for i in range(6, 20))  # 0.30 .. 0.95


def choose_thresholds(scores: t.Any, y: t.Any, knots: list[tuple[float, float]], settings: Settings) -> dict[str, float]:
    """`sure` and `likely`: the lowest probabilities on THRESHOLD_GRID at which the model alone flags at most
    `sure_ok_flagged` / `likely_ok_flagged` of the ok rows, scored out of fold (so chosen on the training
    data only, never on what a cross-validation then scores); `likely` stays below `sure`."""
    xs, ps = [x for x, _ in knots], [p for _, p in knots]
    neg = sorted((interpolate(xs, ps, float(z)) for z, label in zip(scores, y) if not label), reverse=True)

    def lowest(budget: float) -> float:
        allowed = int(budget * len(neg))  # at most this many ok rows at or above the threshold
        for th in THRESHOLD_GRID:
            if allowed >= len(neg) or neg[allowed] < th:  # the (allowed+1)-th highest ok row stays below
                return th
        return THRESHOLD_GRID[-1]

    sure = lowest(settings.sure_ok_flagged)
    likely = min(lowest(settings.likely_ok_flagged), round(sure - 0.05, 2))
    return {"sure": sure, "likely": likely}



def _report(category: str, scores: t.Any, y: t.Any, w: t.Any, knots: list[tuple[float, float]]) -> Report:
    xs, ps = [x for x, _ in knots], [p for _, p in knots]
    probs = [interpolate(xs, ps, float(z)) for z in scores]
    pos = [p for p, label in zip(probs, y) if label]
    neg = [p for p, label in zip(probs, y) if not label]
    report = Report(category, len(pos), len(neg))
    for th in THRESHOLDS:
        tp = sum(p >= th for p in pos)
        fp = sum(p >= th for p in neg)
        prec = tp / (tp + fp) if tp + fp else None
        report.thresholds.append((th, prec, tp / len(pos), fp / len(neg)))
    for b in range(10):
        lo, hi = b / 10, (b + 1) / 10
        inside = [(p, label) for p, label in zip(probs, y) if lo <= p < hi or (b == 9 and p == 1.0)]
        if inside:
            n = len(inside)
            report.calibration.append(
                (lo, hi, n, sum(p for p, _ in inside) / n, sum(int(label) for _, label in inside) / n)
            )
    return report


# ---- what to train: command-line sources or a recipe file ---------------------------------------------


@dataclass(frozen=True, slots=True)
class Source:
    """One labeled file and how to read it."""

    path: Path
    license: str = "unknown"
    label_map: t.Mapping[str, str] = field(default_factory=dict)
    group: str | None = None
    format: str | None = None
    decode: str | None = None
    weight: float = 1.0
    feedback: bool = False


@dataclass(frozen=True, slots=True)
class Plan:
    """One model to train."""

    name: str
    category: str
    sources: tuple[Source, ...]
    settings: Settings = Settings()
    description: str = ""
    label_map: t.Mapping[str, str] = field(default_factory=dict)


_SETTING_KEYS = {
    "ngrams": int,
    "chars": tuple,
    "char_scale": float,
    "min_count": int,
    "C": float,
    "penalty": str,
    "folds": int,
    "seed": int,
    "prune": float,
    "sure_ok_flagged": float,
    "likely_ok_flagged": float,
    "neutral": tuple,
}


def read_recipe(path: Path, data_dir: Path) -> list[Plan]:
    """The models a recipe file (YAML) describes; file paths are relative to `data_dir`, or to the recipe's
    own directory for a set with `dir: recipe` (comments written for the project, kept beside the recipe).

    :raises ValueError: naming the model and field that is wrong.
    """
    import yaml

    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(doc, dict) or not isinstance(doc.get("models"), list):
        raise ValueError(f"{path}: needs 'models:', a list of models to train")
    plans = []
    for i, m in enumerate(doc["models"]):
        where = f"{path}: models[{i}]"
        if not isinstance(m, dict) or not isinstance(m.get("name"), str) or not isinstance(m.get("category"), str):
            raise ValueError(f"{where}: needs 'name' and 'category'")
        raw = m.get("settings") or {}
        unknown = set(raw) - set(_SETTING_KEYS)
        if unknown:
            raise ValueError(f"{where}: unknown setting '{sorted(unknown)[0]}' (one of: {', '.join(_SETTING_KEYS)})")
        try:
            values = {("c" if k == "C" else k): kind(v) for k, v in raw.items() for kind in (_SETTING_KEYS[k],)}
        except (TypeError, ValueError) as e:
            raise ValueError(f"{where}: a setting has a value of the wrong kind ({e})") from e
        if values.get("penalty", "l2") not in ("l1", "l2"):
            raise ValueError(f"{where}: setting 'penalty' must be l1 or l2")
        if "neutral" in values:
            values["neutral"] = tuple(str(w) for w in values["neutral"])
        if "chars" in values:
            c = values["chars"]
            if len(c) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in c):
                raise ValueError(f"{where}: setting 'chars' must be [shortest, longest], e.g. [3, 5]")
            values["chars"] = (c[0], c[1])
        sources = []
        for j, s in enumerate(m.get("sets") or []):
            if not isinstance(s, dict) or not isinstance(s.get("file"), str):
                raise ValueError(f"{where}.sets[{j}]: needs 'file'")
            if s.get("dir", "data") not in ("data", "recipe"):
                raise ValueError(f"{where}.sets[{j}]: 'dir' must be data (--data-dir, the default) or recipe")
            sources.append(
                Source(
                    path=(path.parent if s.get("dir") == "recipe" else data_dir) / s["file"],
                    license=str(s.get("license", "unknown")),
                    label_map={str(k): str(v) for k, v in (s.get("map") or {}).items()},
                    group=s.get("group"),
                    format=s.get("format"),
                    decode=s.get("decode"),
                    weight=float(s.get("weight", 1.0)),
                )
            )
        plans.append(
            Plan(
                name=m["name"],
                category=m["category"],
                sources=tuple(sources),
                settings=Settings(**values),
                description=str(m.get("description", "")),
                label_map={str(k): str(v) for k, v in (m.get("map") or {}).items()},
            )
        )
    return plans


def load_plan(plan: Plan, extra: t.Sequence[Source] = ()) -> tuple[list[Example], list[dict[str, t.Any]], list[str]]:
    """The plan's examples (its sets, then `extra` sources such as moderators' feedback), the provenance of
    each source for the model file, and the problems of bad input lines."""
    examples: list[Example] = []
    provenance: list[dict[str, t.Any]] = []
    problems: list[str] = []
    for src in (*plan.sources, *extra):
        rows, bad = read_examples(
            src.path,
            label_map={**plan.label_map, **src.label_map},
            weight=src.weight,
            group=src.group,
            fmt=src.format,
            decode=src.decode,
        )
        examples.extend(rows)
        problems.extend(bad)
        used = [ex for ex in rows if ex.label in (plan.category, OK)]
        provenance.append(
            {
                "file": src.path.name,
                "sha256": hashlib.sha256(src.path.read_bytes()).hexdigest(),
                "license": src.license,
                "rows": len(used),
                "positive": sum(ex.label == plan.category for ex in used),
                **({"feedback": True, "weight": src.weight} if src.feedback else {}),
            }
        )
    return examples, provenance, problems


def run(plan: Plan, extra: t.Sequence[Source] = (), command: str = "") -> tuple[dict[str, t.Any], Report, list[str]]:
    """Train one plan: the model file's content, its report, and the problems of bad input lines."""
    examples, provenance, problems = load_plan(plan, extra)
    data, report = train(
        examples,
        plan.category,
        plan.name,
        plan.settings,
        description=plan.description,
        provenance={"sets": provenance, "command": command},
    )
    return data, report, problems
