import Basics

/// A parameter of a builtin or user-defined function.
public struct Parameter {
    /// How arguments reach the parameter.
    public enum Kind {
        /// By position or by name.
        case positional
        /// Only by name (written after `*` or `*args`).
        case keywordOnly
        /// `*args`: collects extra positional arguments into a tuple.
        case variadic
        /// `**kwargs`: collects extra keyword arguments into a dict.
        case keywordVariadic
    }

    /// The parameter's name, also its keyword.
    public let name: String
    /// How arguments reach it.
    public let kind: Kind
    /// The value used when the argument is omitted; nil means the argument is required.
    public let defaultValue: Value?

    init(name: String, kind: Kind, defaultValue: Value?) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
    }

    /// A parameter that must be given (by position or name).
    public static func required(_ name: String) -> Parameter {
        Parameter(name: name, kind: .positional, defaultValue: nil)
    }

    /// A parameter with a default (by position or name).
    public static func optional(_ name: String, _ defaultValue: Value) -> Parameter {
        Parameter(name: name, kind: .positional, defaultValue: defaultValue)
    }

    /// A parameter that can only be given by name.
    public static func keywordOnly(_ name: String, _ defaultValue: Value) -> Parameter {
        Parameter(name: name, kind: .keywordOnly, defaultValue: defaultValue)
    }

    /// `*name`: any number of extra positional arguments.
    public static func variadic(_ name: String) -> Parameter {
        Parameter(name: name, kind: .variadic, defaultValue: nil)
    }

    /// `**name`: any number of extra keyword arguments.
    public static func keywords(_ name: String) -> Parameter {
        Parameter(name: name, kind: .keywordVariadic, defaultValue: nil)
    }

    /// Whether a keyword argument `name=` can target this parameter.
    var acceptsKeyword: Bool { kind == .positional || kind == .keywordOnly }

    /// Python-style rendering of a parameter list: `start, stop=None, step=1`, `*values, sep=' '`.
    /// `depth` is how deeply nested in other values the list is shown (default values are shown one level deeper).
    public static func render(_ parameters: [Parameter], depth: Int = 0) -> String {
        var parts: [String] = []
        var keywordOnlyMarked = false
        for parameter in parameters {
            switch parameter.kind {
            case .variadic:
                keywordOnlyMarked = true
                parts.append("*\(parameter.name)")
            case .keywordVariadic:
                parts.append("**\(parameter.name)")
            case .keywordOnly, .positional:
                if parameter.kind == .keywordOnly && !keywordOnlyMarked {
                    keywordOnlyMarked = true
                    parts.append("*")
                }
                if let defaultValue = parameter.defaultValue {
                    parts.append("\(parameter.name)=\(defaultValue.repr(depth: depth + 1))")
                } else {
                    parts.append(parameter.name)
                }
            }
        }
        return parts.joined(separator: ", ")
    }
}

/// Matches call arguments to parameters, Python's rules: positional arguments fill positional parameters in
/// order (extras go to `*args`), keywords fill by name (unknown ones go to `**kwargs`), defaults fill the rest.
/// Errors name the callable and show its signature.
struct ArgumentBinder {
    let parameters: [Parameter]
    /// `range()` or `list.append()`-style name for messages.
    let calleeName: String
    /// Full signature, e.g. `range(start, stop=None, step=1)`.
    let signature: String

    /// One value per parameter (`*args` as a tuple, `**kwargs` as a dict), and whether each was given explicitly.
    func bind(positional: [Value], keywords: [(String, Value)]) throws -> (values: [Value], given: [Bool]) {
        var values = [Value?](repeating: nil, count: parameters.count)
        var extraPositional: [Value] = []
        var positionalSlots = 0
        for (index, parameter) in parameters.enumerated() where parameter.kind == .positional {
            if positionalSlots < positional.count { values[index] = positional[positionalSlots] }
            positionalSlots += 1
        }
        let variadicIndex = parameters.firstIndex { $0.kind == .variadic }
        if positional.count > positionalSlots {
            guard variadicIndex != nil else { throw tooManyPositional(given: positional.count, slots: positionalSlots) }
            extraPositional = Array(positional[positionalSlots...])
        }
        if let variadicIndex { values[variadicIndex] = .tuple(extraPositional) }

        let keywordVariadicIndex = parameters.firstIndex { $0.kind == .keywordVariadic }
        let extraKeywords = DictObject()
        for (name, value) in keywords {
            if let index = parameters.firstIndex(where: { $0.name == name && $0.acceptsKeyword }) {
                if values[index] != nil {
                    throw DSLError(.type, "\(calleeName)() got multiple values for argument '\(name)'")
                }
                values[index] = value
            } else if keywordVariadicIndex != nil {
                try extraKeywords.set(.string(name), value)
            } else {
                throw unexpectedKeyword(name)
            }
        }
        if let keywordVariadicIndex { values[keywordVariadicIndex] = .dict(extraKeywords) }

        var given = [Bool](repeating: false, count: parameters.count)
        var missing: [String] = []
        for (index, parameter) in parameters.enumerated() {
            if values[index] != nil {
                given[index] = parameter.kind != .variadic && parameter.kind != .keywordVariadic
            } else if let defaultValue = parameter.defaultValue {
                values[index] = defaultValue
            } else {
                missing.append("'\(parameter.name)'")
            }
        }
        if !missing.isEmpty {
            let list = missing.count == 1 ? missing[0] : missing.dropLast().joined(separator: ", ") + " and " + (missing.last ?? "")
            let noun = missing.count == 1 ? "argument" : "arguments"
            throw DSLError(.type, "\(calleeName)() missing required \(noun) \(list); expected \(signature)")
        }
        return (values.map { $0 ?? .none }, given)
    }

    private func tooManyPositional(given: Int, slots: Int) -> DSLError {
        let required = parameters.filter { $0.kind == .positional && $0.defaultValue == nil }.count
        let takes: String
        if slots == 0 {
            takes = "takes no positional arguments"
        } else if required == slots {
            takes = "takes \(Plural.count(slots, "positional argument"))"
        } else {
            takes = "takes from \(required) to \(slots) positional arguments"
        }
        return DSLError(.type, "\(calleeName)() \(takes) but \(given) \(given == 1 ? "was" : "were") given; expected \(signature)")
    }

    /// The error a call passing keyword `name` would raise, or nil when the callee accepts it (`rnx check` asks
    /// before anything runs).
    func keywordError(_ name: String) -> DSLError? {
        let accepted = parameters.contains { ($0.name == name && $0.acceptsKeyword) || $0.kind == .keywordVariadic }
        return accepted ? nil : unexpectedKeyword(name)
    }

    private func unexpectedKeyword(_ name: String) -> DSLError {
        let candidates = parameters.filter(\.acceptsKeyword).map(\.name)
        var message = "\(calleeName)() got an unexpected keyword argument '\(name)'"
        if let suggestion = Suggestions.closest(to: name, among: candidates) {
            message += " (did you mean '\(suggestion)'?)"
        }
        return DSLError(.type, message + "; expected \(signature)")
    }
}
