import Foundation
import XCTest
@testable import Kernel

/// Mutation fuzzing of every file format the Kernel reads. Each test writes valid files itself, then feeds
/// the loader thousands of seeded corruptions of them (bit flips, truncations, overwritten size fields,
/// format-aware edits that keep checksums and length prefixes right so the damage reaches deep checks).
/// Every load must either succeed with a consistent result or throw a `KernelError` naming the file —
/// never crash, and never let the process's peak memory grow far beyond the small data involved.
///
/// Replay or lengthen a run with `RNX_FUZZ_SEED=<n>` and `RNX_FUZZ_SCALE=<factor>`; the input being
/// loaded stays in the printed folder if the process dies, and `RNX_FUZZ_KEEP=<folder>` keeps the input
/// that raised the peak memory most there.
final class FuzzCorruptFilesTests: XCTestCase {
    private var savedMemoryLimit = 0

    override func setUp() {
        savedMemoryLimit = MemoryLimit.bytes
        // A small tensor limit makes every size the loaders check against it cheap to hit.
        MemoryLimit.bytes = 64 << 20
    }

    override func tearDown() {
        MemoryLimit.bytes = savedMemoryLimit
    }

    func testCorruptSafetensorsFilesAreRejectedCleanly() throws {
        var random = FuzzRandom(seed: Self.seed(0x5AFE))
        let folder = try DataFixtures.temporaryDirectory(for: self)
        let saved = folder + "/saved.safetensors"
        try Safetensors.save(
            [
                NamedTensor(name: "conv.weight", tensor: Tensor(shape: [2, 1, 2, 2], data: (0..<8).map(Float.init))),
                NamedTensor(name: "bias", tensor: Tensor(shape: [2], data: [0.5, -1])),
                NamedTensor(name: "scalar", tensor: Tensor(shape: [], data: [3])),
            ],
            to: saved, metadata: ["format": "pt", "note": "fuzz"])
        let valid = [try DataFixtures.read(saved), Self.mixedDTypeSafetensors()]
        var campaign = FuzzCampaign("safetensors", folder: folder)
        for _ in 0..<Self.count(4000) {
            let original = random.pick(valid)
            let bytes =
                random.chance(0.6)
                ? JSONHeaderMutator.mutateSafetensors(original, using: &random)
                : ByteMutator.mutate(original, fields: [FuzzField(offset: 0, width: 8, bigEndian: false)], using: &random)
            campaign.run(bytes) { path in
                let file = try Safetensors.load(path)
                for entry in file.tensors {
                    XCTAssertEqual(entry.tensor.count, Shape.count(entry.tensor.shape), "loaded tensor \(entry.name) is inconsistent")
                    XCTAssertEqual(entry.tensor.data.count, entry.tensor.count)
                }
            }
        }
        campaign.finish()
    }

    func testCorruptTrainingCheckpointsAreRejectedCleanly() throws {
        var random = FuzzRandom(seed: Self.seed(0xC4EC))
        let folder = try DataFixtures.temporaryDirectory(for: self)
        func makeModel() throws -> (Model, SGD) {
            let model = try Model.sequential([Dense(units: 3), ReLU(), Dense(units: 2)], inputShape: [4])
            return (model, try SGD(groups: [ParameterGroup(name: "all", parameters: model.trainableParameters)], learningRate: 0.1, momentum: 0.9))
        }
        let (model, optimizer) = try makeModel()
        let history = History(metricNames: ["accuracy"])
        let checkpoint = TrainingCheckpoint.capture(
            model: model, optimizer: optimizer, position: TrainingPosition(epoch: 1, step: 3),
            history: history, generator: RandomGenerator(seed: 5))
        try checkpoint.save(to: folder + "/valid.safetensors")
        let valid = try DataFixtures.read(folder + "/valid.safetensors")
        let parsed = try Safetensors.load(folder + "/valid.safetensors")
        let rebuilt = folder + "/rebuilt.safetensors"
        var campaign = FuzzCampaign("checkpoint", folder: folder)
        for _ in 0..<Self.count(1500) {
            let bytes: [UInt8]
            if random.chance(0.5) {
                // Damage only the JSON inside one metadata entry, so the file itself stays a valid safetensors file.
                var metadata = parsed.metadata
                let key = random.pick(metadata.keys.sorted())
                if random.chance(0.1) {
                    metadata[key] = nil
                } else {
                    metadata[key] = String(decoding: JSONHeaderMutator.mutateJSON(Array((metadata[key] ?? "").utf8), using: &random), as: UTF8.self)
                }
                try Safetensors.save(parsed.tensors, to: rebuilt, metadata: metadata)
                bytes = try DataFixtures.read(rebuilt)
            } else {
                bytes = random.chance(0.5) ? JSONHeaderMutator.mutateSafetensors(valid, using: &random) : ByteMutator.mutate(valid, using: &random)
            }
            campaign.run(bytes) { path in
                let loaded = try TrainingCheckpoint.load(from: path)
                let (fresh, freshOptimizer) = try makeModel()
                try loaded.restore(model: fresh, optimizer: freshOptimizer, generator: RandomGenerator(seed: 0))
            }
        }
        campaign.finish()
    }

