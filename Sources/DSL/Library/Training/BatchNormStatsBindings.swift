import Kernel

extension TrainBindings {
    /// `recompute_bn_stats(model, data, batches=None)`: the Kernel's `recomputeBatchNormStatistics` on the training loader.
    static let recomputeBNStats = BuiltinFunction(
        "recompute_bn_stats", [.required("model"), .required("data"), .optional("batches", .none)],
        doc:
            "Set every batch norm's running statistics to the true average over one pass of the training data (a DataBunch's train loader or a DataLoader, used as it is, at the last size of a progressive-resizing schedule), as torch.optim.swa_utils.update_bn: statistics reset, cumulative averaging (momentum=None) during one pass in training mode without gradients, then the momenta and the model's train/eval mode put back. batches=n stops after n batches. Frozen batch norms keep theirs. E.g. fit(model, data, 10); recompute_bn_stats(model, data); evaluate(model, data)."
    ) { args in
        let model = try model(args, "model")
        let (train, _) = try trainingData(args, "data")
        let batches = try args.optionalInt("batches")
        if let batches, batches < 1 { throw args.valueError("batches", "must be at least 1, got \(batches)") }
        try recomputeBatchNormStatistics(
            model: model, data: train, epoch: train.resize?.phases.last?.startEpoch ?? 0, batches: batches,
            interrupt: { args.interpreter.interrupt.isRequested })
        return .none
    }
}
