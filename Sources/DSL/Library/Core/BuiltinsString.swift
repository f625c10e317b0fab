import Foundation

/// Methods of `str`.
enum StringMethods {
    static let all: [BuiltinFunction] = [
        method("upper", doc: "The text in upper case.") { .string(try $0.text().uppercased()) },
        method("lower", doc: "The text in lower case.") { .string(try $0.text().lowercased()) },
        method("capitalize", doc: "The text with its first character upper case and the rest lower case.") { args in
            let text = try args.text()
            return .string(text.prefix(1).uppercased() + text.dropFirst().lowercased())
        },
        method("title", doc: "The text with every word capitalized.") { .string(try $0.text().capitalized) },
        method("strip", [.optional("chars", .none)], doc: "The text without leading and trailing whitespace (or the given characters).") { args in
            .string(try strip(args, leading: true, trailing: true))
        },
        method("lstrip", [.optional("chars", .none)], doc: "The text without leading whitespace (or the given characters).") { args in
            .string(try strip(args, leading: true, trailing: false))
        },
        method("rstrip", [.optional("chars", .none)], doc: "The text without trailing whitespace (or the given characters).") { args in
            .string(try strip(args, leading: false, trailing: true))
        },
        method(
            "split", [.optional("sep", .none), .optional("maxsplit", -1)],
            doc: "The list of parts between separators; without sep, split at runs of whitespace."
        ) { args in
            .list(try split(args).map { .string($0) })
        },
        method("splitlines", doc: "The list of lines, without line endings.") { args in
            let text = try args.text()
            var lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map { Value.string(String($0)) }
            if text.isEmpty || text.last?.isNewline == true { lines.removeLast() }
            return .list(lines)
        },
        method("join", [.required("iterable")], doc: "The strings of iterable joined with this text between them.") { args in
            let separator = try args.text()
            let parts = try args.elements("iterable").enumerated().map { index, element -> String in
                guard case .string(let text) = element else {
                    throw DSLError(.type, "str.join() item \(index) must be str, not \(element.typeName)")
                }
                return text
            }
            return .string(parts.joined(separator: separator))
        },
        method(
            "replace", [.required("old"), .required("new"), .optional("count", -1)],
            doc: "The text with occurrences of old replaced by new (at most count of them if count >= 0)."
        ) { args in
            let text = try args.text(), old = try args.string("old"), new = try args.string("new")
            let count = try args.int("count")
            if count < 0 { return .string(old.isEmpty ? text : text.replacingOccurrences(of: old, with: new)) }
            var result = "", rest = Substring(text), done = 0
            while done < count, !old.isEmpty, let range = rest.range(of: old) {
                result += rest[..<range.lowerBound] + new
                rest = rest[range.upperBound...]
                done += 1
            }
            return .string(result + rest)
        },
        method("startswith", [.required("prefix")], doc: "Whether the text starts with prefix (or one of a tuple of prefixes).") { args in
            let text = try args.text()
            return .bool(try affixes(args, "prefix").contains { text.hasPrefix($0) })
        },
        method("endswith", [.required("suffix")], doc: "Whether the text ends with suffix (or one of a tuple of suffixes).") { args in
            let text = try args.text()
            return .bool(try affixes(args, "suffix").contains { text.hasSuffix($0) })
        },
        method("find", [.required("sub")], doc: "The index of the first occurrence of sub, or -1.") { args in
            .int(try position(of: try args.string("sub"), in: try args.text()) ?? -1)
        },
        method("index", [.required("sub")], doc: "The index of the first occurrence of sub; ValueError if absent.") { args in
            guard let index = try position(of: try args.string("sub"), in: try args.text()) else {
                throw DSLError(.value, "substring \(Value.quote(try args.string("sub"))) not found")
            }
            return .int(index)
        },
        method("count", [.required("sub")], doc: "How many non-overlapping times sub occurs.") { args in
            let text = try args.text(), sub = try args.string("sub")
            if sub.isEmpty { return .int(text.count + 1) }
            return .int(text.components(separatedBy: sub).count - 1)
        },
        method(
            "format", [.variadic("args"), .keywords("kwargs")],
            doc: "The text with {} fields replaced by the arguments, e.g. '{} has {n:.2f}'.format('x', n=1.5)."
        ) { args in
            .string(try Formatting.formatTemplate(try args.text(), positional: try args.variadic("args"), keywords: try args.keywords("kwargs")))
        },
        method("isdigit", doc: "Whether the text is non-empty and all digits.") { args in
            let text = try args.text()
            return .bool(!text.isEmpty && text.allSatisfy(\.isNumber))
        },
        method("isalpha", doc: "Whether the text is non-empty and all letters.") { args in
            let text = try args.text()
            return .bool(!text.isEmpty && text.allSatisfy(\.isLetter))
        },
        method("isalnum", doc: "Whether the text is non-empty and all letters or digits.") { args in
            let text = try args.text()
            return .bool(!text.isEmpty && text.allSatisfy { $0.isLetter || $0.isNumber })
        },
        method("isspace", doc: "Whether the text is non-empty and all whitespace.") { args in
            let text = try args.text()
            return .bool(!text.isEmpty && text.allSatisfy(\.isWhitespace))
        },
        method("ljust", [.required("width"), .optional("fillchar", " ")], doc: "The text padded on the right to width.") { args in
            .string(try justify(args, align: "<"))
        },
        method("rjust", [.required("width"), .optional("fillchar", " ")], doc: "The text padded on the left to width.") { args in
            .string(try justify(args, align: ">"))
        },
        method("center", [.required("width"), .optional("fillchar", " ")], doc: "The text centered in width.") { args in
            .string(try justify(args, align: "^"))
        },
        method("zfill", [.required("width")], doc: "The text padded with zeros on the left to width (after any sign).") { args in
            let text = try args.text()
            // A negative width pads nothing; clamping it keeps the subtraction below from overflowing.
            let width = max(0, try args.int("width"))
            let missing = width - text.count
            guard missing > 0 else { return .string(text) }
            try ContainerLimit.check(copies: missing, of: 1, plus: text.utf8.count, text: true, of: "the text padded to width \(width)")
            if let sign = text.first, sign == "-" || sign == "+" {
                return .string(String(sign) + String(repeating: "0", count: missing) + text.dropFirst())
            }
            return .string(String(repeating: "0", count: missing) + text)
        },
    ]

