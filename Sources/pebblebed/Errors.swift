import ArgumentParser
import Foundation

/// The exit codes of every command, one table (README, "Exit codes"). A guest program's own
/// status (modulo 256) is the code otherwise.
enum ExitStatus {
    /// A test or run judged failed (`--report`, `stress`, `test`, `explore` found a bug).
    static let failed: Int32 = 1
    /// The machine could not boot, the program could not be loaded, or Pebblebed's own files
    /// (RAM disk, compiler wrapper) are missing.
    static let load: Int32 = 2
    /// A command-line mistake: unknown command or option, a bad value, an output path that
    /// cannot be written (sysexits' EX_USAGE, as swift-argument-parser uses).
    static let usage: Int32 = 64
    /// `run --schedule` or `--points`: a deadlock, a step bound, or a schedule that does not fit
    /// the program (Kernel+Points halts with it), and a schedule file made for another program
    /// or other arguments (refused here, before the boot).
    static let scheduleMismatch: Int32 = 3
    static let panic: Int32 = 70
    static let audit: Int32 = 71
    static let inputEnded: Int32 = 72
    static let timeout: Int32 = 124
}

/// An error the command line reports itself: one line, `pebblebed: MESSAGE`, naming the file
/// or option and what to do, then exit with `code` (no usage dump: the mistake is not in the
/// command's shape).
struct CLIError: Error, CustomStringConvertible {
    let description: String
    let code: Int32

    static func usage(_ message: String) -> CLIError { CLIError(description: message, code: ExitStatus.usage) }
    static func load(_ message: String) -> CLIError { CLIError(description: message, code: ExitStatus.load) }

    /// Whether `option`'s output file `path` can be written, asked before the machine boots or
    /// the first run starts, so a long run never ends in "cannot write". Nothing is created or
    /// truncated here: an existing file keeps its contents until the command writes it.
    static func checkOutputPath(_ path: String, option: String) throws {
        guard !path.isEmpty else { throw usage("\(option) needs a file name") }
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDir) {
            if isDir.boolValue { throw usage("\(option) \(path): is a directory; give a file name") }
            if access(path, W_OK) != 0 {
                throw usage("\(option) \(path): cannot write it (\(String(cString: strerror(errno)))); choose another path")
            }
            return
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard fm.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            throw usage("\(option) \(path): the folder \(folder) does not exist; create it or choose another path")
        }
        if access(folder, W_OK | X_OK) != 0 {
            throw usage("\(option) \(path): cannot create files in \(folder) (\(String(cString: strerror(errno)))); choose another path")
        }
    }
}

/// The first word of the command line, when it is not an option, must name a command: the
/// default command (boot) takes no arguments, so a misspelled command would otherwise be
/// reported as boot's "unexpected argument" with boot's usage.
enum CommandWord {
    static func check(_ arguments: [String], commands: [String]) -> CLIError? {
        guard let word = arguments.first, !word.hasPrefix("-"), !commands.contains(word), word != "help" else { return nil }
        var message = "unknown command '\(word)'"
        if let near = commands.min(by: { distance($0, word) < distance($1, word) }), distance(near, word) <= 2 {
            message += " (did you mean '\(near)'?)"
        } else {
            // Most likely a program meant for `run` (`pebblebed hello`).
            message += " (to run a guest program: pebblebed run \(word))"
        }
        message += "; the commands are: \(commands.joined(separator: ", ")) (`pebblebed --help` says what each does)"
        return .usage(message)
    }

    /// Levenshtein distance, for the suggestion.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in stride(from: 1, through: b.count, by: 1) {
                let saved = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = saved
            }
        }
        return row[b.count]
    }
}

/// Parsers for numbers that may be negative on the command line: with `.unconditional` parsing
/// `--seed -1` reaches the transform (instead of "Missing value", as "-1" looks like an
/// option), which says what the option accepts.
enum NumberArgument {
    static func unsigned(_ option: String) -> (String) throws -> UInt64 {
        { word in
            guard let v = UInt64(word) else {
                throw ValidationError("\(option) must be a whole number 0...\(UInt64.max), not '\(word)'")
            }
            return v
        }
    }

    static func int(_ option: String, _ range: ClosedRange<Int>, unit: String = "") -> (String) throws -> Int {
        { word in
            guard let v = Int(word), range.contains(v) else {
                throw ValidationError("\(option) must be a whole number \(range.lowerBound)...\(range.upperBound)\(unit), not '\(word)'")
            }
            return v
        }
    }

    static func seconds(_ option: String) -> (String) throws -> Double {
        { word in
            guard let v = Double(word), v > 0, v < 1e6 else {
                throw ValidationError("\(option) must be a positive number of seconds (below 1000000), not '\(word)'")
            }
            return v
        }
    }
}
