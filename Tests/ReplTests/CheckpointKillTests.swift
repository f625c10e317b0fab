import Foundation
import XCTest

/// Crash safety of checkpoints: a real `rnx run` saves checkpoints of two alternating models to one path in a loop
/// and is killed with SIGKILL at seeded random moments, again and again. After every kill the file at the path
/// must be byte for byte one of the two complete checkpoints (never a torn or half-written one), and at most
/// one temporary file — the one the killed save was writing — may be left, because the next save removes
/// the leftovers of dead writers.
///
/// Replay another schedule of kills with `RNX_KILL_SEED=<n>`.
final class CheckpointKillTests: XCTestCase {
    /// Kills per run; each costs a start of `rnx` (a fraction of a second) plus the random delay.
    private let kills = 24

    func testKillingTheProcessWhileSavingNeverLeavesACorruptCheckpoint() throws {
        let directory = try TemporaryDirectory()
        try directory.write(Self.saver, to: "saver.rnx")
        let checkpoint = directory.url.appendingPathComponent("run.ckpt")

        // A first, uninterrupted run writes the two reference checkpoints (and one at the path) and stops.
        let setup = try RnxProcess.run(["run", "saver.rnx", "--set", "saves=1"], in: directory.url)
        XCTAssertEqual(setup.status, 0, setup.errors)
        let references = try ["reference0.ckpt", "reference1.ckpt"].map { try Data(contentsOf: directory.url.appendingPathComponent($0)) }
        XCTAssertNotEqual(references[0], references[1], "the two models must give different checkpoints")
        XCTAssertGreaterThan(references[0].count, 500_000, "large enough that a kill often lands inside a save")

        var random = KillSchedule(seed: 0x4B11 ^ (ProcessInfo.processInfo.environment["RNX_KILL_SEED"].flatMap { UInt64($0) } ?? 0))
        var killedMidWrite = 0
        var seen: Set<Int> = []
        for kill in 0..<kills {
            let saver = try SaverProcess(directory: directory.url)
            try saver.waitUntilSaving()
            // Between 0 and 40 ms into the loop: a save takes a few milliseconds, so kills land in every phase of it
            // (capturing tensors, writing, fsync, rename, cleaning up).
            usleep(random.next(below: 40_000))
            saver.kill()

            let bytes = try Data(contentsOf: checkpoint)
            let match = references.firstIndex(of: bytes)
            XCTAssertNotNil(match, "kill \(kill): \(checkpoint.lastPathComponent) is \(bytes.count) bytes and matches neither complete checkpoint")
            if let match { seen.insert(match) }
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: directory.url.path).filter { $0.contains(".tmp-") }
            XCTAssertLessThanOrEqual(leftovers.count, 1, "kill \(kill): temporary files pile up: \(leftovers)")
            if !leftovers.isEmpty { killedMidWrite += 1 }
        }
        print("checkpoint kill loop: \(kills) kills, \(killedMidWrite) while a temporary file was being written")
        XCTAssertGreaterThan(killedMidWrite, 0, "no kill landed inside a save, so the test proved nothing; lengthen the saves")
        XCTAssertEqual(seen, [0, 1], "the loop alternates models, so both checkpoints are seen at the path")

        // What is in place after the last kill loads in a fresh process, and the next save clears the leftover.
        let check = try RnxProcess.run(["run", "saver.rnx", "--set", "saves=1", "--set", "check=True"], in: directory.url)
        XCTAssertEqual(check.status, 0, check.errors)
        XCTAssertTrue(check.output.contains("loaded run.ckpt"), check.output)
        let remaining = try FileManager.default.contentsOfDirectory(atPath: directory.url.path).filter { $0.contains(".tmp-") }
        XCTAssertEqual(remaining, [])
    }

    /// Builds two models of about 200k weights with the same layer names and different values, saves them as the
    /// references, then saves them alternately to `run.ckpt`: `saves` times, or until killed when 0. With
    /// `check` set it first loads `run.ckpt` (the file the last kill left) into both models.
    private static let saver = """
        saves = 0
        check = False

        def net(s):
            seed(s)
            x = input([256])
            return model(x, dense(dense(x, 384, name="hidden"), 256, name="out"), name="net")

        models = [net(1), net(2)]
        if check:
            for m in models:
                load_checkpoint(m, "run.ckpt")
            print("loaded run.ckpt")
        save_checkpoint(models[0], "reference0.ckpt")
        save_checkpoint(models[1], "reference1.ckpt")
        print("saving")
        i = 0
        while saves == 0 or i < saves:
            save_checkpoint(models[i % 2], "run.ckpt")
            i += 1
        """
}

/// One `rnx run saver.rnx` saving checkpoints in a loop, killable at any moment.
private final class SaverProcess {
    private let process = Process()
    private let output = Pipe()

    init(directory: URL) throws {
        process.executableURL = URL(fileURLWithPath: try RnxBinary.path())
        process.arguments = ["run", "saver.rnx"]
        process.currentDirectoryURL = directory
        var environment = ProcessInfo.processInfo.environment
        environment["OMP_WAIT_POLICY"] = "passive"  // no re-exec at start
        environment["RNX_HISTORY"] = directory.appendingPathComponent("history").path
        process.environment = environment
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// Returns once the script announced its saving loop (the setup is done and the first save is under way).
    func waitUntilSaving() throws {
        var received = Data()
        while !String(decoding: received, as: UTF8.self).contains("saving") {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else {
                throw PseudoTerminalError("the saver ended before its loop: \(String(decoding: received, as: UTF8.self))")
            }
            received.append(chunk)
        }
    }

    /// Sends SIGKILL and reaps the process.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { kill() }
    }
}

/// SplitMix64: seeded delays, so a failing schedule of kills can be replayed.
private struct KillSchedule {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    /// A number in 0..<bound.
    mutating func next(below bound: UInt32) -> UInt32 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        mixed ^= mixed >> 31
        return UInt32(mixed % UInt64(bound))
    }
}
