import Basics
import Kernel
import XCTest

@testable import DSL

/// Messages that count something say `1 sample`, not `1 samples`, wherever they are made: the Kernel's, Plot's and
/// the DSL's use the one `Plural` of Basics (issue #20).
final class PluralMessageTests: XCTestCase {
    func testTheHelperCountsRegularAndIrregularNouns() {
        XCTAssertEqual(Plural.count(1, "class"), "1 class")
        XCTAssertEqual(Plural.count(2, "class"), "2 classes")
        XCTAssertEqual(Plural.count(0, "sample"), "0 samples")
        XCTAssertEqual(Plural.count(1, "batch"), "1 batch")
    }

    func testKernelMessagesCountOneInTheSingular() throws {
        let one = try Dataset(images: Tensor(shape: [1, 1, 2, 2], data: [0, 1, 2, 3]), labels: [0], name: "tiny")
        XCTAssertEqual(one.description, "tiny: 1 image of [1, 2, 2], 1 class")
        XCTAssertThrowsError(try one.split(validFraction: 0.5)) { error in
            XCTAssertTrue("\(error)".contains("of 1 sample leaves one part empty"), "\(error)")
        }
        XCTAssertThrowsError(try Tensor(shape: [1], data: [5]).reshape([2])) { error in
            XCTAssertTrue("\(error)".contains("a shape with 1 element"), "\(error)")
            XCTAssertFalse("\(error)".contains("1 elements"), "\(error)")
        }
    }

    func testLanguageLevelMessagesCountOneInTheSingular() throws {
        let session = Session()
        let loss = session.error("cross_entropy(tensor([[0.5]]), [3])")?.message ?? ""
        XCTAssertTrue(loss.contains("out of range for 1 class (expected 0...0)"), loss)
        let histogram = session.error("hist([nan])")?.message ?? ""
        XCTAssertTrue(histogram.contains("got 1 value and none finite"), histogram)
        XCTAssertEqual(
            session.error("confusion([[1, 0], [0, 1]], labels=['cat'])")?.message,
            "confusion() argument 'labels' has 1 class name for a 2×2 matrix")
    }
}
