"""How far past its time budget the engine runs on hostile comments.

    python bench/hostile.py [--policy DIR] [--budget-ms 100] [--sweep [--where MS]]

Each body is about 200,000 characters built to make one stage slow (tags, links, masked words, emoji,
insults for a `near` rule, tens of thousands of distinct words or word pairs for
the models' loops ...). The service gives each comment a budget (CIVILITY_BUDGET_MS, 100 ms by
default) and Coral publishes a comment whose check takes over 200 ms, so what matters is how late the
engine stops: the decision must be `flag` with reason `timeout` (or a real decision) soon after the budget.
Then a catastrophic regex (`(a|aa)+$`, which the policy loader refuses) searched with the timeout a decision
gives it: how far past the budget the regex module's own timeout stops it.
With `--sweep`, each body is also decided with budgets of 5 to 195 ms, so that the deadline falls in every
stage (reading, words, each rule), and the worst overrun per body is printed: by the clock, and in the
deciding thread's CPU time after the deadline (read by a second thread when the deadline comes), which is
what the clock would show on an idle machine; on a loaded one the clock adds the waits for a core.
With `--where MS` as well, a body whose worst run used more than MS ms of CPU after the deadline is decided
again at that budget while a second thread samples the deciding thread's stack every half millisecond from
the deadline on: the lines printed say what ran late (a loop with no look at the clock, a C call over the
whole text, freeing what the decision built).

As the service does after loading its policy, the policy's objects are frozen out of the garbage collector
(`gc.freeze()`): a full collection then walks only what the comment itself built.
"""

from __future__ import annotations

import argparse
import gc
import sys
import threading
import time
import typing as t
from pathlib import Path

import regex

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import Comment, _clock, decide, load_policy  # noqa: E402

BODIES: dict[str, tuple[str, str]] = {
    "html tags": ("<b>you</b><i>idiot</i>", "html"),
    "html links": ('<a href="http://a.example/x">http://a.example/x</a> ', "html"),
    "markdown links": ("[x](http://a.example/y) ", "markdown"),
    "markdown quotes": ("> you idiot\n", "markdown"),
    "bare links": ("http://a.example/b ", "text"),
    "shortened links": ("http://bit.ly/b ", "text"),
    "e-mails": ("a@b.example ", "text"),
    "insults for near": ("you are not an idiot ", "text"),
    "masked words": ("f*ck y*u ", "text"),
    "spaced letters": ("i d i o t ", "text"),
    "stretched letters": ("idiooooot ", "text"),
    "leet": ("1d10t 4ss ", "text"),
    "emoji words": ("\U0001f921a", "text"),
    "nfkc expansion": ("\ufdfa", "text"),
    "zero-width": ("i\u200bd\u200bi\u200bo\u200bt ", "text"),
    "combining marks": ("i\u0301\u0302\u0303d", "text"),
    "quoted insults": ('"you idiot" ', "text"),
    "capitals": ("YOU ARE AN IDIOT ", "text"),
    "repeated text": ("buy now ", "text"),
    "one long word": ("x", "text"),
    "punctuation": ("!", "text"),
    "open tags": ("<", "html"),
    "unclosed quotes": ("\u201e", "html"),
    "one-character runs": ("", "text"),
    "distinct words": ("", "text"),
    "distinct pairs": ("", "text"),
    "insults, new words": ("", "text"),
}


def _word(n: int) -> str:
    """The n-th word of letters: a, b, ... z, aa, ab ... (never repeats)."""
    out = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(97 + r) + out
    return out


