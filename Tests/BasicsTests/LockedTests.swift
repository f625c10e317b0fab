import Basics
import Dispatch
import XCTest

final class LockedTests: XCTestCase {
    func testWithLockChangesTheValueInPlaceAndReturnsTheResult() {
        let names = Locked(["a"])
        let count = names.withLock { names -> Int in
            names.append("b")
            return names.count
        }
        XCTAssertEqual(count, 2)
        XCTAssertEqual(names.withLock { $0 }, ["a", "b"])
    }

    func testConcurrentUpdatesAreNotLost() {
        let counter = Locked(0)
        // Read-modify-write in two steps, so that without the lock concurrent increments would overwrite each other.
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<20_000 {
                counter.withLock { value in
                    let read = value
                    value = read + 1
                }
            }
        }
        XCTAssertEqual(counter.withLock { $0 }, 160_000)
    }

    func testErrorsPassThroughAndReleaseTheLock() {
        struct Refused: Error {}
        let flag = Locked(false)
        XCTAssertThrowsError(try flag.withLock { _ in throw Refused() })
        XCTAssertFalse(flag.withLock { $0 }, "the lock was released, or this would deadlock")
    }

    func testIsSendableWhenItsValueIs() {
        let shared: any Sendable = Locked(1)
        XCTAssertNotNil(shared as? Locked<Int>)
    }
}
