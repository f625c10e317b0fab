/// A value of the language. Mutable containers (`list`, `dict`) are shared references, as in Python;
/// everything from other modules (tensors, models, charts, …) is wrapped as `.object` (see `DSLObject`).
public enum Value {
    case none
    case bool(Bool)
    /// 64-bit integer; arithmetic that overflows raises `OverflowError` instead of trapping.
    case int(Int)
    case float(Double)
    case string(String)
    case list(ListObject)
    case tuple([Value])
    case dict(DictObject)
    /// `range(start, stop, step)`, iterated lazily. Boxed: its 128-bit bounds would otherwise make every value
    /// (and so every list element) larger.
    indirect case range(RangeValue)
    /// `start:stop:step` as used inside `[...]`.
    case slice(SliceValue)
    /// A function defined with `def` or `lambda`.
    case function(Function)
    /// A function implemented in Swift.
    case builtin(BuiltinFunction)
    /// A builtin method bound to its receiver, e.g. `xs.append`.
    case method(BoundMethod)
    /// A type such as `int` or `list`; calling it converts or constructs.
    case type(DSLType)
    /// A wrapped object from another module.
    case object(DSLObject)

    /// A new list holding `items`.
    public static func list(_ items: [Value]) -> Value { .list(ListObject(items)) }
}

/// A mutable list shared by every value that refers to it.
public final class ListObject {
    /// The elements, in order.
    public var items: [Value]

    /// Creates a list holding `items`.
    public init(_ items: [Value] = []) {
        self.items = items
    }

    /// Appends `added` (`xs.extend(ys)`, `xs += ys`); refused at the memory limit, since extending a list by
    /// itself in a loop doubles it every time.
    public func extend(with added: [Value]) throws {
        try ContainerLimit.check(elements: items.count + added.count, of: "the extended list")
        items += added
    }

    deinit {
        ContainerTeardown.release(&items)
    }
}

/// Frees nested containers one level at a time. Releasing a list that holds the last reference to another
/// list frees that one from inside the first one's deinit, and so on: a chain of millions of nested lists
/// (`for i in range(10**7): x = [x]`) would overflow the stack. Instead, the deinit of a list or dict moves
/// the contents of children it alone holds into a work list and empties them before they go. Tuples have no
/// deinit of their own, so the places that drop values for good (a list's deinit, a variable overwritten or
/// deleted, a scope ending: see `Variables`) hand them to `release` as well. Functions count as containers
/// too: they hold their default values and their closure scope (`f = lambda v=f: v` in a loop, or a lambda
/// returned from a call over the previous one), and a bound method holds its receiver.
enum ContainerTeardown {
    /// Empties `items`, taking apart the nested lists, dicts, tuples, functions and bound methods only it refers
    /// to. Containers that are shared elsewhere are left whole (dropping a shared reference frees nothing), so the
    /// work is proportional to what is actually freed.
    static func release(_ items: inout [Value]) {
        guard items.contains(where: { $0.isContainer }) else { return }
        var pending: [Value] = []
        swap(&pending, &items)
        while !pending.isEmpty {
            var value = pending.removeLast()
            // Each container is moved out of `value` so that this loop holds exactly one reference to it and
            // the uniqueness test sees only the outside world. One that is still shared may be kept alive only by
            // a cycle: it is remembered for the next cycle collection.
            if var list = value.takeList() {
                guard isKnownUniquelyReferenced(&list) else {
                    CycleSuspects.current?.note(list)
                    continue
                }
                var children: [Value] = []
                swap(&children, &list.items)
                pending += children.filter { $0.isContainer }
            } else if var dict = value.takeDict() {
                guard isKnownUniquelyReferenced(&dict) else {
                    CycleSuspects.current?.note(dict)
                    continue
                }
                pending += dict.takeContents().filter { $0.isContainer }
            } else if var children = value.takeTuple() {
                guard !children.isEmpty, isUniquelyReferenced(&children) else { continue }
                pending += children.filter { $0.isContainer }
            } else if var function = value.takeFunction() {
                guard isKnownUniquelyReferenced(&function) else {
                    CycleSuspects.current?.note(function)
                    continue
                }
                pending += function.takeHeldValues().filter { $0.isContainer }
            } else if var method = value.takeMethod() {
                guard isKnownUniquelyReferenced(&method) else {
                    CycleSuspects.current?.note(method)
                    continue
                }
                pending += [method.takeReceiver()].filter { $0.isContainer }
            }
        }
    }

