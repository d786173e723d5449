"""Peer libraries on the benchmark's comments, run inside the peers' venv by bench/run.py.

    PEERS_PYTHON bench/peers.py INPUT.json   -> one JSON document on stdout

INPUT holds {"texts": [...], "labeled": [[label, text], ...], "seconds": S}. For each peer: comments/s on
`texts` called one comment at a time (stopping after S seconds: better-profanity takes about 0.1 s a
comment), alt-profanity-check also batched, and how many labeled comments of each label it flags. Times
are this process's CPU time, as Civility's in bench/run.py.

    PEERS_PYTHON bench/peers.py --verdicts INPUT.json   -> {peer: [1 flagged, 0 not, null not run], ...}

For bench/compare.py: INPUT holds {"texts": [...], "languages": [...], "sampled": [...]}: every peer's verdict
on every text, better-profanity only on the indexes in `sampled` (it is slow); glin-profanity with English
and the text's language (one of its language names, e.g. "german"), as a site in that language sets it up.
"""

from __future__ import annotations

import json
import sys
import time
import typing as t


def per_call(check: t.Callable[[str], bool], texts: list[str], seconds: float) -> dict[str, float]:
    for text in texts[:5]:
        check(text)  # first calls build word lists
    done = 0
    started = time.process_time()
    stop = started + seconds
    for text in texts:
        check(text)
        done += 1
        if not done % 10 and time.process_time() > stop:
            break
    return {"rate": done / (time.process_time() - started), "timed": done}


def flags(check: t.Callable[[str], bool], labeled: list[list[str]], seconds: float) -> dict[str, list[int]]:
    """[flagged, n] per label; the labeled comments come interleaved by label, so a peer stopped by the time
    limit has seen every label about equally."""
    out: dict[str, list[int]] = {}
    stop = time.process_time() + seconds
    for i, (label, text) in enumerate(labeled):
        counts = out.setdefault(label, [0, 0])
        counts[0] += bool(check(text))
        counts[1] += 1
        if not i % 10 and time.process_time() > stop:
            break
    return out


def verdicts(data: dict[str, t.Any]) -> dict[str, list[int | None]]:
    texts, languages, sampled = data["texts"], data["languages"], set(data["sampled"])
    from profanity_check import predict

    out: dict[str, list[int | None]] = {"alt-profanity-check": [int(x) for x in predict(texts)]}
    from glin_profanity import Filter

    filters: dict[str, t.Any] = {}
    glin: list[int | None] = []
    for text, lang in zip(texts, languages):
        if lang not in filters:
            filters[lang] = Filter({"languages": sorted({"english", lang})})
        glin.append(int(bool(filters[lang].is_profane(text))))
    out["glin-profanity"] = glin
    from better_profanity import profanity

    profanity.load_censor_words()
    out["better-profanity"] = [
        int(bool(profanity.contains_profanity(text))) if i in sampled else None for i, text in enumerate(texts)
    ]
    return out


def main() -> None:
    if sys.argv[1] == "--verdicts":
        json.dump(verdicts(json.loads(open(sys.argv[2], encoding="utf-8").read())), sys.stdout)
        return
    data = json.loads(open(sys.argv[1], encoding="utf-8").read())
    texts, labeled, seconds = data["texts"], data["labeled"], float(data["seconds"])
    out: dict[str, t.Any] = {}

    from better_profanity import profanity

    profanity.load_censor_words()
    out["better-profanity"] = {
        **per_call(profanity.contains_profanity, texts, seconds),
        "flags": flags(profanity.contains_profanity, labeled, seconds * 2),
    }

    from profanity_check import predict

    def one(text: str) -> bool:
        return bool(predict([text])[0])

    out["alt-profanity-check per call"] = {**per_call(one, texts, seconds), "flags": flags(one, labeled, seconds * 2)}
    predict(texts[:100])
    started = time.process_time()
    predict(texts)
    batched = {"rate": len(texts) / (time.process_time() - started), "timed": len(texts)}
    out["alt-profanity-check batched"] = {**batched, "flags": {}}
    labels = [label for label, _ in labeled]
    for label, hit in zip(labels, predict([text for _, text in labeled])):
        counts = out["alt-profanity-check batched"]["flags"].setdefault(label, [0, 0])
        counts[0] += int(hit)
        counts[1] += 1

    from glin_profanity import Filter

    glin = Filter()
    out["glin-profanity"] = {
        **per_call(glin.is_profane, texts, seconds),
        "flags": flags(glin.is_profane, labeled, seconds * 2),
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
