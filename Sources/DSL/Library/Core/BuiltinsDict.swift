/// Methods of `dict`.
enum DictMethods {
    static let all: [BuiltinFunction] = [
        BuiltinFunction("keys", doc: "The list of keys, in insertion order.") { args in
            .list(try args.dictReceiver().keys)
        },
        BuiltinFunction("values", doc: "The list of values, in insertion order.") { args in
            .list(try args.dictReceiver().values)
        },
        BuiltinFunction("items", doc: "The list of (key, value) pairs, in insertion order.") { args in
            .list(try args.dictReceiver().entries.map { .tuple([$0.key, $0.value]) })
        },
        BuiltinFunction(
            "get", [.required("key"), .optional("default", .none)],
            doc: "The value for key, or default when the key is absent."
        ) { args in
            try args.dictReceiver().get(try args.value("key")) ?? (try args.value("default"))
        },
        BuiltinFunction(
            "pop", [.required("key"), .optional("default", .none)],
            doc: "Remove key and return its value; without a default, KeyError if absent."
        ) { args in
            let key = try args.value("key")
            if let value = try args.dictReceiver().remove(key) { return value }
            if try args.wasGiven("default") { return try args.value("default") }
            throw DSLError(.key, key.repr)
        },
        BuiltinFunction(
            "setdefault", [.required("key"), .optional("default", .none)],
            doc: "The value for key; if absent, first store default under key."
        ) { args in
            let dict = try args.dictReceiver()
            let key = try args.value("key")
            if let value = try dict.get(key) { return value }
            let value = try args.value("default")
            try dict.set(key, value)
            return value
        },
        BuiltinFunction(
            "update", [.optional("other", .none), .keywords("entries")],
            doc: "Store every entry of other (a dict or (key, value) pairs) and the keyword entries."
        ) { args in
            let dict = try args.dictReceiver()
            let other = try args.value("other")
            if case .dict(let source) = other {
                for (key, value) in source.entries { try dict.set(key, value) }
            } else if case .none = other {
            } else {
                for pair in try args.elements("other") {
                    let items = try pair.elements()
                    guard items.count == 2 else { throw DSLError(.value, "dict.update() needs (key, value) pairs, not \(pair.repr)") }
                    try dict.set(items[0], items[1])
                }
            }
            for (name, value) in try args.keywords("entries") { try dict.set(.string(name), value) }
            return .none
        },
        BuiltinFunction("copy", doc: "A shallow copy of the dict.") { args in
            .dict(try DictObject(try args.dictReceiver().entries.map { ($0.key, $0.value) }))
        },
        BuiltinFunction("clear", doc: "Remove every entry.") { args in
            try args.dictReceiver().removeAll()
            return .none
        },
    ]
}

extension Arguments {
    func dictReceiver() throws -> DictObject {
        guard case .dict(let dict) = receiver else {
            throw DSLError(.type, "\(function.qualifiedName)() needs a dict, not \(receiver.typeName)")
        }
        return dict
    }
}