    func testCorruptIDXFilesAreRejectedCleanly() throws {
        // Declared sizes up to this limit are read (and found missing) in 1 MiB chunks, which debug builds fill slowly.
        MemoryLimit.bytes = 1 << 20
        var random = FuzzRandom(seed: Self.seed(0x1D8))
        let folder = try DataFixtures.temporaryDirectory(for: self)
        let images = DataFixtures.idx(dimensions: [6, 4, 5], payload: (0..<120).map { UInt8($0 * 2) })
        let labels = DataFixtures.idx(dimensions: [6], payload: [0, 1, 2, 3, 4, 9])
        let imageFields = (0..<4).map { FuzzField(offset: 4 * $0, width: 4, bigEndian: true) }
        let labelFields = (0..<2).map { FuzzField(offset: 4 * $0, width: 4, bigEndian: true) }
        try DataFixtures.writeGzip(images, to: folder + "/images.gz")
        try DataFixtures.writeGzip(labels, to: folder + "/labels.gz")
        let compressed = (images: try DataFixtures.read(folder + "/images.gz"), labels: try DataFixtures.read(folder + "/labels.gz"))
        for gzip in [false, true] {
            var campaign = FuzzCampaign(gzip ? "idx.gz" : "idx", folder: folder)
            let otherImages = folder + "/valid-images", otherLabels = folder + "/valid-labels"
            try DataFixtures.write(images, to: otherImages)
            try DataFixtures.write(labels, to: otherLabels)
            for _ in 0..<Self.count(2000) {
                let mutateImages = random.chance(0.6)
                var bytes: [UInt8]
                if gzip && random.chance(0.5) {
                    // Damage the compressed stream itself.
                    bytes = ByteMutator.mutate(mutateImages ? compressed.images : compressed.labels, using: &random)
                } else {
                    bytes = ByteMutator.mutate(mutateImages ? images : labels, fields: mutateImages ? imageFields : labelFields, using: &random)
                    if gzip {
                        try DataFixtures.writeGzip(bytes, to: folder + "/compressed.gz")
                        bytes = try DataFixtures.read(folder + "/compressed.gz")
                    }
                }
                campaign.run(bytes) { path in
                    let data = try Datasets.idx(images: mutateImages ? path : otherImages, labels: mutateImages ? otherLabels : path)
                    XCTAssertEqual(data.values.count, data.count * Shape.count(data.sampleShape))
                }
            }
            campaign.finish()
        }
    }

    func testCorruptCIFARBatchesAreRejectedCleanly() throws {
        var random = FuzzRandom(seed: Self.seed(0xC1FA))
        let folder = try DataFixtures.temporaryDirectory(for: self)
        let recordSize = Datasets.cifarRecordSize
        let batch = (0..<(3 * recordSize)).map { index in index % recordSize == 0 ? UInt8(index / recordSize * 4) : UInt8(truncatingIfNeeded: index) }
        let labelFields = (0..<3).map { FuzzField(offset: $0 * recordSize, width: 1, bigEndian: true) }
        let meta = Array(Datasets.cifar10ClassNames.joined(separator: "\n").utf8)
        let root = folder + "/cifar-10-batches-bin"
        var campaign = FuzzCampaign("cifar10", folder: folder)
        for _ in 0..<Self.count(1000) {
            let bytes = ByteMutator.mutate(batch, fields: labelFields, using: &random)
            if random.chance(0.3) {
                // Through the folder, with a class-name file that may be damaged too.
                try DataFixtures.write(random.chance(0.5) ? ByteMutator.mutate(meta, using: &random) : meta, to: root + "/batches.meta.txt")
                try DataFixtures.write(bytes, to: root + "/data_batch_1.bin")
                campaign.run(bytes) { _ in
                    let data = try Datasets.cifar10(root: folder)
                    XCTAssertTrue(data.labels.allSatisfy { $0 < data.classNames.count })
                }
            } else {
                campaign.run(bytes) { path in
                    let data = try Datasets.cifar10(files: [path])
                    XCTAssertEqual(data.values.count, data.count * 3 * 32 * 32)
                }
            }
        }
        campaign.finish()
    }

