import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// `pebblebed test` (issue 18, 8): 15-410-style tests in machines of their own, a table of
/// verdicts, exit 0 only when all pass, JUnit XML for CI.
@Suite(.enabled(if: Guest.hasProgram("simics_report")))
struct TestCommandTests {
    static func test(_ arguments: [String]) throws -> GuestRun {
        try Guest.launch(["test", "--ramdisk", Guest.ramdisk] + arguments, timeout: 120)
    }

    @Test(.timeLimit(.minutes(3)))
    func passingAndFailingTestsMakeATableAndJUnit() throws {
        let dir = try CommandLineRun.temporaryDirectory("junit")
        defer { try? FileManager.default.removeItem(at: dir) }
        let xml = dir.appendingPathComponent("results.xml")
        let r = try TestCommandTests.test(["--timeout", "1", "--jobs", "2", "--junit", xml.path,
                                           "simics_report complete", "simics_report fail", "simics_report abort",
                                           "simics_report forever", "no_such_test"])
        #expect(r.status == 1, "\(r)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        // The table, in the order given: TEST  VERDICT  TIME.
        let rows = lines.filter { $0.hasPrefix("simics_report ") || $0.hasPrefix("no_such_test ") }
        #expect(rows.count == 5, "\(r)")
        let expected = [("simics_report complete", "PASS"), ("simics_report fail", "FAIL"), ("simics_report abort", "PASS"),
                        ("simics_report forever", "PASS"), ("no_such_test", "FAIL")]
        for (row, (name, verdict)) in zip(rows, expected) {
            let words = row.dropFirst(name.count).split(separator: " ")
            #expect(row.hasPrefix(name + " ") && words.first.map(String.init) == verdict && row.hasSuffix(" s"), "\(row)")
        }
        #expect(lines.first?.hasPrefix("TEST ") == true && lines.first?.contains("VERDICT  TIME") == true, "\(r)")
        #expect(r.stdout.contains("5 tests: 3 passed, 2 failed"), "\(r)")
        #expect(r.stdout.contains("  simics_report fail: FAIL simics_report (complete type): END__FAIL reported\n"), "\(r)")
        #expect(r.stdout.contains("    rerun: pebblebed run --report --timeout 1 --ramdisk \(Guest.ramdisk) simics_report fail"), "\(r)")
        #expect(r.stdout.contains("  no_such_test: could not run: pebblebed: no_such_test: no such program"), "\(r)")

        let text = try String(contentsOf: xml, encoding: .utf8)
        #expect(text.hasPrefix(#"<?xml version="1.0" encoding="UTF-8"?>"#), "\(text)")
        #expect(text.contains(#"<testsuite name="pebblebed" tests="5" failures="2" errors="0""#), "\(text)")
        #expect(text.contains(#"<testcase classname="pebblebed" name="simics_report complete" time=""#), "\(text)")
        #expect(text.contains(#"<failure message="FAIL simics_report (complete type): END__FAIL reported" type="FAIL">"#), "\(text)")
        // Well-formed: the parser reads every test case back.
        let parsed = try XMLParserCount.count(elements: "testcase", in: Data(text.utf8))
        #expect(parsed == 5, "\(text)")
    }

    @Test(.timeLimit(.minutes(2)))
    func allPassingExitsZero() throws {
        let r = try TestCommandTests.test(["--jobs", "1", "simics_report complete", "simics_report survive"])
        #expect(r.status == 0 && r.stdout.contains("2 tests: 2 passed, 0 failed") && !r.stdout.contains("rerun:"), "\(r)")
    }

    @Test func noTestsIsAUsageError() throws {
        let r = try TestCommandTests.test([])
        #expect(r.status == 64 && r.stderr.contains("name the test programs to run"), "\(r)")
        let jobs = try TestCommandTests.test(["--jobs", "0", "hello"])
        #expect(jobs.status == 64 && jobs.stderr.contains("--jobs must be a whole number 1...64, not '0'"), "\(jobs)")
    }

    @Test(.timeLimit(.minutes(2)))
    func xmlEscapingKeepsTheDocumentWellFormed() throws {
        // Guest output may hold any byte: markup characters and control characters.
        let dir = try CommandLineRun.temporaryDirectory("junit-escape")
        defer { try? FileManager.default.removeItem(at: dir) }
        let src = dir.appendingPathComponent("markup.c"), prog = dir.appendingPathComponent("markup")
        try #"""
            #include <stdio.h>
            int main(void) { printf("<b>&\"'\001\033[2J</b>\n"); return 1; }
            """#.write(to: src, atomically: true, encoding: .utf8)
        let cc = try Guest.launch(["cc", src.path, "-o", prog.path])
        #expect(cc.status == 0, "\(cc)")
        let xml = dir.appendingPathComponent("r.xml")
        let r = try TestCommandTests.test(["--junit", xml.path, prog.path])
        #expect(r.status == 1 && r.stdout.contains("\(prog.path): FAIL: no test report lines"), "\(r)")
        let text = try String(contentsOf: xml, encoding: .utf8)
        #expect(text.contains("&lt;b&gt;&amp;&quot;&apos;??[2J&lt;/b&gt;"), "\(text)")
        #expect(try XMLParserCount.count(elements: "failure", in: Data(text.utf8)) == 1, "\(text)")
    }
}

/// Counts elements with Foundation's XML parser (it fails on a malformed document).
final class XMLParserCount: NSObject, XMLParserDelegate {
    private var name = ""
    private var seen = 0

    static func count(elements name: String, in data: Data) throws -> Int {
        let delegate = XMLParserCount()
        delegate.name = name
        let parser = XMLParser(data: data)
        parser.delegate = delegate
        guard parser.parse() else { throw parser.parserError ?? CocoaError(.propertyListReadCorrupt) }
        return delegate.seen
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        if elementName == name { seen += 1 }
    }
}
