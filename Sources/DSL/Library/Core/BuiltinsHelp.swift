/// `help()`: documentation of builtins, types, methods and user functions, from the same registry the
/// reference is generated from.
enum HelpBuiltins {
    static let group = BuiltinGroup(
        title: "Help",
        functions: [
            BuiltinFunction(
                "help", [.optional("x", .none)],
                doc: "Show the documentation of x (a function, type, method or value, or its name in quotes); help() lists every builtin."
            ) { args in
                let text = try helpText(for: try args.value("x"), wasGiven: try args.wasGiven("x"), interpreter: args.interpreter)
                args.interpreter.write(text + "\n")
                return .none
            }
        ])

    static func helpText(for value: Value, wasGiven: Bool, interpreter: Interpreter) throws -> String {
        let library = interpreter.library
        switch value {
        case .none where !wasGiven:
            return overview(library)
        case .builtin(let function):
            return describe(function)
        case .method(let method):
            return describe(method.function)
        case .type(let type):
            return describe(type)
        case .function(let function):
            return function.signature + "\n    " + (function.doc ?? "(no docstring)")
        case .string(let name):
            if let function = library.function(named: name) { return describe(function) }
            if let type = library.type(named: name) { return describe(type) }
            if let constant = library.constant(named: name) { return "\(constant.name) = \(constant.value.repr)\n    \(constant.doc)" }
            if let global = interpreter.global(name) {
                // A global holding a string is explained by its type (its text is not looked up again).
                if case .string = global { return describe(global.dslType) }
                return try helpText(for: global, wasGiven: true, interpreter: interpreter)
            }
            let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
            if parts.count == 2, let type = library.type(named: parts[0]) ?? CoreTypes.all.first(where: { $0.name == parts[0] }),
                let method = type.method(named: parts[1])
            {
                return describe(method)
            }
            var message = "no builtin named \(Value.quote(name))"
            let names = library.groups.flatMap { $0.functions.map(\.name) + $0.constants.map(\.name) } + library.types.map(\.name)
            if let suggestion = Suggestions.closest(to: name, among: names) { message += " (did you mean '\(suggestion)'?)" }
            throw DSLError(.name, message)
        default:
            return describe(value.dslType)
        }
    }

    static func describe(_ function: BuiltinFunction) -> String {
        function.signature + "\n    " + function.doc.replacingOccurrences(of: "\n", with: "\n    ")
    }

    static func describe(_ type: DSLType) -> String {
        var lines = ["class \(type.name)", "    \(type.doc)"]
        if let constructor = type.constructor {
            lines.append("")
            lines.append("\(constructor.signature)")
            lines.append("    \(constructor.doc)")
        }
        if !type.properties.isEmpty {
            lines.append("")
            lines.append("Attributes:")
            for property in type.properties { lines.append("  .\(property.name)  \(property.doc)") }
        }
        if !type.methods.isEmpty {
            lines.append("")
            lines.append("Methods:")
            for method in type.methods { lines.append("  .\(method.name)(\(Parameter.render(method.parameters)))  \(method.summary)") }
        }
        return lines.joined(separator: "\n")
    }

    static func overview(_ library: Library) -> String {
        var lines = ["Builtins (help(name) shows details; every name is available without import):"]
        for group in library.groups {
            lines.append("")
            lines.append("\(group.title):")
            for function in group.functions { lines.append("  \(function.signature)  \(function.summary)") }
            for constant in group.constants { lines.append("  \(constant.name)  \(constant.doc)") }
        }
        lines.append("")
        lines.append("Types (help(type) lists methods):")
        for type in library.types {
            lines.append("  \(type.constructor?.signature ?? type.name)  \(type.doc)")
        }
        return lines.joined(separator: "\n")
    }
}

extension CoreTypes {
    /// Every core type, documented or not, for `help('type.method')` lookups.
    static var all: [DSLType] { documented + [none, slice, function, builtin, method, type, iterator] }
}