    func testCorruptPNGImagesAreRejectedCleanly() throws {
        var random = FuzzRandom(seed: Self.seed(0x9A6))
        let folder = try DataFixtures.temporaryDirectory(for: self)
        try ImageFile.write(Tensor(shape: [3, 4, 5], data: (0..<60).map { Float($0) / 60 }), to: folder + "/rgb.png")
        try ImageFile.write(Tensor(shape: [1, 7, 3], data: (0..<21).map { Float($0) / 21 }), to: folder + "/gray.png")
        var valid = [try DataFixtures.read(folder + "/rgb.png"), try DataFixtures.read(folder + "/gray.png")]
        valid.append(
            FuzzFiles.png(
                width: 4, height: 3, bitDepth: 8, colorType: 3, palette: [255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9],
                transparency: [0, 128], using: &random))
        valid.append(FuzzFiles.png(width: 5, height: 2, bitDepth: 2, colorType: 3, palette: [1, 2, 3, 4, 5, 6, 7, 8, 9], using: &random))
        valid.append(FuzzFiles.png(width: 3, height: 2, bitDepth: 16, colorType: 6, using: &random))
        valid.append(FuzzFiles.png(width: 3, height: 3, bitDepth: 8, colorType: 4, using: &random))
        valid.append(FuzzFiles.png(width: 9, height: 2, bitDepth: 1, colorType: 0, using: &random))
        valid.append(FuzzFiles.png(width: 2, height: 2, bitDepth: 8, colorType: 2, transparency: [0, 1, 0, 2, 0, 3], using: &random))
        for file in valid { XCTAssertNoThrow(try ImageFile.decode(file, channels: 3, path: "valid.png"), "the unmutated PNGs must be valid") }
        var campaign = FuzzCampaign("png", folder: folder)
        for _ in 0..<Self.count(4000) {
            var bytes = ByteMutator.mutate(random.pick(valid), fields: FuzzFiles.pngHeaderFields, using: &random)
            if random.chance(0.75) { FuzzFiles.fixPNGChecksums(&bytes) }
            let channels = random.chance(0.5) ? 1 : 3
            campaign.run(bytes) { path in
                let image = try ImageFile.read(path, channels: channels)
                XCTAssertEqual(image.shape.first, channels)
                XCTAssertTrue(image.data.allSatisfy { $0 >= 0 && $0 <= 1 })
            }
        }
        campaign.finish()
    }

    func testCorruptJPEGImagesAreRejectedCleanly() throws {
        var random = FuzzRandom(seed: Self.seed(0x1FE6))
        let folder = try DataFixtures.temporaryDirectory(for: self)
        try ImageFile.write(Tensor(shape: [3, 12, 16], data: (0..<576).map { Float($0 % 97) / 97 }), to: folder + "/rgb.jpg", quality: 90)
        try ImageFile.write(Tensor(shape: [1, 7, 9], data: (0..<63).map { Float($0) / 63 }), to: folder + "/gray.jpg", quality: 50)
        try DataFixtures.writeCMYKJPEG([10, 200, 30, 40], width: 8, height: 8, to: folder + "/cmyk.jpg")
        var valid = try ["rgb", "gray", "cmyk"].map { try DataFixtures.read(folder + "/\($0).jpg") }
        valid.append(FuzzFiles.jpeg(width: 17, height: 9, gray: false, progressive: true, arithmetic: false, restartRows: 0, using: &random))
        valid.append(FuzzFiles.jpeg(width: 8, height: 16, gray: true, progressive: false, arithmetic: true, restartRows: 1, using: &random))
        valid.append(FuzzFiles.jpeg(width: 12, height: 12, gray: false, progressive: true, arithmetic: true, restartRows: 0, using: &random))
        valid.append(FuzzFiles.jpeg(width: 24, height: 16, gray: false, progressive: false, arithmetic: false, restartRows: 1, using: &random))
        for file in valid { XCTAssertNoThrow(try ImageFile.decode(file, channels: 3, path: "valid.jpg"), "the unmutated JPEGs must be valid") }
        let fields = valid.map(FuzzFiles.jpegFields)
        var campaign = FuzzCampaign("jpeg", folder: folder)
        for _ in 0..<Self.count(4000) {
            let which = random.below(valid.count)
            let bytes = ByteMutator.mutate(valid[which], fields: fields[which], using: &random)
            let channels = random.chance(0.5) ? 1 : 3
            campaign.run(bytes) { path in
                let image = try ImageFile.read(path, channels: channels)
                XCTAssertEqual(image.shape.first, channels)
                XCTAssertTrue(image.data.allSatisfy { $0 >= 0 && $0 <= 1 })
            }
        }
        campaign.finish()
    }

