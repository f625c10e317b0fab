import Foundation

/// Numeric builtins. Math functions given a wrapped object (e.g. a tensor) call the object's method of the
/// same name, so `exp(t)` means `t.exp()`.
enum NumericBuiltins {
    static let group = BuiltinGroup(
        title: "Math",
        functions: [
            BuiltinFunction("abs", [.required("x")], doc: "The absolute value of x.") { args in
                let value = try args.value("x")
                if let result = try delegate(args, value, to: "abs") { return result }
                switch value {
                case .float(let number): return .float(abs(number))
                case .int, .bool:
                    let number = value.integerValue ?? 0
                    guard number != Int.min else { throw DSLError(.overflow, "integer overflow in abs(\(number))") }
                    return .int(abs(number))
                default: throw args.typeError("x", expected: "a number", found: value)
                }
            },
            BuiltinFunction(
                "round", [.required("number"), .optional("ndigits", .none)],
                doc: "number rounded to ndigits decimals (halves to even); without ndigits, an int."
            ) { args in
                try round(args)
            },
            unary("sqrt", doc: "The square root of x.", domain: { $0 >= 0 }, sqrt),
            unary("exp", doc: "e raised to the power x.", domain: { _ in true }, exp),
            BuiltinFunction("log", [.required("x"), .optional("base", .none)], doc: "The natural logarithm of x (or the logarithm in base).") {
                args in
                let value = try args.value("x")
                if try args.isNone("base"), let result = try delegate(args, value, to: "log") { return result }
                let x = try args.double("x")
                guard x > 0 else { throw DSLError(.value, "math domain error: log() needs a positive number, got \(Value.formatFloat(x))") }
                guard let base = try args.optionalDouble("base") else { return .float(Foundation.log(x)) }
                guard base > 0 && base != 1 else { throw args.valueError("base", "must be positive and not 1") }
                return .float(Foundation.log(x) / Foundation.log(base))
            },
            unary("log10", doc: "The base-10 logarithm of x.", domain: { $0 > 0 }, log10),
            unary("log2", doc: "The base-2 logarithm of x.", domain: { $0 > 0 }, log2),
            unary("sin", doc: "The sine of x (radians).", domain: { $0.isFinite }, sin),
            unary("cos", doc: "The cosine of x (radians).", domain: { $0.isFinite }, cos),
            unary("tan", doc: "The tangent of x (radians).", domain: { $0.isFinite }, tan),
            unary("tanh", doc: "The hyperbolic tangent of x.", domain: { _ in true }, tanh),
            BuiltinFunction("floor", [.required("x")], doc: "The largest integer <= x.") { args in
                let value = try args.value("x")
                if let result = try delegate(args, value, to: "floor") { return result }
                return .int(try Conversions.truncate((try args.double("x")).rounded(.down)))
            },
            BuiltinFunction("ceil", [.required("x")], doc: "The smallest integer >= x.") { args in
                let value = try args.value("x")
                if let result = try delegate(args, value, to: "ceil") { return result }
                return .int(try Conversions.truncate((try args.double("x")).rounded(.up)))
            },
            BuiltinFunction("isnan", [.required("x")], doc: "Whether x is a float nan (not a number).") { args in
                .bool((try args.double("x")).isNaN)
            },
            BuiltinFunction("isinf", [.required("x")], doc: "Whether x is positive or negative infinity.") { args in
                .bool((try args.double("x")).isInfinite)
            },
        ],
        constants: [
            BuiltinConstant("pi", .float(Double.pi), doc: "The ratio of a circle's circumference to its diameter, 3.14159..."),
            BuiltinConstant("e", .float(M_E), doc: "Euler's number, 2.71828..."),
            BuiltinConstant("inf", .float(.infinity), doc: "Positive infinity."),
            BuiltinConstant("nan", .float(.nan), doc: "A float that is not a number."),
        ])

    /// A one-argument math function on floats, rejecting arguments outside its domain with `ValueError`.
    private static func unary(
        _ name: String, doc: String, domain: @escaping (Double) -> Bool,
        _ function: @escaping (Double) -> Double
    ) -> BuiltinFunction {
        BuiltinFunction(name, [.required("x")], doc: doc) { args in
            let value = try args.value("x")
            if let result = try delegate(args, value, to: name) { return result }
            let x = try args.double("x")
            guard x.isNaN || domain(x) else {
                throw DSLError(.value, "math domain error: \(name)() is not defined for \(Value.formatFloat(x))")
            }
            let result = function(x)
            if result.isInfinite && x.isFinite { throw DSLError(.overflow, "math range error: \(name)(\(Value.formatFloat(x))) is too large") }
            return .float(result)
        }
    }

    /// For a wrapped object with a method `name`, the result of calling it; nil for other values.
    private static func delegate(_ args: Arguments, _ value: Value, to name: String) throws -> Value? {
        guard case .object = value else { return nil }
        guard let method = value.dslType.method(named: name) else {
            throw args.typeError("x", expected: "a number", found: value)
        }
        return try args.interpreter.call(.method(BoundMethod(receiver: value, function: method)), [])
    }

    /// `round(number, digits)` for an int and negative `digits`, exactly (halves to even), as Python does.
    private static func roundInteger(_ number: Int, digits: Int) throws -> Int {
        guard digits > -19 else {
            // 10**19 exceeds every int: ints round to 0 at that scale, except those beyond half of it, which round
            // to ±10**19, past the int range.
            if digits == -19 && number.magnitude > 5_000_000_000_000_000_000 {
                throw DSLError(.overflow, "round(\(number), \(digits)) is too large for an int")
            }
            return 0
        }
        var scale = 1
        for _ in 0 ..< -digits { scale *= 10 }
        let (quotient, remainder) = number.quotientAndRemainder(dividingBy: scale)
        let twiceRemainder = remainder.magnitude * 2
        var rounded = quotient
        if twiceRemainder > scale.magnitude || (twiceRemainder == scale.magnitude && quotient % 2 != 0) {
            rounded += number < 0 ? -1 : 1
        }
        let (result, overflow) = rounded.multipliedReportingOverflow(by: scale)
        guard !overflow else { throw DSLError(.overflow, "round(\(number), \(digits)) is too large for an int") }
        return result
    }

    private static func round(_ args: Arguments) throws -> Value {
        let value = try args.value("number")
        let digits = try args.optionalInt("ndigits")
        switch value {
        case .int, .bool:
            let number = value.integerValue ?? 0
            guard let digits, digits < 0 else { return .int(number) }
            return .int(try roundInteger(number, digits: digits))
        case .float(let number):
            guard let digits else { return .int(try Conversions.truncate(number.rounded(.toNearestOrEven))) }
            guard number.isFinite else { return value }
            // As Python: beyond 323 decimals every double is already exact, and below -308 every double rounds
            // to a zero of its sign (the scale 10**-digits would be infinite and give NaN).
            if digits > 323 { return value }
            if digits < -308 { return .float(0.0 * number) }
            if digits >= 0 {
                // printf rounds the exact binary value correctly, which is what Python's round does.
                return .float(Double(String(format: "%.\(digits)f", number)) ?? number)
            }
            let scale = pow(10, -Double(digits))
            let rounded = (number / scale).rounded(.toNearestOrEven) * scale
            guard rounded.isFinite else { throw DSLError(.overflow, "rounded value too large to represent") }
            return .float(rounded)
        default:
            if case .object = value, let method = value.dslType.method(named: "round") {
                return try args.interpreter.call(.method(BoundMethod(receiver: value, function: method)), [])
            }
            throw args.typeError("number", expected: "a number", found: value)
        }
    }
}
