/// How a tensor's values are ordered in memory.
///
/// Every op reads and writes `plain` tensors. Only a `Model`'s training fast path produces `channelBlocked16`
/// feature maps, whose `[N, C, H, W]` shape does not describe their bytes; the ops that index values refuse them
/// (`requirePlainLayout(op:)`), so a blocked value that escapes fails loudly instead of giving wrong numbers.
public enum TensorLayout: Sendable, Equatable, CustomStringConvertible {
    /// Row-major in the order of the shape (NCHW for images).
    case plain
    /// oneDNN's nChw16c: a `[N, C, H, W]` feature map, C a multiple of 16, the 16 channels of a block side by side for
    /// every pixel (`ChannelBlocks`).
    case channelBlocked16

    /// `plain` or `nChw16c`, as error messages name the layout.
    public var description: String {
        switch self {
        case .plain: "plain"
        case .channelBlocked16: "nChw16c"
        }
    }
}

extension Tensor {
    /// Throws unless this tensor is in the plain layout: the check at the entry of every op that reads values by index.
    @inline(__always)
    public func requirePlainLayout(op: String) throws {
        if layout != .plain { throw layoutError(op: op, expected: .plain) }
    }

    /// Throws unless `a` and `b` share a layout (for ops that work elementwise in any layout).
    static func requireSameLayout(_ a: Tensor, _ b: Tensor, op: String) throws {
        if a.layout != b.layout { throw b.layoutError(op: op, expected: a.layout) }
    }

    /// Kept out of line so the check itself stays one compare.
    @inline(never)
    func layoutError(op: String, expected: TensorLayout) -> KernelError {
        let hint =
            layout == .channelBlocked16 ? " (oneDNN's 16-channel blocked layout, used inside a model's training pass; reorder it to plain first)" : ""
        return .invalidArgument(
            op: op, message: "expects a tensor in the \(expected) layout, found one \(shapeString(shape)) in the \(layout) layout\(hint)")
    }
}
