/// A chart setting changed with `:plot` (or a command-line option), handed to the settings store the plotting reads.
enum PlotSetting: Equatable {
    /// How charts reach the terminal: sixel graphics, text (dumb terminal), or sixel when the terminal supports it.
    enum SixelMode: String, CaseIterable {
        case on, off, auto
    }

    /// `:plot sixel on|off|auto`.
    case sixel(SixelMode)
    /// `:plot size WxH`: the chart size in characters (text charts) or pixels (sixel).
    case size(width: Int, height: Int)
    /// `:plot dir PATH` (or `rnx run --charts PATH`): also save every chart into this directory.
    case directory(String)

    /// The setting names `:plot` accepts.
    static let names = ["dir", "sixel", "size"]

    /// Values Tab offers after a setting name.
    static func values(for name: String) -> [String] {
        name == "sixel" ? SixelMode.allCases.map(\.rawValue) : []
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
        case "sixel":
            guard let mode = SixelMode(rawValue: value.lowercased()) else {
                throw ReplError("expected on, off or auto after ':plot sixel', found '\(value)'")
            }
            self = .sixel(mode)
        case "size":
            let parts = value.lowercased().split(separator: "x", omittingEmptySubsequences: false)
            guard parts.count == 2, let width = Int(parts[0]), let height = Int(parts[1]),
                  (1...10_000).contains(width), (1...10_000).contains(height) else {
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
    static let usage = ":plot sixel on|off|auto, :plot size WxH, :plot dir PATH"
}
