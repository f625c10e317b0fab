import Foundation
import Kernel

// What a benchmark run hands to bench/report.py: one record per (workload, variant), raw samples included.

/// One measured workload and variant.
struct Measurement: Codable {
    /// The workload, named identically in bench/torch_bench.py so the report can pair them.
    let workload: String
    /// How rnx ran it (e.g. `conv2d[dnnl]`, `dnnl-raw`).
    let variant: String
    /// Wall-clock milliseconds per call, one entry per timed repeat.
    let samplesMs: [Double]
    /// Process CPU milliseconds (all threads) of the same calls.
    let cpuMs: [Double]
    /// Floating-point operations per call, when the workload has a standard count.
    let flops: Double?
    /// Images processed per call, for images/s.
    let images: Int?
    /// For time-to-accuracy workloads: the threshold and the accuracy trajectory of the median repeat.
    let accuracy: AccuracyRecord?
}

/// How a training run reached its accuracy threshold (the median repeat of a time-to-accuracy workload).
struct AccuracyRecord: Codable {
    /// The held-out accuracy the time was measured to.
    let threshold: Double
    /// The epoch (from 1) whose evaluation first reached the threshold; nil when none did.
    let epochs: Int?
    /// Held-out accuracy after each epoch.
    let accuracies: [Double]
    /// Seconds from the start of training to the end of each epoch's evaluation.
    let epochEndSeconds: [Double]
}

/// The whole run: machine facts and every measurement.
struct RunReport: Codable {
    let tool: String
    let threads: Int
    /// The libraries' kernel choice on this CPU (`KernelLibraries.summary`), printed in the report's header.
    let kernels: String
    let peakResidentMiB: Double?
    let measurements: [Measurement]

    enum CodingKeys: String, CodingKey {
        case tool, threads, kernels, measurements
        // The automatic snake case would write `peak_resident_mi_b`.
        case peakResidentMiB = "peak_resident_mib"
    }
}

/// Collects measurements and writes them as JSON.
final class Recorder {
    private(set) var measurements: [Measurement] = []

    /// Stores a measurement and prints a one-line summary to stderr, so long runs show progress (on rank 0 only
    /// under mpirun: the ranks measure the same collective steps).
    func add(
        _ workload: String, _ variant: String, _ samples: Samples, flops: Double? = nil, images: Int? = nil, accuracy: AccuracyRecord? = nil
    ) {
        measurements.append(
            Measurement(
                workload: workload, variant: variant, samplesMs: samples.wallMs, cpuMs: samples.cpuMs,
                flops: flops, images: images, accuracy: accuracy))
        guard Distributed.launchRank == 0 else { return }
        let sorted = samples.wallMs.sorted(), cpu = samples.cpuMs.sorted()
        let median = sorted[sorted.count / 2]
        var line =
            "  \(workload) [\(variant)]: median \(String(format: "%.3f", median)) ms (min \(String(format: "%.3f", sorted[0])), "
            + "CPU \(String(format: "%.3f", cpu[cpu.count / 2])) ms)"
        if let flops { line += String(format: ", %.1f GFLOP/s", flops / median / 1e6) }
        if let images { line += String(format: ", %.1f images/s", Double(images) / median * 1000) }
        FileHandle.standardError.write((line + "\n").data(using: .utf8) ?? Data())
    }

    /// The JSON document for `bench/report.py`.
    func json(threads: Int, kernels: String, peakResidentMiB: Double?) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(
            RunReport(tool: "rnx", threads: threads, kernels: kernels, peakResidentMiB: peakResidentMiB, measurements: measurements))
    }
}
