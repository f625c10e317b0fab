import Foundation

extension Value: CustomStringConvertible {
    /// What `str(x)` and `print(x)` show: strings without quotes, everything else like `repr`. Text longer than
    /// `maximumTextBytes` is cut there and ends in `...` (`text(quoted:)` throws instead).
    public var description: String {
        switch self {
        case .string(let text): return text
        case .object(let object): return object.description
        default: return repr
        }
    }

    /// What the REPL shows and `repr(x)` returns: Python's notation (`'text'`, `[1, 2.5]`, `{'a': None}`). Text longer
    /// than `maximumTextBytes` is cut there and ends in `...`.
    public var repr: String { repr(depth: 0) }

    /// The text `str(x)` (or `repr(x)` when `quoted`) makes, in full: a MemoryError when it would be longer than
    /// `maximumTextBytes`. Lists holding the same list twice, nested, double their text at every level, so
    /// `a = [a, a]` sixty times over would otherwise build 2^60 elements' worth.
    func text(quoted: Bool) throws -> String {
        if !quoted, case .string(let text) = self { return text }
        if !quoted, case .object(let object) = self { return object.description }
        let (text, complete) = boundedRepr(depth: 0)
        guard complete else {
            throw DSLError(
                .memory,
                "the text of this \(dslType.name) would be longer than \(Value.maximumTextBytes / 1_048_576) MiB (it holds the same values many times over)"
            )
        }
        return text
    }

    /// The longest text `repr` builds: far more than a screen or a log line holds, reached in about a second.
    static let maximumTextBytes = 16 << 20

    /// Containers nested deeper than this print as `...` (and self-containing ones as `[...]`), so printing
    /// never recurses without bound.
    private static let maximumReprDepth = 100

    /// `repr` of a value shown `depth` levels inside another one (a default value inside a function's signature).
    func repr(depth: Int) -> String {
        let (text, complete) = boundedRepr(depth: depth)
        return complete ? text : text + "..."
    }

    /// The text up to `maximumTextBytes`, and whether that is all of it.
    private func boundedRepr(depth: Int) -> (text: String, complete: Bool) {
        var visiting = Set<ObjectIdentifier>()
        var budget = Value.maximumTextBytes
        let text = repr(depth: depth, visiting: &visiting, budget: &budget)
        return (text, budget >= 0)
    }

    /// The text, built while `budget` (UTF-8 bytes left) stays non-negative: once it is spent, containers stop
    /// adding items, so the work stays bounded however often a value repeats inside another.
    private func repr(depth: Int, visiting: inout Set<ObjectIdentifier>, budget: inout Int) -> String {
        if depth > Value.maximumReprDepth { return "..." }
        switch self {
        case .list(let list):
            let identity = ObjectIdentifier(list)
            guard visiting.insert(identity).inserted else { return Value.spend("[...]", from: &budget) }
            defer { visiting.remove(identity) }
            budget -= 2
            return "[" + Value.items(list.items, depth: depth, visiting: &visiting, budget: &budget) + "]"
        case .tuple(let values):
            budget -= 3
            let items = Value.items(values, depth: depth, visiting: &visiting, budget: &budget)
            return values.count == 1 ? "(" + items + ",)" : "(" + items + ")"
        case .dict(let dict):
            let identity = ObjectIdentifier(dict)
            guard visiting.insert(identity).inserted else { return Value.spend("{...}", from: &budget) }
            defer { visiting.remove(identity) }
            budget -= 2
            var entries: [String] = []
            for entry in dict.entries {
                guard budget >= 0 else { break }
                let key = entry.key.repr(depth: depth + 1, visiting: &visiting, budget: &budget)
                let value = entry.value.repr(depth: depth + 1, visiting: &visiting, budget: &budget)
                budget -= 4  // ": " and ", "
                entries.append(key + ": " + value)
            }
            return "{" + entries.joined(separator: ", ") + "}"
        default:
            return Value.spend(leafText(depth: depth), from: &budget)
        }
    }

