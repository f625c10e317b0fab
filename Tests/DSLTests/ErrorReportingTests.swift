import XCTest
@testable import DSL

final class ErrorReportingTests: XCTestCase {
    func testRuntimeErrorShowsPositionLineAndCaret() throws {
        let error = try XCTUnwrap(Session().error("a = 1\nb = 0\nc = a / b", file: "calc.rnx"))
        XCTAssertEqual(
            error.rendered,
            """
            calc.rnx:3:7: error: ZeroDivisionError: division by zero
                c = a / b
                      ^
            """)
    }

    func testSyntaxErrorShowsPositionLineAndCaret() throws {
        let error = try XCTUnwrap(Session().error("x = 1\nif x > 0\n    print(x)", file: "script.rnx"))
        XCTAssertEqual(error.kind, .syntax)
        XCTAssertEqual(
            error.rendered,
            """
            script.rnx:2:9: error: SyntaxError: expected ':' after the 'if' condition, found end of line
                if x > 0
                        ^
            """)
        XCTAssertTrue(error.traceback.isEmpty)
    }

    func testTracebackListsNestedCalls() throws {
        let session = Session()
        let error = try XCTUnwrap(
            session.error(
                """
                def inner(values):
                    return values[5]

                def outer(values):
                    total = 0
                    return inner(values) + total

                outer([1, 2])
                """, file: "trace.rnx"))
        XCTAssertEqual(error.kind, .index)
        XCTAssertEqual(error.traceback.map(\.function), ["<module>", "outer", "inner"])
        XCTAssertEqual(error.traceback.map(\.location.line), [8, 6, 2])
        XCTAssertEqual(
            error.rendered,
            """
            trace.rnx:2:18: error: IndexError: list index 5 out of range (length 2)
                    return values[5]
                                 ^
            Traceback (most recent call last):
              trace.rnx:8 in <module>
                outer([1, 2])
              trace.rnx:6 in outer
                return inner(values) + total
              trace.rnx:2 in inner
                return values[5]
            """)
    }

    func testTracebackThroughBuiltinCallbacks() throws {
        let error = try XCTUnwrap(Session().error("def key(x):\n    return x / 0\nsorted([1, 2], key=key)"))
        XCTAssertEqual(error.traceback.map(\.function), ["<module>", "key"])
        XCTAssertEqual(error.traceback.map(\.location.line), [3, 2])
    }

    func testTracebackFromEarlierEntryQuotesItsOwnSource() throws {
        let session = Session()
        try session.run("def broken():\n    return undefined_name", file: "<stdin>")
        let error = try XCTUnwrap(session.error("broken()", file: "<stdin>"))
        XCTAssertTrue(error.rendered.contains("return undefined_name"), error.rendered)
        XCTAssertTrue(error.rendered.contains("<stdin>:1 in <module>\n    broken()"), error.rendered)
    }

    func testFailingStatementKeepsEarlierState() throws {
        let session = Session()
        _ = session.error("kept = 1\nxs = [1]\nxs.append(2)\nboom = 1 / 0\nnever = 2")
        XCTAssertEqual(session.interpreter.global("kept"), 1)
        XCTAssertEqual(session.interpreter.global("xs"), [1, 2])
        XCTAssertNil(session.interpreter.global("boom"))
        XCTAssertNil(session.interpreter.global("never"))
        XCTAssertEqual(try session.run("kept + 1"), 2, "the session keeps working after an error")
    }

    func testSyntaxErrorRunsNothing() throws {
        let session = Session()
        _ = session.error("early = 1\nlate = (")
        XCTAssertNil(session.interpreter.global("early"))
    }

