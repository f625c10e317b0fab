/// The extension point for values from other modules (tensors, models, data sets, optimizers, charts, …).
///
/// Wrap a Swift object in a class conforming to `DSLObject` and return it as `Value.object(...)`.
/// Only `dslType` and `description` are required; every other hook has a default that reports the operation
/// as unsupported, so a binding implements just what its type can do. Hooks return nil (or false) for
/// "not supported by me", and throw `DSLError` for "supported, but these operands are wrong".
public protocol DSLObject: AnyObject {
    /// Name, documentation, properties and methods of the type (shared by all instances).
    var dslType: DSLType { get }
    /// What `str(x)` and `print(x)` show.
    var description: String { get }
    /// What the REPL and `repr(x)` show; defaults to `description`.
    var repr: String { get }
    /// A one-line summary for the REPL's `:vars` listing; defaults to the first line of `repr`.
    var summary: String { get }

    /// Attributes that are not declared in `dslType` (e.g. a model's layers by name); nil when absent.
    func attribute(named name: String) throws -> Value?
    /// Names of the dynamic attributes, for completion.
    var dynamicAttributeNames: [String] { get }
    /// Assigns `x.name = value`; returns false when the object has no such settable attribute.
    func setAttribute(named name: String, to value: Value) throws -> Bool

    /// `self op other` (when `objectOnLeft`) or `other op self`; nil when unsupported for these operands.
    /// Comparison operators are included, so `tensor < 0` can return a tensor.
    func binaryOperation(_ op: BinaryOperator, _ other: Value, objectOnLeft: Bool) throws -> Value?
    /// `-self` or `+self`; nil when unsupported.
    func unaryOperation(_ op: UnaryOperator) throws -> Value?
    /// Truthiness for `if x:`; defaults to true. Throw when ambiguous (a tensor with many elements).
    func truthValue() throws -> Bool
    /// `len(x)`; nil when the object has no length.
    func length() throws -> Int?
    /// `x[index]` (index may be an int, a slice or a tuple of those); nil when the object cannot be indexed.
    func item(at index: Value) throws -> Value?
    /// `x[index] = value`; returns false when the object does not support item assignment.
    func setItem(at index: Value, to value: Value) throws -> Bool
    /// `for e in x`; nil when the object is not iterable.
    func makeIterator() throws -> ValueIterator?
    /// `x(...)`: the signature and implementation of calling the object (receiver = the object); nil if not callable.
    var callable: BuiltinFunction? { get }
    /// `f"{x:spec}"` / `format(x, spec)` with a non-empty spec; nil when the spec is not supported.
    func formatted(spec: String) throws -> String?
    /// The shape shown by the REPL's `:vars` (a tensor's dimensions); nil when the value has none.
    var shape: [Int]? { get }
    /// Bytes of tensor data the value holds, for `:vars`; nil when it holds none.
    var memoryBytes: Int? { get }
}

/// The defaults: every hook reports "not supported", so a binding implements only what its type can do.
extension DSLObject {
    /// Defaults to `description`.
    public var repr: String { description }
    /// Defaults to the first line of `repr`.
    public var summary: String { String(repr.split(separator: "\n", omittingEmptySubsequences: false).first ?? "") }
    /// Defaults to no dynamic attributes.
    public func attribute(named name: String) throws -> Value? { nil }
    /// Defaults to no dynamic attributes.
    public var dynamicAttributeNames: [String] { [] }
    /// Defaults to "no settable attribute".
    public func setAttribute(named name: String, to value: Value) throws -> Bool { false }
    /// Defaults to "no operators".
    public func binaryOperation(_ op: BinaryOperator, _ other: Value, objectOnLeft: Bool) throws -> Value? { nil }
    /// Defaults to "no unary operators".
    public func unaryOperation(_ op: UnaryOperator) throws -> Value? { nil }
    /// Defaults to true, like any Python object.
    public func truthValue() throws -> Bool { true }
    /// Defaults to "no length".
    public func length() throws -> Int? { nil }
    /// Defaults to "not indexable".
    public func item(at index: Value) throws -> Value? { nil }
    /// Defaults to "no item assignment".
    public func setItem(at index: Value, to value: Value) throws -> Bool { false }
    /// Defaults to "not iterable".
    public func makeIterator() throws -> ValueIterator? { nil }
    /// Defaults to "not callable".
    public var callable: BuiltinFunction? { nil }
    /// Defaults to "no format specs".
    public func formatted(spec: String) throws -> String? { nil }
    public var shape: [Int]? { nil }
    public var memoryBytes: Int? { nil }
}

/// Produces the elements of an iteration one at a time; nil marks the end.
public struct ValueIterator {
    private let produceNext: () throws -> Value?

    /// Wraps a closure that returns the next element, or nil when done.
    public init(_ next: @escaping () throws -> Value?) {
        self.produceNext = next
    }

    /// The next element, or nil when the iteration is over.
    public func next() throws -> Value? {
        try produceNext()
    }
}

/// A lazy iterator as returned by `enumerate`, `zip`, `map`, `filter` and `reversed`; it can be iterated once.
final class IteratorObject: DSLObject {
    /// How deeply iterators may wrap iterators (`z = zip(z)` in a loop). Each level adds Swift stack frames to
    /// every `next()` and to freeing the chain, so an unbounded chain would overflow the stack instead of
    /// giving an error.
    static let maximumNesting = 1000

    let kindName: String
    let iterator: ValueIterator
    /// 1 for an iterator over a plain sequence, one more than its deepest iterator source otherwise.
    let nesting: Int

    /// An iterator reading `sources`; throws a RecursionError when they are already nested too deeply.
    init(_ kindName: String, over sources: [Value], _ iterator: ValueIterator) throws {
        let deepest =
            sources.map { source -> Int in
                if case .object(let object) = source, let inner = object as? IteratorObject { return inner.nesting }
                return 0
            }.max() ?? 0
        guard deepest < Self.maximumNesting else {
            throw DSLError(
                .recursion,
                "\(kindName)() over iterators nested \(Self.maximumNesting) deep: "
                    + "iterators may wrap at most \(Self.maximumNesting) levels; collect the values in a list instead")
        }
        self.kindName = kindName
        self.iterator = iterator
        self.nesting = deepest + 1
    }

    var dslType: DSLType { CoreTypes.iterator }
    var description: String { "<\(kindName) iterator>" }
    func makeIterator() throws -> ValueIterator? { iterator }
}
