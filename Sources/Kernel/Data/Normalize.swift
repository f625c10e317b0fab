/// Standardises each channel: `(x − mean[c]) / std[c]` (torchvision's `Normalize`). Compute the numbers
/// with `Dataset.channelStatistics()` on the training set.
public struct Normalize: Transform {
    /// One mean per channel.
    public let mean: [Float]
    /// One standard deviation per channel (all positive).
    public let std: [Float]

    /// Normalises with per-channel `mean` and `std`.
    public init(mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std
    }

    /// The input shape; throws unless there is one positive std and one finite mean per channel.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let layout = try ImageLayout(inputShape, op: "Normalize")
        guard mean.count == layout.channels, std.count == layout.channels else {
            throw KernelError.shapeMismatch(
                op: "Normalize", expected: "\(layout.channels) means and standard deviations (one per channel)",
                found: "\(mean.count) means and \(std.count) standard deviations")
        }
        guard std.allSatisfy({ $0 > 0 && $0.isFinite }), mean.allSatisfy(\.isFinite) else {
            throw KernelError.invalidArgument(
                op: "Normalize", message: "standard deviations must be positive and means finite, found mean \(mean) and std \(std)")
        }
        return inputShape
    }

    /// Normalises each channel.
    public func apply(_ image: Tensor, generator: RandomGenerator) throws -> Tensor {
        _ = try outputShape(for: image.shape)
        let layout = try ImageLayout(image.shape, op: "Normalize")
        var data = image.data
        for channel in 0..<layout.channels {
            let (m, inverse) = (mean[channel], 1 / std[channel])
            for i in (channel * layout.plane)..<((channel + 1) * layout.plane) {
                data[i] = (data[i] - m) * inverse
            }
        }
        return Tensor(unchecked: image.shape, data: data)
    }
}
