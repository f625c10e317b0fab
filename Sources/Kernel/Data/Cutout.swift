/// Erases `count` square patches of side `size` at random centres (DeVries & Taylor's Cutout): each centre is
/// uniform over the image, and patches are clipped at the border, so a patch near an edge covers less.
/// Every channel is erased in the same place.
public struct Cutout: Transform {
    /// Side of each square, in pixels.
    public let size: Int
    /// Number of patches.
    public let count: Int
    /// The value written into the patches.
    public let fill: Float

    /// `count` patches of `size`×`size` set to `fill`.
    public init(size: Int, count: Int = 1, fill: Float = 0) {
        self.size = size
        self.count = count
        self.fill = fill
    }

    /// The input shape; throws unless size and count are positive and count is at most the image's pixel count.
    ///
    /// An image has only that many possible centres, and every patch costs two draws and a fill on every image, so a
    /// mistyped count (say 10⁹) would otherwise spin for hours per batch.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let layout = try ImageLayout(inputShape, op: "Cutout")
        guard size > 0, count > 0 else {
            throw KernelError.invalidArgument(op: "Cutout", message: "size and count must be positive, found size \(size) and count \(count)")
        }
        guard count <= layout.plane else {
            throw KernelError.invalidArgument(
                op: "Cutout", message: "count must be at most the \(layout.plane) pixels of an image of \(layout.size), found \(count)")
        }
        return inputShape
    }

    /// Erases the patches, drawing two integers per patch from `generator`.
    public func apply(_ image: Tensor, generator: RandomGenerator) throws -> Tensor {
        _ = try outputShape(for: image.shape)
        let layout = try ImageLayout(image.shape, op: "Cutout")
        var data = image.data
        for _ in 0..<count {
            let centreY = generator.int(below: layout.height)
            let centreX = generator.int(below: layout.width)
            let top = Swift.max(0, centreY - size / 2)
            let bottom = Swift.min(layout.height, centreY - size / 2 + size)
            let left = Swift.max(0, centreX - size / 2)
            let right = Swift.min(layout.width, centreX - size / 2 + size)
            guard top < bottom, left < right else { continue }
            for channel in 0..<layout.channels {
                for y in top..<bottom {
                    let row = channel * layout.plane + y * layout.width
                    for x in left..<right { data[row + x] = fill }
                }
            }
        }
        return Tensor(unchecked: image.shape, data: data)
    }
}
