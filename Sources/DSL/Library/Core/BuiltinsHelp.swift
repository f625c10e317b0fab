import Foundation

/// `help()`: documentation of builtins, types, methods and user functions, from the same registry the
/// reference is generated from. On a terminal the text wraps at word boundaries to its width.
enum HelpBuiltins {
    static let group = BuiltinGroup(
        title: "Help",
        functions: [
            BuiltinFunction(
                "help", [.optional("x", .none)],
                doc: """
                    Show the documentation of x (a function, type, method or value, or its name in quotes, in any case); help() lists the builtins by group.
                    In the REPL, fit? and ?fit do the same, as in IPython. Example: help(fit), help('Tensor.mean'), help('conv2d').
                    """
            ) { args in
                var text = try helpText(for: try args.value("x"), wasGiven: try args.wasGiven("x"), interpreter: args.interpreter)
                if ChartTerminal.outputIsTerminal {
                    text = TextWrap.wrap(text, width: ChartTerminal.geometry(environment: ProcessInfo.processInfo.environment).columns)
                }
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
            let names = library.groups.flatMap { $0.functions.map(\.name) + $0.constants.map(\.name) } + library.types.map(\.name)
            // Case is easy to get wrong (`:help Conv2d`): every name spelt with the same letters is shown.
            let sameLetters = Set(names.filter { $0.lowercased() == name.lowercased() }).sorted()
            if !sameLetters.isEmpty {
                return try sameLetters.map { try helpText(for: .string($0), wasGiven: true, interpreter: interpreter) }
                    .joined(separator: "\n\n")
            }
            var message = "no builtin named \(Value.quote(name))"
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

    /// The builtins' names by group, a few lines each (not every signature: that is hundreds of lines), wrapped to
    /// 80 columns; `help(name)` has the details.
    static func overview(_ library: Library) -> String {
        var lines = [
            "Builtins by group, always available without import. help(name) shows one (in the",
            "REPL also name? or ?name); help('Tensor') lists a type's methods;",
            "docs/language.md has them all.",
        ]
        func paragraph(_ title: String, _ names: [String]) {
            guard !names.isEmpty else { return }
            lines.append("")
            lines.append("\(title):")
            lines.append(TextWrap.wrap("  " + names.joined(separator: ", "), width: 80, hangingIndent: 0))
        }
        for group in library.groups {
            paragraph(group.title, group.functions.map(\.name) + group.constants.map(\.name))
        }
        paragraph("Types", library.types.map(\.name))
        return lines.joined(separator: "\n")
    }
}

extension CoreTypes {
    /// Every core type, documented or not, for `help('type.method')` lookups.
    static var all: [DSLType] { documented + [none, slice, function, builtin, method, type, iterator] }
}
