/// Shape arithmetic shared by every op: element counts, strides, axis normalisation, broadcasting.
public enum Shape {
    /// Number of elements of a tensor with this shape (1 for a scalar).
    @inlinable
    public static func count(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    /// Row-major strides, in elements.
    public static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = step
            step *= shape[axis]
        }
        return strides
    }

    /// Turns a possibly negative axis into `0..<rank`, or throws naming the op.
    public static func normalize(axis: Int, rank: Int, op: String) throws -> Int {
        let resolved = axis < 0 ? axis + rank : axis
        guard resolved >= 0, resolved < max(rank, 1) else {
            throw KernelError.invalidArgument(op: op, message: "axis \(axis) is out of range for a tensor of rank \(rank)")
        }
        return resolved
    }

    /// NumPy/PyTorch broadcasting of two shapes.
    public static func broadcast(_ a: [Int], _ b: [Int], op: String) throws -> [Int] {
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            guard da == db || da == 1 || db == 1 else {
                throw KernelError.shapeMismatch(op: op, expected: "shapes that broadcast with \(shapeString(a))", found: shapeString(b))
            }
            result[i] = da == 1 ? db : da
        }
        return result
    }

    /// Validates a shape before anything of that shape is allocated: no negative dimensions, an element count that
    /// does not overflow and fits the memory limit. Returns the element count. Every op whose output shape differs from
    /// its input's calls this first, so a shape computed from user input can never wrap around or exhaust memory.
    ///
    /// The product of the non-zero dimensions must fit in an `Int` even when another dimension is 0 (so the shape has
    /// no elements): ops split a shape into outer, axis and inner counts, and every such partial product of a valid
    /// shape then fits too, whatever the order of the dimensions.
    @discardableResult
    public static func validate(_ shape: [Int], op: String) throws -> Int {
        var nonZero = 1
        for dim in shape {
            guard dim >= 0 else {
                throw KernelError.invalidArgument(op: op, message: "negative dimension \(dim) in shape \(shapeString(shape))")
            }
            let (product, overflow) = nonZero.multipliedReportingOverflow(by: Swift.max(dim, 1))
            guard !overflow else { throw KernelError.allocationTooLarge(elements: Int.max, limitBytes: MemoryLimit.bytes) }
            nonZero = product
        }
        let elements = shape.contains(0) ? 0 : nonZero
        try MemoryLimit.check(elements: elements)
        return elements
    }

    /// `axes` resolved like `normalize(axis:rank:op:)`, in the order given; throws when one appears twice
    /// (`sum(dim=(0, -2))` on a rank-2 tensor), as PyTorch does.
    public static func normalize(axes: [Int], rank: Int, op: String) throws -> [Int] {
        var seen = Set<Int>()
        return try axes.map { axis in
            let resolved = try normalize(axis: axis, rank: rank, op: op)
            guard seen.insert(resolved).inserted else {
                throw KernelError.invalidArgument(op: op, message: "dim \(resolved) appears multiple times in the list of dims \(axes)")
            }
            return resolved
        }
    }

    /// `a + b` for sizes computed from user input (a concatenated axis, a padded length), or an error naming `what`
    /// instead of an overflow trap.
    public static func add(_ a: Int, _ b: Int, op: String, what: String) throws -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard !overflow else { throw KernelError.invalidArgument(op: op, message: "\(what) (\(a) + \(b)) overflows") }
        return sum
    }

    /// `a · b` for sizes computed from user input, or an error naming `what` instead of an overflow trap.
    public static func multiply(_ a: Int, _ b: Int, op: String, what: String) throws -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        guard !overflow else { throw KernelError.invalidArgument(op: op, message: "\(what) (\(a) × \(b)) overflows") }
        return product
    }

    /// The product of `values`, or `Int.max` when it overflows: for statistics such as multiply–accumulate counts,
    /// where a huge figure is an answer rather than an error.
    public static func saturatingProduct(_ values: [Int]) -> Int {
        var product = 1
        for value in values {
            let (next, overflow) = product.multipliedReportingOverflow(by: value)
            if overflow { return Int.max }
            product = next
        }
        return product
    }

    /// `a + b`, or `Int.max` when it overflows (totals of `saturatingProduct` figures).
    public static func saturatingSum(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : sum
    }
}

/// The largest tensor the Kernel will allocate, so a typo like `zeros([100000, 100000])`
/// is refused with a message instead of the OS killing the process.
public enum MemoryLimit {
    /// Bytes a single tensor may take: half of physical memory.
    nonisolated(unsafe) public static var bytes: Int = {
        let pages = sysconf(Int32(_SC_PHYS_PAGES))
        let pageSize = sysconf(Int32(_SC_PAGESIZE))
        return pages > 0 && pageSize > 0 ? pages * pageSize / 2 : 8 << 30
    }()

    /// Throws `allocationTooLarge` when `elements` Float32 values exceed the limit.
    public static func check(elements: Int) throws {
        if elements > bytes / MemoryLayout<Float>.stride {
            throw KernelError.allocationTooLarge(elements: elements, limitBytes: bytes)
        }
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
