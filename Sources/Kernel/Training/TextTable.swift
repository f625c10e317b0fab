import Foundation

/// A plain-text table (no terminal codes): columns separated by two spaces, numbers right-aligned,
/// text left-aligned, a dashed rule under the header.
public struct TextTable {
    /// Column titles.
    public var header: [String]
    /// Cells, row by row (short rows are padded with empty cells).
    public private(set) var rows: [[String]] = []

    /// An empty table with `header`.
    public init(header: [String]) {
        self.header = header
    }

    /// Adds a row.
    public mutating func append(_ row: [String]) {
        rows.append(row)
    }

    /// The table as lines of text, ending without a newline.
    public func render() -> String {
        let columns = max(header.count, rows.map(\.count).max() ?? 0)
        func cell(_ row: [String], _ c: Int) -> String { c < row.count ? row[c] : "" }
        let widths = (0..<columns).map { c in ([cell(header, c)] + rows.map { cell($0, c) }).map(\.count).max() ?? 0 }
        let numeric = (0..<columns).map { c in
            let cells = rows.map { cell($0, c) }.filter { !$0.isEmpty }
            return !cells.isEmpty && cells.allSatisfy(TextTable.looksNumeric)
        }
        func line(_ row: [String]) -> String {
            let padded = (0..<columns).map { c -> String in
                let text = cell(row, c)
                let padding = String(repeating: " ", count: widths[c] - text.count)
                return numeric[c] ? padding + text : text + padding
            }
            var text = padded.joined(separator: "  ")
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(header), rule] + rows.map(line)).joined(separator: "\n")
    }

    /// Six decimals for ordinary magnitudes, scientific notation for very small or large ones, `nan`/`inf` spelled out.
    public static func number(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value > 0 ? "inf" : "-inf" }
        let magnitude = abs(value)
        if magnitude != 0 && (magnitude < 1e-4 || magnitude >= 1e6) { return String(format: "%.4e", value) }
        return String(format: "%.6f", value)
    }

    /// `mm:ss`, or `h:mm:ss` from an hour on.
    public static func duration(_ seconds: Double) -> String {
        let total = seconds.isFinite ? max(0, Int(seconds.rounded())) : 0
        let (hours, minutes, secs) = (total / 3600, total / 60 % 60, total % 60)
        return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, secs) : String(format: "%02d:%02d", minutes, secs)
    }

    private static func looksNumeric(_ text: String) -> Bool {
        Double(text) != nil || ["nan", "inf", "-inf"].contains(text) || text.hasSuffix("%") && Double(text.dropLast()) != nil
            || text.contains(":") && text.split(separator: ":").allSatisfy { Int($0) != nil }
    }
}
