import Foundation
import XCTest

/// Data-parallel training under Open MPI, on one machine: the real `rnx run --np 2` (which starts `mpirun`) trains
/// a small network on random data; the tests compare what the ranks and a single process wrote.
final class DistributedTrainingTests: XCTestCase {
    override func setUpWithError() throws {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        guard path.split(separator: ":").contains(where: { FileManager.default.isExecutableFile(atPath: "\($0)/mpirun") }) else {
            throw XCTSkip("mpirun is not installed (apt-get install openmpi-bin libopenmpi-dev; `make test` does it)")
        }
    }

    func testRanksKeepIdenticalWeightsAndOnlyRankZeroPrints() throws {
        let directory = try TemporaryDirectory()
        try directory.write(Self.script, to: "train.rnx")
        let run = try RnxProcess.run(["run", "--np", "2", "train.rnx", "--set", "batch=32", "--set", "epochs=3"], in: directory.url)
        XCTAssertEqual(run.status, 0, run.errors)
        XCTAssertEqual(run.output.components(separatedBy: "world 2").count - 1, 1, "only rank 0 prints:\n\(run.output)")
        XCTAssertTrue(run.output.contains("rank 0 of 2"), run.output)
        XCTAssertTrue(run.output.contains("ran 1 cell"), run.output)
        XCTAssertFalse(run.output.contains("\u{1B}"), "mpirun's pseudo-terminals must not bring escape codes into a pipe:\n\(run.output)")
        let weights = try (0..<2).map { try Data(contentsOf: directory.url.appendingPathComponent("weights-\($0).safetensors")) }
        XCTAssertEqual(weights[0], weights[1], "after 3 epochs of 6 steps the ranks' weights must be identical")
        let initial = try Data(contentsOf: directory.url.appendingPathComponent("initial-0.safetensors"))
        XCTAssertNotEqual(initial, weights[0], "training changed the weights")
    }

    func testTwoRanksOfBatch64MatchOneProcessOfBatch128() throws {
        let directory = try TemporaryDirectory()
        try directory.write(Self.script, to: "train.rnx")
        let single = try RnxProcess.run(["run", "train.rnx", "--set", "batch=128", "--set", "tag=\"single\""], in: directory.url)
        XCTAssertEqual(single.status, 0, single.errors)
        let parallel = try RnxProcess.run(["run", "--np", "2", "train.rnx", "--set", "batch=64", "--set", "tag=\"parallel\""], in: directory.url)
        XCTAssertEqual(parallel.status, 0, parallel.errors)
        let one = try SafetensorsFile(directory.url.appendingPathComponent("weights-single.safetensors"))
        let two = try SafetensorsFile(directory.url.appendingPathComponent("weights-parallel.safetensors"))
        XCTAssertEqual(one.tensors.keys.sorted(), two.tensors.keys.sorted())
        XCTAssertLessThan(Self.largestDifference(one, two), 1e-5, "1×128 and 2×64 give the same weights")
        // The reduced metrics are the single process's too: the epoch tables agree to the printed digits.
        XCTAssertEqual(Self.epochRows(single.output), Self.epochRows(parallel.output))
        XCTAssertEqual(Self.epochRows(single.output).count, 2, single.output)
    }

    func testSyncBatchNormMatchesOneProcessAndPerRankBatchNormDoesNot() throws {
        let directory = try TemporaryDirectory()
        try directory.write(Self.batchNormScript, to: "bn.rnx")
        let runs = [
            (["--set", "batch=128", "--set", "tag=\"single\""], "single"),
            (["--np", "2", "--set", "batch=64", "--set", "tag=\"synced\""], "synced"),
            (["--np", "2", "--set", "batch=64", "--set", "tag=\"local\"", "--set", "sync=False"], "local"),
        ]
        var weights: [String: SafetensorsFile] = [:]
        for (options, tag) in runs {
            let run = try RnxProcess.run(["run", "bn.rnx"] + options, in: directory.url)
            XCTAssertEqual(run.status, 0, "\(tag): \(run.errors)")
            weights[tag] = try SafetensorsFile(directory.url.appendingPathComponent("weights-\(tag).safetensors"))
        }
        let single = try XCTUnwrap(weights["single"]), synced = try XCTUnwrap(weights["synced"]), local = try XCTUnwrap(weights["local"])
        XCTAssertTrue(single.tensors.keys.contains { $0.contains("running_mean") }, "the running statistics are compared too")
        XCTAssertLessThan(Self.largestDifference(single, synced), 1e-5, "sync_bn=True: 2×64 equals 1×128")
        XCTAssertGreaterThan(Self.largestDifference(single, local), 1e-4, "per-rank statistics normalise each half batch on its own")
    }

