/// What `loadWeights(_:strict:)` did: the keys it filled and the ones that did not line up.
public struct WeightLoadReport {
    /// Model keys that received values from the file.
    public let loaded: [String]
    /// Model keys the file does not have (left unchanged).
    public let missing: [String]
    /// File keys the model does not have (ignored).
    public let unexpected: [String]
}

extension Model {
    /// Saves weights and buffers (`stateTensors`) to a safetensors file, keyed `<layer name>.<tensor name>`, atomically.
    ///
    /// The file loads in PyTorch with `safetensors.torch.load_file`; for models from the ResNet factory the keys and
    /// layouts are torchvision's, so `model.load_state_dict(...)` accepts them (with `strict=False` for the
    /// `num_batches_tracked` counters rnx does not keep).
    public func saveWeights(_ path: String, metadata: [String: String] = [:]) throws {
        var info = metadata
        info["format"] = info["format"] ?? "pt"
        try Safetensors.save(stateTensors, to: path, metadata: info)
    }

    /// Loads weights and buffers saved by `saveWeights` (or by PyTorch with the same keys) into this model, in place,
    /// so optimizers holding the parameters keep working.
    ///
    /// Nothing changes unless every shared key has the model's shape. With `strict` (the default) the file and the
    /// model must also have exactly the same keys. PyTorch's `*.num_batches_tracked` counters are ignored.
    @discardableResult
    public func loadWeights(_ path: String, strict: Bool = true) throws -> WeightLoadReport {
        let file = try Safetensors.load(path)
        var stored: [String: Tensor] = [:]
        for entry in file.tensors where !entry.name.hasSuffix(".num_batches_tracked") { stored[entry.name] = entry.tensor }
        let targets = stateTensors
        let targetNames = Set(targets.map(\.name))
        let missing = targets.map(\.name).filter { stored[$0] == nil }
        let unexpected = file.tensors.map(\.name).filter { stored[$0] != nil && !targetNames.contains($0) }
        var mismatched: [String] = []
        for target in targets {
            if let source = stored[target.name], source.shape != target.tensor.shape {
                mismatched.append("\(target.name): model \(shapeString(target.tensor.shape)), file \(shapeString(source.shape))")
            }
        }
        var problems: [String] = []
        if !mismatched.isEmpty { problems.append("shape mismatch for " + Model.abbreviated(mismatched)) }
        if strict && !missing.isEmpty { problems.append("missing keys (in the model, not in the file): " + Model.abbreviated(missing)) }
        if strict && !unexpected.isEmpty { problems.append("unexpected keys (in the file, not in the model): " + Model.abbreviated(unexpected)) }
        guard problems.isEmpty else {
            throw KernelError.file(path: path, message: "weights do not fit model '\(name)': " + problems.joined(separator: "; "))
        }
        var loaded: [String] = []
        for target in targets {
            guard let source = stored[target.name] else { continue }
            try target.tensor.assign(source)
            loaded.append(target.name)
        }
        return WeightLoadReport(loaded: loaded, missing: missing, unexpected: unexpected)
    }

    /// The first few items and how many more, so a message about a 300-key mismatch stays readable.
    static func abbreviated(_ items: [String], limit: Int = 8) -> String {
        let shown = items.prefix(limit).joined(separator: ", ")
        return items.count > limit ? shown + " (and \(items.count - limit) more)" : shown
    }
}
