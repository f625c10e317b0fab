import Basics
import DSL
import Foundation

/// Hands chart and logging settings to the DSL: `:plot`, `rnx run --charts` and `--log` end up here.
/// Chart settings go to the DSL's shared store (`PlotSettings.shared`, read each time a chart is drawn);
/// the metrics log is the environment variable `RNX_METRICS_LOG` and TensorBoard's directory `RNX_TENSORBOARD_DIR`,
/// which also work from the shell.
enum ChartSettings {
    /// A JSON-lines file training appends its metrics to when `fit` is not given `log=`.
    static let metricsLogVariable = "RNX_METRICS_LOG"

    /// Stores `setting` in the shared plot settings.
    static func apply(_ setting: PlotSetting) throws {
        let settings = PlotSettings.shared
        switch setting {
        case .sixel(let mode): settings.sixel = storeMode(mode)
        case .color(let mode): settings.color = storeMode(mode)
        case .live(let mode): settings.live = storeMode(mode)
        case .size(let width, let height): settings.size = PlotSettings.Size(width: width, height: height)
        case .directory(let path):
            let absolute = absolutePath(path)
            do {
                try AtomicFile.createDirectory(absolute)
            } catch {
                throw ReplError("charts directory \(path): \(error.message)")
            }
            settings.chartsDirectory = absolute
        }
    }

    /// Makes training append metrics to the file at `path` (made absolute, so changing directory does not move it).
    static func setMetricsLog(_ path: String) throws {
        try export(metricsLogVariable, absolutePath(path))
    }

    /// A directory `fit` writes TensorBoard event files into when it is not given `tensorboard=`.
    static let tensorBoardVariable = "RNX_TENSORBOARD_DIR"

    /// Makes every `fit` write TensorBoard event files into `path` (made absolute), as `rnx run --tensorboard` asks.
    static func setTensorBoardDirectory(_ path: String) throws {
        try export(tensorBoardVariable, absolutePath(path))
    }

    private static func export(_ variable: String, _ value: String) throws {
        guard setenv(variable, value, 1) == 0 else {
            throw ReplError("cannot set \(variable): \(String(cString: strerror(errno)))")
        }
    }

    /// The settings in force, one line, for `:plot`.
    static var description: String { PlotSettings.shared.summary }

    private static func storeMode(_ mode: PlotSetting.Mode) -> PlotSettings.Mode {
        switch mode {
        case .on: return .on
        case .off: return .off
        case .auto: return .auto
        }
    }

    private static func absolutePath(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}
