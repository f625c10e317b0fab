import XCTest
@testable import Repl

final class CellSelectionTests: XCTestCase {
    func testSingleRangeListAndAll() throws {
        XCTAssertEqual(try CellSelection("3", cellCount: 5).numbers, [3])
        XCTAssertEqual(try CellSelection("2-4", cellCount: 5).numbers, [2, 3, 4])
        XCTAssertEqual(try CellSelection(" 1, 3-4 ,3", cellCount: 5).numbers, [1, 3, 4])
        XCTAssertEqual(try CellSelection("all", cellCount: 3).numbers, [1, 2, 3])
    }

    func testBadSelectionsExplainThemselves() {
        XCTAssertThrowsError(try CellSelection("6", cellCount: 5)) { error in
            XCTAssertEqual("\(error)", "cell '6' is out of range: the cells are numbered 1-5")
        }
        XCTAssertThrowsError(try CellSelection("4-2", cellCount: 5)) { error in
            XCTAssertEqual("\(error)", "cell range '4-2' runs backwards; write 2-4")
        }
        XCTAssertThrowsError(try CellSelection("two", cellCount: 5)) { error in
            XCTAssertEqual("\(error)", "expected cell numbers such as 3, 2-4, 1,3 or all; found 'two'")
        }
        XCTAssertThrowsError(try CellSelection("1-", cellCount: 5))
        XCTAssertThrowsError(try CellSelection("0", cellCount: 5))
        XCTAssertThrowsError(try CellSelection("1", cellCount: 0)) { error in
            XCTAssertEqual("\(error)", "no cells are loaded")
        }
    }
}
