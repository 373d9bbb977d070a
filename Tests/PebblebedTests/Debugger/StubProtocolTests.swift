import Foundation
import Glibc
import Testing

/// The stub's protocol directly, as a minimal gdb would speak it over TCP (`--gdb-port 0`: the
/// kernel picks a free port and names it in its log): what gdb's own session cannot show
/// deterministically, ^C interrupting a guest that spins in user mode, breakpoint bytes hidden
/// from memory reads, one-instruction steps, thread queries, and the end of the run.
@Suite(.enabled(if: Guest.hasProgram("guard_spin") && Guest.hasProgram("gdb_threads")))
struct StubProtocolTests {
    /// One machine under the stub, and a socket to it.
    final class Session {
        let process = Process()
        let dir: URL
        let errFile: URL
        let outFile: URL
        var fd: Int32 = -1
        private var buffer: [UInt8] = []

        init(_ program: String) throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("pebblebed-stub-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            errFile = dir.appendingPathComponent("err")
            outFile = dir.appendingPathComponent("out")
            try Data().write(to: errFile)
            try Data().write(to: outFile)
            process.executableURL = URL(fileURLWithPath: Guest.binary)
            process.arguments = ["run", "--ramdisk", Guest.ramdisk, "--gdb-port", "0", program]
            process.standardError = try FileHandle(forWritingTo: errFile)
            process.standardOutput = try FileHandle(forWritingTo: outFile)
            process.standardInput = FileHandle.nullDevice
            try process.run()
            // The kernel names its port once it listens; wait for that line (bounded).
            let deadline = Date().addingTimeInterval(30)
            var port: UInt16? = nil
            while port == nil && Date() < deadline && process.isRunning {
                let log = (try? String(contentsOf: errFile, encoding: .utf8)) ?? ""
                if let r = log.range(of: "waiting for gdb on 127.0.0.1:") {
                    port = UInt16(log[r.upperBound...].prefix { $0.isNumber })
                } else {
                    usleep(5000)
                }
            }
            guard let port else { throw StubError.noPort(stderr) }
            fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = port.bigEndian
            addr.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
            let r = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard r == 0 else { throw StubError.noPort("connect: \(errno)") }
            var tv = timeval(tv_sec: 20, tv_usec: 0)   // a stub that never answers fails the test
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        }

        var stderr: String { (try? String(contentsOf: errFile, encoding: .utf8)) ?? "" }
        var stdout: String { (try? String(contentsOf: outFile, encoding: .utf8)) ?? "" }

        func sendRaw(_ bytes: [UInt8]) {
            _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        }

        func send(_ payload: String) {
            let sum = payload.utf8.reduce(UInt8(0), &+)
            sendRaw(Array("$\(payload)#\(String(format: "%02x", sum))".utf8))
        }

        /// The next packet's payload (acks skipped), or nil on timeout or end of file.
        func receive() -> String? {
            while true {
                if let start = buffer.firstIndex(of: UInt8(ascii: "$")),
                   let hash = buffer[start...].firstIndex(of: UInt8(ascii: "#")), hash + 2 < buffer.count {
                    let payload = String(decoding: buffer[(start + 1)..<hash], as: UTF8.self)
                    buffer.removeFirst(hash + 3)
                    return payload
                }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { return nil }
                buffer += chunk[..<n]
            }
        }

        func ask(_ payload: String) -> String? {
            send(payload)
            return receive()
        }

