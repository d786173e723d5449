"""Language detection on the labeled sets: accuracy and time per comment, per set, per detector.

    python bench/language.py [--policy DIR] [--data-dir DIR] [--n 3000] [--candidates]

For each set (the `lang` field of the non-English sets; the English sets are `en`) it prints, for the
engine's detector (`engine.language.Detector` over the policy's languages):
- the share of comments of 4 words or more scored as the set's language (mixed comments count when the
  set's language is among their packs) and the share of all comments;
- the share settled by the function-word test, without the model;
- mean CPU microseconds per comment: this thread's CPU time over the set, so that other work on a busy
  machine does not count; the least of 3 passes, each from the model's kept walks as the set found them
  (the first pass's cost, without another process's cache misses); the policy's objects frozen out of the
  garbage collector as the service freezes them (a full collection of them costs ~40 ms);
- mean and maximum wall-clock microseconds per comment (a slow one timed again, the least of 3).
With --candidates, the same accuracy and mean time for the other detectors that are installed
(py3langid, pycld2, lingua-language-detector), each restricted to the policy's languages where it can be.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import load_policy  # noqa: E402
from engine.language import MIN_WORDS, Detector, word_count  # noqa: E402

SETS = (
    ("dev-comments", "dev-comments.jsonl"),
    ("youtube-spam", "real/youtube-spam-dev.jsonl"),
    ("olid-train", "real/olid-train.jsonl"),
    ("cmv-adhominem", "real/habernal-adhominem.jsonl"),
    ("impermium", "real/impermium-insults-dev.jsonl"),
    ("gab", "real/gab-hate-corpus-dev.jsonl"),
    ("davidson", "real/davidson-offensive-dev.jsonl"),
    ("germeval2018", "real/germeval2018-de-dev.jsonl"),
    ("germeval2019", "real/germeval2019-de-dev.jsonl"),
    ("germeval2021", "real/germeval2021-de-dev.jsonl"),
    ("offendes", "real/offendes-es-dev.jsonl"),
    ("toldbr", "real/toldbr-pt-dev.jsonl"),
    ("hatebr", "real/hatebr-pt-dev.jsonl"),
    ("offcombr", "real/offcombr-pt-dev.jsonl"),
    ("cyberagressionado", "real/cyberagressionado-fr-dev.jsonl"),
    ("pejorativity", "real/pejorativity-it-dev.jsonl"),
    ("disaggreghateit", "real/disaggreghateit-it-dev.jsonl"),
)


def candidates(languages: tuple[str, ...]) -> dict:
    out = {}
    try:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        ident = LanguageIdentifier.from_model_file(MODEL_FILE)
        ident.set_languages(list(languages))
        out["py3langid"] = lambda text: ident.classify(text[:400])[0]
    except ImportError:
        pass
    try:
        import pycld2

        def cld(text: str) -> str:
            try:
                found = pycld2.detect(text[:400], bestEffort=True)[2]
            except pycld2.error:
                return "und"
            return next((code for _, code, _, _ in found if code in languages), "und")

        out["pycld2"] = cld
    except ImportError:
        pass
    try:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        langs = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in languages]
        lingua = LanguageDetectorBuilder.from_languages(*langs).build()

        def lin(text: str) -> str:
            found = lingua.detect_language_of(text[:400])
            return found.iso_code_639_1.name.lower() if found else "und"

        out["lingua"] = lin
    except ImportError:
        pass
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--policy", default=None)
    ap.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data"))
    ap.add_argument("--n", type=int, default=3000, help="comments per set (the first N)")
    ap.add_argument("--candidates", action="store_true", help="also measure the other detectors")
    ap.add_argument("--languages", help="comma-separated codes instead of the policy's languages")
    args = ap.parse_args(argv)
    if args.languages:
        languages = tuple(args.languages.split(","))
        detector = Detector(languages)
    else:  # the policy's own detector: its packs' list words are signs too
        policy = load_policy(args.policy)
        languages, detector = policy.languages, policy.detector
    gc.collect()
    gc.freeze()
    print(f"languages: {', '.join(languages)}; first {args.n} comments per set")
    others = candidates(languages) if args.candidates else {}
    print(f"{'set':18} {'lang':4} {'detector':10} {'>=4 words':>9} {'all':>6} {'by words':>8} {'cpu us':>7} {'mean us':>8} {'max us':>8} {'und':>6}")
    for name, rel in SETS:
        path = Path(args.data_dir) / rel
        if not path.is_file():
            continue
        with path.open(encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()][: args.n]
        lang = rows[0].get("lang", "en")
        texts = [r["text"] for r in rows]
        long_enough = [word_count(t) >= MIN_WORDS for t in texts]
        detector._classify("warm up the model")
        walks = getattr(detector._model, "_walks", None)
        kept = dict(walks) if walks is not None else None
        cpu = float("inf")
        for _ in range(3):
            if walks is not None:
                walks.clear()
                walks.update(kept)
            started = time.thread_time()
            for text in texts:
                detector.detect(text)
            cpu = min(cpu, (time.thread_time() - started) / len(texts))
        times, right, right_long, settled, und = [], 0, 0, 0, 0
        for text, ok_len in zip(texts, long_enough):
            started = time.perf_counter()
            scored = detector.detect(text)
            spent = time.perf_counter() - started
            if spent > 0.0005:  # a slow one is timed again: the least of 3 leaves out the machine's other work
                for _ in range(2):
                    again = time.perf_counter()
                    detector.detect(text)
                    spent = min(spent, time.perf_counter() - again)
            times.append(spent)
            hit = lang in scored.packs and scored.language != "und"
            right += hit
            right_long += hit and ok_len
            und += scored.language == "und" and ok_len
        # settled without the model: detect again with the model made to fail
        model, detector._model = detector._model, None
        detector._model = _Refuse()
        for text in texts:
            try:
                detector.detect(text)
                settled += 1
            except _Refused:
                pass
        detector._model = model
        n_long = max(1, sum(long_enough))
        print(
            f"{name:18} {lang:4} {'engine':10} {right_long / n_long:9.3f} {right / len(texts):6.3f} "
            f"{settled / len(texts):8.3f} {cpu * 1e6:7.1f} {sum(times) / len(times) * 1e6:8.1f} {max(times) * 1e6:8.0f} {und / n_long:6.3f}"
        )
        for cname, fn in others.items():
            started = time.perf_counter()
            found = [fn(t) for t, ok_len in zip(texts, long_enough) if ok_len]
            spent = time.perf_counter() - started
            acc = sum(f == lang for f in found) / n_long
            print(f"{'':18} {'':4} {cname:10} {acc:9.3f} {'':6} {'':8} {spent / n_long * 1e6:8.1f}")
    return 0


class _Refused(Exception):
    pass


class _Refuse:
    def classify(self, text: str) -> tuple[str, float]:
        raise _Refused

    def rank(self, text: str) -> list[tuple[str, float]]:
        raise _Refused


if __name__ == "__main__":
    sys.exit(main())
