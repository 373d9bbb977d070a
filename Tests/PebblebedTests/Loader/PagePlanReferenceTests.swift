import Testing
@testable import Pebblebed

/// Checks the page plan against the simplest possible loader: a byte-per-address memory into
/// which each segment is copied in program-header order. Many seeded random layouts with
/// unaligned, adjacent and overlapping segments cover the cases the hand-written tests miss.
@Suite("ELFImage.pagePlan matches a byte-by-byte reference loader")
struct PagePlanReferenceTests {
    /// A fixed-seed generator, so a failure reproduces.
    struct SplitMix {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return Int((z ^ (z >> 31)) % UInt64(bound))
        }
    }

    static func randomProgram(seed: UInt64) -> ELFBuilder {
        var random = SplitMix(state: seed)
        var segments: [ELFBuilder.Segment] = []
        for index in 0 ..< 1 + random.next(3) {
            let start = 0x0100_0000 + UInt32(random.next(0x6000))
            let memorySize = 1 + random.next(0x2800)
            let fileSize = random.next(memorySize + 1)
            let flags = index == 0 ? ELFBuilder.rx : UInt32(random.next(8))
            segments.append(.init(virtualAddress: start, memorySize: UInt32(memorySize), flags: flags,
                                  data: ELFBuilder.pattern(fileSize, seed: UInt8(truncatingIfNeeded: seed &+ UInt64(index)))))
        }
        return ELFBuilder(entry: segments[0].virtualAddress, segments: segments)
    }

    /// Memory contents and page protections after copying each segment over the previous ones.
    static func reference(_ image: ELFImage) -> (memory: [UInt32: UInt8], protection: [UInt32: PagePlan.Protection]) {
        var memory: [UInt32: UInt8] = [:], protection: [UInt32: PagePlan.Protection] = [:]
        for segment in image.segments {
            for offset in 0 ..< Int(segment.memorySize) {
                let address = segment.virtualAddress + UInt32(offset)
                memory[address] = offset < segment.fileSize ? image.bytes[Int(segment.fileOffset) + offset] : 0
                protection[address & ~0xfff, default: []].formUnion(segment.protection)
            }
        }
        return (memory, protection)
    }

    @Test(arguments: 0 ..< 150)
    func planReproducesTheReferenceMemory(seed: Int) throws {
        let image = try ELFImage.parse(Self.randomProgram(seed: UInt64(seed)).build())
        let (memory, protection) = Self.reference(image)
        let plan = image.pagePlan()
        #expect(plan.map(\.page) == protection.keys.sorted())
        for page in plan {
            #expect(page.protection == protection[page.page])
            let contents = image.contents(of: page)
            for offset in 0 ..< PagePlan.size {
                let expected = memory[page.page + UInt32(offset)] ?? 0
                if contents[offset] != expected {
                    Issue.record("page \(page.page) offset \(offset): \(contents[offset]) != \(expected)")
                    break
                }
            }
            checkCopiesAreDisjointAndSorted(page)
        }
    }

    func checkCopiesAreDisjointAndSorted(_ page: PagePlan) {
        var end = 0
        for copy in page.copies {
            #expect(copy.length > 0 && copy.pageOffset >= end && copy.pageOffset + copy.length <= PagePlan.size)
            end = copy.pageOffset + copy.length
        }
    }
}
