"""`civility eval --html`: the evaluation as one self-contained HTML file (inline CSS and SVG, no network)."""

from __future__ import annotations

import typing as t
from html import escape

from .evaluate import format_share

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
table{border-collapse:collapse;margin:.5em 0 1.5em}th,td{border:1px solid #ccc;padding:3px 8px}
td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f3f3f3}
td.diag{background:#e4f4e4}mark{background:#ffd27a;padding:0 1px}
.comment{border-left:3px solid #ccc;padding:.3em .8em;margin:.6em 0;white-space:pre-wrap}
.meta{color:#666;font-size:12px}svg text{font:11px system-ui,sans-serif}
"""


def render_html(report: dict[str, t.Any], flag_threshold: float) -> str:
    """The report of `evaluate.Evaluation.to_dict()` as one HTML document."""
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        "<title>Civility evaluation</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>Civility evaluation</h1>",
        f"<p>{report['n']} comments, policy <code>{escape(report['policy_version'])}</code>.</p>",
        "<h2>Per label</h2>",
        _table(
            "labels",
            ["label", "n", "caught"],
            [[label, v["n"], format_share(v["caught"])] for label, v in report["labels"].items()],
        ),
        "<h2>Confusion</h2><p class='meta'>Rows: the file's label; columns: what the policy decided.</p>",
        _confusion(report["confusion"], list(report["labels"])),
        "<h2>Per category</h2>",
        _table(
            "categories",
            ["category", "n", "precision", "recall", "f1"],
            [
                [c, v["n"], format_share(v["precision"]), format_share(v["recall"]), format_share(v["f1"])]
                for c, v in report["categories"].items()
            ],
        ),
        "<h2>Per rule</h2><p class='meta'>True: fired on a comment not labelled ok; false: on one labelled ok; "
        "false flags: on one labelled ok that was not approved.</p>",
        _table(
            "rules",
            ["rule", "hits", "true", "false", "false flags"],
            [
                [r, v["hits"], v["true_positives"], v["false_positives"], v["false_flags"]]
                for r, v in report["rules"].items()
            ],
        ),
        "<h2>Score distribution per label</h2>",
        _histograms(report["scores"], flag_threshold),
        "<h2>Worst false flags</h2><p class='meta'>Labelled ok, not approved; highest score first.</p>",
        *(_comment(k) for k in report["worst_false_flags"]),
        "<h2>Worst misses</h2><p class='meta'>Labelled other than ok, approved; lowest score first.</p>",
        *(_comment(k) for k in report["worst_misses"]),
        "</body></html>",
    ]
    return "\n".join(parts)


def _table(tid: str, head: list[str], rows: list[list[t.Any]]) -> str:
    out = [f"<table id='{tid}'><thead><tr>", *(f"<th>{escape(h)}</th>" for h in head), "</tr></thead><tbody>"]
    for row in rows:
        cells = [f"<td>{escape(str(row[0]))}</td>", *(f"<td class='n'>{escape(str(v))}</td>" for v in row[1:])]
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _confusion(confusion: dict[str, dict[str, int]], labels: list[str]) -> str:
    predicted = sorted({p for row in confusion.values() for p in row}, key=lambda p: (p != "ok", p))
    out = ["<table id='confusion'><thead><tr><th>label \\ decided</th>"]
    out += [f"<th>{escape(p)}</th>" for p in predicted]
    out.append("</tr></thead><tbody>")
    for label in labels:
        row = confusion[label]
        cells = "".join(f"<td class='n{' diag' if p == label else ''}'>{row.get(p, 0)}</td>" for p in predicted)
        out.append(f"<tr><td>{escape(label)}</td>{cells}</tr>")
    out.append("</tbody></table>")
    return "".join(out)


def _histograms(scores: dict[str, list[list[float]]], threshold: float) -> str:
    """One strip of bars per label: its comments in each score bin (square-root heights, so that the few
    high scores stay visible beside the many zeros), the count over each bar, the flag threshold marked."""
    top = max([threshold * 2] + [s for pairs in scores.values() for s, _ in pairs])
    # bins that meet at the threshold, so that no bar mixes approved and flagged comments
    below = max(1, round(25 * threshold / top)) if threshold > 0 else 1
    step = threshold / below if threshold > 0 else top / 25
    bins = int(top / step) + 1
    top = bins * step
    width, strip, left = 760, 80, 170
    height = strip * len(scores) + 30
    svg = [f"<svg id='scores' xmlns='http://www.w3.org/2000/svg' width='{width + left + 20}' height='{height}'>"]
    for i, (label, pairs) in enumerate(scores.items()):
        counts = [0] * bins
        for s, k in pairs:
            counts[min(int(s / step), bins - 1) if step else 0] += int(k)
        tallest = max(counts) or 1
        y0 = i * strip + 10
        svg.append(f"<text x='0' y='{y0 + strip / 2}'>{escape(label)} ({sum(counts)})</text>")
        svg.append(
            f"<line x1='{left}' x2='{left + width}' y1='{y0 + strip - 12}' y2='{y0 + strip - 12}' stroke='#999'/>"
        )
        for b, c in enumerate(counts):
            h = (strip - 28) * (c / tallest) ** 0.5
            x = left + b * width / bins
            colour = "#c55" if b * step >= threshold else "#5a5"
            svg.append(
                f"<rect x='{x + 1:.1f}' y='{y0 + strip - 12 - h:.1f}' width='{width / bins - 2:.1f}' "
                f"height='{h:.1f}' fill='{colour}'><title>{escape(label)}: {c} with score "
                f"{b * step:g} to {(b + 1) * step:g}</title></rect>"
            )
            if c:
                svg.append(f"<text x='{x + 1:.1f}' y='{y0 + strip - 15 - h:.1f}' font-size='9'>{c}</text>")
    tx = left + threshold / top * width
    svg.append(f"<line x1='{tx:.1f}' x2='{tx:.1f}' y1='0' y2='{height - 20}' stroke='#333' stroke-dasharray='4 3'/>")
    svg.append(f"<text x='{tx + 3:.1f}' y='{height - 8}'>flag at {threshold:g}</text>")
    svg.append(f"<text x='{left}' y='{height - 8}'>score 0</text>")
    svg.append(f"<text x='{left + width - 40}' y='{height - 8}'>{top:g}</text></svg>")
    return "".join(svg)


def _comment(kept: dict[str, t.Any]) -> str:
    rules = ", ".join(sorted({h["rule"] for h in kept["hits"]})) or "no rule fired"
    return (
        f"<div class='comment'><div class='meta'>{escape(kept['id'])}: labelled {escape(kept['label'])}, "
        f"{escape(kept['decision'])} as {escape(kept['predicted'])}, score {kept['score']:g}; "
        f"{escape(rules)}</div>{highlight(kept['text'], kept['hits'])}</div>"
    )


def highlight(text: str, hits: list[dict[str, t.Any]]) -> str:
    """The text with the span each hit shows (overlapping ones merged) in <mark>, everything escaped."""
    spans = sorted(
        (max(0, s), min(len(text), e)) for h in hits for s, e in ([h["span"]] if h.get("span") else []) if s < len(text)
    )
    merged: list[list[int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, at = [], 0
    for s, e in merged:
        out.append(escape(text[at:s]) + f"<mark>{escape(text[s:e])}</mark>")
        at = e
    out.append(escape(text[at:]))
    return "".join(out)
