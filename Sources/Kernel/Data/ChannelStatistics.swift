extension Dataset {
    /// The mean and (population) standard deviation of each channel over every pixel of every image,
    /// the numbers `Normalize` needs (CIFAR-10 gives about [0.491, 0.482, 0.447] and [0.247, 0.243, 0.262]).
    ///
    /// Sums run in Double so millions of pixels lose no precision.
    public func channelStatistics() -> (mean: [Float], std: [Float]) {
        let channels = sampleShape[0]
        let plane = sampleShape[1] * sampleShape[2]
        var sums = [Double](repeating: 0, count: channels)
        var squares = [Double](repeating: 0, count: channels)
        values.withUnsafeBufferPointer { pixels in
            for sample in 0..<count {
                for channel in 0..<channels {
                    let start = (sample * channels + channel) * plane
                    var sum = 0.0
                    var square = 0.0
                    for i in start..<(start + plane) {
                        let v = Double(pixels[i])
                        sum += v
                        square += v * v
                    }
                    sums[channel] += sum
                    squares[channel] += square
                }
            }
        }
        let n = Double(count * plane)
        let means = sums.map { $0 / n }
        let stds = zip(squares, means).map { square, mean in Swift.max(0, square / n - mean * mean).squareRoot() }
        return (means.map(Float.init), stds.map(Float.init))
    }
}
