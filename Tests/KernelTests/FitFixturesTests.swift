import XCTest
@testable import Kernel

// Small models and data shared by the training tests (fit, lr_find, checkpoints, interpretation).

/// A linear classifier with optional dropout and a running-mean buffer that only training updates,
/// so tests can see modes, buffers and the random generator at work.
final class TinyClassifier: TrainableModel {
    let weight: Tensor
    let bias: Tensor
    /// Like batch norm's running statistics: updated by training-mode forward passes only.
    let runningMean: Tensor
    let dropout: Float
    /// The `training` flag of every forward call, in order.
    private(set) var modes: [Bool] = []
    /// Whether any evaluation-mode forward pass recorded a graph.
    private(set) var evaluationRecordedGraph = false

    init(features: Int, classes: Int, dropout: Float = 0, seed: UInt64 = 7) throws {
        let generator = RandomGenerator(seed: seed)
        weight = try Tensor.randn([features, classes], generator: generator) * 0.1
        weight.requiresGrad = true
        bias = try Tensor.zeros([classes], requiresGrad: true)
        runningMean = try Tensor.zeros([features])
        self.dropout = dropout
    }

    var trainableParameters: [NamedTensor] {
        [NamedTensor(name: "fc.weight", tensor: weight), NamedTensor(name: "fc.bias", tensor: bias)]
    }

    var stateTensors: [NamedTensor] {
        trainableParameters + [NamedTensor(name: "fc.running_mean", tensor: runningMean)]
    }

    func forward(_ input: Tensor, training: Bool) throws -> Tensor {
        modes.append(training)
        var x = try input.flatten(from: 1)
        if training {
            let batchMean = try x.detach().mean(axes: [0])
            try runningMean.assign(try runningMean * 0.9 + batchMean * 0.1)
        }
        if dropout > 0 { x = try x.dropout(p: dropout, training: training) }
        let output = try x.matmul(weight) + bias
        if !training && output.gradFnName != nil { evaluationRecordedGraph = true }
        return output
    }

    /// All state values, to compare models exactly.
    var stateValues: [[Float]] { stateTensors.map(\.tensor.data) }
}

/// Batches over in-memory samples; optionally reshuffled each pass from the global generator
/// (so resuming exactly also depends on restoring that generator).
struct ArrayBatches: BatchSource {
    let inputs: [Float]
    let featureCount: Int
    let labels: [Int]
    let batchSize: Int
    let shuffle: Bool

    var sampleCount: Int { labels.count }
    var batchCount: Int { (labels.count + batchSize - 1) / batchSize }

    func forEachBatch(epoch: Int, _ body: (Tensor, [Int]) throws -> Bool) throws {
        let order = shuffle ? RandomGenerator.global.permutation(labels.count) : Array(0..<labels.count)
        for start in stride(from: 0, to: order.count, by: batchSize) {
            let indices = order[start..<min(start + batchSize, order.count)]
            var values: [Float] = []
            for i in indices { values += inputs[(i * featureCount)..<((i + 1) * featureCount)] }
            let batch = try Tensor(shape: [indices.count, featureCount], data: values)
            guard try body(batch, indices.map { labels[$0] }) else { return }
        }
    }
}

/// Three well-separated Gaussian blobs in 4 dimensions: `perClass` samples of each class.
func blobs(perClass: Int, seed: UInt64, batchSize: Int = 16, shuffle: Bool = false) -> ArrayBatches {
    let generator = RandomGenerator(seed: seed)
    let centres: [[Float]] = [[2, 0, 0, 1], [0, 2, 0, -1], [0, 0, 2, 0]]
    var inputs: [Float] = []
    var labels: [Int] = []
    for i in 0..<(3 * perClass) {
        let label = i % 3
        inputs += centres[label].map { $0 + 0.5 * generator.normal() }
        labels.append(label)
    }
    return ArrayBatches(inputs: inputs, featureCount: 4, labels: labels, batchSize: batchSize, shuffle: shuffle)
}

/// Records every event it receives.
final class RecordingObserver: TrainingObserver {
    var progress: [BatchProgress] = []
    var epochRecords: [EpochRecord] = []
    var started = 0
    var ended = 0
    var onBatch: ((BatchProgress) -> Void)?

    func trainingWillStart(epochs: Int, batchesPerEpoch: Int, history: History) { started += 1 }
    func batchDidEnd(_ progress: BatchProgress, history: History) {
        self.progress.append(progress)
        onBatch?(progress)
    }
    func epochDidEnd(_ record: EpochRecord, history: History) { epochRecords.append(record) }
    func trainingDidEnd(history: History) { ended += 1 }
}

/// A fresh directory for files `test` writes, removed when the test ends.
func temporaryDirectory(for test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "rnx-training-tests-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}
