import CDNNL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One constant weight (a convolution's folded inference weight) in the blocked layouts oneDNN's inference plans read
/// it in, made on first use of each layout, so a model in evaluation mode reorders a weight once instead of on every
/// call. The owner creates a new instance whenever the weight's values change; this one never rereads them.
final class DNNLReorderedWeights: @unchecked Sendable {
    /// Copies by layout; read and written only inside `runtime.exclusive`.
    private var copies: [(layout: dnnl_memory_desc_t, pointer: UnsafeMutableRawPointer)] = []

    init() {}

    deinit {
        for copy in copies { free(copy.pointer) }
    }

    /// Runs `body` with `plan`'s weight argument as `DNNLConvolutionPlan.run` should get it: the cached copy in the
    /// plan's blocked layout (listed in `native`), or, on first use of that layout, the plain `weight` with a new copy
    /// for the run to reorder it into (`reorderedInto`), kept once `body` succeeds; plain when the plan reads the weight
    /// plain. Call inside `runtime.exclusive`.
    func withArgument(
        for plan: DNNLConvolutionPlan, plain weight: UnsafeMutableRawPointer,
        _ body: (_ buffer: UnsafeMutableRawPointer, _ native: Set<Int32>, _ reorderedInto: [Int32: UnsafeMutableRawPointer]) throws -> Void
    ) throws {
        guard var layout = plan.blockedLayout(of: DNNL_ARG_WEIGHTS), let bytes = plan.blockedBytes(of: DNNL_ARG_WEIGHTS) else {
            return try body(weight, [], [:])
        }
        for index in copies.indices where dnnl_memory_desc_equal(&copies[index].layout, &layout) != 0 {
            return try body(copies[index].pointer, [DNNL_ARG_WEIGHTS], [:])
        }
        var fresh: UnsafeMutableRawPointer?
        guard posix_memalign(&fresh, 64, Swift.max(bytes, 64)) == 0, let fresh else {
            throw KernelError.allocationTooLarge(elements: bytes / 4, limitBytes: bytes)
        }
        do {
            try body(weight, [], [DNNL_ARG_WEIGHTS: fresh])
        } catch {
            free(fresh)
            throw error
        }
        copies.append((layout, fresh))
    }
}