    /// Whether this is the only reference to the storage of `items` (so dropping it frees the elements' references).
    /// Arrays have no public uniqueness test; their storage is a single native object, tested directly.
    private static func isUniquelyReferenced(_ items: inout [Value]) -> Bool {
        var storage = unsafeBitCast(items, to: AnyObject.self)
        // Hand the reference over to `storage` (and back afterwards), so `items` does not count as a second owner.
        items = []
        defer { items = unsafeBitCast(storage, to: [Value].self) }
        return isKnownUniquelyReferenced(&storage)
    }
}

extension Value {
    /// The list this value is, leaving `.none` in its place.
    fileprivate mutating func takeList() -> ListObject? {
        guard case .list(let list) = self else { return nil }
        self = .none
        return list
    }

    /// The elements of the tuple this value is, leaving `.none` in its place.
    fileprivate mutating func takeTuple() -> [Value]? {
        guard case .tuple(let items) = self else { return nil }
        self = .none
        return items
    }

    /// The dict this value is, leaving `.none` in its place.
    fileprivate mutating func takeDict() -> DictObject? {
        guard case .dict(let dict) = self else { return nil }
        self = .none
        return dict
    }

    /// The function this value is, leaving `.none` in its place.
    fileprivate mutating func takeFunction() -> Function? {
        guard case .function(let function) = self else { return nil }
        self = .none
        return function
    }

    /// The bound method this value is, leaving `.none` in its place.
    fileprivate mutating func takeMethod() -> BoundMethod? {
        guard case .method(let method) = self else { return nil }
        self = .none
        return method
    }

    /// Whether the value can hold other values whose release could recurse: lists, dicts and tuples, functions
    /// (through their defaults and closure scope) and bound methods (through their receiver).
    var isContainer: Bool {
        switch self {
        case .list, .dict, .tuple, .function, .method: return true
        default: return false
        }
    }
}

/// A lazily iterated arithmetic progression, as produced by `range`.
///
/// The bounds are kept in 128 bits so that the length, the elements, membership and slices are exact for every
/// range of 64-bit integers: `range(-2**63, 2**63 - 1)` has 2**64 - 1 elements, and slicing a range can give
/// bounds and steps one step past the 64-bit range (`range(-2**63, 0)[::-1]` stops at -2**63 - 1), as in Python.
public struct RangeValue {
    /// The first element (when the range is not empty).
    public let start: Int128
    /// The bound the elements stop before.
    public let stop: Int128
    /// The difference between consecutive elements (never zero).
    public let step: Int128

    /// The range `start..<stop` by `step`, as `range(start, stop, step)` builds it.
    public init(start: Int, stop: Int, step: Int) {
        self.init(exactStart: Int128(start), stop: Int128(stop), step: Int128(step))
    }

    private init(exactStart start: Int128, stop: Int128, step: Int128) {
        self.start = start
        self.stop = stop
        self.step = step
    }

    /// Number of elements (zero when the progression is empty). Exact: a range of 64-bit bounds has at most
    /// 2**64 elements, and a slice never has more than the range it was taken from.
    public var count: Int128 {
        guard (step > 0 && start < stop) || (step < 0 && start > stop) else { return 0 }
        // Division truncates toward zero, so one formula serves both directions.
        return (stop - start + (step > 0 ? -1 : 1)) / step + 1
    }

    /// `len()`: the count, or an `OverflowError` beyond the largest `int` (as Python's `len` raises).
    public func length() throws -> Int {
        guard let length = Int(exactly: count) else {
            throw DSLError(.overflow, "range has \(count) elements, more than len() can return (at most \(Int.max))")
        }
        return length
    }

    /// The element at position `index` (0-based, in `0..<count`). Every element lies between the bounds of the
    /// `range(...)` call the range comes from, so it is an `int`; the check only guards that invariant.
    public func element(at index: Int128) throws -> Int {
        let (product, productOverflow) = index.multipliedReportingOverflow(by: step)
        let (sum, sumOverflow) = start.addingReportingOverflow(product)
        guard !productOverflow, !sumOverflow, let element = Int(exactly: sum) else {
            throw DSLError(.overflow, "range element \(index) does not fit in an int")
        }
        return element
    }

    /// The position of `number` in the range, or nil when it is not an element.
    public func position(of number: Int) -> Int128? {
        let offset = Int128(number) - start
        guard offset % step == 0 else { return nil }
        let index = offset / step
        return index >= 0 && index < count ? index : nil
    }

