import XCTest
@testable import Kernel

final class InterpretTests: XCTestCase {
    /// Six predictions over three classes with known outcomes:
    /// 0: cat→cat, 1: cat→dog, 2: dog→dog, 3: dog→cat, 4: bird→dog, 5: cat→dog.
    private func fixture() throws -> Interpretation {
        let logits = try Tensor(
            shape: [6, 3],
            data: [
                2, 0, 0,
                0, 1, 0,
                0, 3, 0,
                1.5, 0, 0,
                0, 2, 0,
                0, 0.5, 0,
            ])
        return try Interpretation(logits: logits, targets: [0, 0, 1, 1, 2, 0], classNames: ["cat", "dog", "bird"])
    }

    func testConfusionAndAccuracy() throws {
        let interpretation = try fixture()
        XCTAssertEqual(interpretation.confusion, [[1, 2, 0], [1, 1, 0], [0, 1, 0]])
        XCTAssertEqual(interpretation.accuracy, 2.0 / 6.0, accuracy: 1e-12)
        XCTAssertEqual(interpretation.perClassAccuracy, [1.0 / 3.0, 0.5, 0])
    }

    func testTopLosses() throws {
        let top = try fixture().topLosses(3)
        // Sample 4: logits (0, 2, 0), true class 2: p = 1/(e² + 2) = 0.106507, loss = log(e² + 2) = 2.239545.
        XCTAssertEqual(top.map(\.index), [4, 3, 1])
        XCTAssertEqual(top[0].target, 2)
        XCTAssertEqual(top[0].predicted, 1)
        XCTAssertEqual(top[0].targetProbability, 1 / (exp(2) + 2), accuracy: 1e-7)
        XCTAssertEqual(top[0].probability, exp(2) / (exp(2) + 2), accuracy: 1e-7)
        XCTAssertEqual(top[0].loss, log(exp(2) + 2), accuracy: 1e-7)
        // Sample 3: logits (1.5, 0, 0), true class 1: loss log(e^1.5 + 2) = 1.868981; sample 1: (0, 1, 0), true 0: log(e + 2) = 1.551445.
        XCTAssertEqual(top[1].loss, log(exp(1.5) + 2), accuracy: 1e-7)
        XCTAssertEqual(top[2].loss, log(exp(1) + 2), accuracy: 1e-7)
    }

    func testMostConfused() throws {
        XCTAssertEqual(
            try fixture().mostConfused(),
            [
                ConfusedPair(actual: 0, predicted: 1, count: 2),
                ConfusedPair(actual: 1, predicted: 0, count: 1),
                ConfusedPair(actual: 2, predicted: 1, count: 1),
            ])
        XCTAssertEqual(try fixture().mostConfused(minCount: 2).count, 1)
    }

    func testTables() throws {
        let interpretation = try fixture()
        XCTAssertEqual(
            interpretation.confusionMatrixTable(),
            """
            actual \\ predicted  cat  dog  bird
            ------------------  ---  ---  ----
            cat                   1    2     0
            dog                   1    1     0
            bird                  0    1     0
            """)
        XCTAssertEqual(
            interpretation.perClassTable(),
            """
            class  samples  correct  accuracy
            -----  -------  -------  --------
            cat          3        1    0.3333
            dog          2        1    0.5000
            bird         1        0    0.0000
            """)
        XCTAssertEqual(
            interpretation.topLossesTable(2),
            """
            index  actual  predicted  probability    loss
            -----  ------  ---------  -----------  ------
                4  bird    dog             0.7870  2.2395
                3  dog     cat             0.6914  1.8690
            """)
        XCTAssertEqual(
            interpretation.mostConfusedTable(),
            """
            actual  predicted  count
            ------  ---------  -----
            cat     dog            2
            dog     cat            1
            bird    dog            1
            """)
    }

    func testBadInputIsReported() throws {
        let logits = try Tensor.zeros([2, 3])
        XCTAssertThrowsError(try Interpretation(logits: logits, targets: [0])) { error in
            XCTAssertEqual("\(error)", "interpret: shape mismatch: expected 2 labels, one per row, found 1 labels")
        }
        XCTAssertThrowsError(try Interpretation(logits: logits, targets: [0, 3]))
        XCTAssertThrowsError(try Interpretation(logits: logits, targets: [0, 1], classNames: ["a"]))
    }

    func testInterpretRunsTheModelInEvaluationMode() throws {
        let model = try TinyClassifier(features: 4, classes: 3)
        let data = blobs(perClass: 5, seed: 3)
        let interpretation = try interpret(model: model, data: data, classNames: ["a", "b", "c"])
        XCTAssertEqual(interpretation.records.count, 15)
        XCTAssertEqual(interpretation.records.map(\.target), data.labels)
        XCTAssertEqual(interpretation.confusion.joined().reduce(0, +), 15)
        XCTAssertEqual(model.modes, [false])
    }
}
