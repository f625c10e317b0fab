import XCTest
@testable import Plot

/// Live charts redraw at most every N steps and only while drawing stays under 2 % of the time.
final class LiveRedrawLimiterTests: XCTestCase {
    /// A clock the test moves by hand.
    private final class ManualClock {
        var seconds = 100.0
    }

    private let clock = ManualClock()

    private func makeLimiter(minimumSteps: Int) -> LiveRedrawLimiter {
        LiveRedrawLimiter(minimumSteps: minimumSteps, clock: { [clock] in clock.seconds })
    }

    func testFirstRedrawIsAlwaysAllowed() {
        XCTAssertTrue(makeLimiter(minimumSteps: 10).shouldRedraw(step: 0))
    }

    func testRedrawsWaitForEnoughSteps() {
        var limiter = makeLimiter(minimumSteps: 10)
        limiter.recordRedraw(step: 0, seconds: 0)
        clock.seconds += 1000
        XCTAssertFalse(limiter.shouldRedraw(step: 9))
        XCTAssertTrue(limiter.shouldRedraw(step: 10))
    }

    func testRedrawsWaitUntilDrawingIsUnderTwoPercentOfElapsedTime() {
        var limiter = makeLimiter(minimumSteps: 1)
        limiter.recordRedraw(step: 0, seconds: 1)
        clock.seconds += 10  // 1 s of 10 s is 10 %
        XCTAssertFalse(limiter.shouldRedraw(step: 5))
        clock.seconds += 40  // 1 s of 50 s is exactly 2 %: not below
        XCTAssertFalse(limiter.shouldRedraw(step: 5))
        clock.seconds += 1  // 1 s of 51 s is below 2 %
        XCTAssertTrue(limiter.shouldRedraw(step: 5))
    }

    func testRedrawIfDueTimesTheDrawingWithTheClock() {
        var limiter = makeLimiter(minimumSteps: 2)
        var drawn: [Int] = []
        for step in 0..<10 {
            clock.seconds += 10
            limiter.redrawIfDue(step: step) {
                drawn.append(step)
                clock.seconds += 0.5
            }
        }
        // step 0 (0.5 s drawn by 10 s), then each time 2 steps passed and drawing stayed under 2 %:
        // at step 2 elapsed is 30.5 s (0.5 < 0.61), at step 4 about 51 s (1.0 < 1.02), at step 6 about 71.5 s (1.5 > 1.43: no),
        // at step 7 about 81.5 s (1.5 < 1.63).
        XCTAssertEqual(drawn, [0, 2, 4, 7, 9])
        XCTAssertEqual(limiter.drawSeconds, 2.5, accuracy: 1e-9)
        XCTAssertEqual(limiter.lastRedrawStep, 9)
    }

    func testThrowingDrawStillCountsItsTime() {
        struct DrawFailed: Error {}
        var limiter = makeLimiter(minimumSteps: 1)
        XCTAssertThrowsError(
            try limiter.redrawIfDue(step: 3) {
                clock.seconds += 2
                throw DrawFailed()
            })
        XCTAssertEqual(limiter.drawSeconds, 2)
        XCTAssertEqual(limiter.lastRedrawStep, 3)
    }

    func testStepIntervalBelowOneCountsAsOne() {
        XCTAssertEqual(makeLimiter(minimumSteps: 0).minimumSteps, 1)
    }
}
