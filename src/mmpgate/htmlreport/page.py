"""The report page: one HTML document, inline CSS and SVG, no script and no external resource.

The Content-Security-Policy forbids every fetch (`default-src 'none'`), so the page cannot load
anything even if a test message contained markup; all text is escaped as well.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from html import escape

from mmpgate.htmlreport import svg
from mmpgate.htmlreport.model import GroupView, Listing, ReportData, TestLine
from mmpgate.report import COLUMNS, headline, row_cells

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
STYLE = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:#212121;margin:24px;max-width:1100px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #e0e0e0}
.meta{color:#616161}.pass{color:#2e7d32;font-weight:600}.fail{color:#c62828;font-weight:600}
.warn{color:#ef6c00}.skip{color:#757575}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #e0e0e0;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#f5f5f5}td.n{text-align:right;font-variant-numeric:tabular-nums}
code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-all}
.charts{display:flex;flex-wrap:wrap;gap:12px}svg.chart{background:#fff;border:1px solid #eee;padding:6px}
"""
_OUTCOMES = (
    ("passed", svg.PASS),
    ("failed", svg.FAIL),
    ("errors", "#8e24aa"),
    ("flaky", svg.WARN),
    ("skipped", svg.MUTED),
    ("xfailed", "#78909c"),
    ("xpassed", "#00897b"),
)


def _pct(rate: float) -> str:
    return f"{rate * 100:.2f}%"


def _secs(seconds: float) -> str:
    return f"{seconds:.2f}s" if seconds < 120 else f"{seconds / 60:.1f}m"


def _segments(group: GroupView) -> list[svg.Segment]:
    counts = dict(group.counts)
    counts["flaky"] = group.flaky
    counts["passed"] = counts["passed"] - min(group.flaky, counts["passed"])
    return [svg.Segment(name, counts[name], colour) for name, colour in _OUTCOMES]


def _rate_bars(
    groups: Sequence[GroupView],
    count: Callable[[GroupView], int],
    limit: Callable[[GroupView], float | None],
) -> list[svg.Bar]:
    bars = []
    for group in groups:
        rate = group.rate(count(group))
        text = f"{_pct(rate)} ({count(group)}/{group.total})" if rate is not None else "nothing ran"
        bars.append(svg.Bar(group.name, rate, text, limit=limit(group)))
    return bars


def charts(data: ReportData) -> list[str]:
    """Every chart of the page, in order."""
    rows = [*data.groups, *([data.total] if data.total else [])]
    out = [
        svg.stacked_chart("outcomes", "Outcomes per group", [(g.name, _segments(g)) for g in rows]),
        svg.bar_chart(
            "failure-rate",
            "Failure rate (failed + errors) against max_failure_rate",
            _rate_bars(
                rows,
                lambda g: g.counts["failed"] + g.counts["errors"],
                lambda g: g.limits.max_failure_rate,
            ),
        ),
        svg.bar_chart(
            "skip-rate",
            "Skip rate against max_skip_rate",
            _rate_bars(rows, lambda g: g.counts["skipped"], lambda g: g.limits.max_skip_rate),
        ),
        svg.bar_chart(
            "flaky-rate",
            "Flaky rate (failed, then passed on a retry)",
            _rate_bars(rows, lambda g: g.flaky, lambda g: None),
        ),
        svg.bar_chart(
            "coverage",
            "Coverage against min_coverage",
            [
                svg.Bar(
                    g.name,
                    g.coverage,
                    f"{g.coverage:.2f}%" if g.coverage is not None else "not measured",
                    limit=g.limits.min_coverage,
                    minimum=True,
                )
                for g in rows
            ],
            scale=100.0,
        ),
        svg.bar_chart(
            "wall-time",
            "Wall time against max_duration",
            [
                svg.Bar(
                    g.name,
                    g.wall,
                    f"{_secs(g.wall)} (tests {_secs(g.tests_sum)})",
                    limit=g.limits.max_duration,
                )
                for g in rows
            ],
        ),
    ]
    if data.slowest:
        out.append(
            svg.bar_chart(
                "slowest",
                f"Slowest {len(data.slowest)} tests (setup + call + teardown)",
                [
                    svg.Bar(
                        t.nodeid.rsplit("/", 1)[-1],
                        t.seconds,
                        _secs(t.seconds),
                        title=f"[{t.group}] {t.nodeid}",
                    )
                    for t in data.slowest
                ],
            )
        )
    out.extend(trend_charts(data))
    return [chart for chart in out if chart]


