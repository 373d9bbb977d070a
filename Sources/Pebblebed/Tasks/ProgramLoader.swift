/// A program loaded into a fresh address space, ready for its first thread.
struct LoadedProgram {
    let space: AddressSpace
    let entry: UInt32
    let stackPointer: UInt32

    /// Points `thread` at the program's entry with the initial stack, as if `_main` were called.
    func start(_ thread: Thread) {
        thread.frame.reset(eip: entry, esp: stackPointer)
        thread.swexn = nil
    }
}

/// Why a program could not be loaded: the error exec returns and, for a file that is not a
/// runnable program, what is wrong with it (for `pebblebed run` to show).
struct LoadFailure: Error, CustomStringConvertible {
    let error: PebblesError
    let reason: String?

    init(_ error: PebblesError, reason: String? = nil) {
        self.error = error
        self.reason = reason
    }

    var description: String { reason ?? error.description }
}

/// Builds address spaces from RAM-disk programs: the ELF's pages, then the initial stack with
/// argc/argv at the top of user memory. Everything is reserved up front, so a failure leaves
/// nothing behind (and exec leaves the old program intact).
enum ProgramLoader {
    /// Initial stack: a few pages, as Pebbles gives; growth is the user library's (autostack).
    static let stackPages: UInt32 = 8
    static let maxArguments = 1024
    static let maxArgumentBytes = 128 * 1024
    static let topOfMemory: UInt64 = 0x1_0000_0000
    static func load(name: String, arguments: [[UInt8]]) throws(LoadFailure) -> LoadedProgram {
        guard let bytes = kernel.ramdisk.contents(of: name), name != "." else { throw LoadFailure(.notFound) }
        let image: ELFImage
        do { image = try ELFImage.parse(bytes) } catch {
            throw LoadFailure(.notExecutable, reason: error.description)
        }
        let argBytes = arguments.reduce(0) { $0 + $1.count + 1 }
        guard arguments.count <= maxArguments, argBytes <= maxArgumentBytes else { throw LoadFailure(.argumentsTooLong) }
        // A hostile header can ask for gigabytes of bss: refuse before planning page by page.
        let pagesWanted = image.segments.reduce(UInt64(0)) { $0 + (UInt64($1.memorySize) >> UInt64(pageShift)) + 2 }
        guard pagesWanted <= UInt64(memory.pool.available) else { throw LoadFailure(.noMemory) }
        let plan = image.pagePlan()
        let argPages = UInt32((argBytes + 4 * (arguments.count + 8) + pageSize - 1) / pageSize)
        let stackPages = stackPages + argPages
        let stackLow = UInt32(topOfMemory >> UInt64(pageShift)) - stackPages
        guard plan.allSatisfy({ $0.page >> pageShift < stackLow }) else {
            throw LoadFailure(.notExecutable, reason: "program overlaps the stack at the top of user memory")
        }
        do { try memory.pool.reserve(plan.count + Int(stackPages)) } catch { throw LoadFailure(error) }
        let space = AddressSpace()
        for p in plan { place(p, of: image, in: space) }
        MagicPatch.apply(image, named: name, to: space)
        if let p = kernel.points, name == p.program {
            p.breakpoints = PreemptionPoints.plant(image, in: space, extra: p.schedule.extraPoints)
            p.symbolNamer = { image.symbolName(containing: $0) == nil ? nil : image.describe($0) }
        }
        for page in stackLow..<stackLow + stackPages { space.mapZeroFill(page) }
        let sp = writeArguments(arguments, into: space, stackLow: stackLow)
        return LoadedProgram(space: space, entry: image.entry, stackPointer: sp)
    }

    /// One page of the image: lazily zero-filled if it takes nothing from the file, else a
    /// frame (from the reservation) filled from the file.
    private static func place(_ p: PagePlan, of image: ELFImage, in space: AddressSpace) {
        let page = p.page >> pageShift
        let writable = p.protection.contains(.write)
        if p.isZeroFillOnly {
            space.mapZeroFill(page, writable: writable)
            if !writable { memory.pool.unreserve(1) }   // a read-only zero page never needs a frame
            return
        }
        let frame = memory.pool.allocateReserved()
        let contents = image.contents(of: p)
        contents.withUnsafeBytes { memory.physical.write(frame, offset: 0, $0) }
        space.mapFrame(page, frame: frame, writable: writable)
    }

    /// Lays out the strings, the argv array and `_main`'s cdecl frame (dummy return address,
    /// argc, argv, stack_high, stack_low) at the top of the stack; returns the initial esp.
    private static func writeArguments(_ args: [[UInt8]], into space: AddressSpace, stackLow: UInt32) -> UInt32 {
        var sp = UInt64(topOfMemory)
        var pointers: [UInt32] = []
        for a in args {
            sp -= UInt64(a.count + 1)
            pointers.append(UInt32(sp))
            try! space.copyOut(a + [0], to: UInt32(sp))
        }
        sp &= ~3
        sp -= UInt64(4 * (args.count + 1))
        let argv = UInt32(sp)
        try! space.copyOut(littleEndianBytes(words: pointers + [0]), to: argv)
        // cdecl: at a function's entry esp+4 is 16-byte aligned; esp holds the return address.
        sp = ((sp - 16) & ~15) - 4
        let frame: [UInt32] = [0, UInt32(args.count), argv, UInt32(topOfMemory - 1), stackLow << pageShift]
        try! space.copyOut(littleEndianBytes(words: frame), to: UInt32(sp))
        return UInt32(sp)
    }

}
