import Foundation
import DSL

/// ANSI text attributes, applied only when the output is a terminal: the same renderers then produce plain text for
/// pipes and files (no escape codes in `rnx < script.rnx > out.txt`).
struct TextStyle {
    /// False for plain text: `apply` returns its text unchanged.
    let enabled: Bool

    /// One SGR attribute set.
    enum Attribute: String {
        case bold = "1"
        case dim = "2"
        case italic = "3"
        case underline = "4"
        case boldUnderline = "1;4"
        case red = "31"
        case green = "32"
        case yellow = "33"
        case blue = "34"
        case magenta = "35"
        case cyan = "36"
        case grey = "90"
        case boldMagenta = "1;35"
        case boldRed = "1;31"
    }

    /// `text` wrapped in the attribute's escape codes (or unchanged when styling is off or the text is empty).
    func apply(_ attribute: Attribute, _ text: String) -> String {
        guard enabled, !text.isEmpty else { return text }
        return "\u{1B}[\(attribute.rawValue)m\(text)\u{1B}[0m"
    }

    /// Styling for text written to file descriptor `fd`: on when it is a terminal and `NO_COLOR` is unset.
    static func forDescriptor(_ fd: Int32) -> TextStyle {
        TextStyle(enabled: OutputTerminal.isTerminal(fd) && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
    }
}
