/// Mirrors the image top to bottom with probability `probability` (torchvision's `RandomVerticalFlip`).
public struct RandomVerticalFlip: Transform {
    /// The chance of flipping, in [0, 1].
    public let probability: Float

    /// Flips with chance `probability` (0.5 by default).
    public init(probability: Float = 0.5) {
        self.probability = probability
    }

    /// The input shape; throws unless probability is in [0, 1].
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        _ = try ImageLayout(inputShape, op: "RandomVerticalFlip")
        guard probability >= 0, probability <= 1 else {
            throw KernelError.invalidArgument(op: "RandomVerticalFlip", message: "probability must be in [0, 1], found \(probability)")
        }
        return inputShape
    }

    /// Flips or not, drawing one number from `generator` either way (so later draws do not depend on the outcome).
    public func apply(_ image: Tensor, generator: RandomGenerator) throws -> Tensor {
        _ = try outputShape(for: image.shape)
        guard generator.uniform() < probability else { return image }
        let layout = try ImageLayout(image.shape, op: "RandomVerticalFlip")
        let source = image.data
        var data = source
        for channel in 0..<layout.channels {
            let plane = channel * layout.plane
            for y in 0..<layout.height {
                let from = plane + (layout.height - 1 - y) * layout.width
                let to = plane + y * layout.width
                data.replaceSubrange(to..<(to + layout.width), with: source[from..<(from + layout.width)])
            }
        }
        return Tensor(unchecked: image.shape, data: data)
    }
}
