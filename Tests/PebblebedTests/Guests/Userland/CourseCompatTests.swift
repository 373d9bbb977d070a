import Foundation
import Testing

/// Programs written the way 15-410 students and course tests write them (issue 19) and the
/// guest library's own trap handling (issue 17, item 7).
@Suite struct CourseCompatTests {
    /// Signed-int page rounding of `&local` must land just above the first thread's stack, not
    /// at 0x1000 (stack in the topmost page); one-page thread stacks work.
    @Test func stackRoundsWithSignedArithmetic() throws {
        let r = try Guest.run("stack_signed_round")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("PASS stack_signed_round"), "\(r)")
    }

    /// crt0's autostack handler handles stack growth only: an overflow trap (`into` with OF set,
    /// `int $4`) is not resumed past, it kills the thread as with no handler at all.
    @Test(arguments: ["fault_into", "fault_int4", "fault_int3"])
    func autostackPassesOnTrapsItDoesNotOwn(program: String) throws {
        let r = try Guest.run(program)
        #expect(r.status == 254, "killed: exit status -2 \(r)")
        #expect(!r.stdout.contains("FAIL"), "\(r)")
        #expect(r.stdout.contains("killed:") || r.stderr.contains("killed:"), "\(r)")
    }

    /// `--report` on abort-type tests (issue 19.8): halting or the library's own panic before
    /// the END line passes; reaching the END line fails.
    @Test(arguments: [("p410_abort_halt", [String](), "PASS", "machine halted before its END line"),
                      ("p410_abort_panic", [], "PASS", "task ended without reaching its END line"),
                      ("p410_abort_panic", ["reach-end"], "FAIL", "END__FAIL reported before the task ended")])
    func abortTestVerdicts(program: String, args: [String], verdict: String, reason: String) throws {
        let r = try Guest.run(program, args, options: ["--report"])
        #expect(r.stdout.contains("verdict: \(verdict) \(program) (abort type): \(reason)"), "\(r)")
        #expect(r.status == (verdict == "PASS" ? 0 : 1), "\(r)")
    }

    // MARK: pebblebed cc (issue 19, items 6 and 7)

    /// A scratch folder with `files` written into it.
    private func scratch(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pebbles-compat-\(UUID().uuidString)")
        for (name, text) in files {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        return dir
    }

    /// Runs a host tool (make, nm) and returns its status and output.
    private func host(_ tool: String, _ args: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = [tool] + args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Default flags are the course's (-O0: recursion really recurses; 4-byte stack alignment:
    /// a frame of two arguments and a char is 20 bytes, not 32); a user's flags override.
    @Test func ccDefaultsToTheCourseFlagsAndUserFlagsOverride() throws {
        let dir = try scratch(["prog.c": """
            #include <stdio.h>
            static int depth(int n, char *top)
            {
                volatile char here = 0;
                if (n == 0)
                    return (int)(top - (char *)&here);
                return depth(n - 1, top) + here;
            }
            static int frame_bytes(int n, char *prev)
            {
                volatile char here = 0;
                if (n == 0)
                    return (int)(prev - (char *)&here);
                return frame_bytes(n - 1, (char *)&here) + here;
            }
            int main(int argc, char **argv)
            {
                char top;
            #ifdef __OPTIMIZE__
                printf("built optimized\\n");
            #else
                printf("built at -O0\\n");
            #endif
                printf("frames on the stack: %s\\n", depth(1000, &top) >= 1000 * 8 ? "yes" : "no");
                printf("frame bytes: %d\\n", frame_bytes(1, 0));
                return 0;
            }
            """])
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = dir.appendingPathComponent("prog.c").path, prog = dir.appendingPathComponent("prog").path
        let cc = try Guest.launch(["cc", src, "-o", prog])
        #expect(cc.status == 0, "\(cc)")
        let r = try Guest.launch(["run", "--ramdisk", Guest.ramdisk, prog])
        #expect(r.stdout.contains("built at -O0") && r.stdout.contains("frames on the stack: yes"), "\(r)")
        #expect(r.stdout.contains("frame bytes: 20"), "4-byte stack alignment: \(r)")
        let cc2 = try Guest.launch(["cc", "-O2", src, "-o", prog])
        #expect(cc2.status == 0, "\(cc2)")
        let r2 = try Guest.launch(["run", "--ramdisk", Guest.ramdisk, prog])
        #expect(r2.stdout.contains("built optimized"), "\(r2)")
        let cc3 = try Guest.launch(["cc", "-mpreferred-stack-boundary=4", src, "-o", prog])
        #expect(cc3.status == 0, "\(cc3)")
        let r3 = try Guest.launch(["run", "--ramdisk", Guest.ramdisk, prog])
        #expect(r3.stdout.contains("built at -O0") && !r3.stdout.contains("frame bytes: 20"), "\(r3)")
    }

    /// A user's -I folder is searched before Pebblebed's headers: their mutex_type.h wins.
    @Test func userIncludeFoldersComeBeforePebblebedsHeaders() throws {
        let dir = try scratch([
            "mine/mutex_type.h": "#define MY_MUTEX_TYPE 1\ntypedef struct mutex { int mine; } mutex_t;\n",
            "prog.c": "#include <mutex.h>\n#ifndef MY_MUTEX_TYPE\n#error Pebblebed's mutex_type.h was used\n#endif\nint f(mutex_t *m) { return m->mine; }\n",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let cc = try Guest.launch(["cc", "-I", dir.appendingPathComponent("mine").path, "-c",
                                   dir.appendingPathComponent("prog.c").path, "-o", dir.appendingPathComponent("prog.o").path])
        #expect(cc.status == 0, "\(cc)")
    }

    /// --no-libsyscall links none of Pebblebed's system-call stubs: without the user's, the link
    /// fails naming the missing call.
    @Test func noLibsyscallLeavesTheStubsToTheUser() throws {
        let dir = try scratch(["prog.c": "#include <syscall.h>\nint main(void) { return gettid(); }\n"])
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = dir.appendingPathComponent("prog.c").path, prog = dir.appendingPathComponent("prog").path
        let without = try Guest.launch(["cc", "--no-libsyscall", src, "-o", prog])
        #expect(without.status != 0 && without.stderr.contains("gettid"), "\(without)")
        let with = try Guest.launch(["cc", src, "-o", prog])
        #expect(with.status == 0, "\(with)")
    }

    /// examples/student: an independent thread library, system-call stubs and autostack in the
    /// course's layout, built by its Makefile recipe with `pebblebed cc --no-libthread
    /// --no-libsyscall` and run against the thread tests. Its own code is what runs.
    @Test func studentThreadLibraryBuildsAndPassesTheThreadTests() throws {
        let build = FileManager.default.temporaryDirectory.appendingPathComponent("pebbles-student-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: build) }
        let tests = ["thr_join_exit", "thr_main_exit", "mutex_counter", "cond_signal", "sem_buffer",
                     "rwlock_rw", "malloc_threads", "stack_signed_round", "course_headers"]
        let make = try host("make", ["-s", "-C", Guest.root.appendingPathComponent("examples/student").path,
                                     "BUILD=\(build.path)", "PEBBLES_CC=\(Guest.binary) cc",
                                     "TESTS=\(tests.joined(separator: " "))"])
        #expect(make.status == 0, "\(make.output)")
        for t in tests {
            let prog = build.appendingPathComponent("bin/\(t)").path
            let r = try Guest.launch(["run", "--ramdisk", Guest.ramdisk, prog], stdin: "course line\n")
            let passed = t == "course_headers" ? "all checks passed" : "PASS \(t)"
            #expect(r.status == 0 && r.stdout.contains(passed), "\(t): \(r)")
        }
        let nm = try host("nm", [build.appendingPathComponent("bin/mutex_counter").path])
        #expect(nm.output.contains(" thr_vanish_setting"), "the student's libthread is linked")
        #expect(nm.output.contains(" handler_stack"), "the student's autostack is linked")
        #expect(!nm.output.contains("_pb_fork"), "Pebblebed's fork stub is not linked")
        #expect(!nm.output.contains("_pb_heap_lock"), "Pebblebed's malloc wrappers are not linked")
    }

    /// `pebblebed explore` on the textbook bugs built with that student library instead of
    /// Pebblebed's (issue 15: programs built with other people's thread libraries): its
    /// mutex, condition variables and thread calls are different code, found by name; each
    /// bug is found, its schedule replays it, and each correct twin comes out clean.
    @Test func exploreFindsTheTextbookBugsWithAStudentsThreadLibrary() throws {
        let build = FileManager.default.temporaryDirectory.appendingPathComponent("pebbles-student-explore-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: build) }
        let bugs = [("explore_lost_wakeup", "deadlock: every thread is blocked and nothing can wake one"),
                    ("explore_lock_order", "deadlock: every thread is blocked or spins in yield"),
                    ("explore_test_then_set", "FAIL explore_test_then_set: counter is 1, expected 2"),
                    ("explore_exit_use", "killed: page fault (read)"),
                    ("explore_wake_early", "deadlock: every thread is blocked and nothing can wake one"),
                    ("explore_atomic_count", "FAIL explore_atomic_count: two threads are inside")]
        let programs = bugs.flatMap { [$0.0, $0.0 + "_ok"] }
        let make = try host("make", ["-s", "-C", Guest.root.appendingPathComponent("examples/student").path,
                                     "BUILD=\(build.path)", "PEBBLES_CC=\(Guest.binary) cc",
                                     "TESTS=\(programs.joined(separator: " "))"])
        try #require(make.status == 0, "\(make.output)")
        let nm = try host("nm", [build.appendingPathComponent("bin/explore_lock_order").path])
        #expect(nm.output.contains(" thr_vanish_setting"), "the student's libthread is linked")
        for (program, message) in bugs {
            let prog = build.appendingPathComponent("bin/\(program)").path
            let schedule = build.appendingPathComponent("\(program).schedule").path
            let r = try Guest.launch(["explore", "--no-progress", "--budget", "60", "--ramdisk", Guest.ramdisk,
                                      "--schedule-out", schedule, prog], timeout: 120)
            #expect(r.status == 1 && r.stdout.contains(message), "\(program): \(r)")
            let replay = try Guest.launch(["run", "--schedule", schedule, "--ramdisk", Guest.ramdisk, prog], timeout: 60)
            #expect(replay.status != 0 && (replay.stdout + replay.stderr).contains(message), "\(program) replayed: \(replay)")
            let twin = try Guest.launch(["explore", "--no-progress", "--budget", "60", "--ramdisk", Guest.ramdisk,
                                         build.appendingPathComponent("bin/\(program)_ok").path], timeout: 120)
            #expect(twin.status == 0 && twin.stdout.contains("No bug found: space exhausted"), "\(program)_ok: \(twin)")
        }
    }

    // MARK: course headers and libraries (issue 19, item 5)

    /// A program written with the course's headers (types.h, asm_style.h, test.h, rand.h,
    /// thrgrp.h, simics.h helpers, bzero, panic in assert.h) builds and passes its own checks.
    @Test func courseHeadersAndLibrariesWork() throws {
        let r = try Guest.run("course_headers", options: ["--report"], stdin: "course line\n")
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("verdict: PASS course_headers (complete type)"), "\(r)")
        #expect(r.stderr.contains("course_headers: sim_printf 42"), "sim_printf reaches the kernel log: \(r)")
    }

    /// Assembly (.S) programs include the course headers: only constants and macros remain.
    @Test func assemblyProgramsIncludeTheCourseHeaders() throws {
        let dir = try scratch([
            "answer.S": """
                #include <syscall.h>
                #include <syscall_int.h>
                #include <simics.h>
                #include <report.h>
                #include <410_tests.h>
                #include <test.h>
                #include <types.h>
                #include <rand.h>
                #include <thrgrp.h>
                #include <ureg.h>
                #include <asm_style.h>
                ENTRY(answer)
                    movl $PAGE_SIZE, %eax
                    addl $SWEXN_CAUSE_PAGEFAULT, %eax
                    addl ARG1(%esp), %eax
                    ret
                END(answer)
                    .section .note.GNU-stack, "", @progbits
                """,
            "main.c": """
                #include <stdio.h>
                int answer(int x);
                int main(void) { printf("answer %d\\n", answer(2)); return 0; }
                """,
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let prog = dir.appendingPathComponent("prog").path
        let cc = try Guest.launch(["cc", dir.appendingPathComponent("main.c").path,
                                   dir.appendingPathComponent("answer.S").path, "-o", prog])
        #expect(cc.status == 0, "\(cc)")
        let r = try Guest.launch(["run", "--ramdisk", Guest.ramdisk, prog])
        #expect(r.stdout.contains("answer \(4096 + 14 + 2)"), "\(r)")
    }
}