def _generated(name: str, chars: int) -> str:
    """Bodies whose words (or word pairs) are nearly all distinct: each is a new key for the models'
    word and pair loops, and a new word for every per-word table (no cache wins)."""
    if name == "one-character runs":  # letters, digits, "@" and "x." runs for the comment features' patterns
        k = chars // 8
        return ("a" * (4 * k) + "1" * (2 * k) + "@" * k + "x." * (k // 2))[:chars]
    if name == "distinct words":  # some 40,000 distinct words
        words = map(_word, range(chars))
    elif name == "distinct pairs":  # 300 words, each pair of them once: some 28,000 distinct pairs
        words = (_word(i if k % 2 == 0 else j) for i in range(300) for j in range(300) for k in range(2))
    else:  # the model fires and places its words among new ones
        words = (w for i in range(chars) for w in (_word(i), "idiot" if i % 7 == 0 else "you"))
    out, size = [], 0
    for w in words:
        out.append(w)
        size += len(w) + 1
        if size >= chars:
            break
    return " ".join(out)[:chars]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--policy", type=Path, default=None)
    parser.add_argument("--budget-ms", type=float, default=100.0)
    parser.add_argument("--chars", type=int, default=199_000)
    parser.add_argument("--sweep", action="store_true", help="budgets of 5 to 195 ms for every body")
    parser.add_argument("--where", type=float, default=None, metavar="MS", help="with --sweep: sample what ran late")
    args = parser.parse_args()
    policy = load_policy(args.policy)
    gc.freeze()
    wall, cpu = overrun(policy, args.budget_ms, args.chars, print)
    print(f"worst overrun: {wall:.0f} ms by the clock, {cpu:.1f} ms CPU past a {args.budget_ms:.0f} ms budget")
    wall, cpu = catastrophic(args.budget_ms)
    print(f"a catastrophic regex ((a|aa)+$ on 60 a's and a b) stopped by its timeout: {wall:.0f} ms by the clock, "
          f"{cpu:.1f} ms CPU, against a {args.budget_ms:.0f} ms budget")
    if args.sweep:
        print(f"{'body':20s} worst overrun over budgets of 5-195 ms: by the clock (at budget), in CPU (at budget)")
        worst_wall = worst_cpu = 0.0
        for name in BODIES:
            runs = [(_over(policy, name, b / 1000, args.chars), b) for b in range(5, 200, 10)]
            wall, at_wall = max((w, b) for (w, _, _), b in runs)
            cpu, at_cpu = max((c, b) for (_, c, _), b in runs)
            worst_wall, worst_cpu = max(worst_wall, wall), max(worst_cpu, cpu)
            print(f"{name:20s} {wall * 1000:5.1f} ms ({at_wall:3d} ms)  {cpu * 1000:5.1f} ms ({at_cpu:3d} ms)")
            if args.where is not None and cpu * 1000 > args.where:
                for line in where_late(policy, name, at_cpu / 1000, args.chars):
                    print(f"    {line}")
        print(f"worst overrun over all budgets: {worst_wall * 1000:.1f} ms by the clock, {worst_cpu * 1000:.1f} ms CPU")


def _over(policy: t.Any, name: str, budget: float, chars: int) -> tuple[float, float, t.Any]:
    """Seconds past the budget by the clock, and of the deciding thread's CPU after the deadline; the
    decision."""
    unit, fmt = BODIES[name]
    text = (unit * (chars // len(unit) + 1))[:chars] if unit else _generated(name, chars)
    comment = Comment(text=text, format=fmt)
    clock = time.pthread_getcpuclockid(threading.get_ident())
    at_deadline: list[float] = []
    done = threading.Event()
    deadline = time.monotonic() + budget

    def watch() -> None:
        if not done.wait(max(0.0, deadline - time.monotonic())):
            at_deadline.append(time.clock_gettime(clock))

    watcher = threading.Thread(target=watch)
    started = time.perf_counter()
    watcher.start()
    decision = decide(policy, comment, deadline=deadline)
    cpu_end = time.clock_gettime(clock)
    wall = time.perf_counter() - started
    done.set()
    watcher.join()
    return max(0.0, wall - budget), max(0.0, cpu_end - at_deadline[0]) if at_deadline else 0.0, decision


def catastrophic(budget_ms: float) -> tuple[float, float]:
    """How long a search that never ends unbounded (some 2^60 ways to split the a's) runs, by the clock and
    in CPU, with the timeout a decision gives every search (`_clock.left`: half the time left): the regex
    module counts it in CPU time, so the clock runs past the budget when the process waits for a core."""
    pattern = regex.compile(r"(a|aa)+$")
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        pattern.search("a" * 60 + "b", timeout=_clock.left(time.monotonic() + budget_ms / 1000))
    except TimeoutError:
        pass
    return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000


def where_late(policy: t.Any, name: str, budget: float, chars: int) -> list[str]:
    """The deciding thread's stack (innermost frames first), sampled from the deadline until the decision
    returns: one line per sample whose innermost frame differs from the one before, with the CPU time the
    thread had used since the deadline."""
    unit, fmt = BODIES[name]
    text = (unit * (chars // len(unit) + 1))[:chars] if unit else _generated(name, chars)
    comment = Comment(text=text, format=fmt)
    deciding = threading.get_ident()
    clock = time.pthread_getcpuclockid(deciding)
    done = threading.Event()
    lines: list[str] = []
    deadline = time.monotonic() + budget

    def sample() -> None:
        if done.wait(max(0.0, deadline - time.monotonic())):
            return
        start, last = time.clock_gettime(clock), None
        while not done.is_set():
            frame = sys._current_frames().get(deciding)
            stack = []
            while frame is not None and len(stack) < 6:
                stack.append(f"{Path(frame.f_code.co_filename).name}:{frame.f_lineno} {frame.f_code.co_name}")
                frame = frame.f_back
            if stack and stack[0] != last:
                lines.append(f"+{(time.clock_gettime(clock) - start) * 1000:5.1f} ms  " + " <- ".join(stack))
                last = stack[0]
            time.sleep(0.0005)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(0.0002)  # the sampler gets the interpreter often enough to see short stretches
    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        decide(policy, comment, deadline=deadline)
    finally:
        done.set()
        sampler.join()
        sys.setswitchinterval(interval)
    return lines


def overrun(
    policy: t.Any, budget_ms: float, chars: int, say: t.Callable[[str], None] = lambda line: None
) -> tuple[float, float]:
    """The most any body runs past `budget_ms`, in ms by the clock and in CPU time after the deadline;
    `say` gets one line per body."""
    budget = budget_ms / 1000
    decide(policy, Comment(text="warm up: you idiot http://a.example f*ck"))
    worst_wall = worst_cpu = 0.0
    say(f"{'body':20s} {'decision':9s} {'reasons':12s} {'over budget':>12s} {'CPU after deadline':>19s}")
    for name in BODIES:
        wall, cpu, d = _over(policy, name, budget, chars)
        worst_wall, worst_cpu = max(worst_wall, wall), max(worst_cpu, cpu)
        reasons = ",".join(r.value for r in d.reasons) or "-"
        say(f"{name:20s} {d.decision.value:9s} {reasons:12s} {wall * 1000:9.0f} ms {cpu * 1000:16.1f} ms")
    return worst_wall * 1000, worst_cpu * 1000


if __name__ == "__main__":
    main()
