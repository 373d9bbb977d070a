import ArgumentParser
import Foundation
import Pebblebed

/// `pebblebed trace summary FILE`: a trace read in the terminal (Support/TraceSummary.swift).
struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Read a timeline written by `run --trace` (or the monitor's `trace start`).",
        subcommands: [Summary.self])

    struct Summary: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a trace as text: per thread its program, runs, blocks, system calls by name, faults and how it ended; then a timeline.",
            discussion: """
            Times are in the trace's own time base, which its header states: host microseconds, \
            or in seeded runs guest instructions. A trace cut short (the emulator was killed, or \
            a write failed) is summarised as far as it goes, and the summary says so. Exit \
            status 2 if FILE cannot be read or is not a trace.
            """)

        @Argument(help: "The trace file.")
        var file: String

        func run() throws {
            do {
                print(try TraceSummary.read(path: file).text, terminator: "")
            } catch {
                FileHandle.standardError.write(Data("pebblebed: trace summary: \(error.description)\n".utf8))
                throw ExitCode(2)
            }
        }
    }
}
