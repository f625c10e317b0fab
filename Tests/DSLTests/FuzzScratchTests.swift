import Foundation
import XCTest
@testable import DSL

final class FuzzScratchTests: XCTestCase {
    func testReleaseDeepOnProgramThread() throws {
        for build in ["x = []\nfor i in range(3000000):\n    x = [x]", "x = {}\nfor i in range(3000000):\n    x = {'k': x}",
                      "x = []\nfor i in range(3000000):\n    x = [(x, 1)]", "x = ()\nfor i in range(3000000):\n    x = [1, (x,)]"] {
            let interpreter = Interpreter()
            let t = Date()
            _ = try? interpreter.execute(source: build, file: "a")
            print("built in", Date().timeIntervalSince(t))
            let u = Date()
            _ = try? interpreter.execute(source: "x = None", file: "a")
            print("released in", Date().timeIntervalSince(u))
        }
    }
}
