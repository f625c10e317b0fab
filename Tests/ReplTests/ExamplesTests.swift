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

    /// The recipe examples read real data sets; their own tests below run them on fixtures of those layouts.
    private let recipes: Set<String> = [
        "concat_resnet_progressive.rnx", "preact_resnet34_stochastic_depth.rnx", "resnet18_sgd_cosine_search.rnx",
        "resnet20_option_a.rnx", "mnist_7x7_stem_merges.rnx",
    ]

    func testEveryExampleRunsToTheEnd() throws {
        let all = try scripts()
        XCTAssertGreaterThanOrEqual(all.count, 8, "examples: \(all.map(\.lastPathComponent))")
        XCTAssertTrue(recipes.isSubset(of: all.map(\.lastPathComponent)), "\(all)")
        let directory = try TemporaryDirectory()
        for script in all where !recipes.contains(script.lastPathComponent) {
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

    /// Runs one recipe example in fast mode on fixtures written in the layout of its real data set and returns
    /// what it printed; `settings` are further `--set name=value` pairs.
    private func runRecipe(_ name: String, _ settings: [String], in directory: TemporaryDirectory) throws -> String {
        let script = examplesDirectory.appendingPathComponent(name)
        let result = try RnxProcess.run(
            ["run", script.path] + fast + settings.flatMap { ["--set", $0] }, in: directory.url,
            environment: ["RNX_PLOT_SIZE": "80x24", "RNX_SIXEL": "0"])
        XCTAssertEqual(result.status, 0, "\(name):\n\(result.output)\n\(result.errors)")
        return result.output
    }

    /// The parameter counts summary() printed (total, trainable, non-trainable), in order of appearance.
    private func summaryCounts(_ output: String) -> [[String]] {
        let lines = output.split(separator: "\n").map(String.init)
        return lines.indices.filter { lines[$0].hasPrefix("Total params: ") }.map { start in
            ["Total params: ", "Trainable params: ", "Non-trainable params: "].enumerated().map { offset, label in
                let line = start + offset < lines.count ? lines[start + offset] : ""
                return line.hasPrefix(label) ? String(line.dropFirst(label.count)) : line
            }
        }
    }

    func testConcatResNetPrintsItsSummaryAndGrowsItsImages() throws {
        let directory = try TemporaryDirectory()
        let root = try RecipeDataFixtures.writeTinyImageNet(in: directory.url)
        let output = try runRecipe(
            "concat_resnet_progressive.rnx", ["epochs=3", "batch_size=8", "data_root=\"\(root.path)\""], in: directory)
        XCTAssertEqual(summaryCounts(output).first, ["12,908,928", "12,899,200", "9,728"], output)
        for size in [32, 48, 64] {
            XCTAssertTrue(output.contains("training at \(size)×\(size)"), output)
        }
    }

    func testPreActResNet34TrainsWithStochasticDepthAndNamesConfusedClasses() throws {
        let directory = try TemporaryDirectory()
        let root = try RecipeDataFixtures.writeTinyImageNet(in: directory.url)
        let output = try runRecipe("preact_resnet34_stochastic_depth.rnx", ["batch_size=8", "data_root=\"\(root.path)\""], in: directory)
        XCTAssertFalse(summaryCounts(output).isEmpty, output)
        XCTAssertTrue(output.contains("top-1 error: "), output)
        XCTAssertTrue(output.contains("goldfish") || output.contains("Egyptian cat"), output)
    }

    func testResNet18VariantPrintsTheComparisonTableCounts() throws {
        let directory = try TemporaryDirectory()
        let root = try RecipeDataFixtures.writeCIFAR10(in: directory.url)
        let output = try runRecipe(
            "resnet18_sgd_cosine_search.rnx",
            ["copies=1", "grid={\"batch_size\": [8], \"lr\": [0.05], \"wd\": [5e-4]}", "data_root=\"\(root.path)\""], in: directory)
        XCTAssertEqual(summaryCounts(output).first?[1], "4,978,730", output)
        for row in [
            "ResNet-18, 7×7 stem: 11,160,618", "[2, 1, 1, 1], 7×7 stem: 4,963,882", "[3, 3, 2, 2], kernels 5-5-5-3: 4,266,410",
            "[2, 4, 3, 3], kernels 5-5-3-3 (final): 4,978,730",
        ] {
            XCTAssertTrue(output.contains(row + " parameters"), "\(row)\n\(output)")
        }
    }

    func testResNet20WritesEveryFileUnderItsOutputFolder() throws {
        let directory = try TemporaryDirectory()
        let root = try RecipeDataFixtures.writeCIFAR10(in: directory.url)
        let output = try runRecipe(
            "resnet20_option_a.rnx", ["batch_size=8", "compare_epochs=1", "out=\"results/r20\"", "data_root=\"\(root.path)\""],
            in: directory)
        XCTAssertEqual(summaryCounts(output).first?[1], "269,722", output)
        let written = try FileManager.default.contentsOfDirectory(atPath: directory.url.path).filter { $0 != "history" }
        XCTAssertEqual(Set(written), ["cifar-10-batches-bin", "results"], "nothing else lands in the current directory")
        let results = try FileManager.default.contentsOfDirectory(atPath: directory.url.appendingPathComponent("results/r20").path)
        XCTAssertTrue(Set(results).isSuperset(of: ["resnet20.safetensors", "metrics.csv", "history.png", "tensorboard"]), "\(results)")
    }

    func testMNIST7x7StemNetworksPrintTheirCounts() throws {
        let directory = try TemporaryDirectory()
        let output = try runRecipe("mnist_7x7_stem_merges.rnx", ["compare_epochs=1", "out=\"logs\""], in: directory)
        XCTAssertFalse(summaryCounts(output).isEmpty, output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("logs/metrics.csv").path))
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
        XCTAssertTrue(charts.contains("cell06-learning-rate-finder.png"), "\(charts)")
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
