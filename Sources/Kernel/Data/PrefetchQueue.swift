#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A bounded first-in-first-out queue between one producer thread and one consumer, with cancellation:
/// the producer waits while it is full, the consumer while it is empty, and `cancel()` wakes both for good.
final class PrefetchQueue<Item>: @unchecked Sendable {
    private let capacity: Int
    private var items: [Item] = []
    private var cancelled = false
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    /// A queue holding at most `capacity` (≥ 1) items.
    init(capacity: Int) {
        self.capacity = Swift.max(1, capacity)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        changed.deallocate()
        mutex.deallocate()
    }

    /// Adds `item`, waiting for room; false (item dropped) once cancelled.
    func push(_ item: Item) -> Bool {
        locked {
            while items.count >= capacity && !cancelled { pthread_cond_wait(changed, mutex) }
            guard !cancelled else { return false }
            items.append(item)
            pthread_cond_broadcast(changed)
            return true
        }
    }

    /// The oldest item, waiting for one; nil once cancelled.
    func pop() -> Item? {
        locked {
            while items.isEmpty && !cancelled { pthread_cond_wait(changed, mutex) }
            guard !cancelled else { return nil }
            let item = items.removeFirst()
            pthread_cond_broadcast(changed)
            return item
        }
    }

    /// Stops both sides: waiting calls return at once, queued items are dropped.
    func cancel() {
        locked {
            cancelled = true
            items.removeAll()
            pthread_cond_broadcast(changed)
        }
    }

    /// Whether `cancel()` was called.
    var isCancelled: Bool {
        locked { cancelled }
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }
}