        func finish() -> Int32 {
            close(fd)
            let deadline = Date().addingTimeInterval(30)
            while process.isRunning && Date() < deadline { usleep(5000) }
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: dir)
            return process.terminationStatus
        }
    }

    enum StubError: Error { case noPort(String) }

    static func eip(ofRegisters g: String) -> UInt32? {
        let bytes = Array(g.utf8)
        guard bytes.count >= 72 else { return nil }
        let hex = String(decoding: bytes[64..<72], as: UTF8.self)
        guard let v = UInt32(hex, radix: 16) else { return nil }
        return v.byteSwapped   // target order
    }

    @Test func interruptStepAndBreakpointsOverTheWire() throws {
        let s = try Session("guard_spin")
        let supported = s.ask("qSupported:multiprocess+;swbreak+;xmlRegisters=i386") ?? ""
        #expect(supported.contains("qXfer:features:read+") && supported.contains("swbreak+"), "\(supported)")
        #expect(s.ask("QStartNoAckMode") == "OK")
        #expect(s.ask("?") == "T05thread:1;", "stopped before the first instruction")
        let xml = s.ask("qXfer:features:read:target.xml:0,3fff") ?? ""
        #expect(xml.hasPrefix("l<?xml") && xml.contains("<architecture>i386</architecture>"), "\(xml.prefix(80))")
        let g = s.ask("g") ?? ""
        #expect(g.count == 308 * 2, "every register of the description: \(g.count)")
        let entry = try #require(Self.eip(ofRegisters: g))
        let at = String(entry, radix: 16)

        // A breakpoint's int3 is hidden from memory reads; gdb's writes keep it planted.
        let original = s.ask("m\(at),4") ?? ""
        #expect(original.count == 8)
        #expect(s.ask("Z0,\(at),1") == "OK")
        #expect(s.ask("m\(at),4") == original, "reads show the original byte, not 0xcc")
        #expect(s.ask("z0,\(at),1") == "OK")
        #expect(s.ask("m\(at),4") == original)
        #expect(s.ask("m10,4") == "E14", "below user memory: an error, not a fault")

        // One instruction.
        #expect(s.ask("vCont;s:1") == "T05thread:1;")
        let stepped = try #require(Self.eip(ofRegisters: s.ask("g") ?? ""))
        #expect(stepped != entry && stepped > entry && stepped < entry + 16, "eip \(hex(stepped)) after \(hex(entry))")

        // ^C while the guest spins in user mode forever.
        s.send("c")
        let deadline = Date().addingTimeInterval(30)
        while !s.stdout.contains("guard_spin: spinning") && Date() < deadline { usleep(5000) }
        s.sendRaw([0x03])
        #expect(s.receive() == "T02thread:1;", "^C stops the machine")
        #expect(s.ask("qfThreadInfo") == "m1")
        #expect(s.ask("qsThreadInfo") == "l")
        #expect(s.ask("qC") == "QC1")
        let extra = s.ask("qThreadExtraInfo,1") ?? ""
        let described = String(decoding: (0..<extra.count / 2).map { i -> UInt8 in
            UInt8(extra.dropFirst(2 * i).prefix(2), radix: 16) ?? 0 }, as: UTF8.self)
        #expect(described.contains("task 1 (guard_spin)"), "\(described)")
        #expect(s.ask("vKill;1") == "OK")
        #expect(s.finish() == 137, "killed from gdb: \(s.stderr)")
    }

    /// Malformed or hostile packets get an error (or the empty "unsupported" reply) and change
    /// nothing; the stub and the machine go on.
    @Test func badPacketsGetErrorsAndChangeNothing() throws {
        let s = try Session("gdb_threads")
        #expect(s.ask("QStartNoAckMode") == "OK")
        let registers = s.ask("g")
        let bad: [(String, String)] = [
            ("m", "E01"), ("mzz,4", "E01"), ("m1000000,100000", "E01"), ("mffffffff,10", "E14"),
            ("M1000000,2:zz", "E01"), ("M1000000,4:00", "E01"), ("M10,1:00", "E14"),
            ("X1000000,2:a", "E01"), ("p", "E01"), ("p-5", "E01"), ("p99", "E01"), ("P8=zz", "E01"),
            ("P99=00000000", "E01"), ("G12", "E01"), ("Hg7fffffff", "E02"), ("Hgffffffffff", "E02"),
            ("Tzz", "E01"), ("T99", "E01"), ("Z0,10,1", "E14"), ("Z9,1000000,1", ""), ("Z0", "E01"),
            ("Z2,ffffffff,4", "E01"), ("Z2,1000000,0", "E01"), ("Z3,fffff000,2000", "E01"),
            ("qXfer:features:read:other.xml:0,10", "E00"), ("qThreadExtraInfo,99", "E01"),
            ("qRcmd,zz", "E01"), ("vFlashErase:0,1", ""), ("!", ""), ("", ""),
        ]
        for (packet, expected) in bad {
            #expect(s.ask(packet) == expected, "reply to \(packet)")
        }
        let help = s.ask("qRcmd," + "pt 99999999999".utf8.map { String(format: "%02x", $0) }.joined()) ?? ""
        #expect(help != "" && help != "OK", "monitor answers with text")
        #expect(s.ask("g") == registers, "no register changed")
        #expect(s.ask("?") == "T05thread:1;")
        s.send("c")
        var last = ""
        while let p = s.receive() { last = p; if p.hasPrefix("W") { break } }
        #expect(last == "W00", "the program still runs to its end")
        #expect(s.finish() == 0)
    }

    @Test func theRunsEndIsReportedWithItsStatus() throws {
        let s = try Session("gdb_threads")
        #expect(s.ask("?") == "T05thread:1;")
        s.send("c")
        // Thread exits come as console output, then the exit with the status.
        var packets: [String] = []
        while let p = s.receive() {
            packets.append(p)
            if p.hasPrefix("W") { break }
        }
        #expect(packets.last == "W00", "\(packets)")
        #expect(packets.dropLast().allSatisfy { $0.hasPrefix("O") }, "\(packets)")
        // The output was written before the exit was reported.
        #expect(s.stdout.contains("gdb_threads: total 14 flag 42"), "\(s.stdout)")
        let status = s.finish()
        #expect(status == 0, "the program's status")
    }

    func hex(_ v: UInt32) -> String { "0x" + String(v, radix: 16) }
}
