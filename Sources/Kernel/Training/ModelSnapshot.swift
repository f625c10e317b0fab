/// A copy of every state tensor and counter of a model, to put the model back exactly as it was.
struct ModelSnapshot {
    private let model: TrainableModel
    private let saved: [(tensor: Tensor, values: [Float])]
    private let counters: [String: Int]

    /// Copies the values of `model.stateTensors` and `model.stateCounters`.
    init(_ model: TrainableModel) {
        self.model = model
        saved = model.stateTensors.map { ($0.tensor, $0.tensor.data) }
        counters = model.stateCounters
    }

    /// Writes the copied values back into the same tensors and counters.
    func restore() {
        for (tensor, values) in saved { tensor.data = values }
        model.stateCounters = counters
    }
}
