/// Sorts what gnuplot printed on stderr into errors and harmless warnings.
///
/// Reading commands from a pipe, gnuplot reports an error as `line <n>: <what>` (possibly
/// prefixed, e.g. by a datablock name) and a warning as `line <n>: warning: <what>` or
/// `Warning: <what>`, sometimes followed by indented continuation lines.
enum GnuplotMessages {
    /// The error lines (warnings and their continuations left out), trimmed.
    static func errors(in messages: String) -> [String] {
        messages.split(whereSeparator: \.isNewline)
            .map { $0.trimmingSpaces() }
            .filter { line in
                !line.lowercased().contains("warning:")
                    && line.ranges(of: "line ").contains { reported in
                        let rest = line[reported.upperBound...]
                        let number = rest.prefix(while: \.isNumber)
                        return !number.isEmpty && rest.dropFirst(number.count).hasPrefix(":")
                    }
            }
    }
}
