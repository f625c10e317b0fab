/// Methods of `list` and `tuple`.
enum ListMethods {
    static let all: [BuiltinFunction] = [
        BuiltinFunction("append", [.required("x")], doc: "Add x at the end.") { args in
            try args.listReceiver().items.append(try args.value("x"))
            return .none
        },
        BuiltinFunction("extend", [.required("iterable")], doc: "Add the elements of iterable at the end.") { args in
            try args.listReceiver().extend(with: try args.elements("iterable"))
            return .none
        },
        BuiltinFunction("insert", [.required("index"), .required("x")], doc: "Insert x before position index.") { args in
            let list = try args.listReceiver()
            var index = try args.int("index")
            if index < 0 { index += list.items.count }
            list.items.insert(try args.value("x"), at: min(max(index, 0), list.items.count))
            return .none
        },
        BuiltinFunction("pop", [.optional("index", -1)], doc: "Remove and return the element at index (the last by default).") { args in
            let list = try args.listReceiver()
            guard !list.items.isEmpty else { throw DSLError(.index, "pop from an empty list") }
            let position = try Operations.position(try args.value("index"), count: list.items.count, typeName: "pop")
            return list.items.remove(at: position)
        },
        BuiltinFunction("remove", [.required("x")], doc: "Remove the first element equal to x; ValueError if there is none.") { args in
            let list = try args.listReceiver()
            let target = try args.value("x")
            guard let index = try list.items.firstIndex(where: { try Operations.equal($0, target) }) else {
                throw DSLError(.value, "list.remove(x): \(target.repr) is not in the list")
            }
            list.items.remove(at: index)
            return .none
        },
        BuiltinFunction("index", [.required("x")], doc: "The position of the first element equal to x; ValueError if there is none.") { args in
            try index(in: try args.listReceiver().items, args)
        },
        BuiltinFunction("count", [.required("x")], doc: "How many elements equal x.") { args in
            try count(in: try args.listReceiver().items, args)
        },
        BuiltinFunction(
            "sort", [.keywordOnly("key", .none), .keywordOnly("reverse", false)],
            doc: "Sort in place (stable), ordering by key(element) if a key function is given."
        ) { args in
            let list = try args.listReceiver()
            list.items = try Sorting.sorted(
                list.items, key: try args.optionalCallable("key"), reverse: try args.bool("reverse"),
                interpreter: args.interpreter)
            return .none
        },
        BuiltinFunction("reverse", doc: "Reverse the order in place.") { args in
            try args.listReceiver().items.reverse()
            return .none
        },
        BuiltinFunction("copy", doc: "A shallow copy of the list.") { args in
            .list(try args.listReceiver().items)
        },
        BuiltinFunction("clear", doc: "Remove every element.") { args in
            try args.listReceiver().items.removeAll()
            return .none
        },
    ]

    static let tupleMethods: [BuiltinFunction] = [
        BuiltinFunction("index", [.required("x")], doc: "The position of the first element equal to x; ValueError if there is none.") { args in
            try index(in: try args.tupleReceiver(), args)
        },
        BuiltinFunction("count", [.required("x")], doc: "How many elements equal x.") { args in
            try count(in: try args.tupleReceiver(), args)
        },
    ]

    private static func index(in items: [Value], _ args: Arguments) throws -> Value {
        let target = try args.value("x")
        var poll = InterruptPoll()
        guard
            let index = try items.firstIndex(where: {
                try poll.tick()
                return try Operations.equal($0, target)
            })
        else {
            throw DSLError(.value, "\(target.repr) is not in the \(args.receiver.typeName)")
        }
        return .int(index)
    }

    private static func count(in items: [Value], _ args: Arguments) throws -> Value {
        let target = try args.value("x")
        var poll = InterruptPoll()
        return .int(
            try items.filter {
                try poll.tick()
                return try Operations.equal($0, target)
            }.count)
    }
}

extension Arguments {
    func listReceiver() throws -> ListObject {
        guard case .list(let list) = receiver else {
            throw DSLError(.type, "\(function.qualifiedName)() needs a list, not \(receiver.typeName)")
        }
        return list
    }

    func tupleReceiver() throws -> [Value] {
        guard case .tuple(let items) = receiver else {
            throw DSLError(.type, "\(function.qualifiedName)() needs a tuple, not \(receiver.typeName)")
        }
        return items
    }
}

/// Stable sorting with Python's ordering, optional key function and reverse flag.
enum Sorting {
    static func sorted(_ values: [Value], key: Value?, reverse: Bool, interpreter: Interpreter) throws -> [Value] {
        let keys = try key.map { keyFunction in try values.map { try interpreter.call(keyFunction, [$0]) } } ?? values
        var order = Array(values.indices)
        var poll = InterruptPoll(interpreter.interrupt)
        try order.sort { a, b in
            try poll.tick()
            let (first, second) = reverse ? (b, a) : (a, b)
            if try Operations.lessThan(keys[first], keys[second]) { return true }
            if try Operations.lessThan(keys[second], keys[first]) { return false }
            return a < b
        }
        return order.map { values[$0] }
    }
}
