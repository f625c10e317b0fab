#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Elementwise arithmetic with NumPy broadcasting; each op sits beside its gradient.

extension Tensor {
    /// Applies `forward` elementwise over the broadcast of `a` and `b`, without recording.
    private static func zipBroadcast(_ a: Tensor, _ b: Tensor, op: String, _ forward: (Float, Float) -> Float) throws -> Tensor {
        try a.requirePlainLayout(op: op)
        try b.requirePlainLayout(op: op)
        if a.shape == b.shape {
            var out = [Float](repeating: 0, count: a.count)
            a.data.withUnsafeBufferPointer { x in
                b.data.withUnsafeBufferPointer { y in
                    for i in 0..<out.count { out[i] = forward(x[i], y[i]) }
                }
            }
            return Tensor(unchecked: a.shape, data: out)
        }
        let shape = try Shape.broadcast(a.shape, b.shape, op: op)
        // The broadcast shape can be far larger than either operand ([60000, 1] - [60000]): refuse it before allocating.
        let count = try Shape.validate(shape, op: op)
        if count == 0 { return Tensor(unchecked: shape, data: []) }
        if b.count == 1 {
            let y = b.data[0]
            // A one-element operand adds no elements, only leading 1-dimensions.
            return Tensor(unchecked: shape, data: a.data.map { forward($0, y) })
        }
        if a.count == 1 {
            let x = a.data[0]
            return Tensor(unchecked: shape, data: b.data.map { forward(x, $0) })
        }
        let ia = Broadcast.sourceIndices(out: shape, in: a.shape)
        let ib = Broadcast.sourceIndices(out: shape, in: b.shape)
        var out = [Float](repeating: 0, count: count)
        for i in 0..<count { out[i] = forward(a.data[ia[i]], b.data[ib[i]]) }
        return Tensor(unchecked: shape, data: out)
    }

    /// Elementwise sum with broadcasting.
    public static func + (a: Tensor, b: Tensor) throws -> Tensor {
        if a.shape == b.shape {
            try a.requirePlainLayout(op: "add")
            return try sameShapeSum(a, b, thenReLU: false)
        }
        let out = try zipBroadcast(a, b, op: "add", +)
        // Backward closures capture values, never `out`: the output holds its closure, so that would be a retain cycle.
        let outShape = out.shape
        return out.record("add", inputs: [a, b]) { g in
            a.accumulateGrad(Broadcast.reduce(g, out: outShape, to: a.shape))
            b.accumulateGrad(Broadcast.reduce(g, out: outShape, to: b.shape))
        }
    }

    /// `relu(a + b)` as one op (a residual join followed by its activation); inputs of different shapes broadcast as `+`.
    static func addReLU(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        guard a.shape == b.shape else { return try (a + b).relu() }
        return try sameShapeSum(a, b, thenReLU: true)
    }

    /// `a + b`, then max(·, 0) when `thenReLU`, for equal shapes in one layout, either: the residual join of every ResNet
    /// block, plain or blocked, so vectorised, spread over the cores and fused with its ReLU (one pass forward, one
    /// backward, no intermediate sum). The gradient passes to both inputs unchanged, or masked by the ReLU.
    static func sameShapeSum(_ a: Tensor, _ b: Tensor, thenReLU: Bool) throws -> Tensor {
        let op = thenReLU ? "add_relu" : "add"
        guard a.shape == b.shape else {
            throw KernelError.shapeMismatch(op: op, expected: "operands of equal shapes, \(shapeString(a.shape))", found: shapeString(b.shape))
        }
        try requireSameLayout(a, b, op: op)
        let values = a.data.withUnsafeBufferPointer { x in
            b.data.withUnsafeBufferPointer { y in
                Tensor.storage(count: x.count) { out in
                    guard let xp = x.baseAddress, let yp = y.baseAddress else { return }
                    Parallel.forEachRange(x.count) { r in
                        VectorKernels.sum(xp + r.lowerBound, yp + r.lowerBound, out + r.lowerBound, r.count)
                        if thenReLU { VectorKernels.relu(out + r.lowerBound, out + r.lowerBound, r.count) }
                    }
                }
            }
        }
        let out = Tensor(unchecked: a.shape, data: values, layout: a.layout)
        guard GradMode.isEnabled && (a.requiresGrad || b.requiresGrad) else { return out }
        return out.record(op, inputs: [a, b]) { g in
            let passed = thenReLU ? VectorKernels.reluGradient(g, output: values) : g
            a.accumulateGrad(passed)
            b.accumulateGrad(passed)
        }
    }

    /// Elementwise difference with broadcasting.
    public static func - (a: Tensor, b: Tensor) throws -> Tensor {
        let out = try zipBroadcast(a, b, op: "sub", -)
        let outShape = out.shape
        return out.record("sub", inputs: [a, b]) { g in
            a.accumulateGrad(Broadcast.reduce(g, out: outShape, to: a.shape))
            b.accumulateGrad(Broadcast.reduce(g.map { -$0 }, out: outShape, to: b.shape))
        }
    }

