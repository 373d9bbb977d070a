import Testing
@testable import Pebblebed

@Suite("ELFImage.pagePlan")
struct PagePlanTests {
    typealias Copy = PagePlan.Copy
    static let rx: PagePlan.Protection = [.read, .execute]
    static let rw: PagePlan.Protection = [.read, .write]

    @Test func twoSegmentProgram() throws {
        let image = try ELFImage.parse(ELFBuilder.twoSegmentProgram().build())
        #expect(image.pagePlan() == [
            PagePlan(page: 0x0100_0000, protection: Self.rx, copies: [Copy(pageOffset: 0, fileOffset: 0x1000, length: 0x1000)]),
            PagePlan(page: 0x0100_1000, protection: Self.rx, copies: [Copy(pageOffset: 0, fileOffset: 0x2000, length: 0x800)]),
            PagePlan(page: 0x0100_2000, protection: Self.rw, copies: [Copy(pageOffset: 0, fileOffset: 0x3000, length: 0x600)]),
            PagePlan(page: 0x0100_3000, protection: Self.rw, copies: []),
            PagePlan(page: 0x0100_4000, protection: Self.rw, copies: []),
        ])
        #expect(image.pagePlan().map(\.isZeroFillOnly) == [false, false, false, true, true])
    }

    /// Older Pebbles toolchains: text at file offset 0 up to 0x01004c28, data at 0x01005c28
    /// from file offset 0x4c28 (the same file page mapped twice by a classic loader).
    @Test func oldToolchainDataOnePageAfterText() throws {
        let builder = ELFBuilder(entry: 0x0100_0080, segments: [
            .init(virtualAddress: 0x0100_0000, memorySize: 0x4c28, flags: ELFBuilder.rx,
                  data: ELFBuilder.pattern(0x4c28, seed: 3), fileOffset: 0),
            .init(virtualAddress: 0x0100_5c28, memorySize: 0x1800, flags: ELFBuilder.rw,
                  data: ELFBuilder.pattern(0x400, seed: 4), fileOffset: 0x4c28),
        ])
        let plan = try ELFImage.parse(builder.build()).pagePlan()
        #expect(plan.map(\.page) == (0..<8).map { 0x0100_0000 + UInt32($0) * 0x1000 })
        #expect(plan[4] == PagePlan(page: 0x0100_4000, protection: Self.rx,
                                    copies: [Copy(pageOffset: 0, fileOffset: 0x4000, length: 0xc28)]))
        #expect(plan[5] == PagePlan(page: 0x0100_5000, protection: Self.rw,
                                    copies: [Copy(pageOffset: 0xc28, fileOffset: 0x4c28, length: 0x3d8)]))
        #expect(plan[6] == PagePlan(page: 0x0100_6000, protection: Self.rw,
                                    copies: [Copy(pageOffset: 0, fileOffset: 0x5000, length: 0x28)]))
        #expect(plan[7] == PagePlan(page: 0x0100_7000, protection: Self.rw, copies: []))
    }

    /// Data starting mid-page right after text: the shared page gets both contents and RWX.
    @Test func textAndDataSharingAPage() throws {
        let text = ELFBuilder.pattern(0x4c28, seed: 5), data = ELFBuilder.pattern(0x100, seed: 6)
        let builder = ELFBuilder(entry: 0x0100_0080, segments: [
            .init(virtualAddress: 0x0100_0000, memorySize: 0x4c28, flags: ELFBuilder.rx, data: text, fileOffset: 0),
            .init(virtualAddress: 0x0100_4c28, memorySize: 0x2000, flags: ELFBuilder.rw, data: data, fileOffset: 0x4c28),
        ])
        let image = try ELFImage.parse(builder.build())
        let plan = image.pagePlan()
        let shared = try #require(plan.first { $0.page == 0x0100_4000 })
        #expect(shared.protection == [.read, .write, .execute])
        #expect(shared.copies == [Copy(pageOffset: 0, fileOffset: 0x4000, length: 0xc28),
                                  Copy(pageOffset: 0xc28, fileOffset: 0x4c28, length: 0x100)])
        let contents = image.contents(of: shared)
        #expect(Array(contents[0 ..< 0xc28]) == Array(text[0x4000...]))
        #expect(Array(contents[0xc28 ..< 0xd28]) == data)
        #expect(contents[0xd28...].allSatisfy { $0 == 0 })
        #expect(plan.filter { $0.page > 0x0100_4000 }.map(\.page) == [0x0100_5000, 0x0100_6000])
        #expect(plan.filter { $0.page > 0x0100_4000 }.allSatisfy { $0.isZeroFillOnly && $0.protection == Self.rw })
    }

    @Test func bssSpanningSeveralPages() throws {
        var builder = ELFBuilder.twoSegmentProgram()
        builder.segments[1] = .init(virtualAddress: 0x0100_2100, memorySize: 0x5000, flags: ELFBuilder.rw,
                                    data: ELFBuilder.pattern(0x10, seed: 7))
        let image = try ELFImage.parse(builder.build())
        let dataPages = image.pagePlan().filter { $0.page >= 0x0100_2000 }
        #expect(dataPages.map(\.page) == [0x0100_2000, 0x0100_3000, 0x0100_4000, 0x0100_5000, 0x0100_6000, 0x0100_7000])
        #expect(dataPages.map(\.isZeroFillOnly) == [false, true, true, true, true, true])
        let first = image.contents(of: dataPages[0])
        #expect(first[0 ..< 0x100].allSatisfy { $0 == 0 })
        #expect(Array(first[0x100 ..< 0x110]) == ELFBuilder.pattern(0x10, seed: 7))
        #expect(first[0x110...].allSatisfy { $0 == 0 })
    }

    @Test func laterSegmentWinsWhereFileBytesOverlap() throws {
        let a = ELFBuilder.pattern(0x1000, seed: 8), b = ELFBuilder.pattern(0x100, seed: 9)
        let builder = ELFBuilder(entry: 0x0100_0000, segments: [
            .init(virtualAddress: 0x0100_0000, memorySize: 0x1000, flags: ELFBuilder.rx, data: a),
            .init(virtualAddress: 0x0100_0800, memorySize: 0x100, flags: ELFBuilder.rw, data: b),
        ])
        let image = try ELFImage.parse(builder.build())
        let page = try #require(image.pagePlan().first)
        #expect(page.copies.count == 3) // a's bytes on either side of b's
        #expect(image.contents(of: page) == Array(a[..<0x800]) + b + Array(a[0x900...]))
    }

    @Test func laterSegmentsZeroFillAlsoReplacesEarlierBytes() throws {
        let a = ELFBuilder.pattern(0x1000, seed: 10), b = ELFBuilder.pattern(0x10, seed: 11)
        let builder = ELFBuilder(entry: 0x0100_0000, segments: [
            .init(virtualAddress: 0x0100_0000, memorySize: 0x1000, flags: ELFBuilder.rx, data: a),
            .init(virtualAddress: 0x0100_0800, memorySize: 0x100, flags: ELFBuilder.rw, data: b),
        ])
        let image = try ELFImage.parse(builder.build())
        let page = try #require(image.pagePlan().first)
        let zeros = [UInt8](repeating: 0, count: 0xf0)
        #expect(image.contents(of: page) == Array(a[..<0x800]) + b + zeros + Array(a[0x900...]))
    }

    @Test func segmentEndingAtTheTopOfMemoryPlansItsLastPage() throws {
        let builder = ELFBuilder(entry: 0x0100_0000, segments: [
            .init(virtualAddress: 0x0100_0000, memorySize: 0x10, flags: ELFBuilder.rx, data: [0xc3]),
            .init(virtualAddress: 0xffff_e800, memorySize: 0x1800, flags: ELFBuilder.rw, data: [1, 2, 3]),
        ])
        let plan = try ELFImage.parse(builder.build()).pagePlan()
        #expect(plan.map(\.page) == [0x0100_0000, 0xffff_e000, 0xffff_f000])
        #expect(plan[1].copies.map(\.pageOffset) == [0x800])
        #expect(plan[2].isZeroFillOnly)
    }

    @Test func emptySegmentTouchesNoPage() throws {
        var builder = ELFBuilder.twoSegmentProgram()
        builder.segments.append(.init(virtualAddress: 0x0200_0000, memorySize: 0, flags: ELFBuilder.rw))
        let plan = try ELFImage.parse(builder.build()).pagePlan()
        #expect(!plan.contains { $0.page == 0x0200_0000 })
    }
}
