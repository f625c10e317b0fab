extension Value {
    /// An iterator over the value: list and tuple elements, string characters, dict keys, range numbers,
    /// or whatever an iterable object produces. Lists are read live, so appending while looping is seen.
    public func makeIterator() throws -> ValueIterator {
        switch self {
        case .list(let list):
            var index = 0
            return ValueIterator {
                guard index < list.items.count else { return nil }
                defer { index += 1 }
                return list.items[index]
            }
        case .tuple(let items):
            return Value.iterate(items)
        case .string(let text):
            var iterator = text.makeIterator()
            return ValueIterator { iterator.next().map { .string(String($0)) } }
        case .dict(let dict):
            return Value.iterate(dict.keys)
        case .range(let range):
            var index = 0
            let count = range.count
            return ValueIterator {
                guard index < count else { return nil }
                defer { index += 1 }
                return .int(range.element(at: index))
            }
        case .object(let object):
            if let iterator = try object.makeIterator() { return iterator }
        default:
            break
        }
        throw DSLError(.type, "'\(typeName)' object is not iterable")
    }

    /// All elements of an iterable value, collected into an array.
    public func elements() throws -> [Value] {
        switch self {
        case .list(let list): return list.items
        case .tuple(let items): return items
        case .dict(let dict): return dict.keys
        case .range(let range):
            guard range.count <= Operations.maximumRepetitionLength else {
                throw DSLError(.value, "\(repr) is too large to turn into a list (\(range.count) elements)")
            }
            return (0..<range.count).map { .int(range.element(at: $0)) }
        default:
            let iterator = try makeIterator()
            var result: [Value] = []
            while let element = try iterator.next() { result.append(element) }
            return result
        }
    }

    private static func iterate(_ items: [Value]) -> ValueIterator {
        var index = 0
        return ValueIterator {
            guard index < items.count else { return nil }
            defer { index += 1 }
            return items[index]
        }
    }
}
