/// The processes of a data-parallel run and the collective operations training needs from them.
///
/// Every rank must make the same collective calls in the same order with buffers of the same size; a rank that
/// skips one leaves the others waiting, which is why training shards data so every rank runs the same number of batches.
public protocol ProcessGroup: AnyObject {
    /// This process's number, 0 ..< `worldSize`; rank 0 prints, draws and writes files.
    var rank: Int { get }
    /// How many processes train together.
    var worldSize: Int { get }
    /// Replaces `values` on every rank by their element-wise sum over all ranks.
    func allReduceSum(_ values: inout [Float]) throws
    /// Replaces `values` on every rank by their element-wise sum over all ranks.
    func allReduceSum(_ values: inout [Double]) throws
    /// Starts replacing the `count` floats at `buffer` by their sum over all ranks and returns at once, so computing can
    /// go on meanwhile; the buffer must stay allocated and untouched until the reduction is waited for.
    func startAllReduceSum(_ buffer: UnsafeMutablePointer<Float>, count: Int) throws -> PendingReduction
    /// Copies the bytes of rank `root`'s `buffer` into `buffer` on every rank.
    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws
}

/// A reduction started by `ProcessGroup.startAllReduceSum`.
public protocol PendingReduction: AnyObject {
    /// Lets the reduction progress (MPI moves data only inside its calls); true once it has finished.
    func poll() throws -> Bool
    /// Returns when the reduction has finished.
    func wait() throws
}

extension ProcessGroup {
    /// Whether this is rank 0, the one that talks to the user and writes files.
    public var isRoot: Bool { rank == 0 }

    /// Rank 0's `values` on every rank (the counts must agree).
    public func broadcast(_ values: inout [Float], root: Int = 0) throws {
        try values.withUnsafeMutableBytes { try broadcast($0, root: root) }
    }

    /// Rank 0's `value` on every rank.
    public func broadcast(_ value: UInt64, root: Int = 0) throws -> UInt64 {
        var copy = value
        try withUnsafeMutableBytes(of: &copy) { try broadcast($0, root: root) }
        return copy
    }
}
