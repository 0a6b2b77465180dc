"""What lesson 12's benchmark (scripts/bench.py) reports: its sizes, the table, the chart.

The sizes of a full run and when the machine counts as quiet, the table's rows (labelled by those
sizes) and the rule for "ahead", the Markdown the guide includes and the chart. The tests read
the committed result with these (tests/lesson12_async_modes/test_bench.py, myth M26).
"""

from __future__ import annotations

from pathlib import Path

from scripts.measure import percentile

MODES = ("threading", "eventlet", "gevent")
# Bounded sizes: the whole run stays under 5 minutes on 2 cores (about a minute per server).
FULL = {
    "echo_warmup": 200,
    "echoes": 2000,
    "throughput_clients": 50,
    "throughput_warmup_s": 1.0,
    "throughput_s": 5.0,
    "fanout_clients": (100, 500),
    "fanout_warmup": 3,
    "broadcasts": (40, 20),  # for 100 clients, for 500
    "rounds": 3,  # every server, one after the other, three times: medians of the three
}
QUICK = {
    **FULL,
    "echoes": 300,
    "throughput_s": 2.0,
    "fanout_clients": (60, 100),
    "broadcasts": (5, 5),
    "rounds": 1,
}
# The machine is quiet when other processes use less of its CPU than this: bench.py waits for it
# before a run, and a committed result must have been measured so.
QUIET_PERCENT = 10

ROWS = [
    # (label, where in a server's result, unit, better: "lower" | "higher" | None)
    ("1 client: echo round trip, p50", ("latency", "p50_ms"), "ms", "lower"),
    ("1 client: echo round trip, p99", ("latency", "p99_ms"), "ms", "lower"),
    ("1 client: round trips/s", ("latency", "round_trips_per_s"), "", "higher"),
    ("1 client: server CPU, % of a core", ("latency", "server_cpu_percent"), "", None),
    ("1 client: client CPU, % of a core", ("latency", "client_cpu_percent"), "", None),
    ("50 clients: round trips/s", ("throughput", "round_trips_per_s"), "", "higher"),
    ("50 clients: server CPU, % of a core", ("throughput", "server_cpu_percent"), "", None),
    ("50 clients: client CPU, % of a core", ("throughput", "client_cpu_percent"), "", None),
    ("Server CPU per round trip", ("throughput", "server_cpu_us_per_round_trip"), "µs", "lower"),
    ("Fan-out to 100 clients, p50", ("fanout", "100", "p50_ms"), "ms", "lower"),
    ("Fan-out to 500 clients, p50", ("fanout", "500", "p50_ms"), "ms", "lower"),
    (
        "Server CPU per broadcast to 500",
        ("fanout", "500", "server_cpu_ms_per_broadcast"),
        "ms",
        "lower",
    ),
    ("Connections held (the server's count)", ("fanout", "500", "server_counts_clients"), "", None),
    ("Server RSS, 1 client", ("rss_mb_one_client",), "MB", "lower"),
    ("Server RSS, 500 clients", ("fanout", "500", "rss_mb"), "MB", "lower"),
    ("Server OS threads, 500 clients", ("fanout", "500", "threads"), "", None),
]


def dig(result: dict, path: tuple[str, ...]):
    for key in path:
        if not isinstance(result, dict) or key not in result:
            return None
        result = result[key]
    return result


def ahead(a: list, b: list, better: str) -> bool:
    """Whether the rounds ``a`` beat the rounds ``b`` every time: a's worst beats b's best.

    Closer than that is no difference this benchmark can show: a mode "ahead" on a measure is
    ahead in every round, whatever the machine did meanwhile.
    """
    return max(a) < min(b) if better == "lower" else min(a) > max(b)


def clearly_best(report: dict, path: tuple[str, ...], better: str) -> str | None:
    """The Python mode ahead of both others on a measure, if one is."""
    rounds = {name: [dig(r, path) for r in report["rounds"][name]] for name in MODES}
    if any(None in values or not values for values in rounds.values()):
        return None  # not measured (a --quick run has no 500 clients)
    for name, mine in rounds.items():
        if all(ahead(mine, theirs, better) for other, theirs in rounds.items() if other != name):
            return name
    return None


