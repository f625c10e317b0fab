import Foundation

/// The meaning of operators on values: arithmetic with overflow checks and Python's int/float rules,
/// comparisons, truthiness, indexing, membership and length. Wrapped objects get the first say through
/// their `DSLObject` hooks.
enum Operations {
    /// Deeper container nesting than this is refused when comparing (self-containing lists would never end).
    static let maximumComparisonDepth = 200

    // MARK: - Truthiness

    static func truthy(_ value: Value) throws -> Bool {
        switch value {
        case .none: return false
        case .bool(let flag): return flag
        case .int(let number): return number != 0
        case .float(let number): return number != 0
        case .string(let text): return !text.isEmpty
        case .list(let list): return !list.items.isEmpty
        case .tuple(let items): return !items.isEmpty
        case .dict(let dict): return dict.count > 0
        case .range(let range): return range.count > 0
        case .object(let object): return try object.truthValue()
        case .slice, .function, .builtin, .method, .type: return true
        }
    }

    // MARK: - Binary operators

    static func binary(_ op: BinaryOperator, _ left: Value, _ right: Value) throws -> Value {
        if case .object(let object) = left, let result = try object.binaryOperation(op, right, objectOnLeft: true) {
            return result
        }
        if case .object(let object) = right, let result = try object.binaryOperation(op, left, objectOnLeft: false) {
            return result
        }
        if op.isComparison { return .bool(try compare(op, left, right)) }
        if let a = left.integerValue, let b = right.integerValue { return try integerArithmetic(op, a, b) }
        if let a = left.numericValue, let b = right.numericValue, op != .matrixMultiply {
            return try floatArithmetic(op, a, b)
        }
        switch (op, left, right) {
        // Concatenation is checked too: `x = x + x` in a loop doubles its size every time.
        case (.add, .string(let a), .string(let b)):
            try ContainerLimit.check(stringBytes: a.utf8.count + b.utf8.count, of: "the concatenated string")
            return .string(a + b)
        case (.add, .list(let a), .list(let b)):
            try ContainerLimit.check(elements: a.items.count + b.items.count, of: "the concatenated list")
            return .list(a.items + b.items)
        case (.add, .tuple(let a), .tuple(let b)):
            try ContainerLimit.check(elements: a.count + b.count, of: "the concatenated tuple")
            return .tuple(a + b)
        case (.multiply, .string(let text), _), (.multiply, _, .string(let text)):
            guard let count = (left.integerValue ?? right.integerValue) else { break }
            try checkRepetition(count, length: text.utf8.count, isText: true)
            return .string(count <= 0 ? "" : String(repeating: text, count: count))
        case (.multiply, .list(let list), _), (.multiply, _, .list(let list)):
            guard let count = (left.integerValue ?? right.integerValue) else { break }
            try checkRepetition(count, length: list.items.count)
            return .list(count <= 0 ? [] : Array([[Value]](repeating: list.items, count: count).joined()))
        case (.multiply, .tuple(let items), _), (.multiply, _, .tuple(let items)):
            guard let count = (left.integerValue ?? right.integerValue) else { break }
            try checkRepetition(count, length: items.count)
            return .tuple(count <= 0 ? [] : Array([[Value]](repeating: items, count: count).joined()))
        case (.modulo, .string(let template), _):
            return .string(try PercentFormat.format(template, right))
        default:
            break
        }
        throw DSLError(.type, "unsupported operand types for \(op.rawValue): '\(left.typeName)' and '\(right.typeName)'")
    }

    /// Refuses `count` copies of a sequence of `length` elements (or UTF-8 bytes, for text) beyond the memory limit.
    private static func checkRepetition(_ count: Int, length: Int, isText: Bool = false) throws {
        try ContainerLimit.check(
            copies: count, of: length, text: isText,
            of: "the repetition (\(count) copies of \(length) \(isText ? "bytes" : "elements"))")
    }

