import XCTest
@testable import DSL

/// An interpreter that collects printed output, with helpers that make tests read like REPL sessions.
final class Session {
    let interpreter = Interpreter()
    private(set) var printed = ""

    init() {
        interpreter.output = { [unowned self] text in self.printed += text }
    }

    /// Runs source and returns the value of its final expression (nil when there is none).
    @discardableResult
    func run(_ source: String, file: String = "test.rnx") throws -> Value? {
        try interpreter.execute(source: source, file: file)
    }

    /// Runs source and returns what it printed.
    func output(_ source: String) throws -> String {
        printed = ""
        try run(source)
        return printed
    }

    /// Runs source that must fail and returns the error.
    func error(_ source: String, file: String = "test.rnx", line: UInt = #line) -> DSLError? {
        do {
            try run(source, file: file)
            XCTFail("expected an error from: \(source)", line: line)
            return nil
        } catch let error as DSLError {
            return error
        } catch {
            XCTFail("unexpected error type \(error)", line: line)
            return nil
        }
    }
}

/// Evaluates one expression in a fresh session.
func eval(_ source: String) throws -> Value? {
    try Session().run(source)
}

/// A tiny classifier and 24 random samples of three classes (batches of 3: 6 training steps an epoch), for the
/// live-chart tests.
let tinyLiveRun = """
    seed(3)
    x = input([1, 4, 4])
    net = model(x, dense(flatten(x), 3), name="tiny")
    samples = tensor_dataset(randn(24, 1, 4, 4), [i % 3 for i in range(24)])
    train, valid = split(samples, 0.25, seed=1)
    data = databunch(train, valid, batch_size=3, seed=1)
    """
