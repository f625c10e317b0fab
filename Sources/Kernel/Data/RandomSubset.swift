/// Applies `count` of its transforms, chosen at random for each image, in the order they are listed (imgaug's
/// `SomeOf`; with a count of 1, torchvision's `RandomChoice`). Every transform must keep the image's shape, so the
/// batch shape does not depend on the draw.
public struct RandomSubset: Transform {
    /// The transforms to choose from.
    public let transforms: [any Transform]
    /// How many are applied to each image.
    public let count: Int

    /// `count` of `transforms` per image.
    public init(_ transforms: [any Transform], count: Int) {
        self.transforms = transforms
        self.count = count
    }

    /// The input shape; throws for an empty list, a count outside 0…number of transforms, or a transform that
    /// changes the shape.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        _ = try ImageLayout(inputShape, op: "RandomSubset")
        guard !transforms.isEmpty else {
            throw KernelError.invalidArgument(op: "RandomSubset", message: "needs at least one transform to choose from")
        }
        guard count >= 0, count <= transforms.count else {
            throw KernelError.invalidArgument(
                op: "RandomSubset", message: "count must be between 0 and the \(transforms.count) transforms, found \(count)")
        }
        for (index, transform) in transforms.enumerated() {
            let shape = try transform.outputShape(for: inputShape)
            guard shape == inputShape else {
                throw KernelError.invalidArgument(
                    op: "RandomSubset",
                    message:
                        "transform \(index + 1) changes the image shape from \(shapeString(inputShape)) to \(shapeString(shape)); every transform chosen at random must keep it"
                )
            }
        }
        return inputShape
    }

    /// Draws a permutation of the transforms (one number each) to pick `count`, then applies those in list order,
    /// all drawing from `generator`.
    public func apply(_ image: Tensor, generator: RandomGenerator) throws -> Tensor {
        _ = try outputShape(for: image.shape)
        let chosen = generator.permutation(transforms.count).prefix(count).sorted()
        return try chosen.reduce(image) { current, index in try transforms[index].apply(current, generator: generator) }
    }
}
