/// Errors that end training, carrying what the user needs to understand them.
public enum TrainingError: Error, CustomStringConvertible {
    /// The loss of a batch was NaN or infinite; that batch's update was not applied.
    /// `history` holds everything recorded before it.
    case nonFiniteLoss(epoch: Int, batch: Int, step: Int, learningRate: Double, loss: Float, history: History)
    /// The user interrupted work that has no partial result to return (e.g. `evaluate`).
    case interrupted(String)
    /// A data source produced no batches.
    case emptyData(String)

    /// The message shown to the user.
    public var description: String {
        switch self {
        case let .nonFiniteLoss(epoch, batch, step, learningRate, loss, _):
            return "training stopped: the loss became \(loss.isNaN ? "NaN" : "\(loss)") at epoch \(epoch), batch \(batch) (step \(step)) "
                + "with learning rate \(TextTable.number(learningRate)); that update was not applied and the model keeps the weights "
                + "from before this batch. A lower learning rate (see lr_find) or gradient clipping usually helps."
        case let .interrupted(what):
            return "\(what) interrupted"
        case let .emptyData(what):
            return "\(what): the data source produced no batches"
        }
    }
}