    func testCorruptCSVFilesAreRejectedCleanly() throws {
        var random = FuzzRandom(seed: Self.seed(0xC5F))
        let folder = try DataFixtures.temporaryDirectory(for: self)
        let valid = "label,p0,p1,p2,p3\n0,0,255,12.5,3\r\n1, 7 ,8,9,10\n\n2,1e2,0.5,-0,4\n"
        let weirdFields = [
            "", " ", "-1", "1.5", "999999999", "1048576", "1e999", "-1e999", "nan", "inf", "0x10", "99999999999999999999999", "1e-400",
            "\"3\"", "3 4", "9223372036854775808", "18446744073709551616", "+5", ".", "e5", "1e", "\u{FEFF}1", "١",
        ]
        var campaign = FuzzCampaign("csv", folder: folder)
        for _ in 0..<Self.count(3000) {
            var bytes: [UInt8]
            if random.chance(0.5) {
                var lines = valid.split(separator: "\n", omittingEmptySubsequences: false).map {
                    $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                }
                for _ in 0..<random.within(1...3) {
                    let line = random.below(lines.count)
                    switch random.below(5) {
                    case 0 where !lines[line].isEmpty: lines[line][random.below(lines[line].count)] = random.pick(weirdFields)
                    case 1 where !lines[line].isEmpty: lines[line].remove(at: random.below(lines[line].count))
                    case 2: lines[line].insert(random.pick(weirdFields), at: random.below(lines[line].count + 1))
                    case 3: lines.insert(lines[line], at: random.below(lines.count + 1))
                    default:
                        lines.remove(at: line)
                        if lines.isEmpty { lines = [[]] }
                    }
                }
                bytes = Array(lines.map { $0.joined(separator: ",") }.joined(separator: random.chance(0.2) ? "\r\n" : "\n").utf8)
            } else {
                bytes = ByteMutator.mutate(Array(valid.utf8), using: &random)
            }
            let header: Bool? = random.pick([nil, true, false])
            let names: [String]? = random.chance(0.3) ? ["a", "b"] : nil
            campaign.run(bytes) { path in
                let data = try Datasets.csv(path: path, shape: [1, 2, 2], header: header, classNames: names)
                XCTAssertEqual(data.values.count, data.count * 4)
                XCTAssertTrue(data.values.allSatisfy(\.isFinite))
            }
        }
        campaign.finish()
    }

    // MARK: - Regressions found by the campaigns above

    func testATinyPNGDeclaringAHugeImageIsRefusedBeforeItsPixelsAreAllocated() throws {
        var random = FuzzRandom(seed: 1)
        var bytes = FuzzFiles.png(width: 4, height: 3, bitDepth: 8, colorType: 2, using: &random)
        ByteMutator.write(20_000, into: &bytes, at: FuzzFiles.pngHeaderFields[0])
        ByteMutator.write(8_000, into: &bytes, at: FuzzFiles.pngHeaderFields[1])
        FuzzFiles.fixPNGChecksums(&bytes)
        ProcessMemory.resetPeak()
        let before = ProcessMemory.residentBytes ?? 0
        XCTAssertThrowsError(try ImageFile.decode(bytes, channels: 3, path: "huge.png")) { error in
            XCTAssertEqual("\(error)", "huge.png: corrupt PNG: 20000x8000 pixels cannot be stored in \(bytes.count) bytes")
        }
        XCTAssertLessThan((ProcessMemory.peakBytes ?? 0) - before, 64 << 20, "the 640 MB pixel buffer was never allocated")
    }

