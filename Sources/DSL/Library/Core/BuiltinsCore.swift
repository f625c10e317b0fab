/// Printing, inspection and conversion builtins.
enum CoreBuiltins {
    static let group = BuiltinGroup(
        title: "Core",
        functions: [
            BuiltinFunction(
                "print", [.variadic("values"), .keywordOnly("sep", " "), .keywordOnly("end", "\n"), .keywordOnly("flush", false)],
                doc: "Write the values (as str shows them) separated by sep and followed by end."
            ) { args in
                let separator = try args.string("sep")
                let text = try args.variadic("values").map { try $0.text(quoted: false) }.joined(separator: separator) + (try args.string("end"))
                args.interpreter.write(text)
                return .none
            },
            BuiltinFunction("len", [.required("x")], doc: "The number of elements of a list, tuple, dict, range or tensor, or characters of a str.") {
                args in
                .int(try Operations.length(try args.value("x")))
            },
            BuiltinFunction("type", [.required("x")], doc: "The type of x, e.g. type(1) == int.") { args in
                .type(try args.value("x").dslType)
            },
            BuiltinFunction(
                "isinstance", [.required("x"), .required("types")],
                doc: "Whether x is of the given type (or of one of a tuple of types)."
            ) { args in
                let type = try args.value("x").dslType
                let wanted = try args.value("types")
                let candidates: [Value]
                if case .tuple(let items) = wanted { candidates = items } else { candidates = [wanted] }
                return .bool(
                    try candidates.contains { candidate in
                        guard case .type(let other) = candidate else {
                            throw args.typeError("types", expected: "a type or a tuple of types", found: candidate)
                        }
                        return other === type || (other === CoreTypes.int && type === CoreTypes.bool)
                    })
            },
            BuiltinFunction("repr", [.required("x")], doc: "The text the REPL shows for x (strings quoted).") { args in
                .string(try args.value("x").text(quoted: true))
            },
            BuiltinFunction(
                "format", [.required("value"), .optional("spec", "")],
                doc: "Format a value with a format spec, e.g. format(0.5, '.1%') == '50.0%'."
            ) { args in
                .string(try Formatting.format(try args.value("value"), spec: try args.string("spec")))
            },
            BuiltinFunction("callable", [.required("x")], doc: "Whether x can be called.") { args in
                .bool(try args.value("x").isCallable)
            },
            BuiltinFunction("chr", [.required("code")], doc: "The one-character string with the given Unicode code point.") { args in
                let code = try args.int("code")
                guard code >= 0, code <= 0x10FFFF, let scalar = Unicode.Scalar(UInt32(code)) else {
                    throw args.valueError("code", "must be a valid Unicode code point, got \(code)")
                }
                return .string(String(Character(scalar)))
            },
            BuiltinFunction("ord", [.required("c")], doc: "The Unicode code point of a one-character string.") { args in
                let text = try args.string("c")
                guard text.unicodeScalars.count == 1, let scalar = text.unicodeScalars.first else {
                    throw args.valueError("c", "must be a single character, got \(Value.quote(text))")
                }
                return .int(Int(scalar.value))
            },
            CycleCollector.builtin,
        ])
}
