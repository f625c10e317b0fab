import XCTest
@testable import Kernel

final class FitGridSearchTests: XCTestCase {
    func testEveryCombinationRunsAndResultsAreSortedByTheMetric() throws {
        var tried: [String] = []
        let result = try gridSearch(
            ["lr": [.double(0.1), .double(0.01)], "optimizer": [.string("sgd"), .string("adam")]],
            sortBy: "accuracy"
        ) { parameters in
            let lr = parameters["lr"]?.number ?? 0
            let name = parameters["optimizer"]?.description ?? ""
            tried.append("\(lr) \(name)")
            if name == "adam" && lr == 0.1 { throw KernelError.invalidArgument(op: "trial", message: "diverged") }
            return ["accuracy": (name == "adam" ? 0.5 : 0.25) + lr, "loss": 1 - lr]
        }
        // Names sorted (lr, optimizer); the last varies fastest.
        XCTAssertEqual(tried, ["0.1 sgd", "0.1 adam", "0.01 sgd", "0.01 adam"])
        // adam at 0.01 scores 0.51, sgd at 0.1 0.35, sgd at 0.01 0.26; the failed trial comes last.
        XCTAssertEqual(result.trials.map { $0.metrics["accuracy"] }, [0.51, 0.35, 0.26, nil])
        XCTAssertEqual(result.best?.parameters, ["lr": .double(0.01), "optimizer": .string("adam")])
        XCTAssertEqual(result.trials.last?.error, "trial: diverged")
        XCTAssertFalse(result.interrupted)
        let lines = result.table().split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.count, 6)
        XCTAssertEqual(lines[0], "  lr  optimizer  accuracy      loss   time  error")
        XCTAssertEqual(lines[2], "0.01  adam       0.510000  0.990000  00:00")
        XCTAssertTrue(lines[5].hasSuffix("trial: diverged"), String(lines[5]))
    }

    func testLowerIsBetterAndInterrupt() throws {
        var runs = 0
        let result = try gridSearch(
            ["wd": [.int(0), .int(1), .int(2)]], sortBy: "loss", higherIsBetter: false,
            interrupt: { runs >= 2 }
        ) { parameters in
            runs += 1
            return ["loss": 5 - (parameters["wd"]?.number ?? 0)]
        }
        XCTAssertTrue(result.interrupted)
        XCTAssertEqual(result.trials.map { $0.parameters["wd"] }, [.int(1), .int(0)])
        XCTAssertThrowsError(try gridSearch(["wd": []], sortBy: "loss") { _ in [:] })
    }
}
