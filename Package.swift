// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Pebblebed",
    products: [
        .executable(name: "pebblebed", targets: ["pebblebed"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // The small C that Swift cannot do: signal frames, the return to a guest, kernel-stack switches,
        // termios, seccomp. Built without a stack protector because the trap entry runs before the
        // host's FS base (where the canary lives) is restored.
        .target(
            name: "CShims",
            path: "CShims",
            cSettings: [.unsafeFlags(["-fno-stack-protector", "-O2"])]
        ),
        .target(
            name: "Pebblebed",
            dependencies: ["CShims"],
            path: "Sources/Pebblebed",
            // Each subsystem folder explains itself in a README for readers, not the build.
            exclude: ["Debugger/README.md", "Devices/README.md", "Loader/README.md", "Machine/README.md", "Memory/README.md",
                      "RAMDisk/README.md", "Scheduler/README.md", "Simics/README.md", "Support/README.md",
                      "Syscalls/README.md", "Tasks/README.md"],
            // Threads switch kernel stacks under the Swift runtime (pb_context_switch); its
            // dynamic exclusivity tracking keeps one list of open accesses per host thread, so an
            // access begun on one kernel stack looks like it overlaps with accesses made on the
            // next. The kernel's exclusivity is by construction (one CPU, not preemptible).
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
        ),
        .executableTarget(
            name: "pebblebed",
            dependencies: [
                "Pebblebed",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/pebblebed"
        ),
        .testTarget(
            name: "PebblebedTests",
            dependencies: ["Pebblebed"],
            path: "Tests/PebblebedTests"
        ),
    ],
    // The kernel is single-threaded by construction (one host thread, interrupts are signals);
    // Swift 6 strict concurrency checking would only get in the way of its global state.
    swiftLanguageModes: [.v5]
)