    private static func integerArithmetic(_ op: BinaryOperator, _ a: Int, _ b: Int) throws -> Value {
        func checked(_ result: (partialValue: Int, overflow: Bool)) throws -> Value {
            if result.overflow { throw overflowError(op, a, b) }
            return .int(result.partialValue)
        }
        switch op {
        case .add: return try checked(a.addingReportingOverflow(b))
        case .subtract: return try checked(a.subtractingReportingOverflow(b))
        case .multiply: return try checked(a.multipliedReportingOverflow(by: b))
        case .divide:
            guard b != 0 else { throw DSLError(.zeroDivision, "division by zero") }
            return .float(Double(a) / Double(b))
        case .floorDivide:
            guard b != 0 else { throw DSLError(.zeroDivision, "integer division by zero") }
            let (quotient, overflow) = a.dividedReportingOverflow(by: b)
            if overflow { throw overflowError(op, a, b) }
            let remainder = a - quotient * b
            return .int(remainder != 0 && (remainder < 0) != (b < 0) ? quotient - 1 : quotient)
        case .modulo:
            guard b != 0 else { throw DSLError(.zeroDivision, "integer modulo by zero") }
            let (remainder, overflow) = a.remainderReportingOverflow(dividingBy: b)
            if overflow { return .int(0) }
            return .int(remainder != 0 && (remainder < 0) != (b < 0) ? remainder + b : remainder)
        case .power:
            if b < 0 {
                guard a != 0 else { throw DSLError(.zeroDivision, "0 cannot be raised to a negative power") }
                return .float(pow(Double(a), Double(b)))
            }
            var result = 1, base = a, exponent = b
            while exponent > 0 {
                if exponent & 1 == 1 {
                    let (product, overflow) = result.multipliedReportingOverflow(by: base)
                    if overflow { throw overflowError(op, a, b) }
                    result = product
                }
                exponent >>= 1
                if exponent > 0 {
                    let (square, overflow) = base.multipliedReportingOverflow(by: base)
                    if overflow { throw overflowError(op, a, b) }
                    base = square
                }
            }
            return .int(result)
        case .matrixMultiply, .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual:
            throw DSLError(.type, "unsupported operand types for \(op.rawValue): 'int' and 'int'")
        }
    }

    private static func overflowError(_ op: BinaryOperator, _ a: Int, _ b: Int) -> DSLError {
        DSLError(.overflow, "integer overflow in \(a) \(op.rawValue) \(b) (integers are 64-bit; use floats for larger values, e.g. \(a).0)")
    }

    private static func floatArithmetic(_ op: BinaryOperator, _ a: Double, _ b: Double) throws -> Value {
        switch op {
        case .add: return .float(a + b)
        case .subtract: return .float(a - b)
        case .multiply: return .float(a * b)
        case .divide:
            guard b != 0 else { throw DSLError(.zeroDivision, "float division by zero") }
            return .float(a / b)
        case .floorDivide:
            guard b != 0 else { throw DSLError(.zeroDivision, "float floor division by zero") }
            return .float((a / b).rounded(.down))
        case .modulo:
            guard b != 0 else { throw DSLError(.zeroDivision, "float modulo by zero") }
            let remainder = fmod(a, b)
            return .float(remainder != 0 && (remainder < 0) != (b < 0) ? remainder + b : remainder)
        case .power:
            if a == 0 && b < 0 { throw DSLError(.zeroDivision, "0.0 cannot be raised to a negative power") }
            if a < 0 && b != b.rounded() {
                throw DSLError(
                    .value, "a negative number cannot be raised to a fractional power (\(Value.formatFloat(a)) ** \(Value.formatFloat(b)))")
            }
            let result = pow(a, b)
            if result.isInfinite && a.isFinite && b.isFinite {
                throw DSLError(.overflow, "result of \(Value.formatFloat(a)) ** \(Value.formatFloat(b)) is too large")
            }
            return .float(result)
        case .matrixMultiply, .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual:
            throw DSLError(.type, "unsupported operand types for \(op.rawValue): numbers")
        }
    }

    // MARK: - Unary operators

