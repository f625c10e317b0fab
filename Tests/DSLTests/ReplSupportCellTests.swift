import XCTest
@testable import DSL

/// What running notebook cells needs from the interpreter: real file line numbers and `--set` pinned globals.
final class ReplSupportCellTests: XCTestCase {
    func testACellStartingAtLineTwelveReportsTheFilesLines() throws {
        let session = Session()
        // Cell 1 (file lines 3-4) defines a function; cell 2 (file lines 12-14) calls it and fails inside it.
        try session.interpreter.execute(source: "def halve(x):\n    return x / zero", file: "exp.rnx", firstLine: 3)
        let cellError: DSLError
        do {
            try session.interpreter.execute(source: "zero = 0\n\nhalve(4)", file: "exp.rnx", firstLine: 12)
            return XCTFail("expected ZeroDivisionError")
        } catch let thrown as DSLError {
            cellError = thrown
        }
        XCTAssertEqual(cellError.kind, .zeroDivision)
        XCTAssertEqual(cellError.location?.description, "exp.rnx:4:14")
        XCTAssertTrue(cellError.rendered.contains("    return x / zero\n"), cellError.rendered)
        XCTAssertEqual(cellError.traceback.map(\.description), ["exp.rnx:14 in <module>", "exp.rnx:4 in halve"])
        XCTAssertTrue(cellError.rendered.contains("exp.rnx:14 in <module>\n    halve(4)"), cellError.rendered)
    }

    func testSyntaxErrorsCountFromTheFirstLine() throws {
        let error = try XCTUnwrap(Interpreter.syntaxError(in: "x = 1\nprint(x", file: "bad.rnx", firstLine: 20))
        XCTAssertEqual(error.location?.description, "bad.rnx:21:6")
        XCTAssertTrue(error.rendered.contains("    print(x\n"), error.rendered)
    }

    func testAPinnedGlobalKeepsItsValueAgainstTopLevelAssignments() throws {
        let session = Session()
        session.interpreter.pinGlobal("epochs", .int(1))
        let printed = try session.output(
            """
            epochs = 8
            if epochs > 0:
                epochs = 9
            for _ in range(2):
                epochs = 10
            label, epochs = 'run', 11
            print(epochs, label)
            """)
        XCTAssertEqual(printed, "1 run\n")
    }

    func testAPinnedAssignmentStillEvaluatesItsValue() {
        let session = Session()
        session.interpreter.pinGlobal("lr", .float(0.05))
        let error = session.error("lr = 1 / 0")
        XCTAssertEqual(error?.kind, .zeroDivision, "the script's own errors stay where they are")
        XCTAssertEqual(session.interpreter.global("lr"), .float(0.05))
    }

    func testComputationsAndFunctionsStillChangeAPinnedGlobal() throws {
        let session = Session()
        session.interpreter.pinGlobal("steps", .int(2))
        try session.run("steps *= 10")
        XCTAssertEqual(session.interpreter.global("steps"), .int(20), "augmented assignment is a computation")
        try session.run("def reset():\n    global steps\n    steps = 0\nreset()")
        XCTAssertEqual(session.interpreter.global("steps"), .int(0))
        try session.run("def local_only():\n    steps = 5\n    return steps\nlocal_only()")
        XCTAssertEqual(session.interpreter.global("steps"), .int(0), "a local of the same name is another variable")
    }

    func testAnUnpinnedGlobalIsAssignedAsUsual() throws {
        let session = Session()
        session.interpreter.pinGlobal("lr", .float(0.05))
        try session.run("epochs = 8\nepochs = 9")
        XCTAssertEqual(session.interpreter.global("epochs"), .int(9))
        session.interpreter.resetGlobals()
        try session.run("lr = 0.1")
        XCTAssertEqual(session.interpreter.global("lr"), .float(0.1), "resetting forgets pins with the variables")
    }
}
