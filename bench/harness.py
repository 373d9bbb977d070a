#!/usr/bin/env python3
"""The Pebblebed benchmark harness (`make bench`, or scripts/bench directly).

Each figure is measured beside its anchor in the same run: a guest program from
examples/bench/ (RAM-disk name bench_*) on the release kernel, and its native Linux
twin from bench/. Both report "BENCH <name> <wall_ns> <cpu_ns> <ops>" lines; the
harness compares CPU time per operation (the host is shared by other engineers'
compilers, and wall time would count their turns too; wall time is kept in the
JSON). Every round runs every pair, alternating which side goes first; the table
gives the median of the per-round ratios and their spread (min..max).

Writes the table to stdout and everything to build/bench/results.json.
"""
import argparse
import json
import os
import platform
import re
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "build", "bench")
KERNEL = os.path.join(ROOT, ".build", "release", "pebblebed")
RAMDISK = os.path.join(ROOT, "build", "ramdisk")
PROMPT = b"pebbles$ "
# Runnable threads of the yield_threads row (issue 19.9: a yield must not cost more with more).
YIELD_THREADS = 1024


# ---- pure logic (unit-tested in bench/test_harness.py) -------------------------------

@dataclass
class Goal:
    """`op` is "<=" (a cost ratio or a time must stay at most `value`) or ">=" (a speed)."""
    op: str
    value: float

    def met(self, x):
        return x <= self.value if self.op == "<=" else x >= self.value

    def __str__(self):
        return f"{self.op} {self.value:g}"


def parse_bench_lines(text):
    """Sums the BENCH lines of one program's output by name: {name: (wall, cpu, ops)}."""
    totals = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) != 5 or parts[0] != "BENCH":
            continue
        w, c, n = totals.get(parts[1], (0, 0, 0))
        totals[parts[1]] = (w + int(parts[2]), c + int(parts[3]), n + int(parts[4]))
    return totals


def per_op(totals, name, clock="cpu"):
    """Nanoseconds per operation of result `name` on `clock` ("cpu" or "wall")."""
    if name not in totals:
        raise ValueError(f"no BENCH {name} line")
    wall, cpu, ops = totals[name]
    if ops <= 0:
        raise ValueError(f"BENCH {name}: no operations")
    return (cpu if clock == "cpu" else wall) / ops


def ratio(kind, measured, reference):
    """The reported ratio: for a cost, measured / reference (1.0 = as cheap as the anchor);
    for a speed, reference time / measured time (1.0 = as fast as the anchor)."""
    if measured <= 0 or reference <= 0:
        raise ValueError("times must be positive")
    return measured / reference if kind == "cost" else reference / measured


def summarize(values):
    """Median and spread of a list of per-round numbers."""
    if not values:
        raise ValueError("no values")
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "values": list(values)}


def metric_result(key, title, kind, goal, guest, anchor, unit="ns"):
    """One row: per-round guest and anchor figures (anchor None for absolute goals)."""
    row = {"key": key, "title": title, "kind": kind, "unit": unit, "goal": str(goal),
           "guest": summarize(guest)}
    if anchor is None:
        row["ratio"] = None
        row["met"] = goal.met(row["guest"]["median"])
    else:
        ratios = [ratio(kind, g, a) for g, a in zip(guest, anchor)]
        row["anchor"] = summarize(anchor)
        row["ratio"] = summarize(ratios)
        row["met"] = goal.met(row["ratio"]["median"])
    return row