    static func unary(_ op: UnaryOperator, _ operand: Value) throws -> Value {
        if case .object(let object) = operand, let result = try object.unaryOperation(op) { return result }
        if case .float(let number) = operand { return .float(op == .negate ? -number : number) }
        if let number = operand.integerValue {
            guard op == .negate else { return .int(number) }
            guard number != Int.min else { throw DSLError(.overflow, "integer overflow in -(\(number))") }
            return .int(-number)
        }
        throw DSLError(.type, "bad operand type for unary \(op.rawValue): '\(operand.typeName)'")
    }

    // MARK: - Comparison

    /// Python equality without object hooks (objects compare by identity).
    static func equal(_ left: Value, _ right: Value, depth: Int = 0) throws -> Bool {
        guard depth < maximumComparisonDepth else {
            throw DSLError(.recursion, "maximum depth exceeded while comparing nested containers")
        }
        if let a = left.integerValue, let b = right.integerValue { return a == b }
        if let a = left.numericValue, let b = right.numericValue {
            if case .float = left, case .float = right { return a == b }
            // Compare exactly: an int and a float are equal only if the float holds exactly that integer.
            if let int = left.integerValue ?? right.integerValue {
                let float = left.integerValue == nil ? a : b
                return Double(exactly: int) == float || Int(exactly: float) == int
            }
            return a == b
        }
        switch (left, right) {
        case (.none, .none): return true
        case (.string(let a), .string(let b)): return a == b
        case (.list(let a), .list(let b)):
            if a === b { return true }
            return try sequencesEqual(a.items, b.items, depth: depth)
        case (.tuple(let a), .tuple(let b)): return try sequencesEqual(a, b, depth: depth)
        case (.dict(let a), .dict(let b)):
            if a === b { return true }
            guard a.count == b.count else { return false }
            for (key, value) in a.entries {
                guard let other = try b.get(key), try equal(value, other, depth: depth + 1) else { return false }
            }
            return true
        case (.range(let a), .range(let b)):
            return a.count == b.count && (a.count == 0 || (a.start == b.start && (a.count == 1 || a.step == b.step)))
        case (.slice(let a), .slice(let b)): return a.start == b.start && a.stop == b.stop && a.step == b.step
        case (.function(let a), .function(let b)): return a === b
        case (.builtin(let a), .builtin(let b)): return a === b
        case (.method(let a), .method(let b)):
            guard a.function === b.function else { return false }
            return try identical(a.receiver, b.receiver)
        case (.type(let a), .type(let b)): return a === b
        case (.object(let a), .object(let b)): return a === b
        default: return false
        }
    }

    private static func sequencesEqual(_ a: [Value], _ b: [Value], depth: Int) throws -> Bool {
        guard a.count == b.count else { return false }
        var poll = InterruptPoll()
        for (x, y) in zip(a, b) {
            try poll.tick()
            if !(try equal(x, y, depth: depth + 1)) { return false }
        }
        return true
    }

    private static func contains(_ items: [Value], _ needle: Value) throws -> Bool {
        var poll = InterruptPoll()
        return try items.contains {
            try poll.tick()
            return try equal($0, needle)
        }
    }

    /// `is`: identity for containers and objects; equality of value for None, bools and numbers of one type.
    static func identical(_ left: Value, _ right: Value) throws -> Bool {
        switch (left, right) {
        case (.none, .none): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.float(let a), .float(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.list(let a), .list(let b)): return a === b
        case (.dict(let a), .dict(let b)): return a === b
        case (.tuple, .tuple), (.range, .range), (.slice, .slice), (.function, .function), (.builtin, .builtin),
            (.method, .method), (.type, .type), (.object, .object):
            return try equal(left, right)
        default: return false
        }
    }

    /// Evaluates a comparison operator on plain values.
    static func compare(_ op: BinaryOperator, _ left: Value, _ right: Value) throws -> Bool {
        switch op {
        case .equal: return try equal(left, right)
        case .notEqual: return !(try equal(left, right))
        case .less: return try lessThan(left, right, op: op)
        case .greater: return try lessThan(right, left, op: op)
        case .lessEqual: return !(try lessThan(right, left, op: op))
        case .greaterEqual: return !(try lessThan(left, right, op: op))
        default: throw DSLError(.type, "'\(op.rawValue)' is not a comparison")
        }
    }

