/// How `RandomCrop` fills the border it adds.
public enum PaddingMode: String, Sendable, CaseIterable {
    /// Zeros (PyTorch's `constant` padding with 0).
    case zero
    /// The image mirrored at its edge, without repeating the edge pixel (PyTorch's `reflect`):
    /// a row `a b c d` padded by 2 reads `c b a b c d c b`.
    case reflect
}

/// Pads the image by `padding` pixels on every side, then cuts out a `size` window at a random position:
/// the standard CIFAR augmentation (`RandomCrop(size: ImageSize(32), padding: 4)`).
public struct RandomCrop: Transform {
    /// The output size.
    public let size: ImageSize
    /// Pixels added on each side before cropping.
    public let padding: Int
    /// What the added border holds.
    public let mode: PaddingMode

    /// Crops `size` after padding by `padding` with `mode`.
    public init(size: ImageSize, padding: Int = 0, mode: PaddingMode = .zero) {
        self.size = size
        self.padding = padding
        self.mode = mode
    }

    /// [C, size.height, size.width]; throws if the crop does not fit the padded image, or reflect padding is as large as the image.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let layout = try ImageLayout(inputShape, op: "RandomCrop")
        let shape = try ImageLayout.validatedShape(channels: layout.channels, size, op: "RandomCrop")
        guard padding >= 0 else {
            throw KernelError.invalidArgument(op: "RandomCrop", message: "padding must not be negative, found \(padding)")
        }
        // `apply` draws positions below the padded sizes, which must therefore fit in an Int.
        let (twice, o1) = padding.multipliedReportingOverflow(by: 2)
        let (paddedHeight, o2) = layout.height.addingReportingOverflow(twice)
        let (paddedWidth, o3) = layout.width.addingReportingOverflow(twice)
        guard !o1, !o2, !o3 else {
            throw KernelError.invalidArgument(op: "RandomCrop", message: "padding \(padding) is too large for an image of \(layout.size)")
        }
        guard size.height <= paddedHeight, size.width <= paddedWidth else {
            throw KernelError.invalidArgument(
                op: "RandomCrop", message: "crop \(size) does not fit in an image of \(layout.size) padded by \(padding)")
        }
        if mode == .reflect {
            guard padding < layout.height, padding < layout.width else {
                throw KernelError.invalidArgument(
                    op: "RandomCrop",
                    message: "reflect padding of \(padding) needs an image larger than \(padding) pixels on each side, found \(layout.size)")
            }
        }
        return shape
    }

    /// Crops at a position drawn from `generator` (two integers).
    public func apply(_ image: Tensor, generator: RandomGenerator) throws -> Tensor {
        let shape = try outputShape(for: image.shape)
        let layout = try ImageLayout(image.shape, op: "RandomCrop")
        let top = generator.int(below: layout.height + 2 * padding - size.height + 1) - padding
        let left = generator.int(below: layout.width + 2 * padding - size.width + 1) - padding
        let rows = (0..<size.height).map { source(top + $0, length: layout.height) }
        let columns = (0..<size.width).map { source(left + $0, length: layout.width) }
        var data = [Float](repeating: 0, count: Shape.count(shape))
        var target = 0
        // Read through one buffer: `image.data` per pixel would go through the tensor's accessor each time.
        image.data.withUnsafeBufferPointer { source in
            for c in 0..<layout.channels {
                for row in rows {
                    for column in columns {
                        if let row, let column { data[target] = source[c * layout.plane + row * layout.width + column] }
                        target += 1
                    }
                }
            }
        }
        return Tensor(unchecked: shape, data: data)
    }

    /// The input index that padded position `index` shows, or nil for a zero.
    private func source(_ index: Int, length: Int) -> Int? {
        if index >= 0 && index < length { return index }
        switch mode {
        case .zero: return nil
        case .reflect: return index < 0 ? -index : 2 * (length - 1) - index
        }
    }
}