def write_json(path, results):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(results, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def parse_explore(text):
    """(interleavings, seconds, reset_us) from the last line of `pebblebed explore`."""
    m = re.search(r"(\d+) interleavings? in ([\d.]+) s \(\d+/s\); machine reset (\d+) us each", text)
    if not m:
        raise ValueError(f"no explore summary line in: {text[-300:]!r}")
    return int(m.group(1)), float(m.group(2)), int(m.group(3))


def parse_watch(text):
    """(watched runs, percent of the search's time) of explore's race watching after its
    first run, from the summary line; None when the line does not say (races off)."""
    m = re.search(r"accesses watched in (\d+) later runs? \((\d+)% of the time\)", text)
    return (int(m.group(1)), int(m.group(2))) if m else None


def fmt_time(ns, unit="ns"):
    if unit == "/s":
        return f"{ns:.0f}/s"
    if unit == "us":
        return f"{ns:.0f} µs"
    if unit == "ms":
        return f"{ns:.1f} ms"
    if ns >= 1e6:
        return f"{ns / 1e6:.2f} ms"
    if ns >= 1e3:
        return f"{ns / 1e3:.2f} µs"
    return f"{ns:.0f} ns"


def table(rows):
    head = ["figure", "Pebblebed", "anchor", "ratio (median)", "spread", "goal", "met"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        g = fmt_time(r["guest"]["median"], r["unit"])
        if r["ratio"] is None:
            a, q, s = "—", "—", f"{fmt_time(r['guest']['min'], r['unit'])}..{fmt_time(r['guest']['max'], r['unit'])}"
        else:
            a = fmt_time(r["anchor"]["median"], r["unit"])
            q = f"{r['ratio']['median']:.2f}x"
            s = f"{r['ratio']['min']:.2f}..{r['ratio']['max']:.2f}"
        lines.append(f"| {r['title']} | {g} | {a} | {q} | {s} | {r['goal']} | {'yes' if r['met'] else 'NO'} |")
    return "\n".join(lines)


# ---- running -----------------------------------------------------------------------

def build_anchors():
    """Compiles the native anchors (only when a source is newer than its binary)."""
    os.makedirs(OUT, exist_ok=True)
    src = os.path.join(ROOT, "bench")
    jobs = [("trap_anchor", ["trap_anchor.c"], []), ("linux_anchors", ["linux_anchors.c"], ["-lpthread"]),
            ("mandel_native", ["mandel_native.c"], []), ("nop", ["nop.c"], ["-static"])]
    for name, files, extra in jobs:
        out = os.path.join(OUT, name)
        deps = [os.path.join(src, f) for f in files] + [os.path.join(src, "bench.h"),
                os.path.join(ROOT, "examples", "mandelbrot", "mandelbrot.c")]
        if os.path.exists(out) and all(os.path.getmtime(d) <= os.path.getmtime(out) for d in deps):
            continue
        cmd = ["gcc", "-O2", "-Wall", "-o", out] + [os.path.join(src, f) for f in files] + extra
        subprocess.run(cmd, check=True)


def run(cmd, timeout=120):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {p.returncode}: {p.stdout.decode()[-400:]} "
                           f"{p.stderr.decode()[-400:]}")
    return parse_bench_lines(p.stdout.decode(errors="replace"))


def guest(program, *args, memory=128, hz=None, fastcall=True):
    machine = ["--memory", str(memory)] + (["--hz", str(hz)] if hz else [])
    if not fastcall:   # the trap path: every stub keeps its int $n (unpatched binaries)
        machine.append("--no-fastcall")
    return [KERNEL, "run", "--ramdisk", RAMDISK] + machine + [program] + [str(a) for a in args]


def guest_seeded(program, *args, seed=1):
    return [KERNEL, "run", "--ramdisk", RAMDISK, "--seed", str(seed), "--points", program] + [str(a) for a in args]


def native(name, *args):
    return [os.path.join(OUT, name)] + [str(a) for a in args]


@dataclass
class Pair:
    key: str
    title: str
    kind: str            # "cost", "speed" or "flat"
    goal: Goal
    guest_cmd: list
    guest_name: str
    anchor_cmd: list
    anchor_name: str
    guest: list = field(default_factory=list)
    anchor: list = field(default_factory=list)
    guest_wall: list = field(default_factory=list)
    anchor_wall: list = field(default_factory=list)

    def measure(self, round_no):
        sides = [(self.guest_cmd, self.guest_name, self.guest, self.guest_wall),
                 (self.anchor_cmd, self.anchor_name, self.anchor, self.anchor_wall)]
        if round_no % 2:
            sides.reverse()
        for cmd, name, cpu, wall in sides:
            totals = run(cmd)
            cpu.append(per_op(totals, name, "cpu"))
            wall.append(per_op(totals, name, "wall"))

    def result(self):
        row = metric_result(self.key, self.title, self.kind if self.kind != "flat" else "cost",
                            self.goal, self.guest, self.anchor)
        row["wall"] = {"guest": summarize(self.guest_wall), "anchor": summarize(self.anchor_wall)}
        return row


def pairs(scale):
    s = lambda n: max(1, int(n * scale))
    nop = os.path.join(OUT, "nop")
    return [
        # The gate (issue 20): the stub redirected at load, a far jump in, no host signal.
        Pair("syscall_gate", "syscall round trip (gettid) through the gate / native getpid", "cost", Goal("<=", 3),
             guest("bench_syscall", s(50000)), "syscall", native("linux_anchors", "getpid", s(50000)), "getpid"),
        # The trap path, which every unpatched binary takes: the anchor it always had.
        Pair("syscall", "syscall round trip (gettid) by trap / bare signal round trip", "cost", Goal("<=", 1.25),
             guest("bench_syscall", s(50000), fastcall=False), "syscall", native("trap_anchor", s(50000)), "trap"),
        Pair("yield", "yield ping-pong, 2 guest threads (gate) / 2 host threads on one core", "cost", Goal("<=", 0.5),
             guest("bench_yield", s(20000)), "yield", native("linux_anchors", "yield", s(2000)), "yield"),
        Pair("yield_trap", "yield ping-pong, 2 guest threads (trap) / 2 host threads on one core", "cost", Goal("<=", 2),
             guest("bench_yield", s(20000), fastcall=False), "yield", native("linux_anchors", "yield", s(2000)), "yield"),
        # Both sides are Pebblebed: the same ping-pong (yield(tid) back and forth) with 1,022
        # more runnable threads in the task, spinning on yield(-1) when a tick lets them run.
        # Every thread's yields count, so the figure is CPU time per yield. At 10 Hz those
        # rounds of the spinners (each tick preempts the pair, and all 1,022 run once, cache
        # cold) are a few percent of the yields rather than a quarter, so the row measures
        # the ping-pong itself.
        Pair("yield_threads", "yield ping-pong, 1,024 / 2 runnable threads in one task", "flat", Goal("<=", 1.5),
             guest("bench_yield_many", YIELD_THREADS, s(20000), hz=10), f"yield_pingpong_{YIELD_THREADS}",
             guest("bench_yield_many", 2, s(20000), hz=10), "yield_pingpong_2"),
        Pair("fork", "fork + exit + wait, 1 MiB touched / Linux", "cost", Goal("<=", 2),
             guest("bench_fork", s(200)), "fork", native("linux_anchors", "fork", s(200)), "fork"),
        Pair("exec", "fork + exec + wait of a small program / Linux", "cost", Goal("<=", 3),
             guest("bench_exec", s(100)), "exec", native("linux_anchors", "exec", nop, s(100)), "exec"),
        Pair("cow", "COW fault / Linux", "cost", Goal("<=", 3),
             guest("bench_fault", s(10)), "cow", native("linux_anchors", "fault", s(10)), "cow"),
        Pair("zfod", "ZFOD fault / Linux first touch", "cost", Goal("<=", 3),
             guest("bench_fault", s(10)), "zfod", native("linux_anchors", "fault", s(10)), "zfod"),
        Pair("asswitch", "address-space switch, 256 MiB / 1 MiB mapped", "flat", Goal("<=", 1.25),
             guest("bench_asswitch", 256, s(5000), memory=320), "asswitch_256mib",
             guest("bench_asswitch", 1, s(5000)), "asswitch_1mib"),
        Pair("mandel", "compute-bound guest (mandelbrot) speed / native", "speed", Goal(">=", 0.97),
             guest("bench_mandel", 2000, 78, 22, s(40)), "mandel",
             native("mandel_native", 2000, 78, 22, s(40)), "mandel"),
        # Seeded decisions at preemption points (stress's default): the guest runs natively.
        Pair("seeded", "seeded run at points (--seed --points), mandelbrot speed / unseeded run", "speed", Goal(">=", 0.3),
             guest_seeded("bench_mandel", 2000, 78, 22, s(40)), "mandel",
             guest("bench_mandel", 2000, 78, 22, s(40)), "mandel"),
    ]


def floor_notes(by_key):
    """What the anchors say about each other: the bare signal round trip (with rt_sigreturn)
    against a native sched_yield. Pebblebed leaves a trap without rt_sigreturn, so its yield
    by trap can cost less than that round trip; the trap's delivery alone remains its floor
    (the gate's rows have no signal at all)."""
    if "syscall" not in by_key or "yield" not in by_key:
        return []
    floor = [t / y for t, y in zip(by_key["syscall"].anchor, by_key["yield"].anchor)]
    return [f"a bare signal round trip (trap, handler, rt_sigreturn) costs "
            f"{statistics.median(floor):.2f}x a native sched_yield (median); Pebblebed returns "
            f"to the guest without rt_sigreturn, which is how its yield-by-trap ratio can be lower"]


def proc_cpu_ns(pid):
    """CPU time of every thread of a live process so far (schedstat: ns run on a CPU)."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
            total += int(f.read().split()[0])
    return total


def boot_once():
    """Wall and CPU milliseconds from starting the emulator to the shell's first prompt."""
    t0 = time.monotonic()
    p = subprocess.Popen([KERNEL, "--ramdisk", RAMDISK], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    seen = b""
    try:
        while PROMPT not in seen:
            chunk = os.read(p.stdout.fileno(), 4096)
            if not chunk:
                raise RuntimeError(f"no shell prompt; output: {seen[-300:]!r}")
            seen += chunk
        wall = (time.monotonic() - t0) * 1e3
        cpu = proc_cpu_ns(p.pid) / 1e6
        p.stdin.write(b"exit\n")
        p.stdin.close()
        p.wait(timeout=10)
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
    return wall, cpu


EXPLORE_PROGRAM = "explore_lock_order_ok"   # two threads, two locks (852 interleavings to exhaust bound 2 on 2026-11-30)


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def explore_once():
    """Interleavings per CPU second of `pebblebed explore` on a two-thread program (every
    forked run is a reaped child, so its CPU time counts), the machine reset cost (restore
    + fork) it reports, and, as the anchor of the reset, the CPU time of booting the machine
    and running the same program once from scratch (both in µs)."""
    t0 = children_cpu()
    p = subprocess.run([KERNEL, "explore", "--no-progress", "--budget", "120", "--ramdisk", RAMDISK, EXPLORE_PROGRAM],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
    cpu = children_cpu() - t0
    out = p.stdout.decode(errors="replace")
    if p.returncode != 0 or "space exhausted" not in out:
        raise RuntimeError(f"explore {EXPLORE_PROGRAM} exited {p.returncode}: {out[-400:]}")
    n, _, reset_us = parse_explore(out)
    t1 = children_cpu()
    subprocess.run(guest(EXPLORE_PROGRAM), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60, check=True)
    boot_us = (children_cpu() - t1) * 1e6
    return n / max(cpu, 1e-9), reset_us, boot_us, n, parse_watch(out)


def host_info():
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
    except OSError:
        pass
    return {"machine": platform.machine(), "kernel": platform.release(), "cpu": model,
            "cpus": os.cpu_count(), "loadavg": os.getloadavg()}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5, help="runs of every pair (default 5)")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every iteration count")
    ap.add_argument("--only", help="comma-separated figure keys (syscall_gate,syscall,yield,yield_trap,yield_threads,fork,exec,cow,zfod,asswitch,mandel,seeded,boot,explore)")
    ap.add_argument("--json", default=os.path.join(OUT, "results.json"))
    args = ap.parse_args()
    for need in (KERNEL, os.path.join(RAMDISK, "bench_syscall")):
        if not os.path.exists(need):
            sys.exit(f"bench: {need} is missing; run `make bench` (builds the release kernel and guests)")
    build_anchors()
    only = set(args.only.split(",")) if args.only else None
    todo = [p for p in pairs(args.scale) if only is None or p.key in only]
    boots, boot_cpu = [], []
    explore_rate, explore_reset, explore_boot, explore_runs, explore_watch = [], [], [], [], []
    info = host_info()
    started = time.monotonic()
    for r in range(args.rounds):
        for p in todo:
            p.measure(r)
        if only is None or "boot" in only:
            w, c = boot_once()
            boots.append(w)
            boot_cpu.append(c)
        if only is None or "explore" in only:
            rate, reset, boot, runs, watch = explore_once()
            explore_runs.append(runs)
            if watch:
                explore_watch.append(watch)
            explore_rate.append(rate)
            explore_reset.append(reset)
            explore_boot.append(boot)
        print(f"bench: round {r + 1}/{args.rounds} done ({time.monotonic() - started:.0f} s)", file=sys.stderr)
    rows = [p.result() for p in todo]
    notes = floor_notes({p.key: p for p in todo})
    if boots:
        # Wall time is what a user waits, but on a shared host it counts other processes' turns;
        # CPU time (every thread of the emulator until the prompt) is the work itself. Both shown.
        rows.append(metric_result("boot", "boot to shell prompt (wall)", "time", Goal("<=", 50), boots, None, unit="ms"))
        rows.append(metric_result("boot_cpu", "boot to shell prompt (CPU)", "time", Goal("<=", 50), boot_cpu, None, unit="ms"))
    if explore_rate:
        rows.append(metric_result("explore", f"explore: interleavings per CPU second ({EXPLORE_PROGRAM}, 2 threads)",
                                  "time", Goal(">=", 500), explore_rate, None, unit="/s"))
        rows.append(metric_result("explore_reset", "explore: machine reset (restore + fork) / boot + run from scratch",
                                  "cost", Goal("<=", 0.1), explore_reset, explore_boot, unit="us"))
    if explore_runs:
        # The cost of race watching (runs after the first whose shared accesses are watched,
        # chosen by ExploreConfig.watchShare) is inside the rate above; said here.
        w = f"; accesses watched in {sorted(x[0] for x in explore_watch)} later runs, " \
            f"{sorted(x[1] for x in explore_watch)}% of the search's time" if explore_watch else ""
        notes.append(f"explore {EXPLORE_PROGRAM}: {sorted(set(explore_runs))} interleavings to exhaust bound 2{w}")
    info["loadavg_end"] = os.getloadavg()
    results = {"rounds": args.rounds, "scale": args.scale, "clock": "process CPU time per operation",
               "host": info, "seconds": round(time.monotonic() - started, 1), "metrics": rows,
               "notes": notes, "command": "make bench"}
    write_json(args.json, results)
    print(table(rows))
    for n in notes:
        print(f"\nnote: {n}")
    print(f"\n{args.rounds} rounds; ratios compare CPU time per operation (medians, spread min..max); "
          f"JSON: {os.path.relpath(args.json, ROOT)}")


if __name__ == "__main__":
    main()
