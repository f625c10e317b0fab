import Foundation

/// Everything needed to continue a training run exactly where it stopped: the model's weights and buffers,
/// the optimizer's state, the position (epochs done and the schedule's step), the global random generator
/// and the history so far.
///
/// Stored as one safetensors file, written atomically: tensors `model/<name>` and `optimizer/<buffer>/<parameter>`,
/// and the rest as JSON strings in the metadata (`rnx.format`, `rnx.position`, `rnx.rng`, `rnx.optimizer`, `rnx.history`,
/// `rnx.counters`).
public struct TrainingCheckpoint {
    /// The value of `rnx.format`, checked when loading.
    public static let format = "rnx-checkpoint-1"

    /// Copies of the model's state tensors.
    public var modelTensors: [NamedTensor]
    /// The model's `stateCounters` (batch norms' `num_batches_tracked`).
    public var modelCounters: [String: Int]
    /// The optimizer's state, when one was saved.
    public var optimizerState: OptimizerState?
    /// Where training stands.
    public var position: TrainingPosition
    /// `RandomGenerator.snapshot` of the generator training draws from.
    public var randomState: [UInt64]
    /// The history up to this point.
    public var history: History?

    /// A checkpoint of the current state (tensors are copied, so training can go on), with the random state of
    /// `generator` (default: the model's `randomGenerator`).
    public static func capture(
        model: TrainableModel, optimizer: Optimizer?, position: TrainingPosition, history: History?,
        generator: RandomGenerator? = nil
    ) -> TrainingCheckpoint {
        TrainingCheckpoint(
            modelTensors: model.stateTensors.map { NamedTensor(name: $0.name, tensor: $0.tensor.detach()) },
            modelCounters: model.stateCounters, optimizerState: optimizer?.exportState(), position: position,
            randomState: (generator ?? model.randomGenerator).snapshot, history: history)
    }

    /// Writes the checkpoint to `path` atomically (temporary file, fsync, rename).
    public func save(to path: String) throws {
        var tensors = modelTensors.map { NamedTensor(name: "model/" + $0.name, tensor: $0.tensor) }
        var metadata = [
            "rnx.format": TrainingCheckpoint.format,
            "rnx.position": try Self.json(position, path: path),
            "rnx.rng": randomState.map(String.init).joined(separator: ","),
            "rnx.counters": try Self.json(modelCounters, path: path),
        ]
        if let state = optimizerState {
            for key in state.buffers.keys.sorted() {
                if let tensor = state.buffers[key] { tensors.append(NamedTensor(name: "optimizer/" + key, tensor: tensor)) }
            }
            metadata["rnx.optimizer"] = try Self.json(OptimizerSummary(kind: state.kind, groups: state.groups, steps: state.steps), path: path)
        }
        if let history {
            metadata["rnx.history"] = try Self.json(history, path: path)
        }
        try Safetensors.save(tensors, to: path, metadata: metadata)
    }

