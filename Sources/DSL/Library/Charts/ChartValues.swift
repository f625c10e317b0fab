import Kernel

/// Turns language values into the numbers, names and pictures charts are made of, with errors that name the
/// builtin, the argument and the offending element.
enum ChartValues {
    /// The tensor inside a value, if it is one.
    static func tensor(_ value: Value) -> Tensor? {
        if case .object(let object) = value, let wrapped = object as? TensorObject { return wrapped.tensor }
        return nil
    }

    /// Whether `value` is a sequence of values (list, tuple, range, or a tensor with at least one dimension).
    static func isSequence(_ value: Value) -> Bool {
        switch value {
        case .list, .tuple, .range: return true
        default: return tensor(value).map { $0.rank >= 1 } ?? false
        }
    }

    /// One number: an int, float or bool, a one-element tensor, or None (a gap, NaN). Infinities become gaps too.
    static func number(_ value: Value) -> Double? {
        if let number = value.numericValue { return number.isFinite ? number : .nan }
        if case .none = value { return .nan }
        if let tensor = tensor(value), tensor.count == 1, let first = tensor.data.first {
            return first.isFinite ? Double(first) : .nan
        }
        return nil
    }

    /// Bytes one value of a chart takes on its way to gnuplot: a Double, then its text in the data block.
    static let bytesPerValue = 32

    /// Refuses a chart of `count` values (`cells` of a heat map) beyond the memory limit with a `MemoryError`,
    /// before their numbers and text are built.
    static func checkSize(_ count: Int, _ args: Arguments, _ name: String, unit: String = "values") throws {
        try ContainerLimit.check(
            copies: count, of: bytesPerValue, text: true,
            of: "\(args.function.name)(): the chart of \(name)'s \(count) \(unit)")
    }

    /// The numbers of a one-dimensional sequence (list, tuple, range or 1-D tensor).
    static func numbers(_ value: Value, _ args: Arguments, _ name: String) throws -> [Double] {
        if let tensor = tensor(value) {
            guard tensor.rank == 1 else {
                throw args.valueError(name, "must be one-dimensional, got a tensor of shape \(shapeText(tensor.shape))")
            }
            try checkSize(tensor.count, args, name)
            return tensor.data.map { $0.isFinite ? Double($0) : .nan }
        }
        if case .range(let range) = value { try checkSize(Int(clamping: range.count), args, name) }
        guard isSequence(value) else { throw args.typeError(name, expected: "a list or a tensor of numbers", found: value) }
        return try value.elements().enumerated().map { position, element in
            guard let number = number(element) else {
                throw args.typeError(name, expected: "numbers", found: element).adding(" (at position \(position))")
            }
            return number
        }
    }

    /// One or more series: a sequence of numbers is one series; a sequence of sequences, a 2-D tensor (one row a
    /// series) or a dict of name → sequence gives several. Names come from the dict's keys, else are empty.
    static func series(_ value: Value, _ args: Arguments, _ name: String) throws -> [(name: String, values: [Double])] {
        if case .dict(let dict) = value {
            guard !dict.entries.isEmpty else { throw args.valueError(name, "is an empty dict: nothing to plot") }
            return try dict.entries.map { entry in
                guard case .string(let key) = entry.key else {
                    throw args.typeError(name, expected: "a dict with str keys (the series names)", found: entry.key)
                }
                return (key, try numbers(entry.value, args, name))
            }
        }
        if let tensor = tensor(value), tensor.rank == 2 {
            // Rows count too: a [10**12, 0] tensor has no values but would make 10**12 empty series.
            try checkSize(Swift.max(tensor.count, tensor.shape[0]), args, name)
            var poll = InterruptPoll()
            return try (0..<tensor.shape[0]).map { row in
                try poll.tick()
                return ("", try numbers(.object(TensorObject(try tensor.select(axis: 0, index: row))), args, name))
            }
        }
        guard isSequence(value) else {
            throw args.typeError(name, expected: "a list, tensor or dict of numbers", found: value)
        }
        let elements = try value.elements()
        guard !elements.isEmpty else { throw args.valueError(name, "is empty: nothing to plot") }
        if tensor(value) == nil, elements.allSatisfy(isSequence) {
            return try elements.map { ("", try numbers($0, args, name)) }
        }
        return [("", try numbers(value, args, name))]
    }

    /// A list of strings (or a single string, for one item).
    static func strings(_ value: Value, _ args: Arguments, _ name: String) throws -> [String] {
        if case .string(let text) = value { return [text] }
        guard isSequence(value) else { throw args.typeError(name, expected: "a list of str", found: value) }
        return try value.elements().map { element in
            guard case .string(let text) = element else { throw args.typeError(name, expected: "a list of str", found: element) }
            return text
        }
    }

    /// `[2, 3]`, as shapes are written in messages.
    static func shapeText(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }
}

fileprivate extension DSLError {
    /// The same error with `detail` appended to its message.
    func adding(_ detail: String) -> DSLError {
        DSLError(kind, message + detail, at: location)
    }
}
