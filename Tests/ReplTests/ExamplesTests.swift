import XCTest

/// Every example and lesson runs to the end with `rnx run`, on a fast setting (`--set` fewer epochs and samples).
final class ExamplesTests: XCTestCase {
    private let fast = ["--set", "epochs=1", "--set", "limit=128", "--set", "search_epochs=1"]

    private var examplesDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples")
    }

    private func scripts() throws -> [URL] {
        let files =
            FileManager.default.enumerator(at: examplesDirectory, includingPropertiesForKeys: nil)?
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "rnx" } ?? []
        return files.sorted { $0.path < $1.path }
    }

    func testEveryExampleRunsToTheEnd() throws {
        let all = try scripts()
        XCTAssertGreaterThanOrEqual(all.count, 8, "examples: \(all.map(\.lastPathComponent))")
        let directory = try TemporaryDirectory()
        for script in all {
            let result = try RnxProcess.run(
                ["run", script.path] + fast, in: directory.url,
                environment: ["RNX_PLOT_SIZE": "80x24", "RNX_SIXEL": "0"])
            XCTAssertEqual(result.status, 0, "\(script.lastPathComponent):\n\(result.output)\n\(result.errors)")
            XCTAssertTrue(result.output.contains("ran "), "\(script.lastPathComponent): \(result.output)")
        }
    }

    /// The examples and lessons are valid programs: `rnx check` (syntax and names) must not flag anything in them.
    func testCheckFindsNothingInAnyExampleOrLesson() throws {
        let all = try scripts()
        XCTAssertTrue(all.contains { $0.path.contains("/lessons/") }, "\(all)")
        let directory = try TemporaryDirectory()
        let result = try RnxProcess.run(["check"] + all.map(\.path), in: directory.url)
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertEqual(result.errors, "")
        XCTAssertEqual(result.output.components(separatedBy: "no errors").count - 1, all.count, result.output)
    }

    func testQuickstartDrawsTheLRFinderAndConfusionCharts() throws {
        let directory = try TemporaryDirectory()
        let script = examplesDirectory.appendingPathComponent("quickstart.rnx")
        let result = try RnxProcess.run(
            ["run", script.path, "--charts", directory.url.appendingPathComponent("charts").path] + fast,
            in: directory.url, environment: ["RNX_PLOT_SIZE": "80x24", "RNX_SIXEL": "0"])
        XCTAssertEqual(result.status, 0, result.errors)
        XCTAssertTrue(result.output.contains("learning rate finder"), result.output)
        XCTAssertTrue(result.output.contains("confusion matrix"), result.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("quickstart-confusion.png").path))
        let charts = try FileManager.default.contentsOfDirectory(atPath: directory.url.appendingPathComponent("charts").path)
        XCTAssertTrue(charts.contains("chart-001.png"), "\(charts)")
    }
}

/// `rnx run --log` writes the metrics log of every `fit` in the script.
final class MetricsLogTests: XCTestCase {
    func testRunLogOptionWritesPerEpochMetrics() throws {
        let directory = try TemporaryDirectory()
        try directory.write(
            """
            seed(0)
            data = mnist5k(batch_size=32, limit=64)
            x = input([1, 28, 28])
            m = model(x, dense(flatten(x), 10))
            h = fit(m, data, 2, quiet=True)
            """, to: "tiny.rnx")
        let result = try RnxProcess.run(["run", "tiny.rnx", "--log", "run.jsonl"], in: directory.url)
        XCTAssertEqual(result.status, 0, result.errors)
        let log = try String(contentsOf: directory.url.appendingPathComponent("run.jsonl"), encoding: .utf8)
        XCTAssertEqual(log.split(separator: "\n").count, 2, log)
        XCTAssertTrue(log.contains("train_loss"), log)
    }
}
