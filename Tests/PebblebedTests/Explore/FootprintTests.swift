import Testing
@testable import Pebblebed

/// The footprints the kernel records at points (Kernel+Points.swift, `footprint`) for thread
/// creation, exit and deschedule, and what DPOR makes of them (PartialOrder): a run of
/// scripted threads on a FakeMachine with a PointController recording, as under explore.
extension InProcessKernel {
    @Suite struct FootprintTests {
        /// Thread 1 creates 2 and 3 and deschedules on a zero word; 2 wakes it and ends; 3
        /// makes runnable a thread that does not exist (tid 7) and ends; 1 ends last.
        /// Points: 0, 1 thread_fork (1); 2 deschedule (1); 3 make_runnable(1) (2); 4 vanish
        /// (2); 5 make_runnable(7) (3); 6 vanish (3); 7 vanish (1, the task's last).
        static func run() throws -> [PointRecord] {
            let k = try FakeKernel()
            let p = PointController(schedule: Schedule(), program: "init")
            k.kernel.points = p
            k.machine.scripts[1] = [.call("thread_fork"), .call("thread_fork"), .call("deschedule", esi: FakeKernel.dataBase)]
            k.machine.scripts[2] = [.call("make_runnable", esi: 1)]
            k.machine.scripts[3] = [.call("make_runnable", esi: 7)]
            #expect(k.run() == 0)
            return p.records
        }

        static func dependent(_ a: PointRecord, _ b: PointRecord) -> Bool {
            let f = PartialOrder.footprint(of: a, raceWords: [:]), g = PartialOrder.footprint(of: b, raceWords: [:])
            return PartialOrder.Sleeper(thread: a.thread, all: f.all, objects: f.objects, shared: f.shared)
                .wokenBy(all: g.all, objects: g.objects, shared: g.shared)
        }

        @Test func lifecycleAndDescheduleFootprintsAreNarrow() throws {
            let r = try Self.run()
            #expect(r.map(\.label) == ["thread_fork", "thread_fork", "deschedule", "make_runnable", "vanish",
                                       "make_runnable", "vanish", "vanish"], "\(r.map(\.label))")
            #expect(r.map(\.thread) == [1, 1, 1, 2, 2, 3, 3, 1])
            guard r.count == 8 else { return }
            // thread_fork: the tid allocator, the new thread, the live-thread count, and the
            // creation edge; not everything.
            #expect(r[0].footprint == [Footprint.creating(2), Footprint.tids, Footprint.thread(2), Footprint.liveThreads])
            #expect(r[1].footprint == [Footprint.creating(3), Footprint.tids, Footprint.thread(3), Footprint.liveThreads])
            // deschedule: its own thread and the word it reads (shared: reads commute).
            #expect(r[2].footprint == [Footprint.thread(1), Footprint.shared(UInt64(FakeKernel.dataBase))])
            // A vanish that leaves other threads: its thread, and a shared use of the count.
            #expect(r[4].footprint == [Footprint.thread(2), Footprint.shared(Footprint.liveThreads)])
            #expect(r[6].footprint == [Footprint.thread(3), Footprint.shared(Footprint.liveThreads)])
            // The last thread's vanish ends the task: everything.
            #expect(r[7].footprint == [Footprint.everything])

            #expect(!Self.dependent(r[4], r[6]), "two vanishes that are not their task's last commute")
            #expect(Self.dependent(r[6], r[7]), "the task's last vanish is dependent with every other")
            #expect(!Self.dependent(r[2], r[5]), "deschedule and a make_runnable of another thread commute")
            #expect(Self.dependent(r[2], r[3]), "deschedule and a make_runnable of its thread do not")
            #expect(Self.dependent(r[0], r[1]), "two thread_forks are dependent: tids are handed out in order")
            #expect(Self.dependent(r[0], r[4]), "a thread_fork reads the count of live threads a vanish lowers")
            #expect(!Self.dependent(r[1], r[5]), "creating thread 3 has nothing to do with tid 7")
        }

        /// A deschedule inside cond_wait also touches the condition (the library's cond_signal
        /// sets the flag it sleeps on, unwatched): cond_wait's entry is a planted breakpoint
        /// here, with (cv, mp) on the stack; the flag is already set, so deschedule returns.
        @Test func aDescheduleInsideCondWaitTouchesTheCondition() throws {
            let k = try FakeKernel()
            let p = PointController(schedule: Schedule(), program: "init")
            let entry: UInt32 = 0x0100_2000, cv = FakeKernel.dataBase + 0x100, mp = FakeKernel.dataBase + 0x200
            let flag = FakeKernel.dataBase + 0x10, stack = FakeKernel.dataBase + 0x800
            p.breakpoints[entry] = Breakpoint(function: "cond_wait", original: 0xE9, emulation: .jump(target: entry + 0x40))
            k.kernel.points = p
            let condWait = FakeMachine.Step(trap: .breakpoint) { f in
                try! kernel.threads.values.first { $0.frame === f }!.task.space
                    .copyOut(littleEndianBytes(words: [0x0100_1000, cv, mp]), to: stack)
                try! kernel.threads.values.first { $0.frame === f }!.task.space.writeWord(1, to: flag)
                f.esp = stack
                f.eip = entry + 1
            }
            k.machine.scripts[1] = [condWait, .call("deschedule", esi: flag)]
            #expect(k.run() == 0)
            let r = p.records
            #expect(r.map(\.label) == ["cond_wait", "deschedule", "vanish"], "\(r.map(\.label))")
            guard r.count == 3 else { return }
            #expect(r[0].footprint == [UInt64(cv), UInt64(mp)])
            #expect(r[1].footprint == [Footprint.thread(1), Footprint.shared(UInt64(flag)), UInt64(cv)], "\(r[1].footprint)")
        }

        /// DPOR over that run: the races it reverses are the deschedule against the
        /// make_runnable that names its thread, and the task's last vanish against the other
        /// two vanishes; not the two vanishes against each other, nor the deschedule against
        /// thread 3's make_runnable of another thread (with every vanish and deschedule touching
        /// everything, as before, both were reversed).
        /// Thread 2's vanish against thread 1's runs thread 3 at point 4: thread 1's last
        /// vanish comes after thread 3's, so thread 3 is the initial of that reversal (before
        /// initials, thread 1 ran there). Each reversal at a point where the run went on has a
        /// conservative branch too (bounded DPOR), at the free decision before it: thread 3
        /// after thread 1's deschedule (node 2, where thread 2 ran), thread 1 after thread 2's
        /// end (node 4, where the queue's head, thread 3, ran).
        @Test func dporReversesOnlyTheDependentPairs() throws {
            let r = try Self.run()
            let served = r.map { PartialOrder.Event(point: $0.index, decision: $0.index, thread: $0.thread) }
            let b = PartialOrder.backtracks(records: r, served: served, raceWords: [:])
            let got = Set(b.map { "\($0.node >> 32)>\($0.thread)" })   // a node's decision point above bit 32
            #expect(got == ["2>2", "2>3", "4>1", "4>3", "6>1"], "\(got.sorted())")
        }
    }
}

