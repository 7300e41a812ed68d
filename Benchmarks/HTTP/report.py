"""Turns run-http's raw results into one table: `report.py RESULTS.tsv OUT.md SETUP`.

Rows of RESULTS.tsv (tab-separated):
  run     round server scenario requests duration_us p50_us p99_us peak_rss_kb errors non2xx
  hot     round server answered counted
  steady  server seconds rss_kb
  db      round server scenario transactions requests    (servers on PostgreSQL)
Prints the report and writes it to OUT.md with the date and the machine. The second ratio column
is to the server named by $REFERENCE (default hb-auth).
"""
import datetime
import os
import statistics
import sys
from collections import defaultdict

SCENARIOS = ["returning", "hot", "new", "new-full"]
AUTH = "hb-auth"
REFERENCE = os.environ.get("REFERENCE") or AUTH


def bare_of(server):
    return server.split("-")[0] + "-bare"


def cpu_model():
    with open("/proc/cpuinfo") as info:
        for line in info:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown CPU"


def load(path):
    runs, hot, steady, db, servers = {}, defaultdict(list), defaultdict(list), {}, []
    with open(path) as rows:
        for row in rows:
            kind, *f = row.rstrip("\n").split("\t")
            if kind == "run":
                rnd, server, scenario = int(f[0]), f[1], f[2]
                requests, duration, p50, p99, rss, errors, non2xx = map(int, f[3:])
                runs[rnd, server, scenario] = dict(
                    rps=requests / duration * 1e6, p50=p50 / 1000, p99=p99 / 1000,
                    rss=rss / 1024, errors=errors + non2xx)
                if server not in servers:
                    servers.append(server)
            elif kind == "hot":
                hot[f[1]].append((int(f[0]), int(f[2]), int(f[3])))
            elif kind == "steady":
                steady[f[0]].append((int(f[1]), int(f[2]) / 1024))
            elif kind == "db":
                db[int(f[0]), f[1], f[2]] = int(f[3]) / max(int(f[4]), 1)
    return runs, hot, steady, db, servers


def ratio(runs, rnd, server, scenario, reference, key="rps"):
    a, b = runs.get((rnd, server, scenario)), runs.get((rnd, reference, scenario))
    return a[key] / b[key] if a and b and b[key] else None


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def fmt(value, pattern="{:.2f}"):
    return "–" if value is None else pattern.format(value)


