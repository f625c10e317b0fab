import XCTest
@testable import Kernel

final class DataShardTests: XCTestCase {
    func testPaddedShardsAreDisjointCoverTheDataAndHaveEqualSizes() throws {
        let order = Array((0..<10).reversed())
        let shards = try (0..<4).map { try DataShard(rank: $0, worldSize: 4, padded: true).samples(of: order) }
        XCTAssertEqual(shards.map(\.count), [3, 3, 3, 3])
        XCTAssertEqual(Set(shards.flatMap { $0 }), Set(0..<10))
        // Padding repeats the first samples of the order, once each.
        XCTAssertEqual(shards.flatMap { $0 }.count - 10, 2)
        XCTAssertEqual(shards[2], [order[2], order[6], order[0]])
    }

    func testUnpaddedShardsCountEverySampleOnce() throws {
        let order = Array(0..<10)
        let shards = try (0..<4).map { try DataShard(rank: $0, worldSize: 4, padded: false).samples(of: order) }
        XCTAssertEqual(shards.map(\.count), [3, 3, 2, 2])
        XCTAssertEqual(shards.flatMap { $0 }.sorted(), order)
        XCTAssertEqual(try DataShard(rank: 2, worldSize: 3, padded: false).samples(of: [7]), [])
        XCTAssertEqual(try DataShard(rank: 2, worldSize: 3, padded: true).samples(of: [7]), [7])
    }

    func testBadRanksAreRefused() {
        XCTAssertThrowsError(try DataShard(rank: 2, worldSize: 2, padded: true))
        XCTAssertThrowsError(try DataShard(rank: -1, worldSize: 2, padded: true))
        XCTAssertThrowsError(try DataShard(rank: 0, worldSize: 0, padded: true))
    }

    /// Rank r's batch b of a sharded loader holds exactly the samples a single loader with worldSize times the batch
    /// size puts in its batch b: what makes data-parallel training equal to large-batch training.
    func testShardedBatchesTogetherAreTheLargeBatch() throws {
        let data = try DataFixtures.dataset(count: 24)
        let whole = try DataLoader(data, batchSize: 16, seed: 9, prefetch: 0)
        let perRank = try DataLoader(data, batchSize: 8, seed: 9)
        let shards = try (0..<2).map { try perRank.sharded(DataShard(rank: $0, worldSize: 2, padded: true)) }
        XCTAssertEqual(shards.map(\.batchCount), [2, 2])
        XCTAssertEqual(shards.map(\.sampleCount), [12, 12])
        for epoch in 0..<2 {
            let large = try batches(whole, epoch)
            let parts = try shards.map { try batches($0, epoch) }
            for b in 0..<2 {
                XCTAssertEqual(Set(parts[0][b] + parts[1][b]), Set(large[b]), "epoch \(epoch) batch \(b)")
            }
        }
    }

    func testASingleProcessNeverLoadsMPI() throws {
        XCTAssertNil(try Distributed.world(), "a test run is not an mpirun launch")
        XCTAssertEqual(Distributed.launchSize, 1)
        XCTAssertEqual(Distributed.launchRank, 0)
        let maps = try String(contentsOfFile: "/proc/self/maps", encoding: .utf8)
        XCTAssertFalse(maps.contains("libmpi"), "libmpi was loaded without mpirun")
    }

    private func batches(_ loader: DataLoader, _ epoch: Int) throws -> [[Int]] {
        let stream = try loader.batches(epoch: epoch)
        var result: [[Int]] = []
        while let batch = try stream.next() { result.append(batch.indices) }
        return result
    }
}
