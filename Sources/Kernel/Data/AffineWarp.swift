#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A fixed affine warp about the image centre, sampled bilinearly; pixels that come from outside the image
/// get `fill`. A point `p` of the input moves to
/// `centre + translation + R(rotation) · shearX · shearY · scale · (p − centre)`, where pixel centres are at
/// whole coordinates, y points down, and a positive rotation turns the picture counter-clockwise as shown
/// on screen (torchvision's convention). `shearX` by angle a moves x by tan(a)·(y − centre y).
public struct AffineWarp: Transform {
    /// Degrees, counter-clockwise.
    public let rotation: Float
    /// Pixels to the right.
    public let translateX: Float
    /// Pixels down.
    public let translateY: Float
    /// Zoom factor (> 0).
    public let scale: Float
    /// Horizontal shear in degrees, in (−90, 90).
    public let shearX: Float
    /// Vertical shear in degrees, in (−90, 90).
    public let shearY: Float
    /// The value of pixels that come from outside the input.
    public let fill: Float

    /// A warp; every parameter defaults to the identity.
    public init(
        rotation: Float = 0, translateX: Float = 0, translateY: Float = 0, scale: Float = 1, shearX: Float = 0, shearY: Float = 0, fill: Float = 0
    ) {
        self.rotation = rotation
        self.translateX = translateX
        self.translateY = translateY
        self.scale = scale
        self.shearX = shearX
        self.shearY = shearY
        self.fill = fill
    }

    /// The input shape; throws for a non-positive scale, a shear of ±90° or more, or non-finite parameters.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        _ = try ImageLayout(inputShape, op: "AffineWarp")
        guard scale > 0, scale.isFinite else {
            throw KernelError.invalidArgument(op: "AffineWarp", message: "scale must be positive, found \(scale)")
        }
        guard abs(shearX) < 90, abs(shearY) < 90 else {
            throw KernelError.invalidArgument(
                op: "AffineWarp", message: "shear angles must lie strictly between -90 and 90 degrees, found \(shearX) and \(shearY)")
        }
        guard rotation.isFinite, translateX.isFinite, translateY.isFinite else {
            throw KernelError.invalidArgument(op: "AffineWarp", message: "rotation and translation must be finite numbers")
        }
        return inputShape
    }

    /// Warps every channel alike.
    public func apply(_ image: Tensor, generator: RandomGenerator) throws -> Tensor {
        _ = try outputShape(for: image.shape)
        let layout = try ImageLayout(image.shape, op: "AffineWarp")
        if rotation == 0 && translateX == 0 && translateY == 0 && scale == 1 && shearX == 0 && shearY == 0 { return image }
        // Forward matrix M = R · ShearX · ShearY · scale (y down, so a counter-clockwise turn is [[c, s], [−s, c]]).
        let angle = Double(rotation) * Double.pi / 180
        let (c, s) = (cos(angle), sin(angle))
        let a = tan(Double(shearX) * Double.pi / 180)
        let b = tan(Double(shearY) * Double.pi / 180)
        let shear = (m00: 1 + a * b, m01: a, m10: b, m11: 1.0)
        let k = Double(scale)
        let m00 = k * (c * shear.m00 + s * shear.m10)
        let m01 = k * (c * shear.m01 + s * shear.m11)
        let m10 = k * (-s * shear.m00 + c * shear.m10)
        let m11 = k * (-s * shear.m01 + c * shear.m11)
        let determinant = m00 * m11 - m01 * m10
        // Sampling needs the inverse: which input point lands on each output pixel.
        let i00 = Float(m11 / determinant), i01 = Float(-m01 / determinant)
        let i10 = Float(-m10 / determinant), i11 = Float(m00 / determinant)
        let cx = Float(layout.width - 1) / 2
        let cy = Float(layout.height - 1) / 2
        var data = [Float](repeating: 0, count: image.count)
        let (height, width, plane) = (layout.height, layout.width, layout.plane)
        image.data.withUnsafeBufferPointer { input in
            data.withUnsafeMutableBufferPointer { output in
                // Pixel-major: where a pixel samples is worked out once for all its channels.
                for y in 0..<height {
                    let dy = Float(y) - cy - translateY
                    for x in 0..<width {
                        let dx = Float(x) - cx - translateX
                        let tap = Bilinear.Tap(x: cx + i00 * dx + i01 * dy, y: cy + i10 * dx + i11 * dy, height: height, width: width)
                        for channel in 0..<layout.channels {
                            output[channel * plane + y * width + x] = tap.value(input, base: channel * plane, fill: fill)
                        }
                    }
                }
            }
        }
        return Tensor(unchecked: image.shape, data: data)
    }
}

