/// A mutable dictionary that remembers insertion order, shared by every value that refers to it.
/// Keys must be hashable: None, bools, numbers, strings, tuples of those, types, functions and objects (by identity).
/// Equal numbers are the same key, as in Python: `d[1]` and `d[1.0]` and `d[True]` find the same entry.
public final class DictObject {
    private(set) var keys: [Value] = []
    private(set) var values: [Value] = []
    private var positions: [DictKey: Int] = [:]

    /// Creates an empty dictionary.
    public init() {}

    /// Creates a dictionary from key/value pairs; later pairs overwrite earlier ones.
    public init(_ pairs: [(Value, Value)]) throws {
        for (key, value) in pairs { try set(key, value) }
    }

    /// Number of entries.
    public var count: Int { keys.count }

    /// The entries in insertion order.
    public var entries: [(key: Value, value: Value)] { Array(zip(keys, values)).map { (key: $0.0, value: $0.1) } }

    /// The value stored under `key`, or nil.
    public func get(_ key: Value) throws -> Value? {
        guard let position = positions[try DictKey(key)] else { return nil }
        return values[position]
    }

    /// Stores `value` under `key`, keeping the original position when the key exists.
    public func set(_ key: Value, _ value: Value) throws {
        let hashKey = try DictKey(key)
        if let position = positions[hashKey] {
            values[position] = value
        } else {
            positions[hashKey] = keys.count
            keys.append(key)
            values.append(value)
        }
    }

    /// Removes the entry for `key` and returns its value, or nil when there was none.
    @discardableResult
    public func remove(_ key: Value) throws -> Value? {
        let hashKey = try DictKey(key)
        guard let position = positions.removeValue(forKey: hashKey) else { return nil }
        keys.remove(at: position)
        let value = values.remove(at: position)
        for (otherKey, otherPosition) in positions where otherPosition > position {
            positions[otherKey] = otherPosition - 1
        }
        return value
    }

    /// Removes every entry.
    public func removeAll() {
        keys.removeAll()
        values.removeAll()
        positions.removeAll()
    }

    /// Replaces the key of entry `position` and returns the old one, for `CycleCollector`, which takes references
    /// out while it looks for cycles and puts the same key back (so the hash positions stay valid meanwhile).
    func exchangeKey(at position: Int, with key: Value) -> Value {
        defer { keys[position] = key }
        return keys[position]
    }

    /// Replaces the value of entry `position` and returns the old one (for `CycleCollector`, as `exchangeKey`).
    func exchangeValue(at position: Int, with value: Value) -> Value {
        defer { values[position] = value }
        return values[position]
    }

    /// Removes every entry and returns the keys and values (for `ContainerTeardown`).
    func takeContents() -> [Value] {
        let contents = keys + values
        removeAll()
        return contents
    }

    deinit {
        var contents = keys + values
        keys = []
        values = []
        ContainerTeardown.release(&contents)
    }
}

/// The hashable identity of a dictionary key.
enum DictKey: Hashable {
    case none
    case integer(Int)
    case float(Double)
    case string(String)
    case tuple([DictKey])
    case reference(ObjectIdentifier)

    /// Deepest nesting of tuples accepted in a key: hashing, comparing and freeing a key recurse through it.
    static let maximumDepth = 1000

    init(_ value: Value, depth: Int = 0) throws {
        switch value {
        case .none: self = .none
        case .bool(let flag): self = .integer(flag ? 1 : 0)
        case .int(let number): self = .integer(number)
        case .float(let number):
            if number == number.rounded(), let exact = Int(exactly: number) { self = .integer(exact) } else { self = .float(number) }
        case .string(let text): self = .string(text)
        case .tuple(let items):
            guard depth < DictKey.maximumDepth else {
                throw DSLError(.recursion, "a dict key cannot nest tuples more than \(DictKey.maximumDepth) levels deep")
            }
            self = .tuple(try items.map { try DictKey($0, depth: depth + 1) })
        case .type(let type): self = .reference(ObjectIdentifier(type))
        case .function(let function): self = .reference(ObjectIdentifier(function))
        case .builtin(let function): self = .reference(ObjectIdentifier(function))
        case .object(let object): self = .reference(ObjectIdentifier(object))
        case .list, .dict, .range, .slice, .method:
            throw DSLError(.type, "unhashable type: '\(value.typeName)' cannot be a dict key")
        }
    }
}
