/// Averages the gradients of a model's parameters over the ranks, in buckets of about `bucketBytes` (PyTorch DDP's
/// 25 MB, and 1 MB for the first so sending starts early), overlapping the sending with backward: buckets hold the
/// parameters in reverse order, the order backward finishes them, and a bucket's all-reduce starts as soon as backward
/// has finished all of its gradients.
///
/// Every rank must start the same reductions in the same order, so buckets start strictly in index order. The last
/// bucket also carries a few scalars (the loss, the stop request), so agreeing on them costs no extra round trip; it
/// starts once backward is over.
final class GradientAverager {
    private let group: ProcessGroup
    private let parameters: [Tensor]
    /// Indices into `parameters`, one list per bucket.
    private let buckets: [[Int]]
    /// The bucket of each parameter.
    private let bucketOf: [ObjectIdentifier: Int]
    /// One staging buffer per bucket, at a fixed address while its reduction is in flight; the last one has room for
    /// `scalarCount` scalars after the gradients.
    private let buffers: [UnsafeMutableBufferPointer<Float>]
    private let scalarCount: Int
    /// Per bucket during a backward pass: gradients not final yet, and the reduction once started.
    private var missing: [Int] = []
    private var reductions: [PendingReduction] = []
    private var failure: Error?

    init(group: ProcessGroup, parameters: [Tensor], scalarCount: Int, bucketBytes: Int = 25 << 20, firstBucketBytes: Int = 1 << 20) {
        self.group = group
        self.parameters = parameters
        self.scalarCount = scalarCount
        let limits = [firstBucketBytes, bucketBytes].map { max($0 / MemoryLayout<Float>.stride, 1) }
        var buckets: [[Int]] = [[]]
        var filled = 0
        for index in parameters.indices.reversed() {
            let count = parameters[index].count
            if filled > 0 && filled + count > limits[min(buckets.count - 1, 1)] {
                buckets.append([])
                filled = 0
            }
            buckets[buckets.count - 1].append(index)
            filled += count
        }
        self.buckets = buckets
        var bucketOf: [ObjectIdentifier: Int] = [:]
        for (number, bucket) in buckets.enumerated() {
            for index in bucket { bucketOf[ObjectIdentifier(parameters[index])] = number }
        }
        self.bucketOf = bucketOf
        buffers = buckets.enumerated().map { number, bucket in
            let size = bucket.reduce(0) { $0 + parameters[$1].count } + (number == buckets.count - 1 ? scalarCount : 0)
            let buffer = UnsafeMutableBufferPointer<Float>.allocate(capacity: size)
            buffer.initialize(repeating: 0)
            return buffer
        }
    }

    deinit {
        for buffer in buffers { buffer.deallocate() }
    }

    /// Runs `loss.backward()`, then replaces every parameter's gradient by its mean over the ranks (a missing gradient
    /// counts as zeros) and returns the mean of `scalars` (`scalarCount` of them) over the ranks.
    func backward(_ loss: Tensor, scalars: [Float]) throws -> [Float] {
        missing = buckets.map(\.count)
        reductions = []
        failure = nil
        GradientReadyHook.current = { [unowned self] parameter in self.gradientIsFinal(parameter) }
        defer { GradientReadyHook.current = nil }
        try loss.backward()
        if let failure { throw failure }
        let last = buffers[buffers.count - 1]
        for (offset, value) in scalars.prefix(scalarCount).enumerated() { last[last.count - scalarCount + offset] = value }
        while reductions.count < buckets.count { try start(reductions.count) }
        for reduction in reductions { try reduction.wait() }

        let scale = 1 / Float(group.worldSize)
        for (number, bucket) in buckets.enumerated() {
            let buffer = buffers[number]
            var offset = 0
            for index in bucket {
                let parameter = parameters[index]
                let mean = buffer[offset..<(offset + parameter.count)].map { $0 * scale }
                if let grad = parameter.grad {
                    grad.data = mean
                } else if parameter.requiresGrad && mean.contains(where: { $0 != 0 }) {
                    parameter.grad = Tensor(unchecked: parameter.shape, data: mean)
                }
                offset += parameter.count
            }
        }
        return last[(last.count - scalarCount)...].map { $0 * scale }
    }

    /// Backward is done with `parameter`'s gradient: start every bucket now complete, in order, and let the ones in
    /// flight progress. Failures are kept for `backward` to throw (this runs inside autograd, which cannot throw).
    private func gradientIsFinal(_ parameter: Tensor) {
        guard failure == nil, let number = bucketOf[ObjectIdentifier(parameter)] else { return }
        missing[number] -= 1
        do {
            while reductions.count < buckets.count - 1 && missing[reductions.count] == 0 { try start(reductions.count) }
            for reduction in reductions { _ = try reduction.poll() }
        } catch {
            failure = error
        }
    }

    /// Copies bucket `number`'s gradients into its buffer and starts its reduction.
    private func start(_ number: Int) throws {
        let buffer = buffers[number]
        guard let base = buffer.baseAddress else { return }
        var offset = 0
        for index in buckets[number] {
            let parameter = parameters[index]
            if let grad = parameter.grad {
                grad.data.withUnsafeBufferPointer { source in
                    if let from = source.baseAddress { (base + offset).update(from: from, count: parameter.count) }
                }
            } else {
                (base + offset).update(repeating: 0, count: parameter.count)
            }
            offset += parameter.count
        }
        reductions.append(try group.startAllReduceSum(base, count: buffer.count))
    }
}
