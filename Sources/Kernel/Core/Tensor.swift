/// A dense, contiguous, row-major Float32 array of any rank, with an optional place on the autograd tape.
///
/// Images are NCHW. Every op returns a new tensor; gradients flow back through `backward()`.
public final class Tensor: @unchecked Sendable {
    /// The size of each dimension; `[]` for a scalar.
    public let shape: [Int]
    /// The values, row-major. Ops inside the Kernel may update them in place (optimizers, `noGrad` updates).
    public internal(set) var data: [Float] {
        didSet { version &+= 1 }
    }
    /// Counts the changes of `data` (PyTorch's `_version`), so values derived from it and cached, such as a convolution's
    /// folded inference weights, are rebuilt after an optimizer step or a weight load.
    private(set) var version = 0
    /// Whether gradients should be computed for this tensor.
    public var requiresGrad: Bool
    /// The accumulated gradient after `backward()`, for leaf tensors that require it.
    public internal(set) var grad: Tensor?
    /// How this tensor was produced, when it is part of the graph.
    var gradFn: GradFn?
    /// How the values are ordered in memory: `plain` except for the feature maps of a model's training fast path.
    public internal(set) var layout: TensorLayout
    /// `int64` for integer tensors (`argmax`, `.long()`); ops that compute new values give `float32`.
    public internal(set) var elementType: ElementType = .float32

    /// Wraps `data` with `shape`; the counts must agree.
    public init(shape: [Int], data: [Float], requiresGrad: Bool = false) throws {
        try Shape.validate(shape, op: "tensor")
        guard Shape.count(shape) == data.count else {
            throw KernelError.shapeMismatch(
                op: "tensor", expected: "\(Shape.count(shape)) values for shape \(shapeString(shape))", found: "\(data.count) values")
        }
        self.shape = shape
        self.data = data
        self.requiresGrad = requiresGrad
        layout = .plain
    }

    /// Internal constructor for ops whose shapes are already checked: `shape` must be an input's shape or have passed
    /// `Shape.validate`, and `data` must hold exactly its element count.
    init(unchecked shape: [Int], data: [Float], layout: TensorLayout = .plain, elementType: ElementType = .float32) {
        self.shape = shape
        self.data = data
        self.requiresGrad = false
        self.layout = layout
        self.elementType = elementType
    }

    /// A buffer of `count` values written by `fill`, which must set every one of them (no zero-filling first).
    static func storage(count: Int, _ fill: (UnsafeMutablePointer<Float>) -> Void) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let base = buffer.baseAddress { fill(base) }
            initialized = count
        }
    }

    /// An array of `count` floats whose values are whatever the allocator returned; only for buffers about to be overwritten
    /// (by oneDNN, say).
    static func uninitialized(count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }

    /// `body` with a pointer to `values`, or nil when there are none (an optional bias, mask or kept copy).
    static func withOptionalBuffer<R>(_ values: [Float]?, _ body: (UnsafePointer<Float>?) throws -> R) rethrows -> R {
        guard let values else { return try body(nil) }
        return try values.withUnsafeBufferPointer { try body($0.baseAddress) }
    }

    /// `body` with a mutable pointer to `values`, or nil when there are none (a gradient not asked for).
    static func withOptionalMutable<R>(_ values: inout [Float]?, _ body: (UnsafeMutablePointer<Float>?) throws -> R) rethrows -> R {
        guard var present = values else { return try body(nil) }
        // Detach the array from the optional so writing through the buffer does not copy it.
        values = nil
        defer { values = present }
        return try present.withUnsafeMutableBufferPointer { try body($0.baseAddress) }
    }

    /// Drops the values of an intermediate tensor that only the tape still references and whose values no backward
    /// closure reads (a model's feature map after its last reader), keeping its shape for gradient bookkeeping.
    func releaseStorage() {
        data = []
    }

    /// A 0-dimensional tensor holding `value`.
    public convenience init(_ value: Float) {
        self.init(unchecked: [], data: [value])
    }

    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// Number of elements.
    public var count: Int { data.count }
    /// Element type name, as PyTorch prints it (`float32`, `int64`).
    public var dtype: String { elementType.rawValue }

    /// The single value of a one-element tensor (PyTorch's `item()`).
    public func item() throws -> Float {
        guard data.count == 1 else {
            throw KernelError.invalidArgument(
                op: "item", message: "only a one-element tensor can be converted to a number; this one has shape \(shapeString(shape))")
        }
        return data[0]
    }

    /// Size of dimension `axis` (negative counts from the end).
    public func size(_ axis: Int) throws -> Int {
        guard rank > 0 else {
            throw KernelError.invalidArgument(op: "size", message: "a 0-d tensor has no dimension \(axis)")
        }
        return shape[try Shape.normalize(axis: axis, rank: rank, op: "size")]
    }

    /// A copy of the values that shares no storage and is not on the tape.
    public func detach() -> Tensor {
        Tensor(unchecked: shape, data: data, layout: layout, elementType: elementType)
    }

    /// Overwrites the values of this tensor with `other`'s, outside the tape (like `p.data.copy_(x)`).
    public func assign(_ other: Tensor) throws {
        guard other.shape == shape else {
            throw KernelError.shapeMismatch(op: "assign", expected: shapeString(shape), found: shapeString(other.shape))
        }
        try Tensor.requireSameLayout(self, other, op: "assign")
        data = other.data
    }

    /// Overwrites the values with `values`, outside the tape.
    public func assign(_ values: [Float]) throws {
        guard values.count == data.count else {
            throw KernelError.shapeMismatch(op: "assign", expected: "\(data.count) values", found: "\(values.count) values")
        }
        data = values
    }
}

