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

/// Builds address spaces from RAM-disk programs: the ELF's pages, then the initial stack at the
/// top of user memory, laid out as on the 15-410 reference kernel (see `writeArguments`).
/// Everything is reserved up front, so a failure leaves nothing behind (and exec leaves the old
/// program intact).
enum ProgramLoader {
    /// Stack pages below the page(s) holding the arguments; growth beyond is the user
    /// library's (autostack). With a small argv that makes the reference kernel's initial stack:
    /// stack_low 0xFFFFE000, stack_high 0xFFFFFFFF (libraries written for it hard-code these).
    static let stackPagesBelowArguments: UInt32 = 1
    static let maxArguments = 1024
    static let maxArgumentBytes = 128 * 1024
    static let topOfMemory = GuestLayout.userEnd
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
        // An upper bound of the argument block (strings, alignment, argv array): writeArguments
        // starts the stack proper below the pages it spans.
        let argPages = UInt32((argBytes + 4 * (arguments.count + 8) + pageSize - 1) / pageSize)
        let stackPages = stackPagesBelowArguments + argPages
        let stackLow = UInt32(topOfMemory >> UInt64(pageShift)) - stackPages
        guard plan.allSatisfy({ $0.page >> pageShift < stackLow }) else {
            throw LoadFailure(.notExecutable, reason: "program overlaps the stack at the top of user memory")
        }
        do {
            try HostMemory.checkHeadroom()   // the new page tables are host memory (ulimit -v)
            try memory.pool.reserve(plan.count + Int(stackPages))
        } catch { throw LoadFailure(error) }
        let space = AddressSpace()
        for p in plan { place(p, of: image, in: space) }
        MagicPatch.apply(image, named: name, to: space)
        // After the magic patch, which only touches sim_call (never a stub shape).
        if kernel.fastCallEnabled { SyscallStub.apply(image, to: space) }
        if let p = kernel.points, name == p.program {
            // Another task may run this program already (a forked child exec'ing it again):
            // the table keeps its points, whose int3s are in that task's text, and the new image
            // gets the data-race points too (same program, same addresses). Replaced, the
            // table lost the race points explore had planted in the first task's text, and
            // that task died on their int3s.
            let racePoints = p.breakpoints.filter { $0.value.function == ForkRunner.racePointLabel }.map(\.key)
            let planted = PreemptionPoints.plant(image, in: space, extra: Array(Set(p.schedule.extraPoints + racePoints)).sorted())
            p.breakpoints.merge(planted) { kept, _ in kept }
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

    /// Lays out the strings and the argv array at the very top of memory, then `_main`'s cdecl
    /// frame (dummy return address, argc, argv, stack_high, stack_low) in the page below the
    /// ones the arguments touch; returns the initial esp. stack_high is 0xFFFFFFFF.
    ///
    /// Why the page boundary: thread libraries written against the reference kernel find the
    /// main stack by rounding the address of a local up to a page with signed `int`
    /// arithmetic, e.g. `(((int)&a - 1) / 4096 + 1) * 4096`. In the topmost page (addresses
    /// -4096..-1 as int) that yields 0x1000, so the main stack seems to end in low memory and
    /// every `new_pages` placed below it is refused; from the page below, it yields 0 (4 GiB
    /// modulo 2^32), the true end. The reference kernel's programs never run `main` in the top
    /// page, and neither do ours.
    private static func writeArguments(_ args: [[UInt8]], into space: AddressSpace, stackLow: UInt32) -> UInt32 {
        var sp = topOfMemory
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
        sp &= ~UInt64(pageSize - 1)   // below every page the arguments touch (load mapped one more)
        // cdecl: at a function's entry esp+4 is 16-byte aligned; esp holds the return address.
        sp = ((sp - 16) & ~15) - 4
        let frame: [UInt32] = [0, UInt32(args.count), argv, UInt32(topOfMemory - 1), stackLow << pageShift]
        try! space.copyOut(littleEndianBytes(words: frame), to: UInt32(sp))
        return UInt32(sp)
    }

}
