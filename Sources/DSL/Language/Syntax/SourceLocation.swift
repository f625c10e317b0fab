/// The text of one source (a script file or one REPL entry), kept so diagnostics can quote the offending line
/// even after later entries have been run (functions defined earlier still point into it).
public final class SourceText {
    /// The name shown in diagnostics, e.g. `train.rnx` or `<stdin>`.
    public let name: String
    /// The lines of the source without their line terminators.
    public let lines: [String]
    /// The number of the source's first line: a notebook cell that starts at line 12 of its file has 12, so its
    /// diagnostics name the file's real lines.
    public let firstLine: Int

    /// Splits `text` into lines; `\r\n` and `\n` both end a line. `firstLine` numbers the first of them.
    public init(name: String, text: String, firstLine: Int = 1) {
        self.name = name
        self.firstLine = firstLine
        // Split the scalars as the scanner counts lines: as a Character, "\r\n" is one grapheme that is not "\n".
        self.lines = text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            String(String.UnicodeScalarView(line.last == "\r" ? line.dropLast() : line))
        }
    }

    /// The text of line `number` (counted from `firstLine`), or nil when the line does not exist.
    public func line(_ number: Int) -> String? {
        let index = number - firstLine
        return index >= 0 && index < lines.count ? lines[index] : nil
    }
}

/// A position in a source: 1-based line and 1-based column (counted in Unicode scalars).
public struct SourceLocation: CustomStringConvertible {
    /// The source this location points into.
    public let source: SourceText
    /// 1-based line number.
    public let line: Int
    /// 1-based column, counted in Unicode scalars.
    public let column: Int

    /// Creates a location in `source`.
    public init(source: SourceText, line: Int, column: Int) {
        self.source = source
        self.line = line
        self.column = column
    }

    /// The file name shown in diagnostics.
    public var file: String { source.name }

    /// `file:line:column`, the prefix of every diagnostic.
    public var description: String { "\(file):\(line):\(column)" }

    /// The source line followed by a caret line pointing at the column (tabs are kept so the caret lines up).
    public var quotedLine: String? {
        guard let text = source.line(line) else { return nil }
        let scalars = Array(text.unicodeScalars)
        var caret = ""
        for index in 0..<max(0, min(column - 1, scalars.count)) {
            caret.append(scalars[index] == "\t" ? "\t" : " ")
        }
        return "    \(text)\n    \(caret)^"
    }
}