def report(runs, hot, steady, db, servers, setup):
    rounds = sorted({rnd for rnd, _, _ in runs})
    lines = [
        f"Measured {datetime.date.today().isoformat()} on {os.cpu_count()} cores ({cpu_model()}); {setup}.",
        "Medians over the rounds; ratios are medians of each round's ratio, to the same framework's bare",
        f"server (× bare, for req/s and p99) and to {REFERENCE} (× ref, req/s), in the same round.",
        "",
        "| server | scenario | req/s | p50 ms | p99 ms | peak RSS MB | × bare | p99 × bare | × ref | errors |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    medians = {}
    for server in servers:
        for scenario in SCENARIOS:
            cells = [runs[r, server, scenario] for r in rounds if (r, server, scenario) in runs]
            if not cells:
                continue
            m = {key: median([c[key] for c in cells]) for key in ("rps", "p50", "p99", "rss")}
            m["bare"] = median([ratio(runs, r, server, scenario, bare_of(server)) for r in rounds])
            m["p99bare"] = median([ratio(runs, r, server, scenario, bare_of(server), "p99") for r in rounds])
            m["ref"] = median([ratio(runs, r, server, scenario, REFERENCE) for r in rounds])
            m["errors"] = sum(c["errors"] for c in cells)
            medians[server, scenario] = m
            lines.append(
                f"| {server} | {scenario} | {m['rps']:.0f} | {m['p50']:.2f} | {m['p99']:.2f} | {m['rss']:.0f} "
                f"| {fmt(m['bare'])} | {fmt(m['p99bare'])} | {fmt(m['ref'])} | {m['errors']} |")

    lines += ["", "Each round's ratios (× bare / × ref, req/s):", "",
              "| server | scenario | " + " | ".join(f"round {r}" for r in rounds) + " |",
              "|---|---|" + "--:|" * len(rounds)]
    for server in servers:
        for scenario in SCENARIOS:
            if (server, scenario) in medians:
                cells = [f"{fmt(ratio(runs, r, server, scenario, bare_of(server)))} / "
                         f"{fmt(ratio(runs, r, server, scenario, REFERENCE))}" for r in rounds]
                lines.append(f"| {server} | {scenario} | " + " | ".join(cells) + " |")

    lost = {}
    if hot:
        lines += ["", "One hot session: increments answered (wrk's 2xx) vs counted in the session; requests in",
                  "flight when wrk stops are counted but not answered, so counted may exceed answered slightly.", ""]
        for server, rows in hot.items():
            lost[server] = max(max(answered - counted, 0) for _, answered, counted in rows)
            detail = ", ".join(f"round {r}: {a} answered, {c} counted ({max(a - c, 0) / max(a, 1):.1%} lost, "
                               f"{runs[r, server, 'hot']['errors']} errors or non-2xx)" for r, a, c in rows)
            lines.append(f"- {server}: {detail}")

    levels = {}
    if steady:
        lines += ["", "Steady state (new visitors, lifetime 1 min, gc every 10 s): resident memory, MB.", ""]
        for server, samples in steady.items():
            # Levels off: the highest sample of the last third is within 10% of the middle third's.
            end = samples[-1][0]
            middle = [mb for t, mb in samples if end / 3 <= t < 2 * end / 3] or [samples[0][1]]
            last = [mb for t, mb in samples if t >= 2 * end / 3]
            levels[server] = max(last) <= max(middle) * 1.10
            lines.append(f"- {server}: " + " ".join(f"{t}s:{mb:.0f}" for t, mb in samples))
            lines.append(f"  highest in the middle third {max(middle):.0f} MB, in the last third {max(last):.0f} MB "
                         f"({max(last) / max(middle) - 1:+.0%}): {'levels off' if levels[server] else 'still growing'}")

    if db:
        lines += ["", "Statements per answered request on PostgreSQL (transactions the database counted in the",
                  "window; each statement outside a transaction block is one, and one round trip), median:", "",
                  "| server | " + " | ".join(SCENARIOS) + " |", "|---|" + "--:|" * len(SCENARIOS)]
        for server in servers:
            cells = [median([db.get((r, server, scenario)) for r in rounds]) for scenario in SCENARIOS]
            if any(cell is not None for cell in cells):
                lines.append(f"| {server} | " + " | ".join(fmt(cell) for cell in cells) + " |")

    def m(server, scenario, key):
        return medians.get((server, scenario), {}).get(key)

    def vs(server, scenario, reference):
        return median([ratio(runs, r, server, scenario, reference) for r in rounds])

    if "hb-ours-database" in servers:
        lines += targets_on_postgres(m, vs, lost)
    if "vapor-ours-memory" in servers:
        lines += targets_on_vapor(m, vs, lost)
    ours, file = "hb-ours-memory", "hb-ours-file"
    if ours not in servers and file not in servers:
        return "\n".join(lines) + "\n"
    returning = m(ours, "returning", "bare")
    vapor = m("vapor-sessions", "returning", "bare")
    new_bare = m(ours, "new", "bare")
    p99s = [m(ours, s, "p99bare") for s in ("new", "new-full")]
    lines += ["", "Targets of issue 6 ([x] met, [!] missed, [ ] not measured):", "",
              check(None if returning is None else returning >= 0.90,
                    f"ours on memory, returning users ≥ 0.90 of the ceiling: {fmt(returning)}"),
              check(None if vs(ours, "returning", AUTH) is None else vs(ours, "returning", AUTH) >= 1.05
                    and (vapor is None or returning > vapor),
                    f"… and ahead of HummingbirdAuth (by 5% at least, for the noise: {fmt(vs(ours, 'returning', AUTH))} × its req/s) "
                    f"and Vapor (its sessions at {fmt(vapor)} of bare Vapor)"),
              check(None if new_bare is None else new_bare >= 0.80,
                    f"ours on memory, new visitors ≥ 0.80 of the ceiling: {fmt(new_bare)} "
                    f"(store full: {fmt(m(ours, 'new-full', 'bare'))})"),
              check(None if None in p99s else max(p99s) <= 3,
                    f"… p99 ≤ 3× the ceiling's while the store grows: {fmt(p99s[0])}× (new), {fmt(p99s[1])}× (full)"),
              check(None if m(file, "returning", "bare") is None else m(file, "returning", "bare") >= 0.60,
                    f"ours on files, returning users ≥ 0.60 of the ceiling: {fmt(m(file, 'returning', 'bare'))}"),
              check(None if not any(s in lost for s in (ours, file)) else all(lost.get(s, 0) == 0 for s in (ours, file)),
                    f"one hot session, no lost increments: ours memory {lost.get(ours, '–')}, files {lost.get(file, '–')} "
                    f"lost (HummingbirdAuth {lost.get(AUTH, '–')}), with {m(ours, 'hot', 'errors')} and {m(file, 'hot', 'errors')} "
                    f"failed requests (errors or non-2xx, all rounds); req/s {fmt(m(ours, 'hot', 'rps'), '{:.0f}')} "
                    f"vs HummingbirdAuth {fmt(m(AUTH, 'hot', 'rps'), '{:.0f}')}"),
              check(levels.get(ours), "steady state: resident memory levels off once gc runs (curve above)")]
    return "\n".join(lines) + "\n"


def check(ok, text):
    return f"- [{' ' if ok is None else ('x' if ok else '!')}] {text}" + ("" if ok is not False else " — MISSED")


def targets_on_postgres(m, vs, lost):
    """Issue 13's aims for our PostgreSQL driver, against Fluent's database sessions on Vapor."""
    ours, fluent = "hb-ours-database", "vapor-fluent"
    returning = vs(ours, "returning", fluent)
    return ["", "Aims of issue 13 ([x] met, [!] missed, [ ] not measured):", "",
            check(None if returning is None else returning >= 2,
                  f"ours on PostgreSQL, returning users ≥ 2× Fluent's database sessions: {fmt(returning)}× "
                  f"(new visitors {fmt(vs(ours, 'new', fluent))}×, hot session {fmt(vs(ours, 'hot', fluent))}×; "
                  f"of the bare servers: ours {fmt(m(ours, 'returning', 'bare'))}, Fluent {fmt(m(fluent, 'returning', 'bare'))})"),
            check(None if ours not in lost else lost[ours] == 0,
                  f"one hot session, no lost increments: ours {lost.get(ours, '–')} lost (Fluent {lost.get(fluent, '–')}), "
                  f"with {m(ours, 'hot', 'errors')} failed requests (errors or non-2xx, all rounds)")]


def targets_on_vapor(m, vs, lost):
    """Issue 15's targets for our middleware on Vapor, against bare Vapor and Vapor's own sessions."""
    ours, vapor = "vapor-ours-memory", "vapor-sessions"
    returning = m(ours, "returning", "bare")
    return ["", "Targets of issue 15 ([x] met, [!] missed, [ ] not measured):", "",
            check(None if returning is None else returning >= 0.85,
                  f"ours on Vapor (memory), returning users ≥ 0.85 of bare Vapor: {fmt(returning)} "
                  f"(Vapor's sessions {fmt(m(vapor, 'returning', 'bare'))}; ours {fmt(vs(ours, 'returning', vapor))}× their req/s)"),
            f"- new visitors (no target): ours {fmt(m(ours, 'new', 'bare'))} of bare Vapor, store full "
              f"{fmt(m(ours, 'new-full', 'bare'))} (Vapor's sessions {fmt(m(vapor, 'new', 'bare'))} and "
              f"{fmt(m(vapor, 'new-full', 'bare'))})",
            check(None if ours not in lost else lost[ours] == 0,
                  f"one hot session, no lost increments: ours {lost.get(ours, '–')} lost (Vapor's sessions "
                  f"{lost.get(vapor, '–')}), with {m(ours, 'hot', 'errors')} failed requests (errors or non-2xx, all rounds)")]


def main():
    results, out, setup = sys.argv[1:4]
    text = report(*load(results), setup)
    print(text)
    with open(out, "w") as md:
        md.write("# HTTP benchmark results\n\nWritten by `Benchmarks/run-http` (see issues 6, 13 and 15).\n\n" + text)


if __name__ == "__main__":
    main()
