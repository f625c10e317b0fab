/// Text from data and files (safetensors key names, image paths, markdown of a lesson) may hold control bytes
/// that a terminal would act on: an ESC starts a sequence that recolours, moves the cursor or retitles the window.
/// Everything the REPL shows from such sources goes through `TerminalText.escaped` first, which spells those
/// characters out the way `repr` does (`\x1b`).
public enum TerminalText {
    /// Whether a terminal may treat `scalar` as a control: C0 (below 0x20), DEL, and C1 (0x80–0x9F, which some
    /// terminals read as the 8-bit forms of ESC sequences).
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// `text` with every control character written as an escape (`\x1b`, `\r`); newlines, which structure a
    /// message into lines, and tabs, which only move to the next column stop, are kept as they are.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { isControl($0) && $0 != "\n" && $0 != "\t" }) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isControl(scalar) && scalar != "\n" && scalar != "\t" {
                result.append(contentsOf: escape(scalar).unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return String(result)
    }

    /// The escape `repr` uses for a control character: `\n`, `\t`, `\r`, or `\xNN`.
    static func escape(_ scalar: Unicode.Scalar) -> String {
        switch scalar {
        case "\n": return "\\n"
        case "\t": return "\\t"
        case "\r": return "\\r"
        default:
            let hex = String(scalar.value, radix: 16)
            return "\\x" + (hex.count < 2 ? "0" + hex : hex)
        }
    }
}
