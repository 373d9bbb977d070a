import Foundation
import Testing
@testable import Pebblebed

/// Parses the real guest programs `make guests` builds, when they exist. The directory is
/// $PEBBLEBED_RAMDISK (set by `make test`), else build/ramdisk at the package root; without
/// one the test is skipped rather than passed vacuously.
@Suite("Loader on real guest binaries")
struct RAMDiskGuestParseTests {
    static var ramdisk: URL? {
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let candidates: [String?] = [ProcessInfo.processInfo.environment["PEBBLEBED_RAMDISK"],
                                     packageRoot.appendingPathComponent("build/ramdisk").path]
        return candidates.compactMap { $0 }.map { URL(fileURLWithPath: $0) }.first { url in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
    }

    /// Files starting with the ELF magic; the RAM disk may also hold data files for readfile.
    static func guestPrograms(in directory: URL) throws -> [(name: String, bytes: [UInt8])] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        return try names.compactMap { name in
            let bytes = try [UInt8](Data(contentsOf: directory.appendingPathComponent(name)))
            return bytes.starts(with: [0x7f, 0x45, 0x4c, 0x46]) ? (name, bytes) : nil
        }
    }

    @Test(.enabled(if: ramdisk != nil, "no RAM disk built (run `make guests`)"))
    func everyGuestProgramParsesAndPlansItsEntryPage() throws {
        let programs = try Self.guestPrograms(in: try #require(Self.ramdisk))
        #expect(!programs.isEmpty, "the RAM disk holds no ELF files")
        for (name, bytes) in programs {
            do {
                let image = try ELFImage.parse(bytes)
                let entryPage = image.pagePlan().first { $0.page == image.entry & ~0xfff }
                #expect(entryPage?.protection.contains(.execute) == true, "\(name): entry page not executable")
                // Pebbles guests start at _main; when symbols are kept they must agree.
                if let main = image.symbol(named: "_main") {
                    #expect(main.address == image.entry, "\(name): _main is not the entry point")
                }
            } catch {
                Issue.record("\(name) \(error)")
            }
        }
    }
}
