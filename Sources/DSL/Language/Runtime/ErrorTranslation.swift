import Kernel
import Plot

extension DSLError {
    /// The language error for any error a builtin lets through: the Kernel's and Plot's errors become the Python
    /// exception a user expects (bad arguments and bad chart data `ValueError`, a tensor over the memory limit
    /// `MemoryError`, work stopped by Ctrl-C `KeyboardInterrupt`, everything else — shape mismatches, autograd
    /// misuse, gnuplot failures, `DistributedError` — `RuntimeError`), keeping their message. This is the only place that maps another module's errors, so builtins call the Kernel and Plot
    /// directly and a new error case needs one line here.
    init(translating error: Error) {
        switch error {
        case let error as DSLError:
            self = error
        case let error as KernelError:
            switch error {
            case .invalidArgument: self.init(.value, error.description)
            case .allocationTooLarge: self.init(.memory, error.description)
            default: self.init(.runtime, error.description)
            }
        case let error as PlotError:
            switch error {
            case .invalidChart, .invalidTarget, .unsupportedFileExtension: self.init(.value, error.description)
            default: self.init(.runtime, error.description)
            }
        case let error as TrainingError:
            switch error {
            case .interrupted: self.init(.keyboardInterrupt, error.description)
            case .nonFiniteLoss, .emptyData: self.init(.runtime, error.description)
            }
        case let error as LoadingInterrupted:
            self.init(.keyboardInterrupt, error.description)
        default:
            self.init(.runtime, String(describing: error))
        }
    }

    /// Whether `error` is a Kernel report of work stopped by the interrupt check: that stop answers the pending
    /// Ctrl-C, so the request is consumed and the next statement runs normally.
    static func answersInterrupt(_ error: Error) -> Bool {
        switch error {
        case TrainingError.interrupted, is LoadingInterrupted: return true
        default: return false
        }
    }
}

extension Interpreter {
    /// `error` as a language error (see `DSLError(translating:)`), consuming the interrupt request a Kernel stop
    /// answered.
    func translated(_ error: Error) -> DSLError {
        if DSLError.answersInterrupt(error) { interrupt.clear() }
        return DSLError(translating: error)
    }
}
