/// Random brightness, contrast and saturation changes with torchvision's `ColorJitter` definitions, for images
/// with values in [0, 1]. Each non-zero strength `s` draws a factor uniformly from [max(0, 1 − s), 1 + s]; the three
/// adjustments run in a random order, and each blends the image with a reference and clamps to [0, 1]:
///
///     brightness:  f · x                        (blend with black)
///     contrast:    f · x + (1 − f) · mean(gray(x))  (blend with the mean gray level of the whole image)
///     saturation:  f · x + (1 − f) · gray(x)    (blend with the gray image; no change for 1 channel)
///
/// where gray = 0.2989 R + 0.587 G + 0.114 B (a 1-channel image is its own gray).
public struct ColorJitter: Transform {
    /// Strength of the brightness change (≥ 0; 0 leaves it).
    public let brightness: Float
    /// Strength of the contrast change (≥ 0).
    public let contrast: Float
    /// Strength of the saturation change (≥ 0).
    public let saturation: Float

    /// Jitter with the given strengths.
    public init(brightness: Float = 0, contrast: Float = 0, saturation: Float = 0) {
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
    }

    /// The input shape; throws for a negative or non-finite strength, or for contrast or saturation on images that
    /// have neither 1 nor 3 channels (their gray level is not defined).
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        let layout = try ImageLayout(inputShape, op: "ColorJitter")
        for (name, value) in [("brightness", brightness), ("contrast", contrast), ("saturation", saturation)] {
            guard value >= 0, value.isFinite else {
                throw KernelError.invalidArgument(op: "ColorJitter", message: "\(name) must be a finite number ≥ 0, found \(value)")
            }
        }
        if contrast > 0 || saturation > 0 {
            guard layout.channels == 1 || layout.channels == 3 else {
                throw KernelError.invalidArgument(
                    op: "ColorJitter", message: "contrast and saturation need gray (1) or RGB (3) channels, found \(layout.channels)")
            }
        }
        return inputShape
    }

    /// Draws the order (3 numbers) and the three factors (3 numbers, drawn even for a strength of 0, so the stream
    /// does not depend on which are used), then adjusts.
    public func apply(_ image: Tensor, generator: RandomGenerator) throws -> Tensor {
        _ = try outputShape(for: image.shape)
        let layout = try ImageLayout(image.shape, op: "ColorJitter")
        let order = generator.permutation(3)
        let factors = [brightness, contrast, saturation].map { strength -> Float in
            let draw = generator.uniform()
            return Swift.max(0, 1 - strength) + (1 + strength - Swift.max(0, 1 - strength)) * draw
        }
        var data = image.data
        for step in order {
            switch step {
            case 0 where brightness > 0:
                ColorJitter.adjustBrightness(&data, factor: factors[0])
            case 1 where contrast > 0:
                ColorJitter.adjustContrast(&data, layout: layout, factor: factors[1])
            case 2 where saturation > 0:
                ColorJitter.adjustSaturation(&data, layout: layout, factor: factors[2])
            default:
                break
            }
        }
        return Tensor(unchecked: image.shape, data: data)
    }

    /// `clamp(factor · x)`.
    static func adjustBrightness(_ data: inout [Float], factor: Float) {
        for i in data.indices { data[i] = clampUnit(factor * data[i]) }
    }

    /// `clamp(factor · x + (1 − factor) · mean gray)`.
    static func adjustContrast(_ data: inout [Float], layout: ImageLayout, factor: Float) {
        let gray = grayPlane(data, layout: layout)
        let mean = gray.reduce(0, +) / Float(gray.count)
        for i in data.indices { data[i] = clampUnit(factor * data[i] + (1 - factor) * mean) }
    }

    /// `clamp(factor · x + (1 − factor) · gray)`, pixel by pixel; a gray image is left alone.
    static func adjustSaturation(_ data: inout [Float], layout: ImageLayout, factor: Float) {
        guard layout.channels == 3 else { return }
        let gray = grayPlane(data, layout: layout)
        for channel in 0..<3 {
            for pixel in 0..<layout.plane {
                let i = channel * layout.plane + pixel
                data[i] = clampUnit(factor * data[i] + (1 - factor) * gray[pixel])
            }
        }
    }

    /// One plane of gray levels (ITU-R 601 weights as torchvision's `rgb_to_grayscale`).
    static func grayPlane(_ data: [Float], layout: ImageLayout) -> [Float] {
        guard layout.channels == 3 else { return Array(data[0..<layout.plane]) }
        return (0..<layout.plane).map { pixel in
            0.2989 * data[pixel] + 0.587 * data[layout.plane + pixel] + 0.114 * data[2 * layout.plane + pixel]
        }
    }

    private static func clampUnit(_ value: Float) -> Float {
        Swift.min(1, Swift.max(0, value))
    }
}
