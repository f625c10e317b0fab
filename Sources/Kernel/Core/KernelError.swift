/// Every error the Kernel reports. Each case carries what a user needs to fix the input:
/// the operation, what was expected and what was found.
public enum KernelError: Error, CustomStringConvertible, Equatable {
    /// Two shapes that an operation cannot combine.
    case shapeMismatch(op: String, expected: String, found: String)
    /// An argument outside its allowed range or of the wrong kind.
    case invalidArgument(op: String, message: String)
    /// A tensor larger than the memory the process may use.
    case allocationTooLarge(elements: Int, limitBytes: Int)
    /// `backward()` on a tensor that is not part of a graph, or similar misuse.
    case autograd(String)
    /// A file that cannot be read or written, or whose content is malformed.
    case file(path: String, message: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, expected, found):
            return "\(op): shape mismatch: expected \(expected), found \(found)"
        case let .invalidArgument(op, message):
            return "\(op): \(message)"
        case let .allocationTooLarge(elements, limitBytes):
            let gib = Double(elements) * 4 / 1_073_741_824
            let limit = Double(limitBytes) / 1_073_741_824
            return
                "tensor of \(elements) elements (\(String(format: "%.1f", gib)) GiB) exceeds the memory limit of \(String(format: "%.1f", limit)) GiB"
        case let .autograd(message):
            return "autograd: \(message)"
        case let .file(path, message):
            return "\(path): \(message)"
        }
    }
}

/// Formats a shape the way users write it: `[2, 3, 4]`.
@inlinable
public func shapeString(_ shape: [Int]) -> String {
    "[" + shape.map(String.init).joined(separator: ", ") + "]"
}