// MARK: - Creation

extension Tensor {
    /// A tensor of `shape` filled with `value`.
    public static func full(_ shape: [Int], _ value: Float, requiresGrad: Bool = false) throws -> Tensor {
        try Shape.validate(shape, op: "full")
        let t = Tensor(unchecked: shape, data: [Float](repeating: value, count: Shape.count(shape)))
        t.requiresGrad = requiresGrad
        return t
    }

    /// Zeros of `shape`.
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) throws -> Tensor {
        try full(shape, 0, requiresGrad: requiresGrad)
    }

    /// Ones of `shape`.
    public static func ones(_ shape: [Int], requiresGrad: Bool = false) throws -> Tensor {
        try full(shape, 1, requiresGrad: requiresGrad)
    }

    /// Zeros shaped like `other` (never fails: `other` was already validated).
    public static func zeros(like other: Tensor) -> Tensor {
        Tensor(unchecked: other.shape, data: [Float](repeating: 0, count: other.count))
    }

    /// `start, start+step, …` up to but excluding `end`, as a 1-D tensor.
    public static func arange(_ start: Float, _ end: Float, step: Float = 1) throws -> Tensor {
        guard step != 0, step.isFinite, start.isFinite, end.isFinite else {
            throw KernelError.invalidArgument(op: "arange", message: "step must be a finite non-zero number, found \(step)")
        }
        let steps = ((Double(end) - Double(start)) / Double(step)).rounded(.up)
        // Checked in Double before converting, so a huge range is an error rather than a trap.
        guard steps < Double(MemoryLimit.bytes / MemoryLayout<Float>.stride) else {
            throw KernelError.allocationTooLarge(elements: steps < Double(Int.max) ? Int(steps) : Int.max, limitBytes: MemoryLimit.bytes)
        }
        let n = Swift.max(0, Int(steps))
        return Tensor(unchecked: [n], data: (0..<n).map { start + Float($0) * step })
    }

    /// Standard normal samples from `generator` (default: the global seeded one).
    public static func randn(_ shape: [Int], generator: RandomGenerator = .global, requiresGrad: Bool = false) throws -> Tensor {
        try Shape.validate(shape, op: "randn")
        let t = Tensor(unchecked: shape, data: (0..<Shape.count(shape)).map { _ in generator.normal() })
        t.requiresGrad = requiresGrad
        return t
    }

    /// Uniform samples in `[low, high)`.
    public static func rand(_ shape: [Int], low: Float = 0, high: Float = 1, generator: RandomGenerator = .global, requiresGrad: Bool = false) throws
        -> Tensor
    {
        try Shape.validate(shape, op: "rand")
        let t = Tensor(unchecked: shape, data: (0..<Shape.count(shape)).map { _ in low + (high - low) * generator.uniform() })
        t.requiresGrad = requiresGrad
        return t
    }

    /// A 1-D tensor of `values`.
    public static func vector(_ values: [Float]) -> Tensor {
        Tensor(unchecked: [values.count], data: values)
    }
}
