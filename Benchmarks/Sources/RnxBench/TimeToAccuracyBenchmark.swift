import DSL
import Foundation

/// The quick-start recipe's training cell (examples/quickstart.rnx), run through the DSL interpreter as a user's script
/// runs: ResNet-8 on MNIST-5k with `random_crop(28, padding=2)`, batches of 64, SGD with momentum 0.9 and weight decay
/// 5e-4 (none on batch-norm parameters and biases), a one-cycle schedule over 8 epochs, accuracy on the 1,000 held-out
/// digits after each epoch. The learning-rate finder's choice is fixed rather than searched in each repeat:
/// `seed(0)` gives valley 1.318e-2, so the recipe's `max_lr = 10 * r.valley` is 0.1318 (`torch_bench.py` uses the same
/// figures). Each repeat trains a fresh model from `seed(0)`; its sample is the time until the held-out accuracy
/// first reaches `threshold` (the sum of the epochs' times, which include validation; the whole run when it never does).
func benchmarkTimeToAccuracy(_ recorder: Recorder, repeats: Int, threshold: Double = 0.96) throws {
    let script = """
        seed(0)
        data = mnist5k(batch_size=64, transforms=[random_crop(28, padding=2)])
        m = cifar_resnet(8, in_channels=1, classes=10, input_shape=[1, 28, 28])
        h = fit(m, data, 8, opt=sgd(momentum=0.9, wd=5e-4, no_wd_bn_bias=True), schedule=one_cycle(max_lr=0.1318),
                metrics=[accuracy])
        """
    var runs: [(accuracies: [Double], ends: [Double], cpuSeconds: Double)] = []
    for _ in 0..<repeats {
        let interpreter = Interpreter()
        interpreter.output = { _ in }
        let cpu = processCPUTime()
        _ = try interpreter.execute(source: script, file: "time-to-accuracy.rnx")
        let cpuSeconds = processCPUTime() - cpu
        let times = try numbers(interpreter.execute(source: "h.times", file: "time-to-accuracy.rnx"))
        let accuracies = try numbers(interpreter.execute(source: "h.metrics['accuracy']", file: "time-to-accuracy.rnx"))
        guard times.count == accuracies.count, !times.isEmpty else {
            throw BenchError.usage("time-to-accuracy: the run recorded \(times.count) epoch times and \(accuracies.count) accuracies")
        }
        runs.append((accuracies, times.reduce(into: []) { ends, seconds in ends.append((ends.last ?? 0) + seconds) }, cpuSeconds))
    }
    // The DSL reports no CPU time per epoch: the CPU share until the threshold is taken as its share of the wall time.
    let reached = runs.map { run in run.accuracies.firstIndex { $0 >= threshold } }
    let at = zip(runs, reached).map { run, index in index ?? run.ends.count - 1 }
    var samples = Samples()
    for (run, index) in zip(runs, at) {
        samples.wallMs.append(run.ends[index] * 1000)
        samples.cpuMs.append(run.cpuSeconds * run.ends[index] / (run.ends.last ?? 1) * 1000)
    }
    let median = samples.wallMs.indices.sorted { samples.wallMs[$0] < samples.wallMs[$1] }[runs.count / 2]
    let record = AccuracyRecord(
        threshold: threshold, epochs: reached[median].map { $0 + 1 }, accuracies: runs[median].accuracies,
        epochEndSeconds: runs[median].ends)
    recorder.add(timeToAccuracyWorkload, "rnx script: fit + one_cycle", samples, accuracy: record)
    let accuracies = runs[median].accuracies.map { String(format: "%.4f", $0) }.joined(separator: ", ")
    let outcome = reached[median].map { "reached in epoch \($0 + 1)" } ?? "not reached"
    FileHandle.standardError.write("    accuracy by epoch [\(accuracies)], threshold \(threshold) \(outcome)\n".data(using: .utf8) ?? Data())
}

/// The numbers of a DSL list of ints and floats.
private func numbers(_ value: Value?) throws -> [Double] {
    guard case let .list(list)? = value else { throw BenchError.usage("time-to-accuracy: expected a list from the history") }
    return try list.items.map { item in
        switch item {
        case let .float(x): return x
        case let .int(n): return Double(n)
        default: throw BenchError.usage("time-to-accuracy: expected numbers in the history's list")
        }
    }
}

/// The workload name shared with `torch_bench.py`.
let timeToAccuracyWorkload = "time to accuracy mnist5k resnet8 one-cycle"
