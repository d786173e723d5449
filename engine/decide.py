"""decide(policy, comment) -> Decision: match every rule, score, explain; fail closed on any trouble."""

from __future__ import annotations

import logging
import typing as t
from bisect import bisect_left, bisect_right
from itertools import accumulate

from . import _clock
from .index import RuleIndex, in_packs
from .language import UNDETERMINED, Scored
from .model import MAX_LISTED_SPANS, Comment, Decision, Hit, Reason, Verdict, failed_closed
from .normalize import TextTooLong
from .policy import ContextException, Policy, Rule
from .scan import NORM, Scan, Span
from .shown import pointer_only, shown_span

log = logging.getLogger("civility.engine")


def decide(policy: Policy, comment: Comment, *, deadline: float | None = None) -> Decision:
    """Decide one comment. Never raises: a timeout, an over-long text or an internal error flags it.

    :param deadline: a `time.monotonic()` value; every regex gets half the time left as its timeout
        (`_clock.left`).
    """
    if len(comment.text) > policy.max_chars:
        return failed_closed(comment.id, Reason.TOO_LONG, policy.version)
    if len(comment.text) + len(comment.parent_text or "") < _clock.LONG_TEXT:
        return _failing_closed(policy, comment, deadline)
    # a long text: no garbage collection while it is decided, and what it built freed after the answer
    left: list[t.Any] = []
    _clock.pause_collector()
    try:
        return _failing_closed(policy, comment, deadline, left)
    finally:
        _clock.drop_later(left)


def _failing_closed(
    policy: Policy, comment: Comment, deadline: float | None, left: list[t.Any] | None = None
) -> Decision:
    """`decide`; with `left`, what the rules built (the scan; on a timeout the exception, whose frames
    hold the rest) is put there, not freed."""
    scan = Scan(comment, deadline, max_chars=policy.max_chars, masks=policy.masks)
    if left is not None:
        left.append(scan)
    try:
        return _decide(policy, scan)
    except TimeoutError as e:  # the budget's own looks at the clock (`DeadlineExceeded`) and regex timeouts
        if left is not None:
            left.append(e)
        return failed_closed(comment.id, Reason.TIMEOUT, policy.version)
    except TextTooLong:
        return failed_closed(comment.id, Reason.TOO_LONG, policy.version)
    except Exception:
        log.exception("engine error on comment %s", comment.id)
        return failed_closed(comment.id, Reason.ENGINE_ERROR, policy.version)


def _decide(policy: Policy, scan: Scan) -> Decision:
    comment = scan.comment
    scored = scored_as(policy, comment, scan)
    packs = scored.packs if scored is not None else None
    hits: list[tuple[Rule, Hit]] = []
    shadow: list[Hit] = []
    if policy.index is not None:
        rules = policy.index.candidates(scan, packs)
    else:
        rules = [r for r in policy.rules if in_packs(r, packs)]
    for rule in rules:
        scan.check()
        hit = _apply(rule, scan, policy.not_shown, policy.index)
        if hit is None:
            continue
        if rule.shadow:
            shadow.append(hit)
        else:
            hits.append((rule, hit))
    said = scored.language if scored is not None else None
    # the caller's language counts for the guideline even where the policy has one language (and no
    # `language` is reported)
    language = said if len(policy.languages) > 1 else None
    return _verdict(policy, comment, hits, tuple(shadow), language, said)


def _guideline_text(policy: Policy, hits: list[tuple[Rule, Hit]], language: str | None) -> str | None:
    """The guideline of the rule whose message the commenter is shown, in the comment's language where the
    policy has that text (a Spanish comment flagged by an English rule still reads the Spanish guideline);
    for a comment too short to tell (`und`), in the language of that rule's pack, as its message is."""
    rule, _ = _top(hits)
    guideline = policy.guidelines.get(rule.guideline)
    if guideline is None or guideline.moderators_only:
        return None
    return guideline.text_in(rule.language if language in (None, UNDETERMINED) else language)


def scored_as(policy: Policy, comment: Comment, scan: Scan | None = None) -> Scored | None:
    """The language packs that score this comment: the caller's language (top-level `language`, or
    `context.language` as before), else the detected one (with `scan`, from its words as read too); None
    when the policy has one language and the caller named none (every rule applies)."""
    given = comment.language or (comment.context.get("language") if comment.context else None)
    detector = policy.detector
    if detector is None:
        return None
    named = detector.caller(given)
    if named is not None:
        return named
    if len(policy.languages) < 2:
        return None
    read = scan.prepared.read if scan is not None else None
    return detector.detect(comment.text, read.text if read is not None else None)


def _apply(
    rule: Rule, scan: Scan, not_shown: frozenset[str] = frozenset(), index: RuleIndex | None = None
) -> Hit | None:
    """The rule's hit on the comment, or None; with the policy's `index`, only the exceptions that may find
    something are asked (the others would drop no span and veto nothing)."""
    spans = rule.match.find(scan, rule.in_quotes)
    if not spans:
        return None
    near, vetoes = (rule.unless_near, rule.unless) if index is None else index.exceptions(rule, scan)
    for exc in near:
        spans = _drop_excepted(spans, exc, scan, rule.in_quotes)
        if not spans:
            return None
    if any(m.find(scan, rule.in_quotes) for m in vetoes):
        return None
    raw, pointers = [], []
    for s in spans:
        scan.tick()  # a padded comment can give 40,000 spans
        r = shown_span(s, scan, not_shown)
        if r is not None and r[1] > r[0]:
            (pointers if pointer_only(s, scan, not_shown) else raw).append(r)
    # a span of pointer words only ("you", "this") names the target, not the offence: it is shown only
    # where the hit found nothing else
    raw = raw or pointers
    # the matcher's first span is the one to show (the insult of a `near`, the word before the whole
    # comment); the others are listed in text order
    first = raw[0] if raw else None
    raw = sorted(set(raw))
    text = scan.comment.text
    probability = scan.cache.get(("model", rule.model, rule.in_quotes)) if rule.model else None
    return Hit(
        rule=rule.id,
        category=rule.category,
        guideline=rule.guideline,
        score=rule.score,
        span=first,
        match=text[first[0] : first[1]] if first else None,
        spans=tuple(raw[:MAX_LISTED_SPANS]),
        probability=None if probability is None else round(probability, 4),
    )


