/// A copy of every state tensor of a model, to put the model back exactly as it was.
struct ModelSnapshot {
    private let saved: [(tensor: Tensor, values: [Float])]

    /// Copies the values of `model.stateTensors`.
    init(_ model: TrainableModel) {
        saved = model.stateTensors.map { ($0.tensor, $0.tensor.data) }
    }

    /// Writes the copied values back into the same tensors.
    func restore() {
        for (tensor, values) in saved { tensor.data = values }
    }
}
