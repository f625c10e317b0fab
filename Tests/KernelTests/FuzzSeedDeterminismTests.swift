import XCTest
@testable import Kernel

/// Reproducibility: `seed(n)` fixes everything random in a training run — weight initialisation, the
/// loader's shuffling and augmentation (on its prefetch thread), dropout masks — and the arithmetic itself
/// is deterministic (multi-threaded kernels and convolution backends included), so two runs give
/// bit-identical losses. (Named Fuzz* with the other reliability checks.)
final class FuzzSeedDeterminismTests: XCTestCase {
    func testTheSameSeedGivesBitIdenticalLossesAndAnotherSeedDoesNot() throws {
        let first = try trainingLosses(seed: 42)
        let second = try trainingLosses(seed: 42)
        XCTAssertEqual(first.count, 8)
        XCTAssertTrue(first.allSatisfy(\.isFinite), "\(first)")
        XCTAssertEqual(first.map(\.bitPattern), second.map(\.bitPattern), "same seed, different losses: \(first) vs \(second)")
        let other = try trainingLosses(seed: 43)
        XCTAssertNotEqual(first.map(\.bitPattern), other.map(\.bitPattern), "another seed should train differently")
    }

    /// Per-step training losses of a tiny conv net (conv, batch norm, ReLU, pooling, dropout, dense) trained
    /// for two epochs of four batches with AdamW and one-cycle, on augmented, shuffled, prefetched data.
    private func trainingLosses(seed value: UInt64) throws -> [Double] {
        seed(value)
        let images: [Float] = (0..<4096).map { (index: Int) -> Float in Float((index * 37) % 101) / 101 }
        let labels: [Int] = (0..<32).map { (index: Int) -> Int in (index * 7) % 3 }
        let data = try Dataset(images: Tensor(shape: [32, 2, 8, 8], data: images), labels: labels, classNames: ["a", "b", "c"])
        let loader = try DataLoader(data, batchSize: 8, transform: Compose([RandomCrop(size: ImageSize(8), padding: 1), RandomFlip(.horizontal)]))
        let model = try Model.sequential(
            [
                Conv2D(filters: 4, kernelSize: 3, padding: .same),
                BatchNormalization(),
                ReLU(),
                MaxPooling2D(poolSize: 2),
                Dropout(rate: 0.25),
                Flatten(),
                Dense(units: 3),
            ], inputShape: [2, 8, 8])
        let optimizer = try AdamW(groups: [ParameterGroup(name: "all", parameters: model.trainableParameters, weightDecay: 0.01)], learningRate: 1e-2)
        let schedule = try OneCycleSchedule(maxLR: 0.05, totalSteps: 2 * loader.batchCount)
        let history = try fit(model: model, train: loader, epochs: 2, optimizer: optimizer, schedule: schedule, metrics: [])
        return history.steps.map { (step: StepRecord) -> Double in step.loss }
    }
}
