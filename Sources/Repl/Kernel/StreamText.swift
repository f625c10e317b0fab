/// Turns the terminal line editing of rnx's progress bar into text notebook front ends draw the same way.
///
/// The bar redraws itself with `\r` and erases the rest of the line with `ESC [ K`. Jupyter front ends treat `\r` as a
/// terminal does (later text overwrites the line from its start, keeping what was longer, as tqdm relies on) but
/// drop `ESC [ K`, which would leave the end of a longer bar behind a shorter line. So the erase becomes spaces over
/// what the line shows past the cursor, then `\r` and the part before the cursor again. Other text passes unchanged.
struct StreamText {
    /// What the current line shows, as a terminal would.
    private var line: [Character] = []
    private var column = 0
    /// An escape sequence read so far, while it is incomplete (sequences may be split between writes).
    private var pendingEscape: [Character] = []

    /// The text to send for `text`, written after everything passed before.
    mutating func translate(_ text: String) -> String {
        var output = ""
        for character in text {
            if !pendingEscape.isEmpty || character == "\u{1B}" {
                pendingEscape.append(character)
                output += finishEscape()
                continue
            }
            switch character {
            case "\n", "\r\n":
                line = []
                column = 0
            case "\r":
                column = 0
            default:
                if column < line.count { line[column] = character } else { line.append(character) }
                column += 1
            }
            output.append(character)
        }
        return output
    }

    /// Handles `pendingEscape` once it is a whole CSI sequence (`ESC [` parameters, then a final byte @…~): erasing
    /// the line's end is rewritten, any other sequence (colours) passes as it is.
    private mutating func finishEscape() -> String {
        if pendingEscape.count == 1 { return "" }
        if pendingEscape[1] != "[" {
            defer { pendingEscape = [] }
            return String(pendingEscape)
        }
        guard pendingEscape.count > 2, let last = pendingEscape.last?.asciiValue, (0x40...0x7E).contains(last) else { return "" }
        defer { pendingEscape = [] }
        guard String(pendingEscape) == "\u{1B}[K" || String(pendingEscape) == "\u{1B}[0K" else { return String(pendingEscape) }
        guard line.count > column else { return "" }
        let erased = String(repeating: " ", count: line.count - column) + "\r" + String(line[..<column])
        line.removeSubrange(column...)
        return erased
    }
}