    func testATinyProgressiveJPEGDeclaringAHugeImageStaysWithinTheMemoryLimit() throws {
        var random = FuzzRandom(seed: 2)
        var bytes = FuzzFiles.jpeg(width: 12, height: 12, gray: false, progressive: true, arithmetic: true, restartRows: 0, using: &random)
        // The frame header (SOF10: progressive, arithmetic): marker, length, precision, height, width.
        let frame = try XCTUnwrap((0..<(bytes.count - 1)).first { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xCA })
        ByteMutator.write(16_960, into: &bytes, at: FuzzField(offset: frame + 5, width: 2, bigEndian: true))
        ByteMutator.write(2_060, into: &bytes, at: FuzzField(offset: frame + 7, width: 2, bigEndian: true))
        ProcessMemory.resetPeak()
        let before = ProcessMemory.residentBytes ?? 0
        XCTAssertThrowsError(try ImageFile.decode(bytes, channels: 3, path: "bomb.jpg")) { error in
            XCTAssertEqual("\(error)", "bomb.jpg: cannot decode JPEG: decoding needs more working memory than the limit of 64 MiB")
        }
        XCTAssertLessThan((ProcessMemory.peakBytes ?? 0) - before, 80 << 20)
    }

    func testLibjpegFailuresWhileEncodingComeBackAsMessages() throws {
        // libjpeg's error_exit fires in the middle of jpeg_start_compress; the C helper lands the jump and reports.
        let folder = try DataFixtures.temporaryDirectory(for: self)
        let wide = try Tensor.zeros([1, 1, 70_000])
        XCTAssertThrowsError(try ImageFile.write(wide, to: folder + "/wide.jpg")) { error in
            XCTAssertEqual("\(error)", "\(folder)/wide.jpg: cannot encode JPEG: Maximum supported image dimension is 65500 pixels")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/wide.jpg"))
        try ImageFile.write(try Tensor.zeros([1, 1, 65_500]), to: folder + "/widest.jpg")
        XCTAssertEqual(try ImageFile.read(folder + "/widest.jpg", channels: 1).shape, [1, 1, 65_500])
    }

    func testAHugeLabelInACSVFileIsRefusedInsteadOfNamingABillionClasses() throws {
        let folder = try DataFixtures.temporaryDirectory(for: self)
        try DataFixtures.write("label,a,b,c,d\n999999999,1,2,3,4\n", to: folder + "/labels.csv")
        XCTAssertThrowsError(try Datasets.csv(path: folder + "/labels.csv", shape: [1, 2, 2])) { error in
            XCTAssertEqual(
                "\(error)",
                "Dataset: label 999999999 of sample 0 is too large to number the classes 0…999999999; pass the class names if there really are that many"
            )
        }
    }

    // MARK: - Seeds and sizes

    /// The base seed of a campaign, or `RNX_FUZZ_SEED` mixed with it.
    static func seed(_ base: UInt64) -> UInt64 {
        let override = ProcessInfo.processInfo.environment["RNX_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0
        return base ^ (override &* 0x9E37_79B9_7F4A_7C15)
    }

    /// `base` inputs, times `RNX_FUZZ_SCALE` when set.
    static func count(_ base: Int) -> Int {
        let scale = ProcessInfo.processInfo.environment["RNX_FUZZ_SCALE"].flatMap { Double($0) } ?? 1
        return max(1, Int(Double(base) * scale))
    }

    /// Every dtype the loader converts, one small tensor each, in one file.
    static func mixedDTypeSafetensors() -> [UInt8] {
        let tensors: [(String, String, [Int], [UInt8])] = [
            ("half", "F16", [2], [0x00, 0x3C, 0x00, 0xC0]),
            ("brain", "BF16", [1, 2], [0x80, 0x3F, 0x00, 0x40]),
            ("double", "F64", [1], [0, 0, 0, 0, 0, 0, 0xF0, 0x3F]),
            ("long", "I64", [1], [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
            ("int", "I32", [2], [1, 0, 0, 0, 2, 0, 0, 0]),
            ("short", "I16", [1], [0xFE, 0xFF]),
            ("byte", "I8", [3], [0x80, 0, 0x7F]),
            ("pixels", "U8", [2, 2], [0, 1, 254, 255]),
            ("mask", "BOOL", [2], [0, 1]),
            ("empty", "F32", [0, 3], []),
        ]
        var fields: [String] = ["\"__metadata__\":{\"k\":\"v\"}"]
        var data: [UInt8] = []
        for (name, dtype, shape, bytes) in tensors {
            fields.append(
                "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":[\(shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(data.count),\(data.count + bytes.count)]}"
            )
            data += bytes
        }
        return FuzzFiles.safetensors(header: "{" + fields.joined(separator: ",") + "}", data: data)
    }
}

/// One fuzzing campaign over a loader: writes each input to the same file, runs the loader, checks the
/// outcome and counts it; `finish()` prints the counts and checks the peak memory.
struct FuzzCampaign {
    let category: String
    let path: String
    private(set) var tried = 0
    private(set) var loaded = 0
    private var rejections: [String: Int] = [:]
    private var slowest = (seconds: 0.0, input: 0)
    private let startPeak: Int?
    /// The input after which the peak memory rose the most, and by how much.
    private var hungriest = (bytes: 0, input: 0)

    /// Reset the peak-memory mark, so `finish()` sees only this campaign.
    init(_ category: String, folder: String) {
        self.category = category
        path = folder + "/input-\(category)"
        ProcessMemory.resetPeak()
        startPeak = ProcessMemory.residentBytes
        print("fuzz: \(category): the input under test is kept in \(path) should the process die")
    }

    /// Loads `bytes` from `path` with `load`: success, or a `KernelError` that names the file, are fine.
    mutating func run(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line, load: (String) throws -> Void) {
        tried += 1
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path))
        } catch {
            return XCTFail("cannot write the fuzz input: \(error)", file: file, line: line)
        }
        let started = Date()
        do {
            try load(path)
            loaded += 1
        } catch let error as KernelError {
            let text = error.description
            XCTAssertFalse(text.isEmpty, "empty error message", file: file, line: line)
            if case let .file(errorPath, message) = error {
                XCTAssertFalse(message.isEmpty, "\(category) input \(tried): empty message", file: file, line: line)
                XCTAssertFalse(errorPath.isEmpty, "\(category) input \(tried): no path in \(text)", file: file, line: line)
            }
            rejections[Self.kind(of: error), default: 0] += 1
        } catch {
            XCTFail("\(category) input \(tried) (\(bytes.count) bytes): not a KernelError: \(error)", file: file, line: line)
        }
        let seconds = Date().timeIntervalSince(started)
        if seconds > slowest.seconds { slowest = (seconds, tried) }
        if let peak = ProcessMemory.peakBytes, let start = startPeak, peak - start > hungriest.bytes {
            hungriest = (peak - start, tried)
            if let keep = ProcessInfo.processInfo.environment["RNX_FUZZ_KEEP"] {
                try? Data(bytes).write(to: URL(fileURLWithPath: keep + "/peak-\(category)"))
            }
        }
    }

    /// Prints the counts; fails if the campaign made the process's peak memory grow by more than 256 MiB.
    func finish(file: StaticString = #filePath, line: UInt = #line) {
        let kinds = rejections.sorted { $0.value > $1.value }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        var memory = ""
        if let peak = ProcessMemory.peakBytes, let start = startPeak {
            memory = ", peak memory +\((peak - start) >> 20) MiB (from input #\(hungriest.input))"
            XCTAssertLessThan(
                peak - start, 256 << 20, "\(category): loading small corrupt files took \((peak - start) >> 20) MiB", file: file, line: line)
        }
        print(
            "fuzz: \(category): \(tried) inputs, 0 crashes, \(loaded) loaded, \(tried - loaded) rejected (\(kinds)); slowest input #\(slowest.input) took \(String(format: "%.3f", slowest.seconds)) s\(memory)"
        )
    }

    private static func kind(of error: KernelError) -> String {
        switch error {
        case .file: return "file"
        case .allocationTooLarge: return "too large"
        case .invalidArgument: return "invalid argument"
        case .shapeMismatch: return "shape mismatch"
        case .autograd: return "autograd"
        }
    }
}

/// Structure-aware mutation of JSON text (safetensors headers, checkpoint metadata): numbers and strings
/// replaced by extreme ones, tokens dropped, repeated or swapped, members duplicated, deep nesting and
/// invalid UTF-8 inserted. For safetensors files the header length is recomputed so the JSON is parsed.
enum JSONHeaderMutator {
    static let numbers = [
        "0", "-1", "1", "2", "8", "-0", "1.5", "1e3", "1e400", "4294967296", "9223372036854775807",
        "9223372036854775808", "-9223372036854775808", "18446744073709551616", "99999999999999999999999999", "01", "0x10",
    ]
    static let strings = [
        "\"F32\"", "\"F16\"", "\"BF16\"", "\"F64\"", "\"I64\"", "\"BOOL\"", "\"U8\"", "\"F8_E4M3\"", "\"f32\"", "\"\"",
        "\"__metadata__\"", "\"shape\"", "\"dtype\"", "\"data_offsets\"", "\"\\ud800\"", "\"\\u0000\"", "\"\\uZZZZ\"",
        "\"a\\\"", "\"\\\"\"", "\"model/0.weight\"", "\"optimizer/momentum/0.weight\"", "\"rnx-checkpoint-1\"",
    ]
    static let values = ["null", "true", "{}", "[]", "[1,2]", "{\"a\":1}", "[-1]", "[0,0]", "[1,0]"]

