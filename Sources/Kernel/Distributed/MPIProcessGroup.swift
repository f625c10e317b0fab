@preconcurrency import CMPI

/// The ranks of an `mpirun` launch (MPI_COMM_WORLD), through Open MPI loaded at run time.
final class MPIProcessGroup: ProcessGroup {
    let rank: Int
    let worldSize: Int

    /// Loads and starts MPI; throws `DistributedError.unavailable` with MPI's or the loader's message.
    init() throws {
        var rank: Int32 = 0
        var size: Int32 = 0
        try Self.checked(DistributedError.unavailable) { rnx_mpi_start(&rank, &size, $0, $1) }
        self.rank = Int(rank)
        self.worldSize = Int(size)
    }

    func allReduceSum(_ values: inout [Float]) throws {
        try values.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            try Self.checked(DistributedError.communication) { rnx_mpi_allreduce_float(base, buffer.count, $0, $1) }
        }
    }

    func allReduceSum(_ values: inout [Double]) throws {
        try values.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            try Self.checked(DistributedError.communication) { rnx_mpi_allreduce_double(base, buffer.count, $0, $1) }
        }
    }

    func startAllReduceSum(_ buffer: UnsafeMutablePointer<Float>, count: Int) throws -> PendingReduction {
        let reduction = MPIReduction()
        try Self.checked(DistributedError.communication) { rnx_mpi_iallreduce_float(buffer, count, &reduction.request, $0, $1) }
        return reduction
    }

    func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws {
        guard let base = buffer.baseAddress else { return }
        try Self.checked(DistributedError.communication) { rnx_mpi_broadcast(base, buffer.count, Int32(root), $0, $1) }
    }

    /// Runs a C call that fills a message buffer when it returns non-zero, and throws that message.
    fileprivate static func checked(
        _ error: (String) -> DistributedError,
        _ call: (UnsafeMutablePointer<CChar>, Int) -> Int32
    ) throws {
        var message = [CChar](repeating: 0, count: 1024)
        let code = message.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return call(base, buffer.count)
        }
        guard code == 0 else {
            throw error(String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
    }
}

/// An MPI_Iallreduce in flight.
private final class MPIReduction: PendingReduction {
    var request: UnsafeMutableRawPointer?
    private var finished = false

    func poll() throws -> Bool {
        guard !finished else { return true }
        var done: Int32 = 0
        try MPIProcessGroup.checked(DistributedError.communication) { rnx_mpi_test(&request, &done, $0, $1) }
        finished = done != 0
        return finished
    }

    func wait() throws {
        guard !finished else { return }
        try MPIProcessGroup.checked(DistributedError.communication) { rnx_mpi_wait(&request, $0, $1) }
        finished = true
    }
}