    /// Reads a checkpoint written by `save(to:)`.
    public static func load(from path: String) throws -> TrainingCheckpoint {
        let file = try Safetensors.load(path)
        guard file.metadata["rnx.format"] == format else {
            throw KernelError.file(
                path: path, message: "not an rnx training checkpoint (expected metadata rnx.format = \(format)); to load bare weights use loadWeights"
            )
        }
        guard let positionText = file.metadata["rnx.position"] else {
            throw KernelError.file(path: path, message: "the checkpoint has no rnx.position entry")
        }
        let position = try decode(TrainingPosition.self, positionText, key: "rnx.position", path: path)
        let rng = (file.metadata["rnx.rng"] ?? "").split(separator: ",").compactMap { UInt64($0) }
        guard rng.count == 5 else {
            throw KernelError.file(path: path, message: "the checkpoint's rnx.rng entry should hold 5 numbers")
        }
        var model: [NamedTensor] = []
        var buffers: [String: Tensor] = [:]
        for entry in file.tensors {
            if entry.name.hasPrefix("model/") {
                model.append(NamedTensor(name: String(entry.name.dropFirst("model/".count)), tensor: entry.tensor))
            } else if entry.name.hasPrefix("optimizer/") {
                buffers[String(entry.name.dropFirst("optimizer/".count))] = entry.tensor
            } else {
                throw KernelError.file(path: path, message: "unexpected tensor '\(entry.name)' in a training checkpoint")
            }
        }
        var optimizerState: OptimizerState?
        if let text = file.metadata["rnx.optimizer"] {
            let summary = try decode(OptimizerSummary.self, text, key: "rnx.optimizer", path: path)
            optimizerState = OptimizerState(kind: summary.kind, groups: summary.groups, buffers: buffers, steps: summary.steps)
        } else if !buffers.isEmpty {
            throw KernelError.file(path: path, message: "the checkpoint has optimizer tensors but no rnx.optimizer entry")
        }
        let history = try file.metadata["rnx.history"].map { try decode(History.self, $0, key: "rnx.history", path: path) }
        // Checkpoints written before counters were saved restore the tensors and leave the counters as they are.
        let counters = try file.metadata["rnx.counters"].map { try decode([String: Int].self, $0, key: "rnx.counters", path: path) } ?? [:]
        if let bad = counters.first(where: { $0.value < 0 }) {
            throw KernelError.file(path: path, message: "the checkpoint's counter '\(bad.key)' is negative (\(bad.value))")
        }
        return TrainingCheckpoint(
            modelTensors: model, modelCounters: counters, optimizerState: optimizerState, position: position, randomState: rng, history: history)
    }

    /// Puts the saved state into `model`, `optimizer` and `generator` (default: the model's `randomGenerator`).
    /// Everything is checked first (same tensor names and shapes, same optimizer kind), so nothing changes when it throws.
    public func restore(model: TrainableModel, optimizer: Optimizer?, generator: RandomGenerator? = nil) throws {
        let saved = Dictionary(modelTensors.map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
        let targets = model.stateTensors
        for target in targets {
            guard let tensor = saved[target.name] else {
                throw KernelError.invalidArgument(
                    op: "restore checkpoint", message: "the checkpoint has no tensor '\(target.name)'; was it saved from another model?")
            }
            guard tensor.shape == target.tensor.shape else {
                throw KernelError.shapeMismatch(
                    op: "restore checkpoint", expected: "'\(target.name)' of shape \(shapeString(target.tensor.shape))",
                    found: shapeString(tensor.shape))
            }
        }
        let knownCounters = model.stateCounters
        if let extra = modelCounters.keys.sorted().first(where: { knownCounters[$0] == nil }) {
            throw KernelError.invalidArgument(
                op: "restore checkpoint",
                message: "the checkpoint has a counter '\(extra)' that this model does not have; was it saved from another model?")
        }
        let known = Set(targets.map(\.name))
        if let extra = modelTensors.first(where: { !known.contains($0.name) }) {
            throw KernelError.invalidArgument(
                op: "restore checkpoint",
                message: "the checkpoint has a tensor '\(extra.name)' that this model does not have; was it saved from another model?")
        }
        if let optimizer {
            guard let state = optimizerState else {
                throw KernelError.invalidArgument(op: "restore checkpoint", message: "the checkpoint holds no optimizer state")
            }
            try optimizer.importState(state)
        }
        for target in targets {
            if let tensor = saved[target.name] { target.tensor.data = tensor.data }
        }
        if !modelCounters.isEmpty { model.stateCounters = modelCounters }
        (generator ?? model.randomGenerator).snapshot = randomState
    }

    /// The non-tensor part of an optimizer state.
    private struct OptimizerSummary: Codable {
        var kind: String
        var groups: [OptimizerState.GroupHyperParameters]
        var steps: [String: Int]
    }

    private static func json<T: Encodable>(_ value: T, path: String) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            throw KernelError.file(path: path, message: "cannot encode checkpoint metadata: \(error)")
        }
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ text: String, key: String, path: String) throws -> T {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return try decoder.decode(type, from: Data(text.utf8))
        } catch {
            throw KernelError.file(path: path, message: "malformed \(key) entry in the checkpoint")
        }
    }
}
