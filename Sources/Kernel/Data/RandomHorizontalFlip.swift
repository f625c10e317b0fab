/// Mirrors the image left to right with probability `probability`.
public struct RandomHorizontalFlip: Transform {
    /// The chance of flipping, in [0, 1].
    public let probability: Float

    /// Flips with chance `probability` (0.5 by default).
    public init(probability: Float = 0.5) {
        self.probability = probability
    }

    /// The input shape; throws unless probability is in [0, 1].
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        _ = try ImageLayout(inputShape, op: "RandomHorizontalFlip")
        guard probability >= 0, probability <= 1 else {
            throw KernelError.invalidArgument(op: "RandomHorizontalFlip", message: "probability must be in [0, 1], found \(probability)")
        }
        return inputShape
    }

    /// Flips or not, drawing one number from `generator` either way.
    public func apply(_ image: Tensor, generator: RandomGenerator) throws -> Tensor {
        _ = try outputShape(for: image.shape)
        // Always draw, so the stream position after this transform does not depend on the outcome.
        guard generator.uniform() < probability else { return image }
        let layout = try ImageLayout(image.shape, op: "RandomHorizontalFlip")
        var data = image.data
        for row in 0..<(layout.channels * layout.height) {
            data[(row * layout.width)..<((row + 1) * layout.width)].reverse()
        }
        return Tensor(unchecked: image.shape, data: data)
    }
}
