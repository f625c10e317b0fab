/// Where a chart is drawn and how big: text for any terminal, sixel graphics, or an image file format.
public enum RenderTarget: Equatable {
    /// Colour use in text charts.
    public enum TextColor: String, Equatable {
        /// Plain characters only.
        case plain = "mono"
        /// The 8 basic ANSI colours.
        case ansi
        /// The 256 colours of xterm's palette (`TERM=xterm-256color`).
        case ansi256
        /// 24-bit ANSI colours.
        case ansiRGB = "ansirgb"
    }

    /// Characters (gnuplot's `dumb` terminal), `width` columns by `height` lines.
    case text(width: Int, height: Int, color: TextColor)
    /// Sixel graphics for terminals that show them (gnuplot's `sixelgd`), in pixels.
    case sixel(width: Int, height: Int)
    /// A PNG image (gnuplot's `pngcairo`), in pixels.
    case png(width: Int, height: Int)
    /// An SVG image (gnuplot's `svg`), in pixels.
    case svg(width: Int, height: Int)

    /// File name extension of the output gnuplot writes for this target.
    public var fileExtension: String {
        switch self {
        case .text: return "txt"
        case .sixel: return "six"
        case .png: return "png"
        case .svg: return "svg"
        }
    }

    /// The `set terminal` line for this target, after checking the size is sensible.
    public func terminalCommand() throws -> String {
        switch self {
        case .text(let width, let height, let color):
            try Self.check(width, height, columns: 10...1000, lines: 5...500, unit: "characters")
            return "set terminal dumb size \(width),\(height) \(color.rawValue)"
        case .sixel(let width, let height):
            try Self.check(width, height, columns: 16...8192, lines: 16...8192, unit: "pixels")
            return "set terminal sixelgd size \(width),\(height) truecolor noenhanced"
        case .png(let width, let height):
            try Self.check(width, height, columns: 16...16384, lines: 16...16384, unit: "pixels")
            return "set terminal pngcairo size \(width),\(height) noenhanced"
        case .svg(let width, let height):
            try Self.check(width, height, columns: 16...16384, lines: 16...16384, unit: "pixels")
            return "set terminal svg size \(width),\(height) noenhanced background '#ffffff'"
        }
    }

    private static func check(_ width: Int, _ height: Int, columns: ClosedRange<Int>, lines: ClosedRange<Int>, unit: String) throws {
        guard columns.contains(width), lines.contains(height) else {
            throw PlotError.invalidTarget(
                "chart size must be \(columns.lowerBound)...\(columns.upperBound) × \(lines.lowerBound)...\(lines.upperBound) \(unit), got \(width) × \(height)"
            )
        }
    }
}