def _drop_excepted(spans: list[Span], exc: ContextException, scan: Scan, quotes_ok: bool) -> list[Span]:
    """Spans without the exception's words within `within` words before (or after) them, or among them."""
    found = sorted(r for r in (scan.placed(s) for s in exc.matcher.find(scan, quotes_ok)) if r is not None)
    if not found:
        return spans
    ends = sorted(r[1] for r in found)
    starts = [r[0] for r in found]
    # for `inside`: the furthest end among ranges starting at or before each start
    reach = list(accumulate((r[1] for r in found), max))
    kept, unplaced = [], []
    for span in spans:
        scan.tick()
        at = scan.token_range(span)
        if at is None:
            unplaced.append(span)  # the whole comment, a link: nothing to stand before or after
            continue
        # the closest exception range before (ending at or before the span's first word) or after;
        # one in another sentence says nothing of this one ("No. You are an idiot.")
        if exc.side == "inside":
            # a range sharing a word with the hit's ("you are not an idiot")
            i = bisect_left(starts, at[1]) - 1
            excepted = i >= 0 and reach[i] > at[0]
        elif exc.side == "before":
            i = bisect_right(ends, at[0]) - 1
            # a clause must reach the word the hit shows: "Nobody asked you, dingus" denies nothing of "dingus";
            # a word of a list is reached through the list's first word ("not a liar, a cheat or an idiot")
            shown = _shown_word(span, scan, at)
            head = scan.list_head(shown)
            first = min(at[0], head)
            upto = (head if i >= 0 and ends[i] <= head else shown) if exc.clause else first
            excepted = (
                i >= 0
                and ends[i] >= first - exc.within
                and not scan.sentence_ends_between(ends[i] - 1, upto, exc.clause)
            )
        else:
            i = bisect_left(starts, at[1])
            excepted = (
                i < len(starts)
                and starts[i] <= at[1] + exc.within
                and not scan.sentence_ends_between(at[1] - 1, starts[i], exc.clause)
            )
        if not excepted:
            kept.append(span)
    if len(kept) + len(unplaced) < len(spans) and not kept:
        return []  # every word that made the rule fire is excepted: what is left ("short") is not enough
    return kept + unplaced


def _shown_word(span: Span, scan: Scan, at: tuple[int, int]) -> int:
    """The first word of what a hit shows (the insult of a `near` phrase whose words begin at `at[0]`)."""
    if span.space != NORM or span.tok_lo < 0:
        return at[0]
    shown = scan.token_range(Span(span.start, span.end, NORM))
    return at[0] if shown is None else max(at[0], shown[0])


def _verdict(
    policy: Policy,
    comment: Comment,
    scored: list[tuple[Rule, Hit]],
    shadow: tuple[Hit, ...],
    language: str | None = None,
    said: str | None = None,
) -> Decision:
    """The decision, built once (a frozen dataclass's `replace` costs as much as building it): `language` is
    reported, `said` picks the guideline's language."""
    score = sum(h.score for _, h in scored)
    th = policy.thresholds
    if th.reject is not None and score >= th.reject:
        verdict = Verdict.REJECT
    elif score >= th.flag:
        verdict = Verdict.FLAG
    else:
        verdict = Verdict.APPROVE
    by_category: dict[str, float] = {}
    for _, h in scored:
        if h.score > 0:
            by_category[h.category] = by_category.get(h.category, 0.0) + h.score
    order = {c: i for i, c in enumerate(policy.categories)}
    categories = tuple(sorted(by_category, key=lambda c: (-by_category[c], order.get(c, len(order)))))
    label = "ok" if verdict is Verdict.APPROVE else (categories[0] if categories else "error")
    message = _message(policy, scored) if verdict is not Verdict.APPROVE else ""
    guideline = _guideline_text(policy, scored, said) if verdict is not Verdict.APPROVE and scored else None
    return Decision(
        id=comment.id,
        decision=verdict,
        score=score,
        categories=categories,
        hits=tuple(h for _, h in scored),
        shadow_hits=shadow,
        reasons=(),
        message=message,
        policy_version=policy.version,
        label=label,
        language=language,
        guideline_text=guideline,
    )


def _top(scored: list[tuple[Rule, Hit]]) -> tuple[Rule, Hit]:
    """The rule that speaks to the commenter: the highest-scoring hit."""
    return max(scored, key=lambda rh: rh[1].score)


def _message(policy: Policy, scored: list[tuple[Rule, Hit]]) -> str:
    """The top rule's message; how much more it says is the policy's `disclose` setting."""
    rule, hit = _top(scored)
    parts = [rule.message]
    if policy.disclose in ("rule", "full"):
        parts.append(f"(rule {rule.id})")
    if policy.disclose == "full" and hit.match:
        parts.append(f"Matched: \u201c{hit.match}\u201d.")
    return " ".join(parts)
