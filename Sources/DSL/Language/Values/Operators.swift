/// Binary operators that dispatch on operand types (numbers, sequences, and wrapped objects such as tensors).
public enum BinaryOperator: String, CaseIterable {
    case add = "+"
    case subtract = "-"
    case multiply = "*"
    case divide = "/"
    case floorDivide = "//"
    case modulo = "%"
    case power = "**"
    case matrixMultiply = "@"
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessEqual = "<="
    case greater = ">"
    case greaterEqual = ">="

    /// Whether the operator compares its operands (these are chained: `a < b < c`).
    public var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: return true
        default: return false
        }
    }
}

/// Unary operators with type-dependent meaning; `not` is always truthiness and is not listed here.
public enum UnaryOperator: String {
    case negate = "-"
    case plus = "+"
}

/// Operators that can appear in a comparison chain.
enum ComparisonOperator {
    case binary(BinaryOperator)
    case contains
    case notContains
    case identical
    case notIdentical

    var spelling: String {
        switch self {
        case .binary(let op): return op.rawValue
        case .contains: return "in"
        case .notContains: return "not in"
        case .identical: return "is"
        case .notIdentical: return "is not"
        }
    }
}
