import Foundation
import Testing

/// The guest userland as a user meets it: the shell from scripted input, the guest test suite
/// inside one machine, and a program written outside the repository.
@Suite struct UserlandTests {
    @Test func guestTestSuiteRunsInOneMachine() throws {
        let r = try Guest.run("runtests", timeout: 180)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("tests ended as expected"), "\(r)")
    }

    @Test func shellRunsProgramsWithArgumentsAndReportsStatuses() throws {
        let r = try Guest.launch(["--ramdisk", Guest.ramdisk], stdin: "hello x y\nexitcode 3\nexitcode 0\nexit\n", timeout: 60)
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("argv[1] = x\nargv[2] = y"), "\(r)")
        #expect(r.stdout.contains("exited with status 3"), "\(r)")
        #expect(!r.stdout.contains("exited with status 0"), "a zero status is not reported: \(r)")
    }

    /// `pebblebed cc` from another directory, then `pebblebed run ./prog` by host path.
    @Test func programWrittenOutsideTheRepositoryBuildsAndRuns() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("pebbles-user-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let source = """
        #include <stdio.h>
        #include <thread.h>
        static void *child(void *arg) { return (void *)((int)arg * 2); }
        int main(int argc, char **argv) {
            void *status;
            thr_init(4096);
            int tid = thr_create(child, (void *)21);
            thr_join(tid, &status);
            printf("outside program: %d from thread, argv[1]=%s\\n", (int)status, argv[1]);
            return 0;
        }
        """
        try Data(source.utf8).write(to: dir.appendingPathComponent("prog.c"))
        let cc = try Guest.launch(["cc", dir.appendingPathComponent("prog.c").path, "-o", dir.appendingPathComponent("prog").path])
        #expect(cc.status == 0, "\(cc)")
        let r = try Guest.launch(["run", "--ramdisk", Guest.ramdisk, dir.appendingPathComponent("prog").path, "hi"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("outside program: 42 from thread, argv[1]=hi"), "\(r)")
    }

    /// A test written with 15-410's 410_tests.h and report.h builds and reports a verdict.
    @Test func courseStyleTestReportsItsVerdict() throws {
        let r = try Guest.run("p410_print_basic", options: ["--report"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("verdict: PASS p410_print_basic (complete type)"), "\(r)")
    }

    @Test func courseMallocInterface() throws {
        let r = try Guest.run("malloc410", options: ["--audit"])
        #expect(r.status == 0, "\(r)")
        #expect(r.stdout.contains("PASS malloc410"), "\(r)")
    }
}
