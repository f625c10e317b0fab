import XCTest

@testable import DSL

/// `input(prompt)` through a host's `inputReader` (the model input `input(shape)` keeps its meaning), and
/// `evaluate(expression:)`, which the Jupyter kernel uses for `user_expressions`.
final class InputAndExpressionTests: XCTestCase {
    func testInputAsksTheHostAndEndOfInputIsEOFError() throws {
        let session = Session()
        var prompts: [String] = []
        var lines = ["Ada", ""]
        session.interpreter.inputReader = { prompt in
            prompts.append(prompt)
            return lines.isEmpty ? nil : lines.removeFirst()
        }
        try session.run("name = input('name? ')\nempty = input()\nx = input([3, 8, 8])")
        XCTAssertEqual(prompts, ["name? ", ""])
        XCTAssertEqual(try session.run("name"), .string("Ada"))
        XCTAssertEqual(try session.run("empty"), .string(""))
        XCTAssertEqual(try session.run("x.shape")?.repr, "(3, 8, 8)")
        let error = session.error("print('before')\ninput('more? ')")
        XCTAssertEqual(error?.kind, .endOfFile)
        XCTAssertEqual(error?.message, "EOF when reading a line")
        XCTAssertEqual(error?.location?.line, 2)
    }

    func testEvaluateTakesOneExpressionOnly() throws {
        let session = Session()
        try session.run("x = 40")
        XCTAssertEqual(try session.interpreter.evaluate(expression: "x + 2", file: "<e>"), .int(42))
        XCTAssertEqual(try session.interpreter.evaluate(expression: "print('hi')", file: "<e>"), Value.none)
        for source in ["x = 1", "", "x\ny"] {
            XCTAssertThrowsError(try session.interpreter.evaluate(expression: source, file: "<e>"), source) { error in
                XCTAssertEqual((error as? DSLError)?.kind, .syntax, source)
            }
        }
        XCTAssertEqual(try session.run("x"), .int(40))
        XCTAssertThrowsError(try session.interpreter.evaluate(expression: "undefined_name", file: "<e>")) { error in
            XCTAssertEqual((error as? DSLError)?.kind, .name)
        }
    }
}