    /// Elementwise product with broadcasting.
    public static func * (a: Tensor, b: Tensor) throws -> Tensor {
        let out = try zipBroadcast(a, b, op: "mul", *)
        let outShape = out.shape
        return out.record("mul", inputs: [a, b]) { g in
            if a.requiresGrad {
                let bb = try? zipBroadcast(Tensor(unchecked: outShape, data: g), b, op: "mul", *)
                a.accumulateGrad(Broadcast.reduce(bb?.data ?? [], out: outShape, to: a.shape))
            }
            if b.requiresGrad {
                let aa = try? zipBroadcast(Tensor(unchecked: outShape, data: g), a, op: "mul", *)
                b.accumulateGrad(Broadcast.reduce(aa?.data ?? [], out: outShape, to: b.shape))
            }
        }
    }

    /// Elementwise quotient with broadcasting.
    public static func / (a: Tensor, b: Tensor) throws -> Tensor {
        let out = try zipBroadcast(a, b, op: "div", /)
        let outShape = out.shape, quotient = out.data
        return out.record("div", inputs: [a, b]) { g in
            let gt = Tensor(unchecked: outShape, data: g)
            if a.requiresGrad, let ga = try? zipBroadcast(gt, b, op: "div", /) {
                a.accumulateGrad(Broadcast.reduce(ga.data, out: outShape, to: a.shape))
            }
            if b.requiresGrad, let gOverB = try? zipBroadcast(gt, b, op: "div", /),
                let gb = try? zipBroadcast(gOverB, Tensor(unchecked: outShape, data: quotient), op: "div", { -$0 * $1 })
            {
                b.accumulateGrad(Broadcast.reduce(gb.data, out: outShape, to: b.shape))
            }
        }
    }

    /// Elementwise maximum of two tensors (gradient goes to the larger; ties to `a`).
    public static func maximum(_ a: Tensor, _ b: Tensor) throws -> Tensor {
        let out = try zipBroadcast(a, b, op: "maximum") { Swift.max($0, $1) }
        let pickA = try zipBroadcast(a, b, op: "maximum") { $0 >= $1 ? 1 : 0 }.data
        let outShape = out.shape
        return out.record("maximum", inputs: [a, b]) { g in
            let ga = zip(g, pickA).map { $0 * $1 }
            let gb = zip(g, pickA).map { $0 * (1 - $1) }
            a.accumulateGrad(Broadcast.reduce(ga, out: outShape, to: a.shape))
            b.accumulateGrad(Broadcast.reduce(gb, out: outShape, to: b.shape))
        }
    }

    /// Elementwise negation.
    public static prefix func - (a: Tensor) -> Tensor {
        a.unary("neg", { -$0 }, derivative: { _, _ in -1 })
    }

    /// Adds a number to every element.
    public static func + (a: Tensor, b: Float) -> Tensor { a.unary("add", { $0 + b }, derivative: { _, _ in 1 }) }
    /// Adds a number to every element.
    public static func + (a: Float, b: Tensor) -> Tensor { b + a }
    /// Subtracts a number from every element.
    public static func - (a: Tensor, b: Float) -> Tensor { a + (-b) }
    /// Subtracts every element from a number.
    public static func - (a: Float, b: Tensor) -> Tensor { b.unary("rsub", { a - $0 }, derivative: { _, _ in -1 }) }
    /// Multiplies every element by a number.
    public static func * (a: Tensor, b: Float) -> Tensor { a.unary("mul", { $0 * b }, derivative: { _, _ in b }) }
    /// Multiplies every element by a number.
    public static func * (a: Float, b: Tensor) -> Tensor { b * a }
    /// Divides every element by a number.
    public static func / (a: Tensor, b: Float) -> Tensor { a.unary("div", { $0 / b }, derivative: { _, _ in 1 / b }) }
    /// Divides a number by every element.
    public static func / (a: Float, b: Tensor) -> Tensor { b.unary("rdiv", { a / $0 }, derivative: { x, _ in -a / (x * x) }) }

