/// Zooms by a random factor drawn uniformly from `scale`, keeping the output size: a factor above 1 crops a region
/// 1/factor of each side at a random place and enlarges it (zoom in); below 1 shrinks the whole image by the factor
/// and places it at a random place on a canvas of `fill` (zoom out). Resampling is bilinear.
public struct RandomZoom: Transform {
    /// The range of zoom factors (> 0); 1 leaves the image as it is.
    public let scale: ClosedRange<Float>
    /// The value around a zoomed-out image.
    public let fill: Float

    /// Zoom factors drawn from `scale`, padding with `fill` when zooming out.
    public init(scale: ClosedRange<Float>, fill: Float = 0) {
        self.scale = scale
        self.fill = fill
    }

    /// The input shape; throws unless the factors are positive and finite.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        _ = try ImageLayout(inputShape, op: "RandomZoom")
        guard scale.lowerBound > 0, scale.upperBound.isFinite else {
            throw KernelError.invalidArgument(
                op: "RandomZoom", message: "zoom factors must be positive and finite, found \(scale.lowerBound)…\(scale.upperBound)")
        }
        guard fill.isFinite else {
            throw KernelError.invalidArgument(op: "RandomZoom", message: "fill must be a finite number, found \(fill)")
        }
        return inputShape
    }

    /// Zooms by a factor and to a place drawn from `generator`: always three draws (factor, row, column).
    public func apply(_ image: Tensor, generator: RandomGenerator) throws -> Tensor {
        _ = try outputShape(for: image.shape)
        let layout = try ImageLayout(image.shape, op: "RandomZoom")
        let factor = scale.lowerBound + (scale.upperBound - scale.lowerBound) * generator.uniform()
        let rowDraw = generator.uniform()
        let columnDraw = generator.uniform()
        // A side scaled by the factor, between 1 pixel and the image's side.
        func side(_ length: Int, _ ratio: Float) -> Int {
            Swift.min(length, Swift.max(1, NNChecks.roundedInt(Float(length) * ratio) ?? length))
        }
        func offset(_ spare: Int, _ draw: Float) -> Int {
            Swift.min(spare, Int(draw * Float(spare + 1)))
        }
        if factor >= 1 {
            let height = side(layout.height, 1 / factor)
            let width = side(layout.width, 1 / factor)
            let region = Bilinear.Region(
                top: offset(layout.height - height, rowDraw), left: offset(layout.width - width, columnDraw),
                height: height, width: width)
            if height == layout.height && width == layout.width { return image }
            let data = Bilinear.resize(
                image.data, planes: layout.channels, height: layout.height, width: layout.width, region: region, to: layout.size)
            return Tensor(unchecked: image.shape, data: data)
        }
        let inner = ImageSize(height: side(layout.height, factor), width: side(layout.width, factor))
        let small = Bilinear.resize(
            image.data, planes: layout.channels, height: layout.height, width: layout.width,
            region: Bilinear.Region(top: 0, left: 0, height: layout.height, width: layout.width), to: inner)
        let top = offset(layout.height - inner.height, rowDraw)
        let left = offset(layout.width - inner.width, columnDraw)
        var data = [Float](repeating: fill, count: image.data.count)
        for channel in 0..<layout.channels {
            for y in 0..<inner.height {
                let from = (channel * inner.height + y) * inner.width
                let to = channel * layout.plane + (top + y) * layout.width + left
                data.replaceSubrange(to..<(to + inner.width), with: small[from..<(from + inner.width)])
            }
        }
        return Tensor(unchecked: image.shape, data: data)
    }
}
