/// Resizes images to a fixed size by bilinear interpolation (PyTorch's `interpolate(mode="bilinear",
/// align_corners=False)`, no antialiasing). Also the step behind progressive resizing.
public struct Resize: Transform {
    /// The output size.
    public let size: ImageSize

    /// Resizes to `size`.
    public init(_ size: ImageSize) {
        self.size = size
    }

    /// [C, size.height, size.width].
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let layout = try ImageLayout(inputShape, op: "Resize")
        return try ImageLayout.validatedShape(channels: layout.channels, size, op: "Resize")
    }

    /// Resizes bilinearly (the generator is not used).
    public func apply(_ image: Tensor, generator: RandomGenerator) throws -> Tensor {
        try Resize.bilinear(image, to: size)
    }

    /// `image` ([C, H, W] or [N, C, H, W]) resized to `size`. Not differentiable: a data-pipeline operation.
    public static func bilinear(_ image: Tensor, to size: ImageSize) throws -> Tensor {
        try size.validate(op: "Resize")
        guard image.rank == 3 || image.rank == 4, image.shape.allSatisfy({ $0 > 0 }) else {
            throw KernelError.shapeMismatch(op: "Resize", expected: "an image [C, H, W] or a batch [N, C, H, W]", found: shapeString(image.shape))
        }
        let height = image.shape[image.rank - 2]
        let width = image.shape[image.rank - 1]
        if height == size.height && width == size.width { return image }
        let planes = image.count / (height * width)
        try Shape.validate([planes, size.height, size.width], op: "Resize")
        let data = Bilinear.resize(
            image.data, planes: planes, height: height, width: width,
            region: Bilinear.Region(top: 0, left: 0, height: height, width: width), to: size)
        return Tensor(unchecked: Array(image.shape.dropLast(2)) + [size.height, size.width], data: data)
    }
}

/// Cuts the central `size` region out of an image (torchvision's `CenterCrop`; offsets round half to even,
/// as Python's `round` does).
public struct CenterCrop: Transform {
    /// The output size.
    public let size: ImageSize

    /// Crops to `size`, which must fit in the image.
    public init(_ size: ImageSize) {
        self.size = size
    }

    /// [C, size.height, size.width]; throws if `size` is larger than the image.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let layout = try ImageLayout(inputShape, op: "CenterCrop")
        let shape = try ImageLayout.validatedShape(channels: layout.channels, size, op: "CenterCrop")
        guard size.height <= layout.height, size.width <= layout.width else {
            throw KernelError.invalidArgument(op: "CenterCrop", message: "crop \(size) does not fit in an image of \(layout.size)")
        }
        return shape
    }

    /// Crops the centre (the generator is not used).
    public func apply(_ image: Tensor, generator: RandomGenerator) throws -> Tensor {
        let shape = try outputShape(for: image.shape)
        let layout = try ImageLayout(image.shape, op: "CenterCrop")
        let top = Int((Double(layout.height - size.height) / 2).rounded(.toNearestOrEven))
        let left = Int((Double(layout.width - size.width) / 2).rounded(.toNearestOrEven))
        return Tensor(unchecked: shape, data: CenterCrop.crop(image.data, layout: layout, top: top, left: left, to: size))
    }

    /// The `size` window at (`top`, `left`) of every channel.
    static func crop(_ data: [Float], layout: ImageLayout, top: Int, left: Int, to size: ImageSize) -> [Float] {
        var result = [Float](repeating: 0, count: layout.channels * size.height * size.width)
        var target = 0
        for c in 0..<layout.channels {
            for y in 0..<size.height {
                let start = c * layout.plane + (top + y) * layout.width + left
                for x in 0..<size.width {
                    result[target] = data[start + x]
                    target += 1
                }
            }
        }
        return result
    }
}
