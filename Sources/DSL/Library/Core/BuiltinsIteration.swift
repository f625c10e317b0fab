/// Builtins that consume or produce sequences. Those that consume an iterable poll the interrupt flag as they
/// go (`InterruptPoll`), so `sum(range(10**18))` or `max(map(f, loader))` stop on Ctrl-C.
enum IterationBuiltins {
    static let group = BuiltinGroup(
        title: "Sequences",
        functions: [
            BuiltinFunction(
                "enumerate", [.required("iterable"), .optional("start", 0)],
                doc: "Pairs (index, element) for each element, counting from start."
            ) { args in
                let iterator = try iterator(args, "iterable")
                var index = try args.int("start")
                return .object(
                    try IteratorObject(
                        "enumerate", over: [try args.value("iterable")],
                        ValueIterator {
                            guard let element = try iterator.next() else { return nil }
                            defer { index &+= 1 }
                            return .tuple([.int(index), element])
                        }))
            },
            BuiltinFunction(
                "zip", [.variadic("iterables"), .keywordOnly("strict", false)],
                doc: "Tuples of the i-th elements of each iterable; stops at the shortest (strict=True: lengths must match)."
            ) { args in
                let iterators = try args.variadic("iterables").map { try $0.makeIterator() }
                let strict = try args.bool("strict")
                return .object(
                    try IteratorObject(
                        "zip", over: try args.variadic("iterables"),
                        ValueIterator {
                            guard !iterators.isEmpty else { return nil }
                            var row: [Value] = []
                            for (index, iterator) in iterators.enumerated() {
                                if let element = try iterator.next() {
                                    row.append(element)
                                } else {
                                    if strict {
                                        var mismatch = index > 0
                                        for other in iterators.dropFirst() where !mismatch {
                                            if try other.next() != nil { mismatch = true }
                                        }
                                        if mismatch { throw DSLError(.value, "zip(strict=True): the iterables have different lengths") }
                                    }
                                    return nil
                                }
                            }
                            return .tuple(row)
                        }))
            },
            BuiltinFunction(
                "map", [.required("function"), .required("iterable")],
                doc: "function(element) for each element, computed lazily."
            ) { args in
                let function = try args.value("function")
                guard function.isCallable else { throw args.typeError("function", expected: "a function", found: function) }
                let iterator = try iterator(args, "iterable")
                let interpreter = args.interpreter
                return .object(
                    try IteratorObject(
                        "map", over: [try args.value("iterable")],
                        ValueIterator {
                            try iterator.next().map { try interpreter.call(function, [$0]) }
                        }))
            },
            BuiltinFunction(
                "filter", [.required("function"), .required("iterable")],
                doc: "The elements for which function(element) is true (with None: the true elements), lazily."
            ) { args in
                let function = try args.optionalCallable("function")
                let iterator = try iterator(args, "iterable")
                let interpreter = args.interpreter
                var poll = InterruptPoll(interpreter.interrupt)
                return .object(
                    try IteratorObject(
                        "filter", over: [try args.value("iterable")],
                        ValueIterator {
                            while let element = try iterator.next() {
                                try poll.tick()
                                let keep = try function.map { try interpreter.call($0, [element]) } ?? element
                                if try Operations.truthy(keep) { return element }
                            }
                            return nil
                        }))
            },
            BuiltinFunction("reversed", [.required("sequence")], doc: "The elements in reverse order, lazily.") { args in
                var remaining = try args.elements("sequence")
                return .object(try IteratorObject("reversed", over: [], ValueIterator { remaining.popLast() }))
            },
            BuiltinFunction(
                "sorted", [.required("iterable"), .keywordOnly("key", .none), .keywordOnly("reverse", false)],
                doc: "A new sorted list (stable), ordered by key(element) if a key function is given."
            ) { args in
                .list(
                    try Sorting.sorted(
                        try args.elements("iterable"), key: try args.optionalCallable("key"),
                        reverse: try args.bool("reverse"), interpreter: args.interpreter))
            },
            BuiltinFunction(
                "min", [.variadic("values"), .keywordOnly("key", .none), .keywordOnly("default", .none)],
                doc: "The smallest of the values, or of the elements of a single iterable argument."
            ) { args in
                try extreme(args, largest: false)
            },
            BuiltinFunction(
                "max", [.variadic("values"), .keywordOnly("key", .none), .keywordOnly("default", .none)],
                doc: "The largest of the values, or of the elements of a single iterable argument."
            ) { args in
                try extreme(args, largest: true)
            },
            BuiltinFunction(
                "sum", [.required("iterable"), .optional("start", 0)],
                doc: "start plus all elements, added with + (works for numbers and tensors)."
            ) { args in
                let iterator = try iterator(args, "iterable")
                var total = try args.value("start")
                var poll = InterruptPoll(args.interpreter.interrupt)
                while let element = try iterator.next() {
                    try poll.tick()
                    total = try Operations.binary(.add, total, element)
                }
                return total
            },
            BuiltinFunction("any", [.required("iterable")], doc: "Whether some element is true.") { args in
                let iterator = try iterator(args, "iterable")
                var poll = InterruptPoll(args.interpreter.interrupt)
                while let element = try iterator.next() {
                    try poll.tick()
                    if try Operations.truthy(element) { return .bool(true) }
                }
                return .bool(false)
            },
            BuiltinFunction("all", [.required("iterable")], doc: "Whether every element is true (True when empty).") { args in
                let iterator = try iterator(args, "iterable")
                var poll = InterruptPoll(args.interpreter.interrupt)
                while let element = try iterator.next() {
                    try poll.tick()
                    if !(try Operations.truthy(element)) { return .bool(false) }
                }
                return .bool(true)
            },
            BuiltinFunction(
                "iter", [.required("iterable")],
                doc:
                    "An iterator over iterable (a list, range, dict, DataLoader, …), read one element at a time with next(). Example: images, labels = next(iter(loader))."
            ) { args in
                let value = try args.value("iterable")
                if case .object(let object) = value, object is IteratorObject { return value }
                return .object(try IteratorObject("iter", over: [value], try iterator(args, "iterable")))
            },
            BuiltinFunction(
                "next", [.required("iterator"), .optional("default", .none)],
                doc: "The iterator's next element; at the end default when given, else a StopIteration error. Example: next(iter([1, 2])) is 1."
            ) { args in
                let value = try args.value("iterator")
                guard case .object(let object) = value, let iterator = object as? IteratorObject else {
                    throw args.typeError("iterator", expected: "an iterator (next(iter(x)) reads the first element of x)", found: value)
                }
                if let element = try iterator.iterator.next() { return element }
                if try args.wasGiven("default") { return try args.value("default") }
                throw DSLError(.stopIteration, "the \(iterator.kindName) iterator is exhausted (next(it, default) returns default instead)")
            },
        ])