    static func mutateSafetensors(_ file: [UInt8], using random: inout FuzzRandom) -> [UInt8] {
        guard file.count >= 8 else { return file }
        let length = file.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
        guard length <= file.count - 8 else { return file }
        let header = Array(file[8..<(8 + length)])
        var data = Array(file[(8 + length)...])
        if random.chance(0.15) { data = ByteMutator.mutate(data, using: &random) }
        return FuzzFiles.safetensors(headerBytes: mutateJSON(header, using: &random), data: data)
    }

    static func mutateJSON(_ text: [UInt8], using random: inout FuzzRandom) -> [UInt8] {
        var tokens = tokenize(text)
        guard !tokens.isEmpty else { return text }
        for _ in 0..<random.within(1...3) {
            let index = random.below(tokens.count)
            let token = tokens[index]
            switch random.below(9) {
            case 0, 1:
                if token.first.map({ $0 == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) == true {
                    tokens[index] = Array(random.pick(numbers).utf8)
                } else {
                    tokens[index] = Array(random.pick(numbers + values).utf8)
                }
            case 2:
                tokens[index] = token.first == UInt8(ascii: "\"") ? Array(random.pick(strings).utf8) : Array(random.pick(values).utf8)
            case 3:
                tokens.remove(at: index)
                if tokens.isEmpty { return [] }
            case 4:
                tokens.insert(token, at: random.below(tokens.count + 1))
            case 5:
                tokens.swapAt(index, random.below(tokens.count))
            case 6:
                let depth = random.pick([10, 63, 64, 65, 1000, 100_000])
                tokens[index] = Array(String(repeating: "[", count: depth).utf8) + Array(String(repeating: "]", count: depth).utf8)
            case 7:
                // Invalid UTF-8 inside a string, or a raw control byte.
                if token.first == UInt8(ascii: "\""), token.count >= 2 {
                    tokens[index] = [token[0]] + [random.pick([0xFF, 0xC0, 0xED, 0x80, 0x00, 0x0A])] + token.dropFirst()
                }
            default:
                // Repeat a whole "key": value member (a duplicate key).
                if let colon = tokens.indices.first(where: { $0 >= index && tokens[$0] == [UInt8(ascii: ":")] }), colon > 0, colon + 1 < tokens.count
                {
                    let member = [tokens[colon - 1], tokens[colon], tokens[colon + 1], [UInt8(ascii: ",")]]
                    tokens.insert(contentsOf: member, at: colon - 1)
                }
            }
        }
        return Array(tokens.joined())
    }

    /// Strings (with escapes), runs of number or word characters, and single punctuation bytes; whitespace is dropped.
    static func tokenize(_ text: [UInt8]) -> [[UInt8]] {
        var tokens: [[UInt8]] = []
        var index = 0
        while index < text.count {
            let byte = text[index]
            if byte == UInt8(ascii: "\"") {
                var end = index + 1
                while end < text.count && text[end] != UInt8(ascii: "\"") { end += text[end] == UInt8(ascii: "\\") ? 2 : 1 }
                end = min(end + 1, text.count)
                tokens.append(Array(text[index..<end]))
                index = end
            } else if [0x20, 0x09, 0x0A, 0x0D].contains(byte) {
                index += 1
            } else if "{}[]:,".utf8.contains(byte) {
                tokens.append([byte])
                index += 1
            } else {
                var end = index
                while end < text.count && !"{}[]:,\" \t\r\n".utf8.contains(text[end]) { end += 1 }
                tokens.append(Array(text[index..<end]))
                index = end
            }
        }
        return tokens
    }
}
