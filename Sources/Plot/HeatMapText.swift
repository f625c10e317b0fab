/// A heat map drawn as a table of its values, one line a row: with colours, each cell's background is graded by
/// its value (darker for more, as matplotlib's "Blues"), the value written on top; without them, the table of
/// numbers. It takes the lines its rows need, never the whole terminal.
///
/// ```
/// confusion matrix (rows: actual)
///                predicted
/// actual     0    1    2
///      0    87    0   11
/// ```
extension HeatMap: TextDrawnChart {
    /// The table `width` columns wide (nil when even cells of one character do not fit the width: gnuplot draws
    /// it then). A table whose numbers do not fit keeps them when there are no colours (a log or pipe wraps or
    /// scrolls sideways), and drops them for colour alone when there are.
    public func textDrawing(width: Int, height: Int, color: RenderTarget.TextColor) throws -> String? {
        // The same checks as the gnuplot program, so both fail alike.
        _ = try script()
        let numbers = values.map { $0.map(Self.formatted) }
        let rowNames = rowLabels.isEmpty ? values.indices.map(String.init) : rowLabels
        let columnNames = columnLabels.isEmpty ? (values.first ?? []).indices.map(String.init) : columnLabels
        let yName = yLabel.map { TextRoom.fitted($0, TextRoom(columns: width).marginLabel) } ?? ""
        let leftWidth = max((rowNames.map(TextCells.width).max() ?? 1), TextCells.width(yName))
        let columnCount = columnNames.count
        let valueWidth = numbers.joined().map(TextCells.width).max() ?? 1
        let labelWidth = columnNames.map(TextCells.width).max() ?? 1
        let room = width - leftWidth - 1
        let wanted = max(valueWidth, labelWidth) + 2
        let cellWidth: Int
        var showsNumbers = true
        if columnCount * wanted <= room {
            cellWidth = wanted
        } else if columnCount * (valueWidth + 1) <= room || color == .plain {
            // Column labels are cut to the room; the numbers always fit.
            cellWidth = max(room / columnCount, valueWidth + 1)
        } else if columnCount <= room {
            cellWidth = room / columnCount
            showsNumbers = false
        } else {
            return nil
        }

        var lines: [String] = []
        let tableWidth = leftWidth + 1 + columnCount * cellWidth
        if let title, !TextRoom.fitted(title, width).isEmpty {
            lines.append(TextCells.centred(title, min(max(tableWidth, TextCells.width(title)), width)))
        }
        if let xLabel, !TextRoom.fitted(xLabel, width).isEmpty {
            lines.append(String(repeating: " ", count: leftWidth + 1) + TextCells.centred(xLabel, columnCount * cellWidth))
        }
        lines.append(
            TextCells.cell(yName, leftWidth) + " "
                + columnNames.map { TextCells.cell($0, cellWidth - 1, rightAligned: true) + " " }.joined())
        let shades = HeatMapShades(values: values)
        for (row, cells) in numbers.enumerated() {
            var line = TextCells.cell(rowNames[row], leftWidth, rightAligned: true) + " "
            for (column, number) in cells.enumerated() {
                let text = showsNumbers ? TextCells.cell(number, cellWidth - 1, rightAligned: true) + " " : String(repeating: " ", count: cellWidth)
                line += shades.paint(text, level: shades.level(values[row][column]), color: color)
            }
            lines.append(line)
        }
        return lines.map { $0.trimmingTrailingSpaces() }.joined(separator: "\n") + "\n"
    }

    /// Whole numbers as they are (counts), others with three significant digits (fractions).
    static func formatted(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "nan" : (value > 0 ? "inf" : "-inf") }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(format: "%.3g", value)
    }
}

/// The background shades of a heat map's cells: none for zero (or a value that is not a number), then from light
/// to dark as the value grows towards the largest. The scale is a square root, so a handful of errors beside
/// hundreds of correct answers still shows clearly as not zero.
struct HeatMapShades {
    /// Largest finite value of the map (the darkest shade).
    let maximum: Double

    init(values: [[Double]]) {
        maximum = values.joined().filter(\.isFinite).max() ?? 0
    }

    /// 0 for no shade, else 0.15...1 (darkest at the maximum).
    func level(_ value: Double) -> Double {
        guard value.isFinite, value > 0, maximum > 0 else { return 0 }
        return 0.15 + 0.85 * min(value / maximum, 1).squareRoot()
    }

    /// matplotlib's "Blues" from its lightest (level 0.15) to its darkest (level 1).
    static func rgb(_ level: Double) -> (red: Int, green: Int, blue: Int) {
        let t = min(max((level - 0.15) / 0.85, 0), 1)
        func mix(_ light: Double, _ dark: Double) -> Int { Int((light + (dark - light) * t).rounded()) }
        return (mix(222, 8), mix(235, 48), mix(247, 107))
    }

    /// `text` on the shade of `level` in `color`'s colours, with black or white letters, whichever reads better;
    /// unchanged for level 0 or without colours.
    func paint(_ text: String, level: Double, color: RenderTarget.TextColor) -> String {
        guard level > 0 else { return text }
        let (red, green, blue) = Self.rgb(level)
        let dark = 0.299 * Double(red) + 0.587 * Double(green) + 0.114 * Double(blue) < 140
        let foreground = dark ? "97" : "30"
        let background: String
        switch color {
        case .plain: return text
        case .ansi: background = level < 0.45 ? "47" : (level < 0.75 ? "46" : "44")
        case .ansi256: background = "48;5;\(Self.paletteIndex(red, green, blue))"
        case .ansiRGB: background = "48;2;\(red);\(green);\(blue)"
        }
        let letters = color == .ansi ? (level < 0.75 ? "30" : "97") : foreground
        return "\u{1B}[\(letters);\(background)m\(text)\u{1B}[0m"
    }

    /// The nearest colour of xterm's 6 × 6 × 6 colour cube (palette entries 16...231).
    static func paletteIndex(_ red: Int, _ green: Int, _ blue: Int) -> Int {
        let levels = [0, 95, 135, 175, 215, 255]
        func step(_ value: Int) -> Int {
            levels.indices.min { abs(levels[$0] - value) < abs(levels[$1] - value) } ?? 0
        }
        return 16 + 36 * step(red) + 6 * step(green) + step(blue)
    }
}

extension String {
    /// The string without spaces at its end.
    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }
}
