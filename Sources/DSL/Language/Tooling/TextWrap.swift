/// Wraps text at word boundaries to a width, for help shown on a terminal: each line too long is broken at
/// spaces, its continuation lines indented like the line plus `hangingIndent`; a word longer than the width stays
/// whole on its own line (signatures and paths are not split).
enum TextWrap {
    /// `text` with every line at most `width` characters where spaces allow.
    static func wrap(_ text: String, width: Int, hangingIndent: Int = 2) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { wrapLine(String($0), width: width, hangingIndent: hangingIndent) }
            .joined(separator: "\n")
    }

    private static func wrapLine(_ line: String, width: Int, hangingIndent: Int) -> String {
        guard line.count > width else { return line }
        let indent = String(line.prefix(while: { $0 == " " }))
        let continuation = indent + String(repeating: " ", count: hangingIndent)
        var lines: [String] = []
        var current = indent
        for word in line.dropFirst(indent.count).split(separator: " ", omittingEmptySubsequences: true) {
            let prefix = lines.isEmpty ? indent : continuation
            if current.count > prefix.count, current.count + 1 + word.count > width {
                lines.append(current)
                current = continuation
            }
            current += (current.count > (lines.isEmpty ? indent : continuation).count ? " " : "") + word
        }
        lines.append(current)
        return lines.joined(separator: "\n")
    }
}
