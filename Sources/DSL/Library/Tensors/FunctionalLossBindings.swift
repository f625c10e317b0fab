import Kernel

/// The losses of `torch.nn.functional` on tensors, with gradients: usable in hand-written loops and as `fit(loss=...)`.
enum FunctionalLossBindings {
    static let group = BuiltinGroup(
        title: "Losses",
        functions: [
            BuiltinFunction(
                "cross_entropy",
                [
                    .required("input"), .required("target"), .keywordOnly("weight", .none), .keywordOnly("ignore_index", -100),
                    .keywordOnly("reduction", "mean"), .keywordOnly("label_smoothing", 0.0),
                ],
                doc: """
                    torch.nn.functional.cross_entropy: log-softmax of logits [N, C], then the negative log-likelihood of the class indices target [N] (an int64 tensor, integral floats or a list).
                    weight: one value per class; samples whose target is ignore_index count for nothing; reduction 'mean' (divided by the summed weights of the counted samples), 'sum' or 'none' (one loss per sample); label_smoothing mixes in the uniform distribution as torch does.
                    Example: loss = cross_entropy(m(x), y, label_smoothing=0.1); loss.backward()
                    """
            ) { args in
                let logits = try args.tensor("input")
                let targets = try classIndices(args, "target")
                let smoothing = try args.double("label_smoothing")
                guard smoothing >= 0, smoothing <= 1 else {
                    throw args.valueError("label_smoothing", "must be in [0, 1], got \(Value.formatFloat(smoothing))")
                }
                return .object(
                    TensorObject(
                        try Loss.crossEntropy(
                            logits: logits, targets: targets, labelSmoothing: Float(smoothing), reduction: try reduction(args),
                            weight: try classWeights(args), ignoreIndex: try args.int("ignore_index"))))
            },
            BuiltinFunction(
                "nll_loss",
                [
                    .required("input"), .required("target"), .keywordOnly("weight", .none), .keywordOnly("ignore_index", -100),
                    .keywordOnly("reduction", "mean"),
                ],
                doc: """
                    torch.nn.functional.nll_loss: −input[n, target[n]] (weighted by weight[target[n]]) for log-probabilities input [N, C], e.g. from log_softmax.
                    ignore_index and reduction as in cross_entropy.
                    Example: nll_loss(x.log_softmax(1), y)
                    """
            ) { args in
                .object(
                    TensorObject(
                        try Loss.nll(
                            logProbabilities: try args.tensor("input"), targets: try classIndices(args, "target"), reduction: try reduction(args),
                            weight: try classWeights(args), ignoreIndex: try args.int("ignore_index"))))
            },
            BuiltinFunction(
                "mse_loss", [.required("input"), .required("target"), .keywordOnly("reduction", "mean")],
                doc:
                    "torch.nn.functional.mse_loss: (input − target)² for tensors of the same shape; reduction 'mean', 'sum' or 'none'.\nExample: mse_loss(pred, y)"
            ) { args in
                .object(TensorObject(try Loss.mse(try args.tensor("input"), try args.tensor("target"), reduction: try reduction(args))))
            },
            BuiltinFunction(
                "l1_loss", [.required("input"), .required("target"), .keywordOnly("reduction", "mean")],
                doc:
                    "torch.nn.functional.l1_loss: |input − target| for tensors of the same shape; reduction 'mean', 'sum' or 'none'.\nExample: l1_loss(pred, y, reduction='sum')"
            ) { args in
                .object(TensorObject(try Loss.l1(try args.tensor("input"), try args.tensor("target"), reduction: try reduction(args))))
            },
            BuiltinFunction(
                "binary_cross_entropy_with_logits",
                [.required("input"), .required("target"), .keywordOnly("pos_weight", .none), .keywordOnly("reduction", "mean")],
                doc: """
                    torch.nn.functional.binary_cross_entropy_with_logits: sigmoid and binary cross-entropy in one numerically stable step, for logits and targets in [0, 1] of the same shape.
                    pos_weight: the weight of positive examples, one value or one per class (the last dimension); reduction 'mean', 'sum' or 'none'.
                    Example: binary_cross_entropy_with_logits(m(x), y, pos_weight=tensor([3.0]))
                    """
            ) { args in
                let posWeight = try args.isNone("pos_weight") ? nil : try args.tensor("pos_weight")
                return .object(
                    TensorObject(
                        try Loss.binaryCrossEntropyWithLogits(
                            try args.tensor("input"), try args.tensor("target"), posWeight: posWeight, reduction: try reduction(args))))
            },
        ])

    private static func reduction(_ args: Arguments) throws -> LossReduction {
        let name = try args.string("reduction")
        guard let reduction = LossReduction(rawValue: name) else {
            throw args.valueError("reduction", "must be 'mean', 'sum' or 'none', got \(Value.quote(name))")
        }
        return reduction
    }

    private static func classWeights(_ args: Arguments) throws -> [Float]? {
        try args.isNone("weight") ? nil : try args.tensor("weight").data
    }

    /// Class indices from a 1-D tensor (int64, or floats holding integers) or a list of ints.
    private static func classIndices(_ args: Arguments, _ name: String) throws -> [Int] {
        let target = try args.tensor(name)
        guard target.rank == 1 else {
            throw args.valueError(name, "must be class indices of shape [N], got shape \(ChartValues.shapeText(target.shape))")
        }
        return try target.data.enumerated().map { index, value in
            guard let label = Int(exactly: value) else {
                throw args.valueError(name, "must hold integer class indices, found \(value) at position \(index)")
            }
            return label
        }
    }
}
