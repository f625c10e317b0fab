import XCTest
@testable import Repl

/// Output that must reach the user whole (NUL bytes), notebooks that must read back as they were saved, and
/// control characters from data and files that must not reach the terminal raw. Run as the real binary.
final class ReliabilityReplTests: XCTestCase {
    private var directory: TemporaryDirectory!

    override func setUpWithError() throws {
        directory = try TemporaryDirectory()
    }

    func testPrintedNulBytesAreWrittenWithEverythingAfterThem() throws {
        try directory.write("print(\"a\\x00b\", \"after\")\nprint('next line')\n", to: "nul.rnx")
        let result = try RnxProcess.run(["run", "nul.rnx"], in: directory.url)
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertTrue(result.output.contains("a\u{0}b after\nnext line\n"), result.output.debugDescription)
    }

    func testACellMarkerLineInsideATripleQuotedStringStaysInTheString() {
        let source = "s = \"\"\"first\n# %%\n# %% [markdown]\nlast\"\"\"\nprint(len(s.splitlines()))"
        let text = NotebookWriter.text(of: [
            Cell(kind: .code, title: "", source: source, startLine: 1),
            Cell(kind: .code, title: "", source: "t = '''\n# %%'''", startLine: 1),
        ])
        let cells = NotebookParser.cells(in: text)
        XCTAssertEqual(cells.map(\.source), [source, "t = '''\n# %%'''"])
        // Outside strings, markers still split: after a comment holding quotes, after a closed string, after
        // an escaped quote inside a string.
        let marked = NotebookParser.cells(in: "x = 1  # it's \"\"\"\n# %%\ny = '''a\\''''\n# %%\nz = \"\\\"\" + \"\"\"a\"\"\"\n# %%\nw = 2")
        XCTAssertEqual(marked.map(\.source), ["x = 1  # it's \"\"\"", "y = '''a\\''''", "z = \"\\\"\" + \"\"\"a\"\"\"", "w = 2"])
    }

    func testSavedEntryWithACellMarkerInAStringRunsBack() throws {
        let entry = "s = \"\"\"keep\n# %%\nall\"\"\"\nprint('lines', len(s.splitlines()))\n"
        let session = try RnxProcess.run([], input: entry + ":save saved.rnx\n", in: directory.url)
        XCTAssertEqual(session.status, 0, session.errors)
        XCTAssertTrue(session.output.contains("lines 3"), session.output)
        let rerun = try RnxProcess.run(["run", "saved.rnx"], in: directory.url)
        XCTAssertEqual(rerun.status, 0, rerun.errors)
        XCTAssertTrue(rerun.output.contains("lines 3"), rerun.output)
        XCTAssertTrue(rerun.output.contains("ran 2 cells"), "each piped entry is a cell: " + rerun.output)
    }

    func testAnErrorNamingASafetensorsKeyShowsItsEscapeCharactersEscaped() throws {
        // A header whose one tensor is named "\e[31m" and described by a number instead of an object.
        var header = Array("{\"\\u001b[31m\": 5}".utf8)
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
        let length = (0..<8).map { UInt8(truncatingIfNeeded: header.count >> (8 * $0)) }
        try Data(length + header).write(to: directory.url.appendingPathComponent("bad.safetensors"))
        try directory.write(
            """
            x = input([1, 2, 2])
            net = model(x, dense(flatten(x), 2))
            load(net, "bad.safetensors")
            """, to: "load.rnx")
        let result = try RnxProcess.run(["run", "load.rnx"], in: directory.url)
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.errors.contains("\\x1b[31m"), result.errors)
        XCTAssertFalse(result.errors.contains("\u{1b}"), "no raw ESC reaches the terminal: \(result.errors.debugDescription)")
    }

    func testWalkShowsAnEscapeCharacterInALessonsMarkdownEscaped() throws {
        try directory.write("# %% [markdown]\n# Red \u{1b}[31mtext\u{7} here\n\n# %%\nprint('cell', 'ran')\n", to: "lesson.rnx")
        let result = try RnxProcess.run(["walk", "lesson.rnx"], input: "\nq\n", in: directory.url)
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertTrue(result.output.contains("Red \\x1b[31mtext\\x07 here"), result.output)
        XCTAssertFalse(result.output.contains("\u{1b}") || result.output.contains("\u{7}"), result.output.debugDescription)
        XCTAssertTrue(result.output.contains("cell ran"), result.output)
    }
}