/// A random `AffineWarp` per sample (torchvision's `RandomAffine`): rotation uniform in `degrees`,
/// translation uniform up to `translateX`·width and `translateY`·height pixels (rounded to whole pixels),
/// zoom uniform in `scale`, horizontal shear uniform in `shear` degrees.
public struct RandomAffine: Transform {
    /// Rotation range, degrees counter-clockwise.
    public let degrees: ClosedRange<Float>
    /// Largest horizontal shift, as a fraction of the width.
    public let translateX: Float
    /// Largest vertical shift, as a fraction of the height.
    public let translateY: Float
    /// Zoom range.
    public let scale: ClosedRange<Float>
    /// Horizontal shear range, degrees.
    public let shear: ClosedRange<Float>
    /// The value of pixels that come from outside the input.
    public let fill: Float

    /// Random warps; every range defaults to the identity.
    public init(
        degrees: ClosedRange<Float> = 0...0, translate: (x: Float, y: Float) = (0, 0), scale: ClosedRange<Float> = 1...1,
        shear: ClosedRange<Float> = 0...0, fill: Float = 0
    ) {
        self.degrees = degrees
        self.translateX = translate.x
        self.translateY = translate.y
        self.scale = scale
        self.shear = shear
        self.fill = fill
    }

    /// Random rotation by up to `degrees` either way.
    public static func rotation(_ degrees: Float, fill: Float = 0) -> RandomAffine {
        RandomAffine(degrees: -abs(degrees)...abs(degrees), fill: fill)
    }

    /// Random shift by up to `fraction` of the width and height either way.
    public static func translation(_ fraction: Float, fill: Float = 0) -> RandomAffine {
        RandomAffine(translate: (fraction, fraction), fill: fill)
    }

    /// Random horizontal shear by up to `degrees` either way.
    public static func shear(_ degrees: Float, fill: Float = 0) -> RandomAffine {
        RandomAffine(shear: -abs(degrees)...abs(degrees), fill: fill)
    }

    /// Random zoom by a factor in `range`.
    public static func scaling(_ range: ClosedRange<Float>, fill: Float = 0) -> RandomAffine {
        RandomAffine(scale: range, fill: fill)
    }

    /// The input shape; throws for translate fractions outside [0, 1] or invalid scale, shear or degree ranges.
    public func outputShape(for inputShape: [Int]) throws -> [Int] {
        _ = try ImageLayout(inputShape, op: "RandomAffine")
        guard translateX >= 0, translateX <= 1, translateY >= 0, translateY <= 1 else {
            throw KernelError.invalidArgument(
                op: "RandomAffine", message: "translate fractions must lie in [0, 1], found (\(translateX), \(translateY))")
        }
        for bound in [scale.lowerBound, scale.upperBound] {
            _ = try AffineWarp(scale: bound).outputShape(for: inputShape)
        }
        for bound in [shear.lowerBound, shear.upperBound] {
            _ = try AffineWarp(shearX: bound).outputShape(for: inputShape)
        }
        guard degrees.lowerBound.isFinite, degrees.upperBound.isFinite else {
            throw KernelError.invalidArgument(op: "RandomAffine", message: "degrees must be finite, found \(degrees)")
        }
        return inputShape
    }

    /// Draws a warp (five numbers from `generator`) and applies it.
    public func apply(_ image: Tensor, generator: RandomGenerator) throws -> Tensor {
        _ = try outputShape(for: image.shape)
        let layout = try ImageLayout(image.shape, op: "RandomAffine")
        return try warp(for: layout.size, generator: generator).apply(image, generator: generator)
    }

    /// The warp for one image, drawing exactly five numbers from `generator`.
    func warp(for size: ImageSize, generator: RandomGenerator) -> AffineWarp {
        func pick(_ range: ClosedRange<Float>) -> Float {
            range.lowerBound + (range.upperBound - range.lowerBound) * generator.uniform()
        }
        let angle = pick(degrees)
        let maxX = translateX * Float(size.width)
        let maxY = translateY * Float(size.height)
        let shiftX = pick(-maxX...maxX).rounded()
        let shiftY = pick(-maxY...maxY).rounded()
        return AffineWarp(rotation: angle, translateX: shiftX, translateY: shiftY, scale: pick(scale), shearX: pick(shear), fill: fill)
    }
}
