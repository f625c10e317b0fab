/// Python's printf-style string formatting, `"%.2f" % x` and `"%s: %d" % (name, n)`: each conversion
/// `%[(key)][flags][width][.precision]type` is translated into a format spec and formatted by `Formatting.format`,
/// so both styles round and pad the same way. Types: s r d i u f F e E g G x X o c and `%%` for a percent sign;
/// flags `-` (left-align), `0` (zero-pad), `+`, space and `#`.
enum PercentFormat {
    /// `template % arguments`: a tuple supplies one value per conversion, a dict supplies `%(key)s` values, any
    /// other value is the single argument.
    static func format(_ template: String, _ arguments: Value) throws -> String {
        var queue: [Value]
        var mapping: DictObject?
        switch arguments {
        case .tuple(let items): queue = items
        case .dict(let dict):
            queue = [arguments]
            mapping = dict
        default: queue = [arguments]
        }
        var next = 0
        var usedMapping = false
        var result = ""
        var characters = template[...]
        while let percent = characters.firstIndex(of: "%") {
            result += characters[..<percent]
            characters = characters[characters.index(after: percent)...]
            let conversion = try Conversion(parsing: &characters)
            if conversion.type == "%" {
                result.append("%")
                continue
            }
            let value: Value
            if let key = conversion.key {
                guard let mapping else { throw DSLError(.type, "format requires a mapping for %(\(key))\(conversion.type)") }
                guard let found = try mapping.get(.string(key)) else { throw DSLError(.key, "format key '\(key)' is not in the dict") }
                value = found
                usedMapping = true
            } else {
                guard next < queue.count else {
                    throw DSLError(.type, "not enough arguments for format string (\(queue.count) given)")
                }
                value = queue[next]
                next += 1
            }
            result += try conversion.apply(to: value)
        }
        result += characters
        if !usedMapping, next < queue.count, mapping == nil {
            throw DSLError(.type, "not all arguments converted during string formatting (\(queue.count) given, \(next) used)")
        }
        try ContainerLimit.check(stringBytes: result.utf8.count, of: "the formatted string")
        return result
    }

    /// One `%…` conversion.
    private struct Conversion {
        var key: String?
        var flags: Set<Character> = []
        var width = ""
        var precision: String?
        var type: Character = "s"

        /// Reads a conversion from `text`, which starts just after the `%`, and advances past it.
        init(parsing text: inout Substring) throws {
            if text.first == "(" {
                guard let close = text.firstIndex(of: ")") else { throw DSLError(.value, "incomplete format key: missing ')'") }
                key = String(text[text.index(after: text.startIndex)..<close])
                text = text[text.index(after: close)...]
            }
            while let first = text.first, "-0+ #".contains(first) {
                flags.insert(first)
                text = text.dropFirst()
            }
            if text.first == "*" { throw DSLError(.value, "'*' widths are not supported in % formatting; use an f-string: f\"{x:{width}}\"") }
            width = String(text.prefix(while: { $0.isASCII && $0.isNumber }))
            text = text.dropFirst(width.count)
            if text.first == "." {
                text = text.dropFirst()
                let digits = String(text.prefix(while: { $0.isASCII && $0.isNumber }))
                text = text.dropFirst(digits.count)
                precision = digits.isEmpty ? "0" : digits
            }
            guard let type = text.first else { throw DSLError(.value, "incomplete format: the string ends after '%'") }
            guard "srdiufFeEgGxXoc%".contains(type) else {
                throw DSLError(.value, "unsupported format character '\(type)' after '%'; use %s, %d, %f, %e, %g, %x or %% (or an f-string)")
            }
            self.type = type
            text = text.dropFirst()
        }

        /// The value formatted as this conversion asks.
        func apply(to value: Value) throws -> String {
            var spec = flags.contains("-") ? "<" : ""
            if flags.contains("+") {
                spec += "+"
            } else if flags.contains(" ") {
                spec += " "
            }
            if flags.contains("#") { spec += "#" }
            if flags.contains("0") && !flags.contains("-") && type != "s" && type != "r" { spec += "0" }
            spec += width
            switch type {
            case "s", "r":
                let text = try value.text(quoted: type == "r")
                return try Formatting.format(.string(text), spec: spec + (precision.map { "." + $0 } ?? ""))
            case "d", "i", "u":
                return try Formatting.format(.int(try integer(value)), spec: spec + "d")
            case "x", "X", "o", "c":
                guard let number = value.integerValue else {
                    throw DSLError(.type, "%\(type) format: an integer is required, not \(value.typeName)")
                }
                return try Formatting.format(.int(number), spec: spec + String(type))
            default:
                guard let number = value.numericValue else {
                    throw DSLError(.type, "%\(type) format: a real number is required, not \(value.typeName)")
                }
                return try Formatting.format(.float(number), spec: spec + (precision.map { "." + $0 } ?? "") + String(type))
            }
        }

        /// `%d` of a float truncates it, as Python's `int()` does.
        private func integer(_ value: Value) throws -> Int {
            if let number = value.integerValue { return number }
            if case .float(let number) = value {
                guard number.isFinite, let truncated = Int(exactly: number.rounded(.towardZero)) else {
                    throw DSLError(.value, "%\(type) format: \(Value.formatFloat(number)) has no integer value")
                }
                return truncated
            }
            throw DSLError(.type, "%\(type) format: a number is required, not \(value.typeName)")
        }
    }
}
