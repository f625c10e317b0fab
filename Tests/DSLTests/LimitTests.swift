import XCTest
@testable import DSL

final class LimitTests: XCTestCase {
    func testInfiniteRecursionIsAnErrorWithACompactTraceback() throws {
        let session = Session()
        let error = try XCTUnwrap(session.error("def down(n):\n    return down(n + 1)\ndown(0)"))
        XCTAssertEqual(error.kind, .recursion)
        XCTAssertEqual(error.message, "maximum recursion depth exceeded (more than 1000 nested calls) in down()")
        XCTAssertTrue(error.rendered.contains("[the frame above repeats 999 more times]"), error.rendered)
        XCTAssertLessThan(error.rendered.count, 1000)
        XCTAssertEqual(try session.run("down"), session.interpreter.global("down"), "the session survives")
    }

    func testRecursionUpToTheLimitWorks() throws {
        let session = Session()
        try session.run("def depth(n):\n    return 0 if n == 0 else 1 + depth(n - 1)")
        XCTAssertEqual(try session.run("depth(900)"), 900)
    }

    func testTheStackGuardCatchesRecursionEvenWithoutACallLimit() throws {
        let session = Session()
        session.interpreter.recursionLimit = Int.max
        let error = session.error("def down(n):\n    return [down(n + 1)]\ndown(0)")
        XCTAssertEqual(error?.kind, .recursion)
        XCTAssertEqual(error?.message, "recursion depth exceeded (the program nests too deeply)")
    }

    func testDeepNestingIsASyntaxError() throws {
        let session = Session()
        let parentheses = "x = " + String(repeating: "(", count: 250) + "1" + String(repeating: ")", count: 250)
        XCTAssertEqual(session.error(parentheses)?.message, "too deeply nested (more than 200 levels of brackets, operators or blocks)")
        let fine = "x = " + String(repeating: "(", count: 150) + "1" + String(repeating: ")", count: 150) + "\nx"
        XCTAssertEqual(try session.run(fine), 1)
        XCTAssertEqual(session.error("x = " + String(repeating: "-", count: 500) + "1")?.kind, .syntax)
        let longChain = Array(repeating: "1", count: 2000).joined(separator: " + ")
        XCTAssertEqual(session.error(longChain)?.message, "expression too deeply nested (more than 1000 levels)")
        var blocks = ""
        for level in 0..<120 { blocks += String(repeating: " ", count: level) + "if True:\n" }
        blocks += String(repeating: " ", count: 120) + "pass"
        XCTAssertEqual(session.error(blocks)?.message, "too many levels of indentation (the limit is 100)")
    }

    func testHugeIntegerLiteralsAreErrors() throws {
        let session = Session()
        XCTAssertEqual(session.error("x = 99999999999999999999")?.message,
                       "integer literal 99999999999999999999 is too large (the largest integer is 9223372036854775807)")
        XCTAssertEqual(session.error("x = 0xFFFFFFFFFFFFFFFFFF")?.kind, .syntax)
        XCTAssertEqual(try session.run("1e400"), .float(.infinity), "huge float literals are infinite, as in Python")
    }

    func testIntegerOverflowIsAnErrorNotATrap() throws {
        let session = Session()
        XCTAssertEqual(session.error("9223372036854775807 + 1")?.kind, .overflow)
        XCTAssertEqual(session.error("2 ** 64")?.kind, .overflow)
        XCTAssertEqual(session.error("(-9223372036854775807 - 1) // -1")?.kind, .overflow)
        XCTAssertEqual(session.error("-(-9223372036854775807 - 1)")?.kind, .overflow)
        XCTAssertEqual(session.error("abs(-9223372036854775807 - 1)")?.kind, .overflow)
        XCTAssertEqual(session.error("3037000500 * 3037000500")?.message,
                       "integer overflow in 3037000500 * 3037000500 (integers are 64-bit; use floats for larger values, e.g. 3037000500.0)")
        XCTAssertEqual(session.error("int(1e30)")?.kind, .overflow)
        XCTAssertEqual(session.error("[0] * 10 ** 12")?.kind, .value)
    }

    func testDivisionByZero() throws {
        let session = Session()
        XCTAssertEqual(session.error("1 / 0")?.message, "division by zero")
        XCTAssertEqual(session.error("1 // 0")?.message, "integer division by zero")
        XCTAssertEqual(session.error("1 % 0")?.message, "integer modulo by zero")
        XCTAssertEqual(session.error("1.0 / 0")?.message, "float division by zero")
        XCTAssertEqual(session.error("0 ** -1")?.kind, .zeroDivision)
    }

    func testSelfContainingListsPrintAndCompareSafely() throws {
        let session = Session()
        try session.run("xs = [1]\nxs.append(xs)")
        XCTAssertEqual(try session.run("repr(xs)"), "[1, [...]]")
        XCTAssertEqual(session.error("ys = [1]\nys.append(ys)\nxs == ys")?.kind, .recursion)
    }
}