    func testAKilledRankIsReportedAndTheCheckpointResumesWithOneOrTwoRanks() throws {
        let directory = try TemporaryDirectory()
        try directory.write(Self.script, to: "train.rnx")
        let checkpoint = directory.url.appendingPathComponent("run.ckpt")
        let marker = UUID().uuidString
        let launch = try BackgroundRnx(
            ["run", "--np", "2", "train.rnx", "--set", "epochs=100000", "--set", "checkpoint=\"run.ckpt\""],
            in: directory.url, environment: ["RNX_TEST_MARKER": marker])
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: checkpoint.path) && Date() < deadline { usleep(50_000) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: checkpoint.path), "no checkpoint after 60 s")
        usleep(200_000)
        let victim = try XCTUnwrap(Self.rankProcess(rank: 1, marker: marker), "rank 1 of the launch was not found")
        kill(victim, SIGKILL)
        let result = launch.wait()
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.errors.contains("exited on signal 9"), result.errors)
        XCTAssertTrue(result.errors.contains("[rank 0] rnx: stopped by mpirun"), result.errors)

        // The checkpoint the dead run left loads and continues, with the same or another number of ranks.
        let epoch = try XCTUnwrap(try SafetensorsFile(checkpoint).position?.epoch, "the checkpoint has no position")
        XCTAssertGreaterThan(epoch, 0)
        let kept = directory.url.appendingPathComponent("kept.ckpt")
        try FileManager.default.copyItem(at: checkpoint, to: kept)
        for ranks in ["1", "2"] {
            try FileManager.default.removeItem(at: checkpoint)
            try FileManager.default.copyItem(at: kept, to: checkpoint)
            let resumed = try RnxProcess.run(
                [
                    "run", "--np", ranks, "train.rnx", "--set", "epochs=\(epoch + 1)", "--set", "resume=\"run.ckpt\"",
                    "--set", "checkpoint=\"run.ckpt\"",
                ], in: directory.url)
            XCTAssertEqual(resumed.status, 0, "resuming with \(ranks) rank(s): \(resumed.errors)")
            // Table rows count epochs from 1: the checkpoint's next epoch (0-based) is row epoch + 1.
            XCTAssertEqual(Self.epochRows(resumed.output).map(\.first), ["\(epoch + 1)"], "resumed at epoch \(epoch):\n\(resumed.output)")
            // The step counts this run's batches: 6 an epoch for one rank, 3 for each of two.
            let position = try XCTUnwrap(try SafetensorsFile(checkpoint).position)
            XCTAssertEqual(position.epoch, epoch + 1)
            XCTAssertEqual(position.step, (epoch + 1) * (ranks == "1" ? 6 : 3))
        }
    }

    func testNpWithoutMpirunSaysWhatIsMissing() throws {
        let directory = try TemporaryDirectory()
        try directory.write(Self.script, to: "train.rnx")
        let run = try RnxProcess.run(["run", "--np", "2", "train.rnx"], in: directory.url, environment: ["PATH": "/nonexistent", "RNX_MPIRUN": ""])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.errors.contains("mpirun was not found"), run.errors)
    }

    /// A 2-layer network on 512 random samples of 3 classes (384 to train: 6 steps of 64 an epoch with 1 rank,
    /// 3 per rank with 2); saves the weights before and after training under `tag` (default: the rank).
    private static let script = """
        batch = 64
        epochs = 2
        tag = None
        checkpoint = None
        resume = None
        seed(3)
        x = input([1, 4, 4])
        net = model(x, dense(relu(dense(flatten(x), 16)), 3), name="tiny")
        samples = tensor_dataset(randn(512, 1, 4, 4), [i % 3 for i in range(512)])
        train, valid = split(samples, 0.25, seed=1)
        data = databunch(train, valid, batch_size=batch, seed=1)
        name = str(rank()) if tag == None else tag
        print("rank", rank(), "of", world_size())
        print("world", world_size())
        net.save_weights("initial-" + name + ".safetensors")
        h = fit(net, data, epochs, opt=sgd(lr=0.1, momentum=0.9), checkpoint=checkpoint, resume=resume, progress=False)
        net.save_weights("weights-" + name + ".safetensors")
        """

    /// Two convolutions with batch norm: per-rank statistics of a half batch differ from the whole batch's. With 16
    /// channels batch norm runs on oneDNN's blocked layout, which synchronizes like the plain op.
    private static let batchNormScript = """
        batch = 64
        sync = True
        tag = None
        seed(3)
        x = input([1, 8, 8])
        h = relu(batchnorm(conv2d(x, 16, bias=False)))
        h = relu(batchnorm(conv2d(h, 16, bias=False)))
        net = model(x, dense(global_avg_pool(h), 3), name="bn")
        samples = tensor_dataset(randn(512, 1, 8, 8), [i % 3 for i in range(512)])
        train, valid = split(samples, 0.25, seed=1)
        data = databunch(train, valid, batch_size=batch, seed=1)
        fit(net, data, 2, opt=sgd(lr=0.1, momentum=0.9), progress=False, sync_bn=sync)
        net.save_weights("weights-" + tag + ".safetensors")
        """

    /// The largest element-wise difference between the same-named tensors of two files.
    private static func largestDifference(_ a: SafetensorsFile, _ b: SafetensorsFile) -> Float {
        a.tensors.map { name, values in zip(values, b.tensors[name] ?? []).map { abs($0 - $1) }.max() ?? .infinity }.max() ?? .infinity
    }

    /// The rows of fit's epoch table (first cell the epoch number), from the table printed at the end.
    private static func epochRows(_ output: String) -> [[String]] {
        let lines = output.split(separator: "\n").map(String.init)
        guard let header = lines.lastIndex(where: { $0.hasPrefix("epoch  train_loss") }) else { return [] }
        return lines[(header + 1)...].map { $0.split(separator: " ").map(String.init) }.filter { $0.first.map { Int($0) != nil } ?? false }
    }

    /// The process of rank `rank` among the processes whose environment holds `RNX_TEST_MARKER=marker`.
    private static func rankProcess(rank: Int, marker: String) -> pid_t? {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        for entry in entries {
            guard let pid = pid_t(entry), let data = FileManager.default.contents(atPath: "/proc/\(entry)/environ") else { continue }
            let variables = Set(data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) })
            if variables.contains("RNX_TEST_MARKER=\(marker)") && variables.contains("OMPI_COMM_WORLD_RANK=\(rank)") { return pid }
        }
        return nil
    }
}
