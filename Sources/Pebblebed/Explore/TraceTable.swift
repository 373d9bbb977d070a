import Glibc

/// The preemption trace of a run, as Landslide prints it: one column per thread, one row per
/// switch, each row saying where the thread that stopped was (the system call or library
/// function, and its caller's function and source line) and which thread ran next.
/// Functions come from the ELF's symbols; file:line from its DWARF line table, read by the
/// host's `addr2line` (without it, rows show function+offset only).
struct TraceTable {
    let records: [PointRecord]
    let elfPath: String

    struct Row {
        let point: Int
        let from: Int32
        let to: Int32?
        let how: String
        let record: PointRecord
        /// Switched by a paid choice after a yield (`after-yield`): a preemption (marked *).
        var paid = false
    }

    var rows: [Row] {
        var rows: [Row] = []
        for (i, r) in records.enumerated() {
            if let u = r.switchedTo {
                rows.append(Row(point: r.index, from: r.thread, to: u, how: "preempted", record: r))
            } else if i + 1 < records.count, let paid = r.stopPaid, paid.contains(records[i + 1].thread) {
                // A paid choice after a yield (Schedule.Choice.paid): it counts as a preemption,
                // and the yielder going on would show no switch at all.
                let u = records[i + 1].thread
                rows.append(Row(point: r.index, from: r.thread, to: u, how: u == r.thread ? "went on after its yield" : "yielded, picked",
                                record: r, paid: true))
            } else if i + 1 < records.count, records[i + 1].thread != r.thread {
                rows.append(Row(point: r.index, from: r.thread, to: records[i + 1].thread, how: Self.voluntary(r.label), record: r))
            }
        }
        if let last = records.last { rows.append(Row(point: last.index, from: last.thread, to: nil, how: "last point", record: last)) }
        return rows
    }

    /// The rows with runs of threads yielding to each other (a spinning lock, a deadlock of
    /// yielding locks) cut to their first two rows and a count.
    var shownRows: [(row: Row, skipped: Int)] {
        let all = rows
        var out: [(row: Row, skipped: Int)] = []
        for (i, row) in all.enumerated() {
            if i >= 4, row.to != nil, (i - 2...i).allSatisfy({ all[$0].how == "yielded" }),
               all[i - 2].from == row.from, all[i - 2].record.label == row.record.label,
               i + 1 < all.count, all[i + 1].to != nil || all[i + 1].how == "last point" {
                out[out.count - 1].skipped += 1
                continue
            }
            out.append((row, 0))
        }
        return out
    }

    static func voluntary(_ label: String) -> String {
        switch label {
        case "yield", "thr_yield": "yielded"
        case "vanish", "task_vanish", "thr_exit": "exited"
        case "deschedule", "sleep", "wait", "readline", "getchar", "thr_join": "blocked"
        default: "switched"
        }
    }

    var text: String {
        let shown = shownRows
        let rows = shown.map(\.row)
        let threads = Array(Set(records.map(\.thread))).sorted()
        guard !threads.isEmpty else { return "Preemption trace: the run reached no preemption point.\n" }
        let where_ = locations(rows.map(\.record))
        let calledAt = programCallSites(rows.map(\.record))
        let width = 34
        func cell(_ s: String) -> String {
            let c = s.count > width ? String(s.prefix(width - 1)) + "~" : s
            return c + String(repeating: " ", count: width - c.count)
        }
        var s = "Preemption trace (one column per thread, one row per switch; * = preempted by the schedule):\n"
        s += " point  " + threads.map { "| " + cell("thread \($0)") }.joined() + "| next\n"
        s += String(repeating: "-", count: 8 + threads.count * (width + 2) + 12) + "\n"
        for (n, row) in rows.enumerated() {
            let (fn, line) = where_[n]
            var first = " " + String(row.point).leftPad(6) + " "
            var second = "        "
            for t in threads {
                if t == row.from {
                    first += "| " + cell((row.how == "preempted" || row.paid ? "* " : "") + row.record.label + " in " + fn)
                    second += "| " + cell("  " + (calledAt[n] ?? line))
                } else {
                    first += "| " + cell("")
                    second += "| " + cell("")
                }
            }
            first += "| " + (row.to.map { "-> \($0) (\(row.how))" } ?? "(the bug)")
            s += first + "\n" + second + "|\n"
            if shown[n].skipped > 0 {
                s += "        ... \(shown[n].skipped) more switches like the two above (threads yielding to each other)\n"
            }
        }
        return s
    }

