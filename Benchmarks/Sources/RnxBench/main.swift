import Foundation
import Kernel

// RnxBench: times rnx's kernels and models; bench/run.sh pairs the JSON it writes with bench/torch_bench.py's.
//
//   RnxBench [--only sgemm,conv,conv18,resnet20-train,resnet20-infer,resnet18-train,resnet34-sd,latency,loading,time-to-accuracy,
//             distributed,allreduce] [--repeats N] [--warmup N] [--json PATH]
//            [--image-folder DIR]
//
// `distributed` and `allreduce` measure data-parallel training: run them under `mpirun -np 2` (bench/run.sh does);
// every rank takes part, rank 0 writes the figures.

struct Options {
    var groups: Set<String> = ["sgemm", "conv"]
    var repeats = 7
    var warmup = 2
    var jsonPath: String?
    /// The JPEG class folders the `loading` group reads (`Benchmarks/run.sh` writes them).
    var imageFolder: String?

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw BenchError.usage("\(flag) needs a value") }
            switch flag {
            case "--only": groups = Set(value.split(separator: ",").map(String.init))
            case "--repeats": repeats = try Options.positive(value, flag)
            case "--warmup": warmup = try Options.positive(value, flag, allowZero: true)
            case "--json": jsonPath = value
            case "--image-folder": imageFolder = value
            default: throw BenchError.usage("unknown option \(flag)")
            }
        }
    }

    static func positive(_ text: String, _ flag: String, allowZero: Bool = false) throws -> Int {
        guard let n = Int(text), n > 0 || (allowZero && n == 0) else { throw BenchError.usage("\(flag) needs a positive number, found \(text)") }
        return n
    }
}

enum BenchError: Error, CustomStringConvertible {
    case usage(String)
    var description: String {
        switch self {
        case let .usage(message): return "RnxBench: \(message)\nusage: RnxBench [--only sgemm,conv,...] [--repeats N] [--warmup N] [--json PATH]"
        }
    }
}

func run() throws {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    let recorder = Recorder()
    let backend = ProcessInfo.processInfo.environment["RNX_CONV"] ?? "default"
    FileHandle.standardError.write(
        "rnx: \(Parallel.threads) threads, conv2d backend \(backend), \(KernelLibraries.summary)\n".data(using: .utf8) ?? Data())
    if options.groups.contains("sgemm") {
        try benchmarkMatmul(recorder, size: 1024, warmup: options.warmup, repeats: options.repeats)
    }
    if options.groups.contains("conv") {
        try benchmarkConvolutions(
            recorder, cases: ConvolutionCase.resnet20, warmup: options.warmup, repeats: options.repeats,
            backendLabel: backend, direct: backend != "im2col")
    }
    if options.groups.contains("conv18") {
        try benchmarkConvolutions(
            recorder, cases: ConvolutionCase.resnet18, warmup: options.warmup, repeats: options.repeats,
            backendLabel: backend, direct: backend != "im2col")
    }
    let modelVariant = "conv2d[\(backend)]"
    if options.groups.contains("resnet20-train") {
        try benchmarkTrainingStep(
            recorder, workload: "resnet20 train step b128", model: try ResNet.cifarResNet(depth: 20),
            batch: 128, size: 32, classes: 10, variant: modelVariant, warmup: options.warmup, repeats: options.repeats)
    }
    if options.groups.contains("resnet20-infer") {
        try benchmarkInference(
            recorder, workload: "resnet20 inference b256", model: try ResNet.cifarResNet(depth: 20),
            batch: 256, size: 32, variant: modelVariant, warmup: options.warmup, repeats: options.repeats)
    }
    if options.groups.contains("resnet18-train") {
        try benchmarkTrainingStep(
            recorder, workload: "resnet18-200 train step b32 64px",
            model: try ResNet.resnet18(classes: 200, inputShape: [3, 64, 64]),
            batch: 32, size: 64, classes: 200, variant: modelVariant, warmup: options.warmup, repeats: options.repeats)
    }
    if options.groups.contains("resnet34-sd") {
        try benchmarkStochasticDepth(recorder, warmup: options.warmup, repeats: options.repeats)
    }
    if options.groups.contains("latency") {
        try benchmarkLatencies(recorder, variant: modelVariant, repeats: options.repeats)
    }
    if options.groups.contains("loading") {
        guard let folder = options.imageFolder else { throw BenchError.usage("the loading group needs --image-folder DIR") }
        try benchmarkImageLoading(recorder, folder: folder, warmup: 1, repeats: options.repeats)
        // Each repeat trains two ResNet-18 epochs: the median of 3.
        try benchmarkLoadingOverlap(recorder, folder: folder, repeats: min(options.repeats, 3))
    }
    if options.groups.contains("time-to-accuracy") {
        try benchmarkTimeToAccuracy(recorder, repeats: options.repeats)
    }
    if options.groups.contains("distributed") {
        try benchmarkDataParallel(recorder, steps: 3, warmup: 1, repeats: options.repeats)
    }
    if options.groups.contains("allreduce") {
        try benchmarkAllReduce(recorder, warmup: options.warmup, repeats: options.repeats)
    }
    Distributed.finish()
    guard Distributed.launchRank == 0 else { return }
    let json = try recorder.json(threads: Parallel.threads, kernels: KernelLibraries.summary, peakResidentMiB: peakResidentMiB())
    if let path = options.jsonPath {
        try json.write(to: URL(fileURLWithPath: path), options: .atomic)
    } else {
        FileHandle.standardOutput.write(json)
    }
}

// The same process set-up as the `rnx` executable: OpenMP threads that sleep when idle, freed buffers kept for reuse.
OpenMPWaitPolicy.restartWithPassiveWaitIfNeeded()
AllocatorTuning.keepFreedBuffers()
do {
    try run()
} catch {
    FileHandle.standardError.write("\(error)\n".data(using: .utf8) ?? Data())
    exit(1)
}
