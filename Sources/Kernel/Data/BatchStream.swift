#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The batches of one epoch, in order. Call `next()` until it returns nil.
///
/// With prefetching, a worker thread builds batches ahead into a bounded queue. Stopping early is safe:
/// `cancel()` (callable from any thread) or simply dropping the stream stops the worker, which is joined
/// before the stream goes away — no thread outlives it and nothing waits forever.
public final class BatchStream {
    /// The epoch these batches belong to.
    public let epoch: Int
    /// How many batches the epoch has.
    public let count: Int
    private let plan: EpochPlan
    private let cancellation = CancellationFlag()
    private let queue: PrefetchQueue<Result<Batch, Error>>?
    private let worker: NativeThread?
    private var delivered = 0

    init(epoch: Int, plan: EpochPlan, prefetch: Int) throws {
        self.epoch = epoch
        self.count = plan.batchCount
        self.plan = plan
        guard prefetch > 0 else {
            queue = nil
            worker = nil
            return
        }
        let queue = PrefetchQueue<Result<Batch, Error>>(capacity: prefetch)
        self.queue = queue
        worker = try NativeThread {
            for number in 0..<plan.batchCount {
                let result: Result<Batch, Error>
                do {
                    guard let batch = try plan.batch(number, isCancelled: { queue.isCancelled }) else { return }
                    result = .success(batch)
                } catch {
                    result = .failure(error)
                }
                guard queue.push(result) else { return }
                if case .failure = result { return }
            }
        }
    }

    deinit {
        finish()
    }

    /// The next batch, or nil at the end of the epoch or after `cancel()`. Rethrows a transform's error
    /// (after which the stream is finished).
    public func next() throws -> Batch? {
        guard delivered < count, !cancellation.isSet else {
            finish()
            return nil
        }
        if let queue {
            guard let result = queue.pop() else {
                finish()
                return nil
            }
            delivered += 1
            do {
                let batch = try result.get()
                if delivered == count { finish() }
                return batch
            } catch {
                delivered = count
                finish()
                throw error
            }
        }
        do {
            guard let batch = try plan.batch(delivered, isCancelled: { cancellation.isSet }) else { return nil }
            delivered += 1
            return batch
        } catch {
            delivered = count
            throw error
        }
    }

    /// Stops the epoch early: the worker quits and `next()` returns nil. Safe from any thread.
    public func cancel() {
        cancellation.set()
        queue?.cancel()
    }

    /// Stops and joins the worker.
    private func finish() {
        queue?.cancel()
        worker?.join()
    }
}

/// A flag one thread sets and others read.
final class CancellationFlag: @unchecked Sendable {
    private var value = false
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Sets the flag (for good).
    func set() {
        pthread_mutex_lock(mutex)
        value = true
        pthread_mutex_unlock(mutex)
    }

    /// Whether the flag is set.
    var isSet: Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return value
    }
}
