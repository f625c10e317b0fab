import Foundation

/// Python's format-spec mini-language, `[[fill]align][sign][#][0][width][,|_][.precision][type]`, used by
/// f-strings, `format()` and `str.format`. Types: d, b, o, x, X, c, n for ints; f, F, e, E, g, G, %, n for
/// numbers; s for strings.
struct FormatSpec {
    var fill: Character = " "
    var align: Character?
    var sign: Character = "-"
    var alternate = false
    var width = 0
    var grouping: Character?
    var precision: Int?
    var type: Character?

    /// Precisions beyond this are refused instead of building gigantic strings; widths are sized against the
    /// memory limit when the text is padded (`Formatting.pad`).
    static let maximumPrecision = 500

    init(_ spec: String) throws {
        let characters = Array(spec)
        var index = 0
        func invalid() -> DSLError { DSLError(.value, "invalid format specifier '\(spec)'") }
        let alignments: Set<Character> = ["<", ">", "=", "^"]
        if characters.count >= 2 && alignments.contains(characters[1]) {
            fill = characters[0]
            align = characters[1]
            index = 2
        } else if let first = characters.first, alignments.contains(first) {
            align = first
            index = 1
        }
        if index < characters.count, "+- ".contains(characters[index]) {
            sign = characters[index]
            index += 1
        }
        if index < characters.count, characters[index] == "#" {
            alternate = true
            index += 1
        }
        if index < characters.count, characters[index] == "0" {
            if align == nil {
                fill = "0"
                align = "="
            }
            index += 1
        }
        var widthDigits = ""
        while index < characters.count, characters[index].isASCII, characters[index].isNumber {
            widthDigits.append(characters[index])
            index += 1
        }
        if !widthDigits.isEmpty {
            guard let value = Int(widthDigits) else {
                throw DSLError(.value, "format width \(widthDigits) has too many digits (at most \(Int.max))")
            }
            width = value
        }
        if index < characters.count, characters[index] == "," || characters[index] == "_" {
            grouping = characters[index]
            index += 1
        }
        if index < characters.count, characters[index] == "." {
            index += 1
            var digits = ""
            while index < characters.count, characters[index].isASCII, characters[index].isNumber {
                digits.append(characters[index])
                index += 1
            }
            guard !digits.isEmpty else { throw DSLError(.value, "format specifier '\(spec)' is missing the precision after '.'") }
            guard let value = Int(digits), value <= FormatSpec.maximumPrecision else {
                throw DSLError(.value, "format precision \(digits) is too large (at most \(FormatSpec.maximumPrecision))")
            }
            precision = value
        }
        if index < characters.count {
            guard "bcdeEfFgGnosxX%".contains(characters[index]) else { throw invalid() }
            type = characters[index]
            index += 1
        }
        guard index == characters.count else { throw invalid() }
    }
}

enum Formatting {
    /// Formats a value with a spec (`.3f`, `>10`, `,d`, …); an empty spec gives `str(value)`.
    static func format(_ value: Value, spec: String) throws -> String {
        if spec.isEmpty { return try value.text(quoted: false) }
        if case .object(let object) = value {
            if let text = try object.formatted(spec: spec) { return text }
            throw DSLError(.type, "format spec '\(spec)' is not supported for '\(value.typeName)' values")
        }
        let format = try FormatSpec(spec)
        switch value {
        case .bool(let flag) where format.type == nil || format.type == "s":
            return try pad(flag ? "True" : "False", format, defaultAlign: "<")
        case .int, .bool:
            return try formatInteger(value.integerValue ?? 0, format)
        case .float(let number):
            return try formatFloat(number, format)
        case .string(let text):
            guard format.type == nil || format.type == "s" else {
                throw DSLError(.value, "unknown format code '\(format.type ?? " ")' for a str value")
            }
            let truncated = format.precision.map { String(text.prefix($0)) } ?? text
            return try pad(truncated, format, defaultAlign: "<")
        default:
            guard format.type == nil || format.type == "s", format.precision == nil, format.grouping == nil else {
                throw DSLError(.type, "format spec '\(spec)' is not supported for '\(value.typeName)' values")
            }
            return try pad(try value.text(quoted: false), format, defaultAlign: "<")
        }
    }

    private static func formatInteger(_ number: Int, _ format: FormatSpec) throws -> String {
        let magnitude = number.magnitude
        var digits: String
        var prefix = ""
        switch format.type {
        case nil, "d", "n":
            digits = String(magnitude)
            if let separator = format.grouping { digits = group(digits, separator: separator, every: 3) }
        case "x", "X", "o", "b":
            let radix = format.type == "b" ? 2 : format.type == "o" ? 8 : 16
            digits = String(magnitude, radix: radix, uppercase: format.type == "X")
            if format.grouping == "_" { digits = group(digits, separator: "_", every: 4) }
            if format.alternate { prefix = "0" + String(format.type ?? "x") }
        case "c":
            guard (0..<0x110000).contains(number) else { throw DSLError(.value, "%c arg not in range(0x110000)") }
            // Surrogates are code points Python accepts but a Swift string cannot hold.
            guard let scalar = Unicode.Scalar(UInt32(number)) else {
                throw DSLError(.value, "%c arg \(number) is a surrogate code point, which a str cannot hold")
            }
            return try pad(String(Character(scalar)), format, defaultAlign: "<")
        case "e", "E", "f", "F", "g", "G", "%":
            return try formatFloat(Double(number), format)
        default:
            throw DSLError(.value, "unknown format code '\(format.type ?? " ")' for an int value")
        }
        return try padNumber(sign: signText(negative: number < 0, format), prefix: prefix, digits: digits, format)
    }

