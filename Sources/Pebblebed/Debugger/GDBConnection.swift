import Glibc

/// The TCP connection to gdb: a listening socket on 127.0.0.1, one accepted client, packets in
/// and out (RSP.swift frames them). Kernel code (interrupts off): a timer or keyboard signal
/// that arrives during a wait only notes itself and interrupts poll with EINTR, which is retried.
final class GDBConnection {
    private let fd: Int32
    private var parser = RSPParser()
    /// Acknowledgements are on until gdb asks for QStartNoAckMode.
    var acknowledging = true
    private var lastSent: [UInt8] = []
    /// gdb closed the connection (or it failed).
    private(set) var closed = false

    private init(fd: Int32) { self.fd = fd }

    /// A listening socket on 127.0.0.1:`port` (0: the host picks one; `boundPort` tells which).
    static func listen(port: UInt16) -> Result<Int32, DebuggerError> {
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard s >= 0 else { return .failure(.socket("socket", errno)) }
        var one: Int32 = 1
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = UInt32(0x7f00_0001).bigEndian
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { let e = errno; Glibc.close(s); return .failure(.socket("bind to 127.0.0.1:\(port)", e)) }
        guard Glibc.listen(s, 1) == 0 else { let e = errno; Glibc.close(s); return .failure(.socket("listen", e)) }
        return .success(s)
    }

    /// The port a listening socket is bound to.
    static func boundPort(_ listener: Int32) -> UInt16? {
        var addr = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let r = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &len) }
        }
        return r == 0 ? UInt16(bigEndian: addr.sin_port) : nil
    }

    /// Waits for gdb to connect. nil if accepting failed for good.
    static func accept(_ listener: Int32) -> GDBConnection? {
        while true {
            guard waitReadable(listener) else { return nil }
            let c = Glibc.accept(listener, nil, nil)
            if c >= 0 {
                _ = fcntl(c, F_SETFD, FD_CLOEXEC)
                var one: Int32 = 1
                // Packets are small and answered one at a time: Nagle's delay would cost 40 ms each.
                setsockopt(c, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                return GDBConnection(fd: c)
            }
            if errno != EINTR && errno != ECONNABORTED && errno != EAGAIN { return nil }
        }
    }

    /// Blocks until `fd` is readable (or has hung up); false on a hard error.
    private static func waitReadable(_ fd: Int32, timeoutMilliseconds: Int32 = -1) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while true {
            let r = poll(&p, 1, timeoutMilliseconds)
            if r > 0 { return true }
            if r == 0 { return false }
            if errno != EINTR { return false }
        }
    }

    /// Sends one packet.
    func send(_ payload: String) { send(Array(payload.utf8)) }

    func send(_ payload: [UInt8]) {
        lastSent = RSP.frame(payload)
        write(lastSent)
    }

    private func write(_ bytes: [UInt8]) {
        guard !closed else { return }
        var done = 0
        while done < bytes.count {
            // MSG_NOSIGNAL: gdb gone must not raise SIGPIPE and kill the machine.
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + done, bytes.count - done, Int32(MSG_NOSIGNAL)) }
            if n > 0 { done += n; continue }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno == EAGAIN { _ = GDBConnection.waitWritable(fd); continue }
            closed = true
            return
        }
    }

    private static func waitWritable(_ fd: Int32) -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        while true {
            let r = poll(&p, 1, -1)
            if r > 0 { return true }
            if errno != EINTR { return false }
        }
    }

    /// The next event from gdb, waiting for it; nil when gdb closed the connection.
    /// Good packets are acknowledged, corrupt ones refused with `-` (gdb resends them), and
    /// a `-` from gdb resends the last packet.
    func receive(timeoutMilliseconds: Int32 = -1) -> RSPEvent? {
        while true {
            while let event = parser.next() {
                switch event {
                case .packet:
                    if acknowledging { write([UInt8(ascii: "+")]) }
                    return event
                case .corrupt:
                    if acknowledging { write([UInt8(ascii: "-")]) }
                case .resend:
                    if acknowledging { write(lastSent) }
                case .interrupt:
                    return event
                }
            }
            guard !closed, GDBConnection.waitReadable(fd, timeoutMilliseconds: timeoutMilliseconds), readAvailable() else {
                return nil
            }
        }
    }

    /// Reads what the socket holds; false at end of file or on an error.
    private func readAvailable() -> Bool {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n > 0 { parser.feed(buffer[..<n]); return true }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno == EAGAIN { return true }
            closed = true
            return false
        }
    }

    /// While the guest runs: whether gdb sent ^C (0x03). Looks without waiting; packets that
    /// came with it stay queued for the next `receive`. A closed connection counts as ^C.
    func interruptArrived() -> Bool {
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        guard poll(&p, 1, 0) > 0 else { return false }
        guard readAvailable() else { return true }
        return parser.takeInterrupt()
    }

    func close() {
        if !closed { Glibc.close(fd) }
        closed = true
    }
}

extension RSPParser {
    /// Removes the first 0x03 waiting outside a packet; whether there was one.
    mutating func takeInterrupt() -> Bool {
        var copy = self
        var others: [RSPEvent] = []
        var found = false
        while let e = copy.next() {
            if e == .interrupt && !found { found = true } else { others.append(e) }
        }
        guard found else { return false }
        // Put back what came with it (a packet gdb sent while the guest ran), in order.
        var rebuilt = RSPParser()
        for e in others {
            switch e {
            case .packet(let p):
                // The payload as it came (escapes undone only by the packet's handler).
                rebuilt.feed([UInt8(ascii: "$")] + p + [UInt8(ascii: "#")] + Array(RSP.hex(RSP.checksum(p)).utf8))
            case .interrupt: rebuilt.feed([0x03])
            case .resend: rebuilt.feed([UInt8(ascii: "-")])
            case .corrupt: rebuilt.feed(Array("$#01".utf8))   // still refused with `-` later
            }
        }
        self = rebuilt
        return true
    }
}

/// Why the debugger could not start.
public enum DebuggerError: Error, CustomStringConvertible {
    case socket(String, Int32)

    public var description: String {
        switch self {
        case .socket(let what, let err): "gdb stub: \(what): \(String(cString: strerror(err)))"
        }
    }
}