    private static func iterator(_ args: Arguments, _ name: String) throws -> ValueIterator {
        let value = try args.value(name)
        do {
            return try value.makeIterator()
        } catch let error as DSLError where error.kind == .type && error.location == nil {
            throw args.typeError(name, expected: "an iterable", found: value)
        }
    }

    /// `min`/`max`: over the arguments, or streamed over the elements of a single iterable argument (so
    /// `max(range(10**9))` needs no list of a billion numbers and stops on Ctrl-C).
    private static func extreme(_ args: Arguments, largest: Bool) throws -> Value {
        let values = try args.variadic("values")
        guard !values.isEmpty else {
            throw DSLError(.type, "\(args.function.name)() expects at least one argument")
        }
        let elements: ValueIterator
        if values.count == 1 {
            elements = try values[0].makeIterator()
        } else if try args.wasGiven("default") {
            throw DSLError(.type, "\(args.function.name)() accepts default= only with a single iterable argument")
        } else {
            var remaining = values[...]
            elements = ValueIterator { remaining.popFirst() }
        }
        let key = try args.optionalCallable("key")
        var poll = InterruptPoll(args.interpreter.interrupt)
        var best: (value: Value, key: Value)?
        while let value = try elements.next() {
            try poll.tick()
            let candidateKey = try key.map { try args.call($0, [value]) } ?? value
            guard let current = best else {
                best = (value, candidateKey)
                continue
            }
            let better = largest ? try Operations.lessThan(current.key, candidateKey) : try Operations.lessThan(candidateKey, current.key)
            if better { best = (value, candidateKey) }
        }
        if let best { return best.value }
        if try args.wasGiven("default") { return try args.value("default") }
        throw DSLError(.value, "\(args.function.name)() of an empty sequence (pass default= to allow it)")
    }
}