    /// Applies `f` to every element; `derivative(x, y)` gives dy/dx from the input `x` and output `y`. Elementwise, so
    /// the output keeps the input's layout.
    ///
    /// Inlined so that `f` and `derivative` are specialised at each call site: no closure call per element.
    @inline(__always)
    func unary(_ name: String, _ f: (Float) -> Float, derivative: @escaping (Float, Float) -> Float) -> Tensor {
        var values = [Float](repeating: 0, count: count)
        data.withUnsafeBufferPointer { x in
            values.withUnsafeMutableBufferPointer { y in
                for i in 0..<y.count { y[i] = f(x[i]) }
            }
        }
        let out = Tensor(unchecked: shape, data: values, layout: layout)
        // The closure keeps the output's values (shared storage, no copy), not `out` itself, which owns the closure.
        return out.record(name, inputs: [self]) { [self] g in
            var gi = [Float](repeating: 0, count: g.count)
            self.data.withUnsafeBufferPointer { x in
                values.withUnsafeBufferPointer { y in
                    g.withUnsafeBufferPointer { dy in
                        gi.withUnsafeMutableBufferPointer { dx in
                            for i in 0..<dx.count { dx[i] = dy[i] * derivative(x[i], y[i]) }
                        }
                    }
                }
            }
            self.accumulateGrad(gi)
        }
    }

    /// Raises every element to `exponent`.
    public func pow(_ exponent: Float) -> Tensor {
        unary("pow", { powf($0, exponent) }, derivative: { x, _ in exponent * powf(x, exponent - 1) })
    }
    /// e^x elementwise.
    public func exp() -> Tensor { unary("exp", { expf($0) }, derivative: { _, y in y }) }
    /// Natural logarithm elementwise.
    public func log() -> Tensor { unary("log", { logf($0) }, derivative: { x, _ in 1 / x }) }
    /// Square root elementwise.
    public func sqrt() -> Tensor { unary("sqrt", { $0.squareRoot() }, derivative: { _, y in 0.5 / y }) }
    /// Absolute value elementwise (subgradient 0 at 0).
    public func abs() -> Tensor { unary("abs", { Swift.abs($0) }, derivative: { x, _ in x > 0 ? 1 : (x < 0 ? -1 : 0) }) }
    /// Hyperbolic tangent.
    public func tanh() -> Tensor { unary("tanh", { tanhf($0) }, derivative: { _, y in 1 - y * y }) }
    /// Logistic sigmoid.
    public func sigmoid() -> Tensor { unary("sigmoid", { 1 / (1 + expf(-$0)) }, derivative: { _, y in y * (1 - y) }) }
    /// max(x, 0); gradient 0 at 0 as in PyTorch.
    ///
    /// The backward pass reads only the output (y > 0 exactly where x > 0), so the input can be freed as soon as
    /// its producer's backward no longer needs it. Elementwise, so the output keeps the input's layout.
    public func relu() -> Tensor {
        let values = data.withUnsafeBufferPointer { x in
            Tensor.storage(count: count) { y in
                guard let xp = x.baseAddress else { return }
                Parallel.forEachRange(x.count) { r in VectorKernels.relu(xp + r.lowerBound, y + r.lowerBound, r.count) }
            }
        }
        let out = Tensor(unchecked: shape, data: values, layout: layout)
        guard GradMode.isEnabled && requiresGrad else { return out }
        return out.record("relu", inputs: [self]) { [self] g in
            self.accumulateGrad(VectorKernels.reluGradient(g, output: values))
        }
    }

    /// x for x > 0, `slope`·x otherwise (PyTorch default slope 0.01).
    public func leakyRelu(slope: Float = 0.01) -> Tensor {
        unary("leaky_relu", { $0 > 0 ? $0 : slope * $0 }, derivative: { x, _ in x > 0 ? 1 : slope })
    }
    /// Limits every element to `[low, high]`; the gradient passes only inside the range.
    public func clamp(min low: Float, max high: Float) -> Tensor {
        unary("clamp", { Swift.min(Swift.max($0, low), high) }, derivative: { x, _ in x >= low && x <= high ? 1 : 0 })
    }
}

// MARK: - Comparisons (results are 0/1 tensors and carry no gradient)

extension Tensor {
    /// Elementwise comparison producing 1 where `predicate` holds and 0 elsewhere.
    public func compare(_ other: Tensor, op: String, _ predicate: @escaping (Float, Float) -> Bool) throws -> Tensor {
        try Tensor.zipBroadcast(self, other, op: op) { predicate($0, $1) ? 1 : 0 }
    }
    /// 1 where equal.
    public func eq(_ other: Tensor) throws -> Tensor { try compare(other, op: "eq", ==) }
    /// 1 where different.
    public func ne(_ other: Tensor) throws -> Tensor { try compare(other, op: "ne", !=) }
    /// 1 where less.
    public func lt(_ other: Tensor) throws -> Tensor { try compare(other, op: "lt", <) }
    /// 1 where less or equal.
    public func le(_ other: Tensor) throws -> Tensor { try compare(other, op: "le", <=) }
    /// 1 where greater.
    public func gt(_ other: Tensor) throws -> Tensor { try compare(other, op: "gt", >) }
    /// 1 where greater or equal.
    public func ge(_ other: Tensor) throws -> Tensor { try compare(other, op: "ge", >=) }
}