    /// For each record: the caller's function and file:line.
    func locations(_ rs: [PointRecord]) -> [(String, String)] {
        let image = loadImage()
        // The call instruction is just before the return address. A word that is not in the
        // program's code (a hand-written stub such as thread_fork pushes its own words) is no
        // return address: the trap's own function is shown instead.
        let callers = rs.map { r -> UInt32 in
            guard r.caller != 0, let image, image.symbolName(containing: r.caller &- 1) != nil else { return 0 }
            return r.caller
        }
        let addresses = zip(rs, callers).map { r, c in c == 0 ? r.eip : c &- 1 }
        let lines = addr2line(addresses)
        return rs.enumerated().map { i, r in
            let fn = image?.symbolName(containing: addresses[i]) ?? hex(addresses[i])
            return (fn, lines[i] ?? (image?.describe(addresses[i]) ?? hex(addresses[i])))
        }
    }

    /// For each record whose point is inside the thread library (a deschedule in cond_wait,
    /// a yield in mutex_lock), where the program called into the library: "prog.c:42
    /// (thr_join)", the call site of the outermost library call the thread was in, which is
    /// what a student recognises; nil for a point the program reached itself. Found in the
    /// thread's earlier records: walking back from the point, the library entries met until
    /// one called from outside the library (the calls in between are the library's own, made
    /// within that one). The row keeps the point's own function on its first line.
    func programCallSites(_ rs: [PointRecord]) -> [String?] {
        guard let image = loadImage() else { return rs.map { _ in nil } }
        let library = image.ranges { PreemptionPoints.isLibrary($0, file: $1) }
        func inLibrary(_ a: UInt32) -> Bool { library.contains { $0.contains(a) } }
        var sites: [(call: UInt32, function: String)?] = []
        for r in rs {
            guard r.caller != 0, inLibrary(r.caller &- 1) else { sites.append(nil); continue }
            var found: (call: UInt32, function: String)?
            for e in records[..<min(r.index, records.count)].reversed() where e.thread == r.thread {
                guard PreemptionPoints.functions.contains(e.label), e.caller != 0 else { continue }
                if !inLibrary(e.caller &- 1) && image.symbolName(containing: e.caller &- 1) != nil {
                    found = (e.caller &- 1, e.label)
                    break
                }
            }
            sites.append(found)
        }
        let lines = addr2line(sites.compactMap { $0?.call })
        var k = 0
        return sites.map { s in
            guard let s else { return nil }
            defer { k += 1 }
            return "\(lines[k] ?? image.describe(s.call)) (\(s.function))"
        }
    }

    private func loadImage() -> ELFImage? {
        guard let f = fopen(elfPath, "rb") else { return nil }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&buf, 1, buf.count, f)
            if n <= 0 { break }
            bytes += buf.prefix(n)
        }
        return try? ELFImage.parse(bytes)
    }

    /// file:line of each address by the host's addr2line, or nil where it does not know.
    func addr2line(_ addresses: [UInt32]) -> [String?] {
        guard !addresses.isEmpty else { return [] }
        let cmd = "addr2line -e '\(elfPath)' " + addresses.map { String($0, radix: 16) }.joined(separator: " ") + " 2>/dev/null"
        guard !elfPath.contains("'"), let pipe = popen(cmd, "r") else { return addresses.map { _ in nil } }
        var out: [String?] = []
        var buf = [CChar](repeating: 0, count: 4096)
        while fgets(&buf, Int32(buf.count), pipe) != nil {
            let line = String(cString: buf).trimmingNewline
            if line.hasPrefix("??") { out.append(nil); continue }
            let file = line.split(separator: "/").last.map(String.init) ?? line
            out.append(String(file.prefix { $0 != " " }))
        }
        pclose(pipe)
        while out.count < addresses.count { out.append(nil) }
        return out
    }
}

private extension String {
    var trimmingNewline: String { hasSuffix("\n") ? String(dropLast()) : self }
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
