/// How a tensor's values are ordered in memory.
///
/// Every op reads and writes `plain` tensors. Only a `Model`'s training fast path produces `channelBlocked` feature
/// maps, whose `[N, C, H, W]` shape does not describe their bytes; the ops that index values refuse them
/// (`requirePlainLayout(op:)`), so a blocked value that escapes fails loudly instead of giving wrong numbers.
public enum TensorLayout: Sendable, Equatable, CustomStringConvertible {
    /// Row-major in the order of the shape (NCHW for images).
    case plain
    /// oneDNN's nChw8c or nChw16c: a `[N, C, H, W]` feature map, C a multiple of the width, the channels of a block
    /// side by side for every pixel (`ChannelBlocks`).
    case channelBlocked(ChannelBlockWidth)

    /// `plain`, `nChw8c` or `nChw16c`, as error messages name the layout.
    public var description: String {
        switch self {
        case .plain: "plain"
        case let .channelBlocked(width): "nChw\(width.rawValue)c"
        }
    }

    /// The channels per block of a blocked layout; nil for `plain`.
    public var blockWidth: ChannelBlockWidth? {
        if case let .channelBlocked(width) = self { width } else { nil }
    }
}

/// The channels per block of oneDNN's blocked layouts: its kernels use the block that fills one vector register,
/// 16 floats with AVX-512 and 8 with AVX2 (`DNNLConvolution.channelBlockWidth` says which this CPU uses).
public enum ChannelBlockWidth: Int, Sendable, CaseIterable {
    /// nChw8c (AVX2).
    case eight = 8
    /// nChw16c (AVX-512).
    case sixteen = 16
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
            layout.blockWidth.map {
                " (oneDNN's \($0.rawValue)-channel blocked layout, used inside a model's training pass; reorder it to plain first)"
            } ?? ""
        return .invalidArgument(
            op: op, message: "expects a tensor in the \(expected) layout, found one \(shapeString(shape)) in the \(layout) layout\(hint)")
    }
}
