import Foundation
import Testing
@testable import Pebblebed

extension InProcessKernel {
/// Kernel stacks of freed contexts are handed to the next new ones (KernelContext.spareStacks)
/// with their guard page still inaccessible: an overflow of a recycled stack must fault as a
/// fresh one does.
@Suite(.serialized) struct KernelContextTests {
    /// The host's protection of the page at `address` ("---p", "rw-p", ...), from /proc/self/maps.
    static func protection(at address: UnsafeMutableRawPointer) throws -> String? {
        let a = UInt(bitPattern: address)
        // Read to its end: /proc files report size 0, and a read by size stops short.
        let maps = String(decoding: try FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/maps")).readToEnd() ?? Data(),
                          as: UTF8.self)
        for line in maps.split(separator: "\n") {
            let f = line.split(separator: " ")
            let range = f[0].split(separator: "-").compactMap { UInt($0, radix: 16) }
            if range.count == 2, range[0] <= a, a < range[1] { return String(f[1]) }
        }
        return nil
    }

    @Test func aFreedContextsStackGoesToTheNextWithItsGuardPage() throws {
        let here = KernelContext()
        var first: KernelContext? = try KernelContext(entry: { _ in }, exit: here)
        let base = try #require(first?.stackBase)
        let seen = try Self.protection(at: base)
        #expect(seen == "---p", "guard page: \(String(describing: seen)) at \(base)")
        #expect(try Self.protection(at: base + pageSize) == "rw-p", "stack")
        first = nil
        #expect(try Self.protection(at: base) == "---p", "kept, not unmapped")
        let second = try KernelContext(entry: { _ in }, exit: here)
        #expect(second.stackBase == base, "the freed stack is used again")
        #expect(try Self.protection(at: base) == "---p", "its guard page is still in place")
        // More freed than kept: the rest are unmapped.
        var many: [KernelContext] = []
        for _ in 0..<(KernelContext.spareStackLimit + 4) { many.append(try KernelContext(entry: { _ in }, exit: here)) }
        let last = try #require(many.last?.stackBase)
        many.removeAll()
        #expect(try Self.protection(at: last) == nil, "beyond the spares kept, a stack is unmapped")
    }
}
}