    /// Ordering used by `<` and by sorting: numbers, strings, and lists/tuples lexicographically.
    static func lessThan(_ left: Value, _ right: Value, op: BinaryOperator = .less, depth: Int = 0) throws -> Bool {
        guard depth < maximumComparisonDepth else {
            throw DSLError(.recursion, "maximum depth exceeded while comparing nested containers")
        }
        if let a = left.integerValue, let b = right.integerValue { return a < b }
        if let a = left.numericValue, let b = right.numericValue {
            if (op == .lessEqual || op == .greaterEqual) && (a.isNaN || b.isNaN) { return true }
            return a < b
        }
        switch (left, right) {
        case (.string(let a), .string(let b)): return a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars)
        case (.list(let a), .list(let b)): return try sequenceLessThan(a.items, b.items, op: op, depth: depth)
        case (.tuple(let a), .tuple(let b)): return try sequenceLessThan(a, b, op: op, depth: depth)
        default:
            throw DSLError(.type, "'\(op.rawValue)' is not supported between '\(left.typeName)' and '\(right.typeName)'")
        }
    }

    private static func sequenceLessThan(_ a: [Value], _ b: [Value], op: BinaryOperator, depth: Int) throws -> Bool {
        var poll = InterruptPoll()
        for (x, y) in zip(a, b) {
            try poll.tick()
            if !(try equal(x, y, depth: depth + 1)) { return try lessThan(x, y, op: op, depth: depth + 1) }
        }
        return a.count < b.count
    }

    /// `needle in haystack`.
    static func contains(_ haystack: Value, _ needle: Value) throws -> Bool {
        switch haystack {
        case .string(let text):
            guard case .string(let part) = needle else {
                throw DSLError(.type, "'in <string>' requires a string on the left, not \(needle.typeName)")
            }
            return part.isEmpty || text.contains(part)
        case .list(let list): return try contains(list.items, needle)
        case .tuple(let items): return try contains(items, needle)
        case .dict(let dict): return try dict.get(needle) != nil
        case .range(let range):
            guard let number = needle.integerValue else { return false }
            return range.position(of: number) != nil
        default:
            let iterator: ValueIterator
            do {
                iterator = try haystack.makeIterator()
            } catch let error as DSLError where error.kind == .type {
                throw DSLError(.type, "argument of type '\(haystack.typeName)' does not support 'in'")
            }
            while let element = try iterator.next() {
                if try equal(element, needle) { return true }
            }
            return false
        }
    }

    // MARK: - Length and indexing

    static func length(_ value: Value) throws -> Int {
        switch value {
        case .string(let text): return text.count
        case .list(let list): return list.items.count
        case .tuple(let items): return items.count
        case .dict(let dict): return dict.count
        case .range(let range): return try range.length()
        case .object(let object):
            if let length = try object.length() { return length }
        default: break
        }
        throw DSLError(.type, "object of type '\(value.typeName)' has no len()")
    }

    /// Normalizes a possibly negative index for a sequence of `count` elements.
    static func position(_ index: Value, count: Int, typeName: String) throws -> Int {
        guard let raw = index.integerValue else {
            throw DSLError(.type, "\(typeName) indices must be integers or slices, not \(index.typeName)")
        }
        let position = raw < 0 ? raw + count : raw
        guard position >= 0 && position < count else {
            throw DSLError(.index, "\(typeName) index \(raw) out of range (length \(count))")
        }
        return position
    }

    static func item(of container: Value, at index: Value) throws -> Value {
        switch container {
        case .list(let list): return try sequenceItem(list.items, index, typeName: "list", wrap: { .list($0) })
        case .tuple(let items): return try sequenceItem(items, index, typeName: "tuple", wrap: { .tuple($0) })
        case .string(let text):
            let characters = Array(text)
            if case .slice(let slice) = index {
                return .string(String(try slice.positions(length: characters.count).map { characters[$0] }))
            }
            return .string(String(characters[try position(index, count: characters.count, typeName: "string")]))
        case .dict(let dict):
            guard let value = try dict.get(index) else { throw DSLError(.key, index.repr) }
            return value
        case .range(let range):
            if case .slice(let slice) = index { return .range(try range.slice(slice)) }
            guard let raw = index.integerValue else {
                throw DSLError(.type, "range indices must be integers or slices, not \(index.typeName)")
            }
            let count = range.count
            let position = raw < 0 ? Int128(raw) + count : Int128(raw)
            guard position >= 0 && position < count else {
                throw DSLError(.index, "range index \(raw) out of range (length \(count))")
            }
            return .int(try range.element(at: position))
        case .object(let object):
            if let value = try object.item(at: index) { return value }
        default:
            break
        }
        throw DSLError(.type, "'\(container.typeName)' object is not subscriptable")
    }

    private static func sequenceItem(_ items: [Value], _ index: Value, typeName: String, wrap: ([Value]) -> Value) throws -> Value {
        if case .slice(let slice) = index {
            return wrap(try slice.positions(length: items.count).map { items[$0] })
        }
        return items[try position(index, count: items.count, typeName: typeName)]
    }

    static func setItem(of container: Value, at index: Value, to value: Value) throws {
        switch container {
        case .list(let list):
            if case .slice(let slice) = index {
                let replacement = try value.elements()
                let (start, stop, step) = try slice.indices(length: list.items.count)
                if step == 1 {
                    list.items.replaceSubrange(start..<max(start, stop), with: replacement)
                    return
                }
                let positions = try slice.positions(length: list.items.count)
                guard positions.count == replacement.count else {
                    throw DSLError(.value, "cannot assign \(replacement.count) elements to an extended slice of \(positions.count)")
                }
                for (position, element) in zip(positions, replacement) { list.items[position] = element }
                return
            }
            let position = try position(index, count: list.items.count, typeName: "list assignment")
            // The replaced element may be the last reference to a deep tuple chain: freed level by level.
            var dropped = [list.items[position]]
            list.items[position] = value
            ContainerTeardown.release(&dropped)
        case .dict(let dict):
            try dict.set(index, value)
        case .object(let object):
            if try object.setItem(at: index, to: value) { return }
            throw DSLError(.type, "'\(container.typeName)' object does not support item assignment")
        default:
            throw DSLError(.type, "'\(container.typeName)' object does not support item assignment")
        }
    }

    static func deleteItem(of container: Value, at index: Value) throws {
        switch container {
        case .list(let list):
            if case .slice(let slice) = index {
                let doomed = Set(try slice.positions(length: list.items.count))
                list.items = list.items.enumerated().filter { !doomed.contains($0.offset) }.map(\.element)
                return
            }
            var dropped = [list.items.remove(at: try position(index, count: list.items.count, typeName: "list"))]
            ContainerTeardown.release(&dropped)
        case .dict(let dict):
            guard try dict.remove(index) != nil else { throw DSLError(.key, index.repr) }
        default:
            throw DSLError(.type, "'\(container.typeName)' object does not support item deletion")
        }
    }
}

extension Value {
    /// The value as an integer when it is an int or a bool.
    var integerValue: Int? {
        switch self {
        case .int(let number): return number
        case .bool(let flag): return flag ? 1 : 0
        default: return nil
        }
    }

    /// The value as a Double when it is a number or a bool.
    var numericValue: Double? {
        switch self {
        case .int(let number): return Double(number)
        case .float(let number): return number
        case .bool(let flag): return flag ? 1 : 0
        default: return nil
        }
    }

    /// Whether calling the value is possible.
    var isCallable: Bool {
        switch self {
        case .function, .builtin, .method: return true
        case .type(let type): return type.constructor != nil
        case .object(let object): return object.callable != nil
        default: return false
        }
    }
}