    private static func formatFloat(_ number: Double, _ format: FormatSpec) throws -> String {
        let magnitude = abs(number)
        var body: String
        var suffix = ""
        if !number.isFinite {
            body = number.isNaN ? "nan" : "inf"
            if format.type == "F" || format.type == "E" || format.type == "G" { body = body.uppercased() }
        } else {
            switch format.type {
            case "f", "F":
                body = String(format: "%.\(format.precision ?? 6)f", magnitude)
            case "%":
                body = String(format: "%.\(format.precision ?? 6)f", magnitude * 100)
                suffix = "%"
            case "e", "E":
                body = String(format: "%.\(format.precision ?? 6)\(format.type == "E" ? "E" : "e")", magnitude)
            case "g", "G", "n":
                let flags = format.alternate ? "#" : ""
                body = String(format: "%\(flags).\(max(format.precision ?? 6, 1))\(format.type == "G" ? "G" : "g")", magnitude)
            case nil:
                if let precision = format.precision {
                    body = String(format: "%.\(max(precision, 1))g", magnitude)
                    if !body.contains(".") && !body.contains("e") { body += ".0" }
                } else {
                    body = Value.formatFloat(magnitude)
                }
            default:
                throw DSLError(.value, "unknown format code '\(format.type ?? " ")' for a float value")
            }
            if let separator = format.grouping {
                let integerEnd = body.firstIndex { !$0.isNumber } ?? body.endIndex
                body = group(String(body[..<integerEnd]), separator: separator, every: 3) + body[integerEnd...]
            }
        }
        let negative = number < 0 || (number == 0 && number.sign == .minus)
        return try padNumber(sign: signText(negative: negative, format), prefix: "", digits: body + suffix, format)
    }

    private static func signText(negative: Bool, _ format: FormatSpec) -> String {
        if negative { return "-" }
        return format.sign == "+" ? "+" : format.sign == " " ? " " : ""
    }

    private static func padNumber(sign: String, prefix: String, digits: String, _ format: FormatSpec) throws -> String {
        let content = sign + prefix + digits
        let missing = format.width - content.count
        guard missing > 0 else { return content }
        if (format.align ?? ">") == "=" {
            try checkPadding(content, missing: missing, format)
            return sign + prefix + String(repeating: format.fill, count: missing) + digits
        }
        return try pad(content, format, defaultAlign: ">")
    }

    /// `text` padded to `format.width` with `format.fill` (`ljust`, `rjust`, `center`, format widths); a width
    /// whose result would exceed the memory limit is a `MemoryError`, never a shorter string.
    static func pad(_ text: String, _ format: FormatSpec, defaultAlign: Character) throws -> String {
        let missing = format.width - text.count
        guard missing > 0 else { return text }
        try checkPadding(text, missing: missing, format)
        let fill = format.fill
        switch format.align ?? defaultAlign {
        case "<": return text + String(repeating: fill, count: missing)
        case "^":
            let left = missing / 2
            return String(repeating: fill, count: left) + text + String(repeating: fill, count: missing - left)
        default: return String(repeating: fill, count: missing) + text
        }
    }

    private static func checkPadding(_ text: String, missing: Int, _ format: FormatSpec) throws {
        try ContainerLimit.check(
            copies: missing, of: String(format.fill).utf8.count, plus: text.utf8.count, text: true,
            of: "the text padded to width \(format.width)")
    }

    private static func group(_ digits: String, separator: Character, every size: Int) -> String {
        var result = ""
        for (index, character) in digits.enumerated() {
            if index > 0 && (digits.count - index) % size == 0 { result.append(separator) }
            result.append(character)
        }
        return result
    }

    /// `str.format`: `{}` (next argument), `{0}` (by position), `{name}` (by keyword), each with optional
    /// `!r`/`!s` and `:spec`; `{{` and `}}` are literal braces.
    static func formatTemplate(_ template: String, positional: [Value], keywords: [(name: String, value: Value)]) throws -> String {
        let characters = Array(template)
        var result = ""
        var index = 0
        var nextAutomatic = 0
        while index < characters.count {
            let character = characters[index]
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            if (character == "{" && next == "{") || (character == "}" && next == "}") {
                result.append(character)
                index += 2
                continue
            }
            if character == "}" { throw DSLError(.value, "single '}' encountered in format string") }
            guard character == "{" else {
                result.append(character)
                index += 1
                continue
            }
            guard let close = characters[index...].firstIndex(of: "}") else {
                throw DSLError(.value, "single '{' encountered in format string")
            }
            var field = String(characters[(index + 1)..<close])
            index = close + 1
            var spec = ""
            if let colon = field.firstIndex(of: ":") {
                spec = String(field[field.index(after: colon)...])
                field = String(field[..<colon])
            }
            var conversion: Character?
            if let bang = field.firstIndex(of: "!") {
                conversion = field[field.index(after: bang)...].first
                field = String(field[..<bang])
            }
            var value: Value
            if field.isEmpty {
                guard nextAutomatic < positional.count else {
                    throw DSLError(.index, "format string needs more positional arguments than the \(positional.count) given")
                }
                value = positional[nextAutomatic]
                nextAutomatic += 1
            } else if let position = Int(field) {
                guard position >= 0 && position < positional.count else {
                    throw DSLError(.index, "format field {\(position)} is out of range (\(positional.count) positional arguments)")
                }
                value = positional[position]
            } else if let keyword = keywords.first(where: { $0.name == field }) {
                value = keyword.value
            } else {
                throw DSLError(.key, "format field '{\(field)}' has no matching keyword argument")
            }
            if conversion == "r" || conversion == "a" { value = .string(try value.text(quoted: true)) }
            if conversion == "s" { value = .string(try value.text(quoted: false)) }
            result += try format(value, spec: spec)
        }
        return result
    }
}