/// Race watching counts the kernel's read of *reject at a program's deschedule as a read of
/// the word by that thread (RaceDetector.kernelRead): a write unordered with it is a race,
/// named by the writing instruction on both sides (the deschedule is a point already).
@Suite struct DescheduleReadRaceTests {
    @Test func anUnorderedWriteOfTheRejectWordRaces() {
        let d = RaceDetector(isLibrary: { _ in false })
        d.access(1, address: 0x0100_6000, write: true, eip: 0x0100_1234)
        d.kernelRead(2, address: 0x0100_6000)
        #expect(d.races.map { [$0.0, $0.1, $0.2] } == [[0x0100_6000, 0x0100_1234, 0x0100_1234]])
        #expect(d.racingInstructions == [0x0100_1234])
        // And a read first, then the write.
        let e = RaceDetector(isLibrary: { _ in false })
        e.kernelRead(2, address: 0x0100_6002)
        e.access(1, address: 0x0100_6000, write: true, eip: 0x0100_1238)
        #expect(e.racingInstructions == [0x0100_1238])
        // An unaligned reject word is read in both words it spans.
        let u = RaceDetector(isLibrary: { _ in false })
        u.kernelRead(2, address: 0x0100_6002)
        u.access(1, address: 0x0100_6004, write: true, eip: 0x0100_123C)
        #expect(u.racingInstructions == [0x0100_123C])
    }

    @Test func aWriteOrderedByALockDoesNotRace() {
        let d = RaceDetector(isLibrary: { _ in false })
        d.acquireLater(1, "obj 1")
        d.access(1, address: 0x0100_6000, write: true, eip: 0x0100_1234)
        d.release(1, "obj 1")
        d.acquireLater(2, "obj 1")
        d.settle(2)
        d.kernelRead(2, address: 0x0100_6000)
        #expect(d.races.isEmpty)
    }
}

/// remove_pages' footprint (Kernel.footprint): its region, which the explorer turns into the
/// data-race words inside it (PartialOrder.footprint), not everything: thr_join's remove_pages
/// raced with every point of every other thread, a chain of reversals through a whole thread
/// (race_broken_lock's bug was not found in 60 s; it is now).
@Suite struct RemovePagesFootprintTests {
    @Test func removePagesTouchesItsRegionsRaceWordsOnly() {
        let r = PointRecord(index: 0, thread: 1, eip: 0, caller: 0, label: "remove_pages", alternatives: [], switchedTo: nil,
                            footprint: [Footprint.unmapping(0x0100_8000), Footprint.unmapLength(0x2000)])
        let words: [UInt32: [UInt32]] = [0x0100_1000: [0x0100_8010], 0x0100_1004: [0x0100_a000], 0x0100_1008: [0x0100_9ffc]]
        let f = PartialOrder.footprint(of: r, raceWords: words)
        #expect(!f.all)
        #expect(Set(f.objects) == [Footprint.unmapping(0x0100_8000), 0x0100_8010, 0x0100_9ffc], "\(f.objects)")
        // So it is dependent with a data-race point on a word in its region, not with others.
        let inside = PointRecord(index: 1, thread: 2, eip: 0x0100_1000, caller: 0, label: ForkRunner.racePointLabel,
                                 alternatives: [], switchedTo: nil)
        let outside = PointRecord(index: 2, thread: 2, eip: 0x0100_1004, caller: 0, label: ForkRunner.racePointLabel,
                                  alternatives: [], switchedTo: nil)
        let sleeper = PartialOrder.Sleeper(thread: 1, all: f.all, objects: f.objects, shared: f.shared)
        let g = PartialOrder.footprint(of: inside, raceWords: words), h = PartialOrder.footprint(of: outside, raceWords: words)
        #expect(sleeper.wokenBy(all: g.all, objects: g.objects, shared: g.shared))
        #expect(!sleeper.wokenBy(all: h.all, objects: h.objects, shared: h.shared))
    }
}
