import Foundation

/// The settings store shared with the plotting layer: process environment variables, read by Plot/DSL when a chart
/// is drawn or training logs metrics. The same names work from the shell (`RNX_SIXEL=0 rnx run exp.rnx`), and
/// `:plot`, `--charts` and `--log` simply set them for the rest of the process.
///
/// Only changed between statements (the interpreter thread is idle then), so no reader races a write.
enum ChartSettings {
    /// `1`/`0` forces sixel graphics on/off; unset means detect (Plot's `SixelSupport.environmentVariable`).
    static let sixelVariable = "RNX_SIXEL"
    /// `WIDTHxHEIGHT` of charts.
    static let sizeVariable = "RNX_PLOT_SIZE"
    /// A directory every chart is also saved into.
    static let directoryVariable = "RNX_CHARTS_DIR"
    /// A JSON-lines file training appends its metrics to.
    static let metricsLogVariable = "RNX_METRICS_LOG"

    /// Stores `setting`.
    static func apply(_ setting: PlotSetting) throws {
        switch setting {
        case .sixel(.on): try set(sixelVariable, "1")
        case .sixel(.off): try set(sixelVariable, "0")
        case .sixel(.auto): unsetenv(sixelVariable)
        case .size(let width, let height): try set(sizeVariable, "\(width)x\(height)")
        case .directory(let path):
            let absolute = absolutePath(path)
            do {
                try FileManager.default.createDirectory(atPath: absolute, withIntermediateDirectories: true)
            } catch {
                throw ReplError("cannot create the chart directory \(path): \(error.localizedDescription)")
            }
            try set(directoryVariable, absolute)
        }
    }

    /// Makes training append metrics to the file at `path` (made absolute, so changing directory does not move it).
    static func setMetricsLog(_ path: String) throws {
        try set(metricsLogVariable, absolutePath(path))
    }

    /// The settings in force, one line, for `:plot`.
    static var description: String {
        let environment = ProcessInfo.processInfo.environment
        let sixel: String
        switch environment[sixelVariable] {
        case "1": sixel = "on"
        case "0": sixel = "off"
        default: sixel = "auto"
        }
        let size = environment[sizeVariable] ?? "default"
        let directory = environment[directoryVariable] ?? "none"
        return "plot: sixel \(sixel) · size \(size) · saved to \(directory)"
    }

    private static func set(_ name: String, _ value: String) throws {
        guard setenv(name, value, 1) == 0 else { throw ReplError("cannot set \(name): \(String(cString: strerror(errno)))") }
    }

    private static func absolutePath(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