    /// `values` separated by `, `, as far as `budget` goes.
    private static func items(_ values: [Value], depth: Int, visiting: inout Set<ObjectIdentifier>, budget: inout Int) -> String {
        var parts: [String] = []
        for value in values {
            guard budget >= 0 else { break }
            parts.append(value.repr(depth: depth + 1, visiting: &visiting, budget: &budget))
            budget -= 2  // ", "
        }
        return parts.joined(separator: ", ")
    }

    /// `text`, its length taken from `budget`.
    private static func spend(_ text: String, from budget: inout Int) -> String {
        budget -= text.utf8.count
        return text
    }

    /// The text of a value that holds no other values.
    private func leafText(depth: Int) -> String {
        switch self {
        case .none: return "None"
        case .bool(let flag): return flag ? "True" : "False"
        case .int(let number): return String(number)
        case .float(let number): return Value.formatFloat(number)
        case .string(let text): return Value.quote(text)
        case .range(let range): return range.description
        case .slice(let slice):
            func part(_ bound: Int?) -> String { bound.map(String.init) ?? "None" }
            return "slice(\(part(slice.start)), \(part(slice.stop)), \(part(slice.step)))"
        case .function(let function):
            // Default values may be functions with defaults of their own: the depth keeps counting through them.
            return "<function \(function.name)(\(Parameter.render(function.parameters, depth: depth + 1)))>"
        case .builtin(let function): return "<builtin \(function.signature)>"
        case .method(let method): return "<method \(method.function.signature)>"
        case .type(let type): return "<class '\(type.name)'>"
        case .object(let object): return object.repr
        case .list, .tuple, .dict: return repr
        }
    }

    /// Python's `repr` of a float: shortest round-trip digits, scientific notation below 1e-4 and from 1e16.
    static func formatFloat(_ number: Double) -> String {
        if number.isNaN { return "nan" }
        if number.isInfinite { return number < 0 ? "-inf" : "inf" }
        if number == 0 { return number.sign == .minus ? "-0.0" : "0.0" }
        // Swift's description gives the shortest round-trip digits; re-layout them the way Python does.
        let text = "\(abs(number))"
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        let integerPart = mantissa.split(separator: ".", omittingEmptySubsequences: false).first ?? ""
        let fractionPart = mantissa.split(separator: ".", omittingEmptySubsequences: false).dropFirst().first ?? ""
        var digits = String(integerPart) + String(fractionPart)
        var pointPosition = integerPart.count + exponent
        while digits.hasPrefix("0") && digits.count > 1 {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
        let decimalExponent = pointPosition - 1
        let sign = number < 0 ? "-" : ""
        if decimalExponent < -4 || decimalExponent >= 16 {
            let first = digits.prefix(1)
            let rest = digits.dropFirst()
            let exponentText = (decimalExponent < 0 ? "-" : "+") + (abs(decimalExponent) < 10 ? "0" : "") + String(abs(decimalExponent))
            return sign + first + (rest.isEmpty ? "" : "." + rest) + "e" + exponentText
        }
        if pointPosition <= 0 {
            return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
        }
        if pointPosition >= digits.count {
            return sign + digits + String(repeating: "0", count: pointPosition - digits.count) + ".0"
        }
        let split = digits.index(digits.startIndex, offsetBy: pointPosition)
        return sign + digits[..<split] + "." + digits[split...]
    }

    /// Python's quoting of a string: single quotes unless the text contains one and no double quote.
    static func quote(_ text: String) -> String {
        let quote: Character = text.contains("'") && !text.contains("\"") ? "\"" : "'"
        var result = String(quote)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            default:
                if Character(scalar) == quote {
                    result += "\\" + String(quote)
                } else if TerminalText.isControl(scalar) {
                    result += TerminalText.escape(scalar)
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        result.append(quote)
        return result
    }
}
