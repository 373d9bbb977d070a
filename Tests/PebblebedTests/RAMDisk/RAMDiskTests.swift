import Foundation
import Testing
@testable import Pebblebed

/// The RAM disk in process: what it lists, when it reads, what `add` does.
@Suite struct RAMDiskTests {
    /// A fresh directory with `files` (name -> contents) and a few things that are not files.
    func directory(_ files: [String: String]) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ramdisk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files { try Data(text.utf8).write(to: dir.appendingPathComponent(name)) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("subdir"), withIntermediateDirectories: true)
        try Data("hidden".utf8).write(to: dir.appendingPathComponent(".hidden"))
        return dir.path
    }

    @Test func listsRegularVisibleFilesSortedAndTheDotListingMatches() throws {
        let dir = try directory(["b": "2", "a": "1", "c": "3"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let disk = try RAMDisk(directory: dir)
        #expect(disk.names == ["a", "b", "c"])
        #expect(disk.contents(of: ".") == Array("a\0b\0c\0\0".utf8))
        #expect(disk.contents(of: "subdir") == nil && disk.contents(of: ".hidden") == nil)
    }

    @Test func readsAFileOnFirstUseAndKeepsIt() throws {
        let dir = try directory(["prog": "first"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let disk = try RAMDisk(directory: dir)
        // Changed on the host before its first use: the disk reads it then.
        try Data("second".utf8).write(to: URL(fileURLWithPath: dir + "/prog"))
        #expect(disk.contents(of: "prog") == Array("second".utf8))
        // Kept from then on.
        try Data("third".utf8).write(to: URL(fileURLWithPath: dir + "/prog"))
        #expect(disk.contents(of: "prog") == Array("second".utf8))
    }

    @Test func aFileAddedFromTheHostIsSeenButNotListed() throws {
        let dir = try directory(["a": "1"])
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let disk = try RAMDisk(directory: dir)
        disk.add(name: "extra", contents: [1, 2, 3])
        #expect(disk.contents(of: "extra") == [1, 2, 3])
        #expect(disk.contents(of: "missing") == nil)
    }

    @Test func aMissingDirectoryIsABootErrorThatSaysWhatToDo() {
        #expect(throws: BootError.self) { try RAMDisk(directory: "/nonexistent/ramdisk") }
        do { _ = try RAMDisk(directory: "/nonexistent/ramdisk") } catch {
            #expect(error.description.contains("make guests"))
        }
    }
}
