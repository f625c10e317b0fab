import Foundation
import Kernel

/// Small copies of the real layouts the recipe examples read, written where a test asks: CIFAR-10's binary
/// batches and Tiny ImageNet's official folder tree. Pictures are noise from a fixed seed, so runs repeat.
enum RecipeDataFixtures {
    /// `cifar-10-batches-bin`: five `data_batch_<n>.bin` of `perBatch` records and a `test_batch.bin`, each
    /// record a label byte and 3×32×32 pixel bytes, labels cycling through the 10 classes.
    static func writeCIFAR10(in directory: URL, perBatch: Int = 8) throws -> URL {
        let root = directory.appendingPathComponent("cifar-10-batches-bin")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        var generator = SeededBytes(seed: 17)
        for name in (1...5).map({ "data_batch_\($0).bin" }) + ["test_batch.bin"] {
            var bytes: [UInt8] = []
            for record in 0..<perBatch {
                bytes.append(UInt8(record % 10))
                bytes += (0..<(3 * 32 * 32)).map { _ in generator.nextByte() }
            }
            try Data(bytes).write(to: root.appendingPathComponent(name))
        }
        return root
    }

    /// `tiny-imagenet-200`: `wnids.txt`, `words.txt`, `train/<wnid>/images/*.JPEG` beside a `<wnid>_boxes.txt`,
    /// `val/images` labelled by `val/val_annotations.txt`, and an unlabelled `test/images`, with 64×64 pictures.
    static func writeTinyImageNet(in directory: URL, classes: Int = 4, perClass: Int = 8, validation: Int = 8) throws -> URL {
        let root = directory.appendingPathComponent("tiny-imagenet-200")
        let wnids = (0..<classes).map { "n0\(1_443_537 + $0 * 1_000)" }
        let names = ["goldfish", "European fire salamander", "Egyptian cat", "tabby", "school bus", "lemon"]
        try write(wnids.joined(separator: "\n") + "\n", to: root.appendingPathComponent("wnids.txt"))
        let words = wnids.enumerated().map { "\($1)\t\(names[$0 % names.count]), other words" }
        try write(words.joined(separator: "\n") + "\n", to: root.appendingPathComponent("words.txt"))
        var generator = SeededBytes(seed: 23)
        for wnid in wnids {
            let folder = root.appendingPathComponent("train/\(wnid)")
            var boxes = ""
            for index in 0..<perClass {
                try writePicture(folder.appendingPathComponent("images/\(wnid)_\(index).JPEG"), &generator)
                boxes += "\(wnid)_\(index).JPEG\t0\t0\t63\t63\n"
            }
            try write(boxes, to: folder.appendingPathComponent("\(wnid)_boxes.txt"))
        }
        var annotations = ""
        for index in 0..<validation {
            try writePicture(root.appendingPathComponent("val/images/val_\(index).JPEG"), &generator)
            annotations += "val_\(index).JPEG\t\(wnids[index % classes])\t0\t0\t63\t63\n"
        }
        try write(annotations, to: root.appendingPathComponent("val/val_annotations.txt"))
        try writePicture(root.appendingPathComponent("test/images/test_0.JPEG"), &generator)
        return root
    }

    private static func write(_ text: String, to file: URL) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file)
    }

    private static func writePicture(_ file: URL, _ generator: inout SeededBytes) throws {
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let values = (0..<(3 * 64 * 64)).map { _ in Float(generator.nextByte()) / 255 }
        try ImageFile.write(try Tensor(shape: [3, 64, 64], data: values), to: file.path)
    }
}

/// A seeded byte stream (SplitMix64), so fixtures are the same on every run.
struct SeededBytes {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func nextByte() -> UInt8 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return UInt8(truncatingIfNeeded: (z ^ (z >> 31)) >> 56)
    }
}