def trend_charts(data: ReportData) -> list[str]:
    """Lines over the recorded runs (two runs at least); limits from the total's thresholds."""
    points = data.trend
    if len(points) < 2:
        return []
    labels = [p.label for p in points]
    limits = data.total.limits if data.total else data.groups[0].limits if data.groups else None
    series: list[tuple[str, str, list[float | None], Callable[[float], str], float | None]] = [
        ("trend-coverage", "Coverage over the runs", [p.coverage for p in points], lambda v: f"{v:.1f}%",
         limits.min_coverage if limits else None),
        ("trend-wall-time", "Wall time over the runs (sum of the groups)", [p.wall for p in points], _secs,
         limits.max_duration if limits else None),
        ("trend-failure-rate", "Failure rate over the runs", [p.failure_rate for p in points], _pct,
         limits.max_failure_rate if limits else None),
        ("trend-flaky-rate", "Flaky rate over the runs", [p.flaky_rate for p in points], _pct, None),
    ]  # fmt: skip
    return [
        svg.line_chart(name, title, labels, values, fmt, limit=limit)
        for name, title, values, fmt, limit in series
        if any(v is not None for v in values)
    ]


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], numeric: frozenset[int]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>"
            for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _summary(data: ReportData) -> str:
    rows = []
    for g in [*data.groups, *([data.total] if data.total else [])]:
        c = g.counts
        failure = g.rate(c["failed"] + c["errors"])
        state = (
            "complete"
            if g.complete
            else f'<span class="fail">incomplete</span> {escape(g.reason or "")}'
        )
        rows.append(
            [
                escape(g.name), str(c["total"]), str(c["passed"]), str(c["failed"]), str(c["errors"]),
                str(c["skipped"]), str(g.flaky), _pct(failure) if failure is not None else "-",
                f"{g.coverage:.2f}%" if g.coverage is not None else "-", _secs(g.wall), state,
            ]
        )  # fmt: skip
    header = ("group", "tests", "passed", "failed", "errors", "skipped", "flaky", "failure rate",
              "coverage", "wall", "run")  # fmt: skip
    return _table(header, rows, frozenset(range(1, 10)))


def _tests(title: str, listing: Listing, empty: str, *, evidence: bool = False) -> str:
    if not listing.count:
        return f"<h2>{escape(title)}</h2><p>{escape(empty)}</p>"
    rows = [_test_row(t, evidence) for t in listing.tests]
    more = listing.count - len(listing.tests)
    tail = f"<p>… and {more} more (the metrics files list them all).</p>" if more else ""
    header = ("group", "test", "line", "retries", "evidence" if evidence else "message")
    return (
        f"<h2>{escape(title)} ({listing.count})</h2>"
        + _table(header, rows, frozenset({2, 3}))
        + tail
    )


def _test_row(test: TestLine, evidence: bool) -> list[str]:
    text = test.evidence if evidence else test.message
    return [
        escape(test.group),
        f"<code>{escape(test.nodeid)}</code>",
        str(test.line) if test.line is not None else "",
        str(test.retries),
        escape(text or ""),
    ]


def _verdict(data: ReportData) -> str:
    verdict = data.verdict
    if verdict is None:
        return ""
    word = "pass" if verdict.passed else "fail"
    rows = []
    for row in verdict.rows:
        cells = [escape(c) for c in row_cells(row)]
        cells[-1] = f'<span class="{row.result.value}">{cells[-1]}</span>'
        if row.detail:
            cells[-1] += f" {escape(row.detail)}"
        rows.append(cells)
    return (
        f'<h2>Verdict: <span class="{word}">{escape(headline(verdict))}</span></h2>'
        f'<p class="meta">thresholds {escape(verdict.thresholds_source)}'
        + (f" · baseline {escape(verdict.baseline_source)}" if verdict.baseline_source else "")
        + "</p>"
        + _table(COLUMNS, rows, frozenset())
    )


def render_page(data: ReportData) -> str:
    """The whole HTML document."""
    trend_note = (
        f"{len(data.trend)} runs from {escape(data.trend_source or '')}"
        if len(data.trend) >= 2
        else "no earlier runs given (--baseline, --runs or --history draw trends)"
    )
    body = [
        "<h1>mmpgate report</h1>",
        f'<p class="meta">results {escape(data.source)}'
        + (f" · finished {escape(data.finished)}" if data.finished else "")
        + f" · trends: {trend_note}</p>",
        _verdict(data),
        "<h2>Groups</h2>",
        _summary(data),
        "<h2>Charts</h2>",
        '<div class="charts">' + "".join(charts(data)) + "</div>",
        _tests("Failing tests", data.failing, "No test failed."),
        _tests(
            "Flaky tests", data.flaky, "No test failed and then passed on a retry.", evidence=True
        ),
    ]
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>mmpgate report</title><style>{STYLE}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )
