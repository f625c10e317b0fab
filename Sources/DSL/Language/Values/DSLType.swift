/// Describes a type of the language: its name, documentation, constructor, properties and methods.
/// Builtin value types (`int`, `str`, `list`, …) and wrapped objects (`Tensor`, …) are described the same way,
/// so attribute lookup, completion, `help` and the generated reference treat them alike.
public final class DSLType {
    /// The name shown by `type(x)` and in messages, e.g. `list` or `Tensor`.
    public let name: String
    /// One-line description for `help` and the reference.
    public let doc: String
    /// What calling the type does (`int("3")`); nil when the type cannot be called.
    public let constructor: BuiltinFunction?
    /// Read-only or settable attributes, in documentation order.
    public let properties: [DSLProperty]
    /// Methods, in documentation order; each receives its receiver as `Arguments.receiver`.
    public let methods: [BuiltinFunction]
    private let methodsByName: [String: BuiltinFunction]
    private let propertiesByName: [String: DSLProperty]

    /// Creates a type; methods and the constructor are re-owned so their messages read `list.append()` / `int()`.
    public init(
        name: String, doc: String, constructor: BuiltinFunction? = nil,
        properties: [DSLProperty] = [], methods: [BuiltinFunction] = []
    ) {
        self.name = name
        self.doc = doc
        self.constructor = constructor
        self.properties = properties
        self.methods = methods.map { $0.owned(by: name) }
        self.methodsByName = Dictionary(self.methods.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.propertiesByName = Dictionary(properties.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The method called `name`, if the type has one.
    public func method(named name: String) -> BuiltinFunction? { methodsByName[name] }

    /// The property called `name`, if the type has one.
    public func property(named name: String) -> DSLProperty? { propertiesByName[name] }

    /// Property and method names, for completion.
    public var attributeNames: [String] { properties.map(\.name) + methods.map(\.name) }
}

/// An attribute computed from its owner, e.g. `tensor.shape`; settable when `set` is given.
public struct DSLProperty {
    /// The attribute name.
    public let name: String
    /// One-line description.
    public let doc: String
    /// Reads the attribute from the owner value.
    public let get: (Value) throws -> Value
    /// Writes the attribute (owner, new value); nil for read-only attributes.
    public let set: ((Value, Value) throws -> Void)?

    /// Creates a property.
    public init(
        _ name: String, doc: String, get: @escaping (Value) throws -> Value,
        set: ((Value, Value) throws -> Void)? = nil
    ) {
        self.name = name
        self.doc = doc
        self.get = get
        self.set = set
    }
}
