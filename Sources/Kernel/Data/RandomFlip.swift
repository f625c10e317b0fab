/// Mirrors the image with probability `probability`, left to right (torchvision's `RandomHorizontalFlip`) or top to
/// bottom (`RandomVerticalFlip`).
///
/// ```swift
/// let augment = Compose([RandomFlip(.horizontal), RandomFlip(.vertical, probability: 0.2)])
/// ```
public struct RandomFlip: Transform {
    /// Which way the image is mirrored.
    public enum Axis: Sendable {
        /// Left to right: each row reversed.
        case horizontal
        /// Top to bottom: the order of the rows reversed.
        case vertical
    }

    /// Which way the image is mirrored.
    public let axis: Axis
    /// The chance of flipping, in [0, 1].
    public let probability: Float

    /// Flips along `axis` with chance `probability` (0.5 by default).
    public init(_ axis: Axis = .horizontal, probability: Float = 0.5) {
        self.axis = axis
        self.probability = probability
    }

    private var name: String { axis == .horizontal ? "RandomHorizontalFlip" : "RandomVerticalFlip" }

    /// The input shape; throws unless probability is in [0, 1].
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        _ = try ImageLayout(inputShape, op: name)
        guard probability >= 0, probability <= 1 else {
            throw KernelError.invalidArgument(op: name, message: "probability must be in [0, 1], found \(probability)")
        }
        return inputShape
    }

    /// Flips or not, drawing one number from `generator` either way.
    public func apply(_ image: Tensor, generator: RandomGenerator) throws -> Tensor {
        _ = try outputShape(for: image.shape)
        // Always draw, so the stream position after this transform does not depend on the outcome.
        guard generator.uniform() < probability else { return image }
        let layout = try ImageLayout(image.shape, op: name)
        var data = image.data
        switch axis {
        case .horizontal:
            for row in 0..<(layout.channels * layout.height) {
                data[(row * layout.width)..<((row + 1) * layout.width)].reverse()
            }
        case .vertical:
            let source = image.data
            for channel in 0..<layout.channels {
                let plane = channel * layout.plane
                for y in 0..<layout.height {
                    let from = plane + (layout.height - 1 - y) * layout.width
                    let to = plane + y * layout.width
                    data.replaceSubrange(to..<(to + layout.width), with: source[from..<(from + layout.width)])
                }
            }
        }
        return Tensor(unchecked: image.shape, data: data)
    }
}