    func testUnknownNamesSuggestCloseMatches() throws {
        let session = Session()
        try session.run("learning_rate = 0.1")
        XCTAssertEqual(session.error("learning_rat * 2")?.message, "name 'learning_rat' is not defined (did you mean 'learning_rate'?)")
        XCTAssertEqual(session.error("prnt('x')")?.message, "name 'prnt' is not defined (did you mean 'print'?)")
        XCTAssertEqual(session.error("true")?.message, "name 'true' is not defined (use True)")
        XCTAssertEqual(session.error("zzzzzz")?.message, "name 'zzzzzz' is not defined")
        XCTAssertEqual(session.error("[].apend(1)")?.message, "'list' object has no attribute 'apend' (did you mean 'append'?)")
    }

    func testTypeAndValueErrorsNameTheProblem() throws {
        let session = Session()
        XCTAssertEqual(session.error("1 + 'a'")?.message, "unsupported operand types for +: 'int' and 'str'")
        XCTAssertEqual(session.error("'a' < 1")?.message, "'<' is not supported between 'str' and 'int'")
        XCTAssertEqual(session.error("5()")?.message, "'int' object is not callable")
        XCTAssertEqual(session.error("{}['missing']")?.message, "'missing'")
        XCTAssertEqual(session.error("{}['missing']")?.kind, .key)
        XCTAssertEqual(session.error("[1][1.5]")?.message, "list indices must be integers or slices, not float")
        XCTAssertEqual(session.error("{[1]: 2}")?.message, "unhashable type: 'list' cannot be a dict key")
        XCTAssertEqual(session.error("int('abc')")?.message, "invalid literal for int() with base 10: 'abc'")
        XCTAssertEqual(session.error("for x in 5:\n    pass")?.message, "'int' object is not iterable")
        XCTAssertEqual(session.error("len(5)")?.message, "object of type 'int' has no len()")
    }

    func testSyntaxErrorMessages() throws {
        let session = Session()
        func message(_ source: String) -> String? { session.error(source)?.message }
        XCTAssertEqual(message("if x = 1:\n    pass"), "'=' assigns; use '==' to compare in the 'if' condition")
        XCTAssertEqual(message("x = (1, 2"), "'(' was never closed")
        XCTAssertEqual(message("x = 1)"), "unmatched ')'")
        XCTAssertEqual(message("x = [1, 2)"), "closing ')' does not match opening '[' at line 1")
        XCTAssertEqual(message("import numpy")?.hasPrefix("rnx has no modules, so there is no 'numpy' to import"), true)
        XCTAssertEqual(message("x = 1 2"), "unexpected number 2; is an operator or comma missing?")
        XCTAssertEqual(message("  x = 1"), "unexpected indent")
        XCTAssertEqual(message("if True:\nx = 1"), "expected an indented block after the 'if' condition, found name 'x'")
        XCTAssertEqual(message("if True:\n        a = 1\n    b = 2"), "unindent does not match any outer indentation level")
        XCTAssertEqual(message("f(x) = 3"), "cannot assign to a function call")
        XCTAssertEqual(message("break"), "'break' outside a loop")
        XCTAssertEqual(message("return 1"), "'return' outside a function")
        XCTAssertEqual(message("x = 'open"), "unterminated string literal")
        XCTAssertEqual(message("x = 1 && 2"), "use 'and' instead of '&&'")
        XCTAssertEqual(message("def f(a=1, b):\n    pass"), "parameter 'b' without a default follows a parameter with a default")
        XCTAssertEqual(message("class A:\n    pass"), "classes are not supported; use functions and dicts")
        XCTAssertEqual(message("x = {1, 2}"), "sets are not supported; a dict needs 'key: value' entries")
        XCTAssertEqual(message("f(a=1, 2)"), "positional argument follows keyword argument")
        XCTAssertEqual(message("1abc"), "invalid number literal '1a'")
    }

    func testColumnsAreCountedInCharactersAndTabsKeepTheCaretAligned() throws {
        let error = try XCTUnwrap(Session().error("if True:\n\tx = 'é' + 1"))
        XCTAssertEqual(error.location?.column, 10)
        XCTAssertTrue(error.rendered.hasSuffix("\n    \tx = 'é' + 1\n    \t        ^"), error.rendered)
    }
}