def markdown(report: dict) -> str:
    results = report["results"]
    names = list(results)
    m, v = report["machine"], report["versions"]
    python_measured = set(MODES) <= set(results)
    lines = [
        f"| | {' | '.join(f'`{name}`' for name in names)} |",
        f"|---|{'---:|' * len(names)}",
    ]
    for label, path, unit, better in ROWS:
        best = clearly_best(report, path, better) if better and python_measured else None
        cells = []
        for name in names:
            value = dig(results[name], path)
            text = "—" if value is None else f"{value:,}"
            cells.append(f"**{text}**" if name == best else text)
        lines.append(f"| {label}{f' ({unit})' if unit else ''} | {' | '.join(cells)} |")
    versions = ", ".join(f"{name} {v[name]}" for name in v)
    rounds = report["workload"]["rounds"]
    quiet = f"{m['busy_before_percent']} % busy before the run, other processes"
    quiet += f" used {m['others_during_percent']} % of its CPU during it, and the hypervisor"
    quiet += f" gave {m['steal_during_percent']} % of it to other guests (steal time)"
    lines += [
        "",
        f"*Measured {report['date']} by `nox -s bench` on {m['cpu']}, {m['cores']} cores,"
        f" {m['memory_gb']} GB, {m['os']}, Python {m['python']}; {versions}."
        f" The machine was {quiet}."
        f" Each figure is the median of {rounds} round{'s' * (rounds != 1)}. **Bold**: the"
        " Python mode that beat both others in every round, where lower or higher is better.*",
    ]
    return "\n".join(lines) + "\n"


CHART_PANELS = [
    # (title, [(bar label, where in a result)])
    (
        "Echo round trip, 1 client (ms)",
        [("p50", ("latency", "p50_ms")), ("p99", ("latency", "p99_ms"))],
    ),
    ("Echo round trips/s, 50 clients", [("", ("throughput", "round_trips_per_s"))]),
    ("Server CPU per round trip (µs)", [("", ("throughput", "server_cpu_us_per_round_trip"))]),
    (
        "Fan-out, p50 (ms)",
        [
            ("100 clients", ("fanout", "100", "p50_ms")),
            ("500 clients", ("fanout", "500", "p50_ms")),
        ],
    ),
    (
        "Server CPU per broadcast to 500 (ms)",
        [("", ("fanout", "500", "server_cpu_ms_per_broadcast"))],
    ),
    (
        "Server RSS (MB)",
        [("1 client", ("rss_mb_one_client",)), ("500 clients", ("fanout", "500", "rss_mb"))],
    ),
]
COLORS = {"threading": "#3f51b5", "eventlet": "#9e9e9e", "gevent": "#009688", "node": "#e65100"}


def chart(report: dict, path: Path) -> None:
    """Bars: the median of the rounds; whiskers: the lowest and highest round."""
    import matplotlib

    matplotlib.use("Agg")  # no display: write the file only
    import matplotlib.pyplot as plt

    names = list(report["results"])
    fig, axes = plt.subplots(2, 3, figsize=(13, 7.5))
    width = 0.8 / max(1, len(names))
    for ax, (title, series) in zip(axes.flat, CHART_PANELS, strict=True):
        for i, name in enumerate(names):
            medians = [dig(report["results"][name], where) or 0 for _, where in series]
            rounds = [[dig(r, where) or 0 for r in report["rounds"][name]] for _, where in series]
            whiskers = [
                [m - min(r) for m, r in zip(medians, rounds, strict=True)],
                [max(r) - m for m, r in zip(medians, rounds, strict=True)],
            ]
            xs = [j + (i - (len(names) - 1) / 2) * width for j in range(len(series))]
            bars = ax.bar(
                xs,
                medians,
                width,
                yerr=whiskers,
                capsize=2,
                label=name,
                color=COLORS.get(name, "#795548"),
                error_kw={"elinewidth": 0.8},
            )
            ax.bar_label(bars, fmt=lambda v: f"{v:,.0f}" if v >= 100 else f"{v:.3g}", fontsize=7)
        ax.set_title(title, fontsize=10)
        ax.set_xticks(range(len(series)), [label for label, _ in series])
        ax.margins(y=0.18)
        ax.spines[["top", "right"]].set_visible(False)
    axes.flat[0].legend(fontsize=8, frameon=False)
    m = report["machine"]
    fig.suptitle(
        f"nox -s bench, {report['date']}: {m['cores']} cores ({m['cpu']}), loopback, WebSocket;"
        f" median of {report['workload']['rounds']} rounds (whiskers: lowest and highest)",
        fontsize=11,
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def median_of(rounds: list):
    """The rounds' results, each number replaced by its median (p50) over the rounds."""
    first = rounds[0]
    if isinstance(first, dict):
        return {key: median_of([r[key] for r in rounds]) for key in first}
    if isinstance(first, bool) or not isinstance(first, int | float):
        return first
    middle = percentile(rounds, 50)
    return round(middle) if all(isinstance(r, int) for r in rounds) else round(middle, 3)