    /// The range `self[slice]`, computed from the bounds alone (as Python does), so slicing `range(10**18)`
    /// takes no time and no memory.
    public func slice(_ slice: SliceValue) throws -> RangeValue {
        let (first, end, sliceStep) = try slice.indices(exactLength: count)
        func exact(_ result: (partialValue: Int128, overflow: Bool)) throws -> Int128 {
            // Slices of slices multiply their steps; beyond this bound a later subtraction of two bounds could
            // overflow 128 bits, and no such range has more than one element anyway.
            guard !result.overflow, result.partialValue.magnitude < RangeValue.largestBound else {
                throw DSLError(.overflow, "a slice of \(self.description) would have a bound or step beyond 2**120")
            }
            return result.partialValue
        }
        let newStart = try exact(start.addingReportingOverflow(try exact(first.multipliedReportingOverflow(by: step))))
        let newStop = try exact(start.addingReportingOverflow(try exact(end.multipliedReportingOverflow(by: step))))
        return RangeValue(exactStart: newStart, stop: newStop, step: try exact(step.multipliedReportingOverflow(by: Int128(sliceStep))))
    }

    /// Bounds and steps stay below 2**120 in magnitude, so their sums and differences fit in 128 bits.
    private static let largestBound = UInt128(1) << 120

    /// `range(start, stop)` or `range(start, stop, step)`, as Python shows it.
    public var description: String {
        step == 1 ? "range(\(start), \(stop))" : "range(\(start), \(stop), \(step))"
    }
}

/// A slice `start:stop:step`; nil parts are omitted in the source.
public struct SliceValue {
    /// Where the slice starts (negative counts from the end); nil for the default.
    public let start: Int?
    /// Where the slice stops, exclusive; nil for the default.
    public let stop: Int?
    /// The step; nil means 1.
    public let step: Int?

    /// Resolves the slice against a sequence of `length` like Python's `slice.indices`:
    /// returns the start, the stop and the step, with negative and out-of-range bounds clamped.
    public func indices(length: Int) throws -> (start: Int, stop: Int, step: Int) {
        let (start, stop, step) = try indices(exactLength: Int128(length))
        // Clamped to -1...length, so both fit in an Int.
        return (Int(start), Int(stop), step)
    }

    /// `indices(length:)` for a length that may exceed `Int` (a range's); exact, with no overflow for any bounds.
    func indices(exactLength length: Int128) throws -> (start: Int128, stop: Int128, step: Int) {
        let step = self.step ?? 1
        guard step != 0 else { throw DSLError(.value, "slice step cannot be zero") }
        func clamp(_ given: Int?, default defaultValue: Int128) -> Int128 {
            guard let given else { return defaultValue }
            var bound = Int128(given)
            if bound < 0 { bound += length }
            if step > 0 { return min(max(bound, 0), length) }
            return min(max(bound, -1), length - 1)
        }
        let start = clamp(self.start, default: step > 0 ? 0 : length - 1)
        let stop = clamp(self.stop, default: step > 0 ? length : -1)
        return (start, stop, step)
    }

    /// The positions the slice selects in a sequence of `length`.
    public func positions(length: Int) throws -> [Int] {
        let (start, stop, step) = try indices(length: length)
        return Array(stride(from: start, to: stop, by: step))
    }
}

/// A builtin method together with the value it was looked up on.
public final class BoundMethod {
    /// The value before the dot; changed only by `takeReceiver` while the method is being freed, and by
    /// `CallScopeRelease`, which puts it back.
    public private(set) var receiver: Value
    /// The method's implementation and signature.
    public let function: BuiltinFunction

    init(receiver: Value, function: BuiltinFunction) {
        self.receiver = receiver
        self.function = function
    }

    deinit {
        // The receiver may be the last reference to a deep chain (`m = [m].copy` in a loop nests methods in lists).
        guard receiver.isContainer else { return }
        var dropped = [takeReceiver()]
        ContainerTeardown.release(&dropped)
    }

    /// Replaces the receiver and returns the old one (for `CallScopeRelease`, which restores it).
    func exchangeReceiver(_ newReceiver: Value) -> Value {
        defer { receiver = newReceiver }
        return receiver
    }

    /// The receiver, leaving `None` in its place (for `ContainerTeardown`, which holds the only reference).
    fileprivate func takeReceiver() -> Value {
        defer { receiver = .none }
        return receiver
    }
}

extension Value: ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByStringLiteral,
    ExpressibleByBooleanLiteral, ExpressibleByArrayLiteral
{
    /// `1` is `.int(1)`.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// `1.5` is `.float(1.5)`.
    public init(floatLiteral value: Double) { self = .float(value) }
    /// `"a"` is `.string("a")`.
    public init(stringLiteral value: String) { self = .string(value) }
    /// `true` is `.bool(true)`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// `[1, 2]` is a new list.
    public init(arrayLiteral elements: Value...) { self = .list(elements) }
}

extension Value: Equatable {
    /// Python equality for plain values (numbers compare across int/float/bool, containers element-wise);
    /// functions and objects compare by identity.
    public static func == (lhs: Value, rhs: Value) -> Bool {
        (try? Operations.equal(lhs, rhs)) ?? false
    }
}
