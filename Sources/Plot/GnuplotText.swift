/// Turns user text and numbers into gnuplot syntax that can never be read as a command.
///
/// User text (titles, labels, legend entries, class names, captions) only ever appears inside a
/// single-quoted gnuplot string: gnuplot expands no backticks, macros (`@`) or escapes there.
/// Line breaks would end the command, so every control character becomes a space.
///
/// A `'` inside is written twice, but gnuplot's scanner only reads `''` as a quote when the byte
/// before it is not a quote: a `'` at the very start or right after another `'` would instead
/// close the string and leave the rest as stray tokens (a rejected command, never a run one).
/// Those quotes become `’` (U+2019) so the title still draws. Everything works on Unicode
/// scalars, not Characters, so a `'` followed by a combining mark is treated the same way.
public enum GnuplotText {
    /// `text` with every control character (C0, DEL, C1, line and paragraph separators; includes
    /// newline, carriage return and tab) replaced by a space.
    public static func sanitized(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            result.append(isControl(scalar) ? " " : scalar)
        }
        return String(result)
    }

    /// `text` as a single-quoted gnuplot string literal that gnuplot reads back as one string.
    public static func quoted(_ text: String) -> String {
        var result = String.UnicodeScalarView()
        result.append("'")
        var previous: Unicode.Scalar?
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                result.append(" ")
            } else if scalar == "'" {
                if previous == nil || previous == "'" {
                    result.append("\u{2019}")
                } else {
                    result.append(contentsOf: "''".unicodeScalars)
                }
            } else {
                result.append(scalar)
            }
            previous = scalar
        }
        result.append("'")
        return String(result)
    }

    /// A finite number in a form gnuplot parses back exactly; `what` names it in the error.
    public static func number(_ value: Double, _ what: String) throws -> String {
        guard value.isFinite else { throw PlotError.invalidChart("\(what) must be a finite number, got \(value)") }
        return "\(value)"
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
    }
}