    private static func method(
        _ name: String, _ parameters: [Parameter] = [], doc: String,
        _ body: @escaping (Arguments) throws -> Value
    ) -> BuiltinFunction {
        BuiltinFunction(name, parameters, doc: doc, body)
    }

    private static func strip(_ args: Arguments, leading: Bool, trailing: Bool) throws -> String {
        let text = try args.text()
        let chars = try args.optionalString("chars")
        let remove: (Character) -> Bool = { character in chars.map { $0.contains(character) } ?? character.isWhitespace }
        var result = Substring(text)
        if leading { result = result.drop(while: remove) }
        if trailing {
            while let last = result.last, remove(last) { result = result.dropLast() }
        }
        return String(result)
    }

    private static func split(_ args: Arguments) throws -> [String] {
        let text = try args.text()
        var remaining = try args.int("maxsplit")
        // Any negative maxsplit means no limit; counting down from a huge negative one would overflow.
        if remaining < 0 { remaining = Int.max }
        guard let separator = try args.optionalString("sep") else {
            var parts: [String] = []
            var rest = Substring(text).drop(while: \.isWhitespace)
            while !rest.isEmpty {
                if remaining == 0 {
                    parts.append(String(rest))
                    break
                }
                let word = rest.prefix { !$0.isWhitespace }
                parts.append(String(word))
                rest = rest[word.endIndex...].drop(while: \.isWhitespace)
                remaining -= 1
            }
            return parts
        }
        guard !separator.isEmpty else { throw args.valueError("sep", "must not be empty") }
        var parts: [String] = []
        var rest = Substring(text)
        while remaining != 0, let range = rest.range(of: separator) {
            parts.append(String(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
            remaining -= 1
        }
        parts.append(String(rest))
        return parts
    }

    private static func affixes(_ args: Arguments, _ name: String) throws -> [String] {
        let value = try args.value(name)
        if case .string(let text) = value { return [text] }
        if case .tuple(let items) = value {
            return try items.map { item in
                guard case .string(let text) = item else { throw args.typeError(name, expected: "str or a tuple of str", found: item) }
                return text
            }
        }
        throw args.typeError(name, expected: "str or a tuple of str", found: value)
    }

    /// Character offset of the first occurrence of `needle`.
    private static func position(of needle: String, in text: String) throws -> Int? {
        if needle.isEmpty { return 0 }
        guard let range = text.range(of: needle) else { return nil }
        return text.distance(from: text.startIndex, to: range.lowerBound)
    }

    private static func justify(_ args: Arguments, align: Character) throws -> String {
        let fill = try args.string("fillchar")
        guard fill.count == 1, let fillCharacter = fill.first else {
            throw args.valueError("fillchar", "must be exactly one character")
        }
        var spec = try FormatSpec("")
        spec.fill = fillCharacter
        spec.align = align
        spec.width = max(0, try args.int("width"))
        return try Formatting.pad(try args.text(), spec, defaultAlign: align)
    }
}

extension Arguments {
    /// The receiver of a `str` method.
    func text() throws -> String {
        guard case .string(let text) = receiver else {
            throw DSLError(.type, "\(function.qualifiedName)() needs a str, not \(receiver.typeName)")
        }
        return text
    }
}
