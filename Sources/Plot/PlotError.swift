import Foundation

/// Everything that can go wrong while building or drawing a chart, each with one clear message.
public enum PlotError: Error, Equatable, CustomStringConvertible, LocalizedError {
    /// No runnable gnuplot was found; `lookedFor` says where rnx looked.
    case gnuplotNotFound(lookedFor: String)
    /// gnuplot could not be started although the executable exists.
    case gnuplotCannotStart(reason: String)
    /// gnuplot ended while drawing; the next chart starts a new one.
    case gnuplotStopped(reason: String)
    /// gnuplot did not finish a chart within the time limit and was killed.
    case gnuplotTimedOut(seconds: Double)
    /// gnuplot reported an error for the generated script.
    case gnuplotRejected(messages: String)
    /// gnuplot finished but wrote no output; `messages` is what it printed, if anything.
    case noOutput(target: String, messages: String)
    /// The chart specification is unusable (empty data, mismatched lengths, ...).
    case invalidChart(String)
    /// The rendering target is unusable (size out of range, ...).
    case invalidTarget(String)
    /// A chart file name ends in an extension rnx cannot write.
    case unsupportedFileExtension(path: String)
    /// Writing a chart file failed.
    case fileWriteFailed(path: String, reason: String)

    /// How to get gnuplot, appended to every message about a missing or failing gnuplot.
    public static let installHint = "install it with: apt-get install gnuplot-nox"

    /// The message shown to the user.
    public var description: String {
        switch self {
        case .gnuplotNotFound(let lookedFor):
            return "plot: gnuplot is not installed or not executable (looked for \(lookedFor)); \(PlotError.installHint)"
        case .gnuplotCannotStart(let reason):
            return "plot: cannot start gnuplot: \(reason); \(PlotError.installHint)"
        case .gnuplotStopped(let reason):
            return "plot: gnuplot stopped while drawing (\(reason)); the next chart starts it again. "
                + "If this keeps happening, reinstall it: apt-get install gnuplot-nox"
        case .gnuplotTimedOut(let seconds):
            return "plot: gnuplot did not finish within \(seconds) s and was stopped; the next chart starts it again"
        case .gnuplotRejected(let messages):
            return "plot: gnuplot rejected the chart: \(messages)"
        case .noOutput(let target, let messages):
            return "plot: gnuplot wrote no \(target) output" + (messages.isEmpty ? "" : " (it said: \(messages))")
        case .invalidChart(let message):
            return "plot: \(message)"
        case .invalidTarget(let message):
            return "plot: \(message)"
        case .unsupportedFileExtension(let path):
            return "savefig: cannot tell the format of '\(path)': use a name ending in .png or .svg"
        case .fileWriteFailed(let path, let reason):
            return "savefig: cannot write '\(path)': \(reason)"
        }
    }

    /// Same as `description`, for Foundation's error reporting.
    public var errorDescription: String? { description }
}
