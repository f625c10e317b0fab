import Basics
import Foundation

/// A per-epoch metrics file written as training goes: each completed epoch appends one line and flushes it
/// to disk, so the file is useful (and intact) even if the process dies mid-run.
///
/// The format follows the extension: `.csv` gives a header line and comma-separated rows; anything else gives
/// JSON Lines (one object per epoch, non-finite numbers as `null`).
public final class MetricsLog {
    /// The file written.
    public let path: String
    /// Whether rows are CSV (otherwise JSON Lines).
    public let isCSV: Bool

    /// A log at `path`. `append` keeps existing content (resuming a run); otherwise the file is started afresh.
    public init(path: String, append: Bool = false) throws {
        self.path = path
        self.isCSV = path.lowercased().hasSuffix(".csv")
        try KernelError.reportingFileErrors {
            // Appending goes through whatever is at the path, so it must be a file like any save's target.
            _ = try AtomicFile.destination(of: path)
            if !append || !FileManager.default.fileExists(atPath: path) {
                try AtomicFile.write([], to: path)
            }
        }
    }

    /// Appends the row for `record` and flushes it to disk.
    public func append(_ record: EpochRecord, metricNames: [String]) throws {
        var line: String
        if isCSV {
            line = ""
            if try isEmpty() {
                line = (["epoch", "train_loss", "valid_loss"] + metricNames + ["seconds"]).joined(separator: ",") + "\n"
            }
            let metrics = metricNames.indices.map { $0 < record.metrics.count ? csvNumber(record.metrics[$0]) : "" }
            line +=
                ([String(record.epoch), csvNumber(record.trainLoss), record.validLoss.map(csvNumber) ?? ""] + metrics
                + [csvNumber(record.seconds)]).joined(separator: ",")
        } else {
            var fields = [
                "\"epoch\":\(record.epoch)", "\"train_loss\":\(jsonNumber(record.trainLoss))",
                "\"valid_loss\":\(record.validLoss.map(jsonNumber) ?? "null")",
            ]
            for (i, name) in metricNames.enumerated() {
                fields.append("\(JSONText.quoted(name)):\(i < record.metrics.count ? jsonNumber(record.metrics[i]) : "null")")
            }
            fields.append("\"seconds\":\(jsonNumber(record.seconds))")
            line = "{" + fields.joined(separator: ",") + "}"
        }
        try DurableAppend.append(Array((line + "\n").utf8), to: path, what: "the metrics log")
    }

    private func isEmpty() throws -> Bool {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return ((attributes?[.size] as? NSNumber)?.intValue ?? 0) == 0
    }

    private func csvNumber(_ value: Double) -> String { value.isFinite ? "\(value)" : "\(value)".lowercased() }
    private func jsonNumber(_ value: Double) -> String { value.isFinite ? "\(value)" : "null" }
}
