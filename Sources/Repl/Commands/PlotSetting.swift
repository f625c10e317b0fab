/// A chart setting changed with `:plot` (or a command-line option), handed to the settings store the plotting reads.
enum PlotSetting: Equatable {
    /// A switch that can be left to detection.
    enum Mode: String, CaseIterable {
        /// Always.
        case on
        /// Never.
        case off
        /// Decide from the environment and the terminal.
        case auto
    }

    /// `:plot sixel on|off|auto`: charts as sixel graphics, as text, or sixel when the terminal shows it.
    case sixel(Mode)
    /// `:plot color on|off|auto`: ANSI colours in text charts.
    case color(Mode)
    /// `:plot live on|off|auto`: live training charts redrawn in place.
    case live(Mode)
    /// `:plot size WxH`: the chart size in characters (text charts) or pixels (sixel).
    case size(width: Int, height: Int)
    /// `:plot dir PATH` (or `rnx run --charts PATH`): also save every chart into this directory.
    case directory(String)

    /// The setting names `:plot` accepts.
    static let names = ["color", "dir", "live", "sixel", "size"]

    /// Values Tab offers after a setting name.
    static func values(for name: String) -> [String] {
        ["sixel", "color", "live"].contains(name) ? Mode.allCases.map(\.rawValue) : []
    }

    /// Parses the words after `:plot`, e.g. `["size", "100x30"]`.
    init(words: [String]) throws {
        guard let name = words.first else { throw ReplError("expected a setting after :plot: \(Self.usage)") }
        let arguments = Array(words.dropFirst())
        guard arguments.count == 1 else {
            throw ReplError("expected one value after ':plot \(name)', found \(arguments.count): \(Self.usage)")
        }
        let value = arguments[0]
        switch name {
        case "sixel", "color", "colour", "live":
            guard let mode = Mode(rawValue: value.lowercased()) else {
                throw ReplError("expected on, off or auto after ':plot \(name)', found '\(value)'")
            }
            switch name {
            case "sixel": self = .sixel(mode)
            case "live": self = .live(mode)
            default: self = .color(mode)
            }
        case "size":
            let parts = value.lowercased().split(separator: "x", omittingEmptySubsequences: false)
            guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]),
                (1...10_000).contains(width), (1...10_000).contains(height)
            else {
                throw ReplError("expected WIDTHxHEIGHT after ':plot size' (e.g. 100x30), found '\(value)'")
            }
            self = .size(width: width, height: height)
        case "dir":
            self = .directory(value)
        default:
            throw ReplError("unknown plot setting '\(name)': \(Self.usage)")
        }
    }

    /// One line describing the accepted settings, for error messages.
    static let usage = ":plot sixel|color|live on|off|auto, :plot size WxH, :plot dir PATH"
}
