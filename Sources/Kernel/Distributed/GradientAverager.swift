/// Averages the gradients of a model's parameters over the ranks after each backward pass, in buckets of about
/// `bucketBytes`, so the staging memory stays small whatever the model size (PyTorch DDP's 25 MB buckets).
///
/// Buckets go in reverse parameter order, the order backward finishes them. A few scalars (the loss, the stop
/// request) ride in the last bucket, so agreeing on them costs no extra round trip.
final class GradientAverager {
    private let group: ProcessGroup
    private let parameters: [Tensor]
    /// Index ranges into `parameters` (reversed order), one per bucket.
    private let buckets: [[Int]]
    private var staging: [Float] = []

    init(group: ProcessGroup, parameters: [Tensor], bucketBytes: Int = 25 << 20) {
        self.group = group
        self.parameters = parameters
        let limit = max(bucketBytes / MemoryLayout<Float>.stride, 1)
        var buckets: [[Int]] = [[]]
        var filled = 0
        for index in parameters.indices.reversed() {
            let count = parameters[index].count
            if filled > 0 && filled + count > limit {
                buckets.append([])
                filled = 0
            }
            buckets[buckets.count - 1].append(index)
            filled += count
        }
        self.buckets = buckets
    }

    /// Replaces every parameter's gradient by its mean over the ranks (a missing gradient counts as zeros) and
    /// returns the mean of `scalars` over the ranks.
    func average(scalars: [Float]) throws -> [Float] {
        let scale = 1 / Float(group.worldSize)
        var means: [Float] = []
        for (number, bucket) in buckets.enumerated() {
            let isLast = number == buckets.count - 1
            staging.removeAll(keepingCapacity: true)
            for index in bucket {
                let parameter = parameters[index]
                if let grad = parameter.grad {
                    staging.append(contentsOf: grad.data)
                } else {
                    staging.append(contentsOf: repeatElement(0, count: parameter.count))
                }
            }
            if isLast { staging.append(contentsOf: scalars) }
            try group.allReduceSum(&staging)
            var offset = 0
            for index in bucket {
                let parameter = parameters[index]
                let count = parameter.count
                let mean = staging[offset..<(offset + count)].map { $0 * scale }
                if let grad = parameter.grad {
                    grad.data = mean
                } else if parameter.requiresGrad && mean.contains(where: { $0 != 0 }) {
                    parameter.grad = Tensor(unchecked: parameter.shape, data: mean)
                }
                offset += count
            }
            if isLast { means = staging[offset...].map { $0 * scale } }
        }
        return means
    }
}
