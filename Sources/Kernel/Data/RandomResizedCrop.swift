#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Cuts out a random region covering `scale` of the image area with aspect ratio in `ratio`, and resizes
/// it to `size` bilinearly (torchvision's `RandomResizedCrop`, same sampling: ten tries, then a central crop
/// with the ratio clamped).
public struct RandomResizedCrop: Transform {
    /// The output size.
    public let size: ImageSize
    /// The range of the region's area, as a fraction of the image's.
    public let scale: ClosedRange<Float>
    /// The range of the region's width / height.
    public let ratio: ClosedRange<Float>

    /// Random crops resized to `size` (defaults as torchvision: area 8–100 %, ratio 3/4–4/3).
    public init(size: ImageSize, scale: ClosedRange<Float> = 0.08...1, ratio: ClosedRange<Float> = 0.75...(4.0 / 3.0)) {
        self.size = size
        self.scale = scale
        self.ratio = ratio
    }

    /// [C, size.height, size.width]; throws for a scale outside (0, 1] or a non-positive ratio.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let layout = try ImageLayout(inputShape, op: "RandomResizedCrop")
        let shape = try ImageLayout.validatedShape(channels: layout.channels, size, op: "RandomResizedCrop")
        guard scale.lowerBound > 0, scale.upperBound <= 1 else {
            throw KernelError.invalidArgument(op: "RandomResizedCrop", message: "scale must lie in (0, 1], found \(scale)")
        }
        guard ratio.lowerBound > 0, ratio.upperBound.isFinite else {
            throw KernelError.invalidArgument(op: "RandomResizedCrop", message: "ratio must be positive and finite, found \(ratio)")
        }
        return shape
    }

    /// Crops a region drawn from `generator` and resizes it to `size`.
    public func apply(_ image: Tensor, generator: RandomGenerator) throws -> Tensor {
        let shape = try outputShape(for: image.shape)
        let layout = try ImageLayout(image.shape, op: "RandomResizedCrop")
        let region = pickRegion(layout.size, generator: generator)
        let data = Bilinear.resize(image.data, planes: layout.channels, height: layout.height, width: layout.width, region: region, to: size)
        return Tensor(unchecked: shape, data: data)
    }

    /// The region to crop: torchvision's `get_params`.
    func pickRegion(_ image: ImageSize, generator: RandomGenerator) -> Bilinear.Region {
        let area = Float(image.height * image.width)
        let logLow = logf(ratio.lowerBound)
        let logHigh = logf(ratio.upperBound)
        for _ in 0..<10 {
            let targetArea = area * (scale.lowerBound + (scale.upperBound - scale.lowerBound) * generator.uniform())
            let aspect = expf(logLow + (logHigh - logLow) * generator.uniform())
            // An extreme ratio can make a side infinite or beyond Int: such a region does not fit either.
            if let width = NNChecks.roundedInt((targetArea * aspect).squareRoot()),
                let height = NNChecks.roundedInt((targetArea / aspect).squareRoot()),
                width > 0, width <= image.width, height > 0, height <= image.height
            {
                let top = generator.int(below: image.height - height + 1)
                let left = generator.int(below: image.width - width + 1)
                return Bilinear.Region(top: top, left: left, height: height, width: width)
            }
        }
        let imageRatio = Float(image.width) / Float(image.height)
        var width = image.width
        var height = image.height
        // Clamped to the image in floating point first, so a tiny or huge ratio cannot overflow the conversion.
        if imageRatio < ratio.lowerBound {
            height = NNChecks.roundedInt(Swift.min(Float(width) / ratio.lowerBound, Float(image.height))) ?? image.height
        } else if imageRatio > ratio.upperBound {
            width = NNChecks.roundedInt(Swift.min(Float(height) * ratio.upperBound, Float(image.width))) ?? image.width
        }
        height = Swift.max(1, Swift.min(height, image.height))
        width = Swift.max(1, Swift.min(width, image.width))
        return Bilinear.Region(top: (image.height - height) / 2, left: (image.width - width) / 2, height: height, width: width)
    }
}
