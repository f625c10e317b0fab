import Foundation

/// Constructors of the builtin types that need more than one line.
enum Conversions {
    static func int(_ args: Arguments) throws -> Value {
        let value = try args.value("x")
        if let base = try args.optionalInt("base") {
            guard case .string(let text) = value else {
                throw DSLError(.type, "int() can't convert a non-string with an explicit base")
            }
            guard base >= 2 && base <= 36 else { throw args.valueError("base", "must be between 2 and 36, got \(base)") }
            return .int(try parseInteger(text, base: base))
        }
        switch value {
        case .int: return value
        case .bool(let flag): return .int(flag ? 1 : 0)
        case .float(let number): return .int(try truncate(number))
        case .string(let text): return .int(try parseInteger(text, base: 10))
        case .object:
            let scalar = try scalar(of: value, args)
            if case .float(let number) = scalar { return .int(try truncate(number)) }
            if case .int = scalar { return scalar }
        default: break
        }
        throw args.typeError("x", expected: "a number or a string", found: value)
    }

    /// Converts a float to an integer toward zero, refusing nan, infinities and values beyond 64 bits.
    static func truncate(_ number: Double) throws -> Int {
        guard !number.isNaN else { throw DSLError(.value, "cannot convert float nan to integer") }
        guard let result = Int(exactly: number.rounded(.towardZero)) else {
            throw DSLError(.overflow, "cannot convert float \(Value.formatFloat(number)) to a 64-bit integer")
        }
        return result
    }

    private static func parseInteger(_ text: String, base: Int) throws -> Int {
        var cleaned = text.trimmingCharacters(in: .whitespaces)
        var negative = false
        if cleaned.hasPrefix("-") || cleaned.hasPrefix("+") {
            negative = cleaned.hasPrefix("-")
            cleaned.removeFirst()
        }
        let prefixes = [16: "0x", 8: "0o", 2: "0b"]
        if let prefix = prefixes[base], cleaned.lowercased().hasPrefix(prefix) { cleaned.removeFirst(2) }
        let valid = !cleaned.isEmpty && !cleaned.hasPrefix("_") && !cleaned.hasSuffix("_") && !cleaned.contains("__")
        guard valid, let magnitude = UInt64(cleaned.replacingOccurrences(of: "_", with: ""), radix: base) else {
            throw DSLError(.value, "invalid literal for int() with base \(base): \(Value.quote(text))")
        }
        if negative {
            guard magnitude <= UInt64(Int.max) + 1 else { throw DSLError(.overflow, "int() result \(text) does not fit in 64 bits") }
            return magnitude == UInt64(Int.max) + 1 ? Int.min : -Int(magnitude)
        }
        guard let result = Int(exactly: magnitude) else { throw DSLError(.overflow, "int() result \(text) does not fit in 64 bits") }
        return result
    }

    static func float(_ args: Arguments) throws -> Value {
        let value = try args.value("x")
        switch value {
        case .float: return value
        case .int, .bool: return .float(value.numericValue ?? 0)
        case .string(let text):
            let cleaned = text.trimmingCharacters(in: .whitespaces).lowercased()
            let special: [String: Double] = [
                "inf": .infinity, "+inf": .infinity, "-inf": -.infinity, "infinity": .infinity,
                "-infinity": -.infinity, "nan": .nan, "+nan": .nan, "-nan": .nan,
            ]
            if let number = special[cleaned] { return .float(number) }
            let digits = cleaned.replacingOccurrences(of: "_", with: "")
            guard !digits.isEmpty, digits.allSatisfy({ "0123456789.e+-".contains($0) }), let number = Double(digits) else {
                throw DSLError(.value, "could not convert string to float: \(Value.quote(text))")
            }
            return .float(number)
        case .object:
            let scalar = try scalar(of: value, args)
            if let number = scalar.numericValue { return .float(number) }
        default: break
        }
        throw args.typeError("x", expected: "a number or a string", found: value)
    }

    /// The Python number inside a one-element object (e.g. a tensor), via its `item()` method.
    private static func scalar(of value: Value, _ args: Arguments) throws -> Value {
        guard let item = value.dslType.method(named: "item") else {
            throw args.typeError("x", expected: "a number or a string", found: value)
        }
        return try args.interpreter.call(.method(BoundMethod(receiver: value, function: item)), [])
    }

    static func dict(_ args: Arguments) throws -> Value {
        let result = DictObject()
        let mapping = try args.value("mapping")
        switch mapping {
        case .none:
            break
        case .dict(let other):
            for (key, value) in other.entries { try result.set(key, value) }
        default:
            for (index, pair) in try args.elements("mapping").enumerated() {
                let items: [Value]
                do { items = try pair.elements() } catch { items = [] }
                guard items.count == 2 else {
                    throw DSLError(.value, "dict() element \(index) must be a (key, value) pair, not \(pair.repr)")
                }
                try result.set(items[0], items[1])
            }
        }
        for (name, value) in try args.keywords("entries") { try result.set(.string(name), value) }
        return .dict(result)
    }

    static func range(_ args: Arguments) throws -> Value {
        var start = try args.int("start")
        var stop = 0
        if let given = try args.optionalInt("stop") {
            stop = given
        } else {
            stop = start
            start = 0
        }
        let step = try args.int("step")
        guard step != 0 else { throw args.valueError("step", "must not be zero") }
        return .range(RangeValue(start: start, stop: stop, step: step))
    }
}
