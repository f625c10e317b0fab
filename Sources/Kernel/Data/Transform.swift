/// A per-sample image transformation on [C, H, W] tensors: augmentation, resizing, normalisation.
///
/// Random transforms draw only from the `generator` they are given, so the same generator state gives
/// the same result; the `DataLoader` hands every sample of every epoch its own seeded generator.
public protocol Transform: Sendable {
    /// The shape `apply` returns for an image of `inputShape` [C, H, W], or an error when the transform
    /// cannot handle it. Loaders call this once, before any work starts.
    func outputShape(for inputShape: [Int]) throws -> [Int]

    /// Transforms one image of shape [C, H, W].
    func apply(_ image: Tensor, generator: RandomGenerator) throws -> Tensor
}

/// Several transforms applied in order, like torchvision's `Compose`.
public struct Compose: Transform {
    /// The transforms, first applied first.
    public let transforms: [any Transform]

    /// Chains `transforms`.
    public init(_ transforms: [any Transform]) {
        self.transforms = transforms
    }

    /// The shape after every transform in turn.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        try transforms.reduce(inputShape) { shape, transform in try transform.outputShape(for: shape) }
    }

    /// Applies the transforms in order, all drawing from the same `generator`.
    public func apply(_ image: Tensor, generator: RandomGenerator) throws -> Tensor {
        try transforms.reduce(image) { current, transform in try transform.apply(current, generator: generator) }
    }
}

/// The [C, H, W] layout every image transform expects.
struct ImageLayout {
    let channels: Int
    let height: Int
    let width: Int

    /// Reads `shape` as [C, H, W] with positive sizes, or throws naming `op`.
    init(_ shape: [Int], op: String) throws {
        guard shape.count == 3, shape.allSatisfy({ $0 > 0 }) else {
            throw KernelError.shapeMismatch(op: op, expected: "an image of shape [C, H, W]", found: shapeString(shape))
        }
        channels = shape[0]
        height = shape[1]
        width = shape[2]
    }

    /// A layout already known to be valid.
    init(unchecked channels: Int, _ size: ImageSize) {
        self.channels = channels
        height = size.height
        width = size.width
    }

    /// `[channels, size.height, size.width]`, checked like every tensor a transform makes (no overflowing element
    /// count, within the memory limit), so an absurd size is refused when the transform is checked, not when it runs out
    /// of memory on the first sample.
    static func validatedShape(channels: Int, _ size: ImageSize, op: String) throws -> [Int] {
        try size.validate(op: op)
        let shape = [channels, size.height, size.width]
        try Shape.validate(shape, op: op)
        return shape
    }

    /// Pixels in one channel.
    var plane: Int { height * width }
    /// The image's size.
    var size: ImageSize { ImageSize(height: height, width: width) }
}
