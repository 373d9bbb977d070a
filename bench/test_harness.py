"""Unit tests of the harness's pure parts: parsing, ratios, goals, the JSON writer.
Run: python3 -m unittest discover -s bench (part of `make test`; nothing here is timed)."""
import json
import os
import tempfile
import unittest

import harness as h
from harness import (ROOT, YIELD_THREADS, Goal, Pair, floor_notes, metric_result, pairs, parse_bench_lines, per_op,
                     ratio, summarize, table, write_json)


class ParseTests(unittest.TestCase):
    def test_sums_lines_of_one_name_and_ignores_other_output(self):
        text = "hello\nBENCH cow 100 80 4\nBENCH zfod 10 9 1\nBENCH cow 300 120 4\nBENCH bad 1 2\n"
        totals = parse_bench_lines(text)
        self.assertEqual(totals, {"cow": (400, 200, 8), "zfod": (10, 9, 1)})
        self.assertEqual(per_op(totals, "cow"), 25.0)
        self.assertEqual(per_op(totals, "cow", "wall"), 50.0)

    def test_missing_or_empty_result_is_an_error(self):
        with self.assertRaises(ValueError):
            per_op({}, "cow")
        with self.assertRaises(ValueError):
            per_op({"cow": (1, 1, 0)}, "cow")


class ExploreParseTests(unittest.TestCase):
    def test_reads_the_summary_line(self):
        text = ("No bug found: space exhausted: ...\n"
                "1027 interleavings in 4.6 s (221/s); machine reset 417 us each (7 frames restored, fork)\n")
        self.assertEqual(h.parse_explore(text), (1027, 4.6, 417))

    def test_reads_the_watch_cost(self):
        text = ("1027 interleavings in 4.6 s (221/s); machine reset 417 us each (7 frames restored, fork); "
                "accesses watched in 9 later runs (12% of the time)\n")
        self.assertEqual(h.parse_explore(text), (1027, 4.6, 417))
        self.assertEqual(h.parse_watch(text), (9, 12))
        self.assertIsNone(h.parse_watch("1027 interleavings in 4.6 s (221/s); machine reset 417 us each\n"))

    def test_no_summary_is_an_error(self):
        with self.assertRaises(ValueError):
            h.parse_explore("BUG FOUND after 3 interleavings\n")

    def test_rate_and_microsecond_units(self):
        self.assertEqual(h.fmt_time(512.4, "/s"), "512/s")
        self.assertEqual(h.fmt_time(230.0, "us"), "230 µs")


class RatioTests(unittest.TestCase):
    def test_cost_ratio_is_measured_over_anchor(self):
        self.assertAlmostEqual(ratio("cost", 250, 200), 1.25)

    def test_speed_ratio_is_anchor_time_over_measured_time(self):
        self.assertAlmostEqual(ratio("speed", 200, 190), 0.95)

    def test_nonpositive_times_are_rejected(self):
        with self.assertRaises(ValueError):
            ratio("cost", 0, 1)

    def test_goals(self):
        self.assertTrue(Goal("<=", 1.25).met(1.25))
        self.assertFalse(Goal("<=", 1.25).met(1.26))
        self.assertTrue(Goal(">=", 0.97).met(0.98))
        self.assertFalse(Goal(">=", 0.97).met(0.9))

    def test_median_of_per_round_ratios_and_spread(self):
        row = metric_result("k", "t", "cost", Goal("<=", 2), [30, 10, 40], [10, 10, 10])
        self.assertEqual(row["ratio"]["median"], 3.0)
        self.assertEqual((row["ratio"]["min"], row["ratio"]["max"]), (1.0, 4.0))
        self.assertFalse(row["met"])
        self.assertEqual(summarize([1, 2, 3, 4])["median"], 2.5)

    def test_absolute_goal_uses_the_median_itself(self):
        row = metric_result("boot", "boot", "time", Goal("<=", 50), [40, 70, 45], None, unit="ms")
        self.assertIsNone(row["ratio"])
        self.assertTrue(row["met"])
        self.assertIn("45.0 ms", table([row]))


class FloorNoteTests(unittest.TestCase):
    def test_yield_floor_is_the_signal_anchor_over_the_yield_anchor(self):
        def pair(key, anchor):
            return Pair(key, key, "cost", Goal("<=", 2), [], key, [], key, anchor=anchor)
        notes = floor_notes({"syscall": pair("syscall", [4.0, 3.0, 5.0]), "yield": pair("yield", [2.0, 2.0, 2.0])})
        self.assertEqual(len(notes), 1)
        self.assertIn("2.00x", notes[0])
        self.assertEqual(floor_notes({"syscall": pair("syscall", [1.0])}), [])


class PairListTests(unittest.TestCase):
    def test_keys_are_unique_and_every_guest_program_has_a_source(self):
        ps = pairs(1.0)
        self.assertEqual(len({p.key for p in ps}), len(ps))
        for p in ps:
            for cmd in (p.guest_cmd, p.anchor_cmd):
                if "run" in cmd:   # a guest side: pebblebed run ... bench_NAME args
                    prog = next((w for w in cmd if w.startswith("bench_")), None)
                    self.assertIsNotNone(prog, cmd)
                    src = os.path.join(ROOT, "examples", "bench", prog[len("bench_"):] + ".c")
                    self.assertTrue(os.path.exists(src), src)

    def test_thread_count_row_compares_many_runnable_threads_with_two(self):
        row = next(p for p in pairs(1.0) if p.key == "yield_threads")
        self.assertEqual(YIELD_THREADS, 1024)
        self.assertEqual((row.kind, str(row.goal)), ("flat", "<= 1.5"))
        self.assertEqual(row.guest_cmd[-2:], ["1024", "20000"])
        self.assertEqual(row.anchor_cmd[-2:], ["2", "20000"])
        # Both sides run on the same machine settings: only the thread count differs.
        self.assertEqual(row.guest_cmd[:-2], row.anchor_cmd[:-2])
        self.assertIn("--hz", row.guest_cmd)
        self.assertEqual((row.guest_name, row.anchor_name), ("yield_pingpong_1024", "yield_pingpong_2"))


    def test_gate_rows_run_patched_and_trap_rows_keep_the_trap_path(self):
        rows = {p.key: p for p in pairs(1.0)}
        for key in ("syscall_gate", "yield"):
            self.assertNotIn("--no-fastcall", rows[key].guest_cmd, key)
        for key in ("syscall", "yield_trap"):
            self.assertIn("--no-fastcall", rows[key].guest_cmd, key)
        self.assertEqual(rows["syscall_gate"].anchor_cmd[-2:], ["getpid", "50000"])
        self.assertEqual((str(rows["syscall_gate"].goal), str(rows["yield"].goal)), ("<= 3", "<= 0.5"))

class JSONTests(unittest.TestCase):
    def test_written_file_reads_back(self):
        row = metric_result("k", "t", "speed", Goal(">=", 0.97), [100, 110], [99, 99])
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "sub", "results.json")
            write_json(path, {"metrics": [row]})
            with open(path) as f:
                back = json.load(f)
        self.assertEqual(back["metrics"][0]["goal"], ">= 0.97")
        self.assertEqual(back["metrics"][0]["ratio"]["values"], [0.99, 0.9])
        self.assertFalse(back["metrics"][0]["met"])


if __name__ == "__main__":
    unittest.main()
