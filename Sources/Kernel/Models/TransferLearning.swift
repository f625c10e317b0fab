import Foundation

// Transfer learning as fastai does it: a model splits into layer groups (early body, late body, head); `freeze` trains
// only the head, groups get their own learning rates, and the classifier can be replaced for another number of classes.

/// Which part of a model `freeze` freezes.
public enum FreezeBoundary: Equatable, Sendable {
    /// Every layer group but the last (the head): fastai's `freeze()`.
    case head
    /// The first n layer groups (negative: all but the last -n), the rest trainable: fastai's `freeze_to(n)`.
    case groups(Int)
    /// Every layer up to and including the one with this name, in definition order; the layers after it trainable.
    case throughLayer(String)
}

extension Model {
    /// The classifier at the end of the model: the last layer with weights on the path from the single output back
    /// through weightless layers (pooling, flatten, dropout, activations), when it is a dense layer or a 1×1 convolution.
    /// Returns its call and the weightless calls after it, in order.
    private func classifierHead() throws -> (head: SymbolicTensor, tail: [SymbolicTensor]) {
        func refuse(_ found: String) -> KernelError {
            .invalidArgument(
                op: "model '\(name)'",
                message:
                    "the head must be a dense layer or a 1×1 convolution (then global pooling) at the end of a single-output model; found \(found)")
        }
        guard outputs.count == 1, var node = outputs.first else { throw refuse("\(outputs.count) outputs") }
        var tail: [SymbolicTensor] = []
        while node.layer.weights.isEmpty {
            guard node.inputs.count == 1, !(node.layer is InputLayer) else {
                throw refuse("\(node.layer.typeName) '\(node.layer.name)' with \(node.inputs.count) inputs before any weights")
            }
            tail.insert(node, at: 0)
            node = node.inputs[0]
        }
        let isClassifier: Bool
        if node.layer is Dense {
            isClassifier = true
        } else if let conv = node.layer as? Conv2D {
            isClassifier = conv.kernelSize == (1, 1)
        } else {
            isClassifier = false
        }
        guard isClassifier, node.inputs.count == 1 else { throw refuse("\(node.layer.typeName) '\(node.layer.name)'") }
        guard nodes.filter({ $0.layer === node.layer }).count == 1 else {
            throw refuse("\(node.layer.typeName) '\(node.layer.name)', which the model calls more than once")
        }
        return (node, tail)
    }

    /// The layers in fastai's layer groups: the body split in two where the feature maps shrink past the middle of
    /// its resolutions (for a ResNet: stem and early stages, then the later stages), then the head (the classifier and
    /// the weightless layers after it). A body without feature maps, or with one resolution, is one group.
    ///
    /// ```swift
    /// let groups = try model.layerGroups()   // resnet18: [conv1 … layer2.*], [layer3.* … avgpool], [fc]
    /// ```
    public func layerGroups() throws -> [[Layer]] {
        let (head, tail) = try classifierHead()
        let headLayers = [head.layer] + tail.map(\.layer)
        let headIDs = Set(headLayers.map { ObjectIdentifier($0) })
        let body = layers.filter { !($0 is InputLayer) && !headIDs.contains(ObjectIdentifier($0)) }
        // The spatial size of each body layer's output, from its last call; nil for a layer without feature maps.
        var resolution: [ObjectIdentifier: [Int]] = [:]
        for node in nodes where node.shape.count == 3 { resolution[ObjectIdentifier(node.layer)] = Array(node.shape.dropFirst()) }
        var resolutions: [[Int]] = []
        for layer in body {
            if let size = resolution[ObjectIdentifier(layer)], !resolutions.contains(size) { resolutions.append(size) }
        }
        // fastai's ResNet split: of resnet18's five resolutions (stem 112, then 56, 28, 14, 7) the last two form the late group.
        let firstLate = resolutions.count - resolutions.count / 2
        var early: [Layer] = []
        var late: [Layer] = []
        for layer in body {
            let stage = resolution[ObjectIdentifier(layer)].flatMap { resolutions.firstIndex(of: $0) } ?? resolutions.count - 1
            if stage >= firstLate && resolutions.count > 1 { late.append(layer) } else { early.append(layer) }
        }
        return [early, late, headLayers].filter { !$0.isEmpty }
    }

