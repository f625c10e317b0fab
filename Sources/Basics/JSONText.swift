/// JSON text written by hand where a format fixes the layout (safetensors headers, JSON Lines logs, notebooks
/// laid out as Jupyter saves them), with one set of string escapes: Python's `json` module's.
public enum JSONText {
    /// `text` as a JSON string literal: quote and backslash escaped, `\n \r \t \b \f` by name, other control characters
    /// as `\u00XX`, everything else (non-ASCII included) as it is.
    ///
    /// ```swift
    /// JSONText.quoted("a \"b\"\n")   // "a \"b\"\n" as JSON: "\"a \\\"b\\\"\\n\""
    /// ```
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
