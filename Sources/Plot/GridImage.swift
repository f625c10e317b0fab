/// One picture in an image grid: grayscale or RGB pixels with a caption.
public struct GridImage: Equatable {
    /// Colour layout of the pixels.
    public enum Channels: Int, Equatable {
        /// One value a pixel.
        case gray = 1
        /// Red, green, blue values a pixel, interleaved.
        case rgb = 3
    }

    /// Pixels across.
    public var width: Int
    /// Pixels down.
    public var height: Int
    /// Gray or RGB.
    public var channels: Channels
    /// Row-major pixel values, top row first; RGB values interleaved (height × width × 3).
    public var pixels: [Double]
    /// Text above the picture, e.g. "true 3 / pred 5 / 0.91" (user text; quoted before it reaches gnuplot).
    public var caption: String
    /// The values shown as black and full intensity; nil: the image's own finite minimum and maximum.
    public var valueRange: ClosedRange<Double>?

    /// An image of `width` × `height` pixels.
    public init(
        width: Int, height: Int, channels: Channels = .gray, pixels: [Double], caption: String = "",
        valueRange: ClosedRange<Double>? = nil
    ) {
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
        self.caption = caption
        self.valueRange = valueRange
    }

    /// An image from single-precision pixels (as tensors hold them).
    @_disfavoredOverload  // array literals pick the Double version
    public init(
        width: Int, height: Int, channels: Channels = .gray, pixels: [Float], caption: String = "",
        valueRange: ClosedRange<Double>? = nil
    ) {
        self.init(
            width: width, height: height, channels: channels, pixels: pixels.map(Double.init),
            caption: caption, valueRange: valueRange)
    }

    /// Pixel values mapped onto 0...1 by `valueRange` (or the finite extremes), clamped; NaN becomes 0.
    func normalizedPixels(index: Int) throws -> [Double] {
        // gnuplot's image plots need a grid of at least 2 × 2 points.
        guard width >= 2, height >= 2 else {
            throw PlotError.invalidChart("image \(index) must be at least 2×2 pixels, got \(width)×\(height)")
        }
        let expected = width * height * channels.rawValue
        guard pixels.count == expected else {
            throw PlotError.invalidChart("image \(index) is \(width)×\(height)×\(channels.rawValue) = \(expected) values but has \(pixels.count)")
        }
        let finite = pixels.filter { $0.isFinite }
        let low = valueRange?.lowerBound ?? finite.min() ?? 0
        let high = valueRange?.upperBound ?? finite.max() ?? 1
        let span = high > low ? high - low : 1
        return pixels.map { $0.isFinite ? min(max(($0 - low) / span, 0), 1) : 0 }
    }

    /// One brightness in 0...1 a pixel, row-major: the gray value, or the luma of an RGB pixel.
    func brightness(index: Int) throws -> [Double] {
        let values = try normalizedPixels(index: index)
        guard channels == .rgb else { return values }
        return (0..<width * height).map { (pixel: Int) -> Double in
            let red: Double = values[3 * pixel], green: Double = values[3 * pixel + 1], blue: Double = values[3 * pixel + 2]
            return 0.299 * red + 0.587 * green + 0.114 * blue
        }
    }
}
