/// What `loadWeights(_:strict:rename:)` did: the keys it filled and the ones that did not line up.
public struct WeightLoadReport {
    /// A tensor the file and the model both have, with different shapes.
    public struct ShapeMismatch: Equatable {
        /// The model's key.
        public let name: String
        /// The shape in the model.
        public let model: [Int]
        /// The shape in the file.
        public let file: [Int]
    }

    /// Model keys that received values from the file, in model order.
    public let loaded: [String]
    /// Model keys the file does not have (left unchanged).
    public let missing: [String]
    /// File keys (after renaming) the model does not have (ignored).
    public let unexpected: [String]
    /// Keys in both with different shapes (left unchanged; only a non-strict load returns any).
    public let mismatched: [ShapeMismatch]
}

extension Model {
    /// Saves weights and buffers (`stateTensors`) to a safetensors file, keyed `<layer name>.<tensor name>`, atomically.
    ///
    /// The file loads in PyTorch with `safetensors.torch.load_file`; for models from the ResNet factory the keys and
    /// layouts are torchvision's, so `model.load_state_dict(...)` accepts them as they are: each batch norm also
    /// writes its `num_batches_tracked` counter (int64, PyTorch's type).
    public func saveWeights(_ path: String, metadata: [String: String] = [:]) throws {
        var info = metadata
        info["format"] = info["format"] ?? "pt"
        let counters = try stateCounters.sorted { $0.key < $1.key }.map { name, count in
            // Float32 holds counts exactly up to 2^24 − 1; a longer run's counter saturates there, where
            // momentum=None's 1/(n+1) weight no longer changes at float precision anyway.
            NamedTensor(name: name, tensor: try Tensor(shape: [], integers: [Int64(Swift.min(count, Int(Tensor.maxExactInteger)))]))
        }
        try Safetensors.save(stateTensors + counters, to: path, metadata: info)
    }

    /// Loads weights and buffers saved by `saveWeights` (or by PyTorch with the same keys) into this model, in place,
    /// so optimizers holding the parameters keep working.
    ///
    /// `rename` maps each file key to the model key it fills (`linear.weight` → `fc.weight`). With `strict` (the
    /// default) the keys must match exactly and every shared tensor must have the model's shape; otherwise one error
    /// lists every problem and nothing changes. Without `strict`, whatever fits is loaded and the rest is reported.
    /// PyTorch's `<batch norm>.num_batches_tracked` counters set the layer's `batchesTracked` and are skipped when the
    /// model has no such layer, never an error.
    @discardableResult
    public func loadWeights(_ path: String, strict: Bool = true, rename: ((String) throws -> String)? = nil) throws -> WeightLoadReport {
        let file = try Safetensors.load(path)
        var stored: [String: Tensor] = [:]
        var fileNames: [String] = []
        var sources: [String: String] = [:]
        var problems: [String] = []
        for entry in file.tensors {
            let name = try rename?(entry.name) ?? entry.name
            if let earlier = sources[name] {
                problems.append("file keys '\(earlier)' and '\(entry.name)' both become '\(name)'")
                continue
            }
            sources[name] = entry.name
            stored[name] = entry.tensor
            fileNames.append(name)
        }
        let targets = stateTensors
        let targetNames = Set(targets.map(\.name))
        let missing = targets.map(\.name).filter { stored[$0] == nil }
        let unexpected = fileNames.filter { !targetNames.contains($0) && !Model.isBatchCounter($0) }
        // A batch norm keeps PyTorch's counter as a number, not a tensor: it loads when the layer exists.
        var counters: [(layer: BatchNormalization, count: Int, name: String)] = []
        for name in fileNames where name.hasSuffix(Model.batchCounterSuffix) {
            guard let layer = layer(named: String(name.dropLast(Model.batchCounterSuffix.count))) as? BatchNormalization,
                let value = stored[name]
            else { continue }
            guard value.count == 1, let count = Int(exactly: value.data[0]), count >= 0 else {
                problems.append("'\(name)' must be one non-negative integer, found shape \(shapeString(value.shape))")
                continue
            }
            counters.append((layer, count, name))
        }
        let mismatched = targets.compactMap { target in
            stored[target.name].flatMap { source in
                source.shape == target.tensor.shape
                    ? nil : WeightLoadReport.ShapeMismatch(name: target.name, model: target.tensor.shape, file: source.shape)
            }
        }
        if strict {
            if !mismatched.isEmpty {
                problems.append(
                    "shape mismatch for "
                        + Model.listed(mismatched.map { "\($0.name): model \(shapeString($0.model)), file \(shapeString($0.file))" }))
            }
            if !missing.isEmpty { problems.append("missing keys (in the model, not in the file): " + Model.listed(missing)) }
            if !unexpected.isEmpty { problems.append("unexpected keys (in the file, not in the model): " + Model.listed(unexpected)) }
        }
        guard problems.isEmpty else {
            var message = "weights do not fit model '\(name)': " + problems.joined(separator: "; ")
            if strict { message += " (strict=False loads what fits and reports the rest)" }
            throw KernelError.file(path: path, message: message)
        }
        let skipped = Set(mismatched.map(\.name))
        var loaded: [String] = []
        for target in targets where !skipped.contains(target.name) {
            guard let source = stored[target.name] else { continue }
            try target.tensor.assign(source)
            loaded.append(target.name)
        }
        for counter in counters {
            counter.layer.batchesTracked = counter.count
            loaded.append(counter.name)
        }
        return WeightLoadReport(loaded: loaded, missing: missing, unexpected: unexpected, mismatched: mismatched)
    }

    /// The key ending of PyTorch's batch-norm step counters.
    static let batchCounterSuffix = ".num_batches_tracked"

    /// Whether `name` is a batch-norm step counter, which loads into a batch norm of that name and is skipped otherwise.
    private static func isBatchCounter(_ name: String) -> Bool {
        name.hasSuffix(batchCounterSuffix)
    }

    /// The first items and how many more, so a message about a 300-key mismatch stays readable.
    static func listed(_ items: [String], limit: Int = 20) -> String {
        let shown = items.prefix(limit).joined(separator: ", ")
        return items.count > limit ? shown + " (and \(items.count - limit) more)" : shown
    }
}
