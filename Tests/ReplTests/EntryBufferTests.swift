import XCTest
@testable import Repl

final class EntryBufferTests: XCTestCase {
    /// The DSL's rule in miniature, enough for these examples: brackets must balance, and an entry with a block
    /// header (a line ending in `:`) is complete only once a blank line ends it.
    private func makeBuffer() -> EntryBuffer {
        EntryBuffer { source in
            let opened = source.filter { "([{".contains($0) }.count
            let closed = source.filter { ")]}".contains($0) }.count
            let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
            let hasBlock = lines.contains { $0.trimmingCharacters(in: .whitespaces).hasSuffix(":") }
            let endedByBlankLine = lines.count > 1 && (lines.last?.allSatisfy(\.isWhitespace) ?? false)
            return opened == closed && (!hasBlock || endedByBlankLine)
        }
    }

    private func sources(_ buffer: inout EntryBuffer, _ line: String) -> [String] {
        buffer.add(line).map(\.source)
    }

    func testEntriesKnowTheirFirstLine() {
        var buffer = makeBuffer()
        XCTAssertEqual(buffer.add(""), [])
        buffer.skipLine()
        XCTAssertEqual(buffer.add("x = ["), [])
        XCTAssertEqual(buffer.add("1]"), [EntryBuffer.Entry(source: "x = [\n1]", firstLine: 3)])
        _ = buffer.add("for i in x:")
        _ = buffer.add("    print(i)")
        XCTAssertEqual(
            buffer.add("y = 2"),
            [
                EntryBuffer.Entry(source: "for i in x:\n    print(i)", firstLine: 5),
                EntryBuffer.Entry(source: "y = 2", firstLine: 7),
            ])
    }

    func testSimpleStatementsRunAtOnce() {
        var buffer = makeBuffer()
        XCTAssertEqual(sources(&buffer, "x = 1"), ["x = 1"])
        XCTAssertEqual(sources(&buffer, ""), [])
        XCTAssertTrue(buffer.isEmpty)
    }

    func testOpenBracketsContinueUntilClosed() {
        var buffer = makeBuffer()
        XCTAssertEqual(sources(&buffer, "model = Sequential("), [])
        XCTAssertEqual(sources(&buffer, ""), [])
        XCTAssertEqual(sources(&buffer, "    Linear(2, 3))"), ["model = Sequential(\n\n    Linear(2, 3))"])
    }

    func testBlockEndsWithBlankLine() {
        var buffer = makeBuffer()
        XCTAssertEqual(sources(&buffer, "for i in range(3):"), [])
        XCTAssertEqual(sources(&buffer, "    print(i)"), [])
        XCTAssertFalse(buffer.isEmpty)
        XCTAssertEqual(sources(&buffer, ""), ["for i in range(3):\n    print(i)"])
    }

    func testUnindentedLineEndsBlockAndRunsItself() {
        var buffer = makeBuffer()
        _ = sources(&buffer, "def f(x):")
        _ = sources(&buffer, "    return x")
        XCTAssertEqual(sources(&buffer, "y = f(2)"), ["def f(x):\n    return x", "y = f(2)"])
    }

    func testElseContinuesTheBlock() {
        var buffer = makeBuffer()
        _ = sources(&buffer, "if x:")
        _ = sources(&buffer, "    a = 1")
        XCTAssertEqual(sources(&buffer, "else:"), [])
        _ = sources(&buffer, "    a = 2")
        XCTAssertEqual(sources(&buffer, ""), ["if x:\n    a = 1\nelse:\n    a = 2"])
    }

    func testBackslashContinuationIsNotEndedByAnUnindentedLine() {
        var buffer = EntryBuffer { source in !source.hasSuffix("\\") && !source.hasSuffix("\\\n") }
        XCTAssertEqual(sources(&buffer, "x = 1 + \\"), [])
        XCTAssertEqual(sources(&buffer, "2"), ["x = 1 + \\\n2"])
    }

    func testFinishReturnsUnfinishedEntryAndClearDropsIt() {
        var buffer = makeBuffer()
        _ = sources(&buffer, "x = (1,")
        XCTAssertEqual(buffer.finish()?.source, "x = (1,")
        XCTAssertNil(buffer.finish()?.source)
        _ = sources(&buffer, "y = [")
        buffer.clear()
        XCTAssertTrue(buffer.isEmpty)
    }

    func testARecalledBlockFinishesWithoutItsBlankLineButAnOpenBracketWaits() {
        var buffer = makeBuffer()
        _ = buffer.add("for i in range(3):")
        _ = buffer.add("    print(i)")
        XCTAssertEqual(buffer.finishIfBlockComplete()?.source, "for i in range(3):\n    print(i)")
        XCTAssertTrue(buffer.isEmpty)
        XCTAssertNil(buffer.finishIfBlockComplete(), "nothing is being typed")
        _ = buffer.add("total = sum([1,")
        XCTAssertNil(buffer.finishIfBlockComplete())
        XCTAssertEqual(sources(&buffer, "2])"), ["total = sum([1,\n2])"])
    }
}