    /// Freezes part of the model (its weights get no gradient, optimizers leave them alone) and makes the rest
    /// trainable, as fastai's `freeze`/`freeze_to`. With `trainBatchNorm` (fastai's `train_bn=True`, the default)
    /// batch-norm layers stay trainable everywhere; without, a frozen batch norm also keeps its running statistics.
    public func freeze(_ boundary: FreezeBoundary = .head, trainBatchNorm: Bool = true) throws {
        let frozen: [Layer]
        switch boundary {
        case .head:
            frozen = try layerGroups().dropLast().flatMap { $0 }
        case .groups(let count):
            let groups = try layerGroups()
            let n = count < 0 ? groups.count + count : count
            guard n >= 0, n <= groups.count else {
                throw KernelError.invalidArgument(
                    op: "freeze", message: "model '\(name)' has \(groups.count) layer groups; cannot freeze the first \(count)")
            }
            frozen = groups.prefix(n).flatMap { $0 }
        case .throughLayer(let layerName):
            guard let index = layers.firstIndex(where: { $0.name == layerName }) else {
                throw KernelError.invalidArgument(op: "freeze", message: "model '\(name)' has no layer named '\(layerName)'")
            }
            frozen = Array(layers[...index])
        }
        let frozenIDs = Set(frozen.map { ObjectIdentifier($0) })
        for layer in layers {
            layer.trainable = !frozenIDs.contains(ObjectIdentifier(layer)) || (trainBatchNorm && layer is BatchNormalization)
        }
    }

    /// Makes every layer trainable again (fastai's `unfreeze`).
    public func unfreeze() {
        for layer in layers { layer.trainable = true }
    }

    /// fastai's learning rates per layer group for `slice(low, high)`: spread geometrically from `low` (first group) to
    /// `high` (the head); without `low` (`slice(high)`), `high / 10` for every group but the head.
    public func groupLearningRates(low: Double?, high: Double) throws -> [Double] {
        let count = try layerGroups().count
        guard let low else { return [Double](repeating: high / 10, count: count - 1) + [high] }
        guard count > 1 else { return [high] }
        let step = Foundation.pow(high / low, 1 / Double(count - 1))
        return (0..<count).map { low * Foundation.pow(step, Double($0)) }
    }

    /// Each parameter's learning rate as a multiple of `high`, for `groupLearningRates(low:high:)`: what an optimizer's
    /// `ParameterGroup.lrScale` takes, so that a schedule peaking at `high` drives every group.
    public func learningRateScales(low: Double?, high: Double) throws -> [String: Double] {
        guard high > 0, high.isFinite, low.map({ $0 > 0 && $0.isFinite }) ?? true else {
            throw KernelError.invalidArgument(
                op: "learning rates", message: "a (low, high) spread needs finite rates > 0, found (\(low.map { "\($0)" } ?? "None"), \(high))")
        }
        let rates = try groupLearningRates(low: low, high: high)
        var scales: [String: Double] = [:]
        for (group, rate) in zip(try layerGroups(), rates) {
            for layer in group {
                for weight in layer.weights { scales[layer.name + "." + weight.name] = rate / high }
            }
        }
        return scales
    }

    /// A model sharing this one's body and weights whose classifier is replaced by a freshly initialised one with
    /// `classes` outputs (same kind, name and options), like timm's `reset_classifier`; the layers after the classifier
    /// (global pooling after a 1×1 convolution, a softmax) are kept.
    public func replacingHead(classes: Int) throws -> Model {
        let (head, tail) = try classifierHead()
        let old = head.layer
        let replacement: Layer
        if let dense = old as? Dense {
            replacement = try Dense(
                units: classes, useBias: dense.useBias, weightInitializer: dense.weightInitializer, biasInitializer: dense.biasInitializer,
                name: dense.name)
        } else if let conv = old as? Conv2D {
            replacement = try Conv2D(
                filters: classes, kernelSize: conv.kernelSize, strides: conv.strides, padding: conv.padding, dilation: conv.dilation,
                useBias: conv.useBias, weightInitializer: conv.weightInitializer, biasInitializer: conv.biasInitializer, name: conv.name)
        } else {
            throw KernelError.invalidArgument(op: "replace_head", message: "cannot replace a \(old.typeName)")
        }
        // The new classifier takes the old one's name, which the graph's namespace holds for the old layer.
        head.namespace.release(old, restoring: old.name, origin: old.nameOrigin, wasOwner: false)
        var output = try replacement(head.inputs[0])
        for node in tail { output = try node.layer(output) }
        let model = try Model(inputs: inputs, outputs: [output], name: name, isSequential: isSequential)
        model.generator = generator
        if !isTraining { model.eval() }
        return model
    }
}
