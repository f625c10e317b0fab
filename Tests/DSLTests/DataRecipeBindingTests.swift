import Foundation
import XCTest
import Kernel
@testable import DSL

/// The recipes' data sets, augmentations and warm-restart schedule as the language offers them.
final class DataRecipeBindingTests: XCTestCase {
    private func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "rnx-recipe-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    private func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    private func writePicture(level: Float, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let values = (0..<(3 * 8 * 8)).map { level + 0.3 * Float($0 % 8) / 8 }
        try ImageFile.write(Tensor(shape: [3, 8, 8], data: values), to: path, quality: 100)
    }

    /// Tiny ImageNet's layout: three classes of two training images each, box files, two validation images.
    private func tinyImageNet() throws -> String {
        let root = try temporaryFolder()
        let wnids = ["n01443537", "n01629819", "n02124075"]
        try write(wnids.joined(separator: "\n"), to: root + "/wnids.txt")
        try write("n01443537\tgoldfish, Carassius auratus\nn01629819\tEuropean fire salamander\nn02124075\tEgyptian cat\n", to: root + "/words.txt")
        for (index, wnid) in wnids.enumerated() {
            for image in 0..<2 { try writePicture(level: 0.2 * Float(index), to: "\(root)/train/\(wnid)/images/\(wnid)_\(image).JPEG") }
            try write("\(wnid)_0.JPEG\t0\t0\t7\t7\n", to: "\(root)/train/\(wnid)/\(wnid)_boxes.txt")
        }
        try writePicture(level: 0.4, to: root + "/val/images/val_0.JPEG")
        try writePicture(level: 0, to: root + "/val/images/val_1.JPEG")
        try write("val_0.JPEG\tn02124075\t0\t0\t7\t7\nval_1.JPEG\tn01443537\t0\t0\t7\t7\n", to: root + "/val/val_annotations.txt")
        return root
    }

    func testTinyImageNetBunchNamesClassesByWordsAndAugmentsReproducibly() throws {
        let root = try tinyImageNet()
        let session = Session()
        try session.run(
            """
            augment = [flip(vertical=True), zoom(0.8, 1.25), color_jitter(brightness=0.2, contrast=0.2, saturation=0.2),
                       some_of(1, [flip(), rotate(10)]), one_of([cutout(2), translate(0.1)])]
            data = tiny_imagenet('\(root)', batch_size=2, size=6, transforms=augment, seed=3)
            again = tiny_imagenet('\(root)', batch_size=2, size=6, transforms=augment, seed=3)
            """)
        XCTAssertEqual(try session.run("data.classes"), ["goldfish", "European fire salamander", "Egyptian cat"])
        XCTAssertEqual(try session.run("len(data.train.dataset), len(data.valid.dataset), data.shape"), .tuple([6, 2, .tuple([3, 6, 6])]))
        XCTAssertEqual(try session.run("data.valid.dataset[0][1], data.valid.dataset[1][1]"), .tuple([2, 0]))
        XCTAssertEqual(
            try session.run("x, y = data.one_batch()\nx2, y2 = again.one_batch()\nx.tolist() == x2.tolist(), y.tolist() == y2.tolist(), x.shape"),
            .tuple([true, true, .tuple([2, 3, 6, 6])]))
        XCTAssertEqual(try session.run("images(data.train, n=2).kind"), "images")
        // Validation leaves every random step out.
        XCTAssertFalse("\(try session.run("str(data.valid)") ?? .none)".contains("zoom"))
        XCTAssertEqual(try session.run("str(augment[3])"), "some_of(1, [flip(p=0.5), rotate(10)])")
        XCTAssertEqual(try session.run("len(tiny_imagenet('\(root)', limit=1, seed=0).train.dataset)"), 1)
    }

    func testAugmentationArgumentsAreCheckedWhereTheyAreWritten() throws {
        let session = Session()
        XCTAssertEqual(session.error("zoom(1.2, 1.1)")?.message.contains("max_scale"), true)
        XCTAssertEqual(session.error("zoom(0, 1.1)")?.message.contains("min_scale"), true)
        XCTAssertEqual(session.error("color_jitter(brightness=-1)")?.message.contains("brightness"), true)
        XCTAssertEqual(session.error("some_of(3, [flip(), zoom(1, 2)])")?.message.contains("between 0 and the 2 transforms"), true)
        XCTAssertEqual(session.error("one_of([])")?.message.contains("non-empty list"), true)
        XCTAssertEqual(try session.run("str(flip(vertical=True))"), "flip(p=0.5, vertical=True)")
        // A transform that changes the size cannot be chosen at random: the loader says so when it is built.
        try session.run("ds = tensor_dataset(rand(4, 1, 6, 6), [0, 1, 0, 1])")
        XCTAssertEqual(session.error("loader(ds, transforms=[one_of([center_crop(4), flip()])])")?.message.contains("changes the image shape"), true)
    }

    func testFashionMNISTReadsARootOrNamesThePackage() throws {
        let root = try temporaryFolder()
        func idx(_ dimensions: [Int], _ payload: [UInt8]) -> Data {
            var bytes: [UInt8] = [0, 0, 8, UInt8(dimensions.count)]
            for size in dimensions { bytes += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: size >> $0) } }
            return Data(bytes + payload)
        }
        for prefix in ["train", "t10k"] {
            try idx([2, 2, 2], [0, 64, 128, 255, 255, 128, 64, 0]).write(to: URL(fileURLWithPath: "\(root)/\(prefix)-images-idx3-ubyte"))
            try idx([2], [0, 9]).write(to: URL(fileURLWithPath: "\(root)/\(prefix)-labels-idx1-ubyte"))
        }
        let session = Session()
        try session.run("data = fashion_mnist('\(root)', batch_size=2, seed=0)")
        XCTAssertEqual(
            try session.run("data.c, data.classes[0], data.classes[9], data.shape"), .tuple([10, "T-shirt/top", "Ankle boot", .tuple([1, 2, 2])]))
        if !FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist") {
            XCTAssertEqual(session.error("fashion_mnist()")?.message.contains("apt-get install dataset-fashion-mnist"), true)
        }
    }

    func testCSVDatasetTakesTheLabelColumnAndRefusesASingleClass() throws {
        let root = try temporaryFolder()
        try write("p1,p2,y\n0,255,1\n255,0,0\n", to: root + "/rows.csv")
        try write("5,0\n5,255\n", to: root + "/single.csv")
        let session = Session()
        XCTAssertEqual(try session.run("ds = csv_dataset('\(root)/rows.csv', (1, 1, 2), label='y')\n[ds[0][1], ds[1][1]]"), [1, 0])
        XCTAssertEqual(try session.run("csv_dataset('\(root)/rows.csv', (1, 1, 2), label=-1)[0][0].tolist()"), [[[0.0, 1.0]]])
        XCTAssertEqual(session.error("csv_dataset('\(root)/single.csv', (1, 1, 1))")?.message.contains("makes a single class"), true)
        XCTAssertEqual(session.error("csv_dataset('\(root)/rows.csv', (1, 1, 2), label=1.5)")?.message.contains("a column index"), true)
    }

    func testSGDRPreviewShowsTheRestarts() throws {
        let session = Session()
        try session.run("s = sgdr(0.2, 4, t_mult=3, min_lr=0.0001)\nlrs = s.lrs(20)")
        XCTAssertEqual(try session.run("lrs[0], lrs[4], lrs[16], lrs[2]"), .tuple([0.2, 0.2, 0.2, 0.10005000000000001]))
        XCTAssertEqual(
            try session.run("lrs[3] < lrs[4], s.total_steps, repr(s)"), .tuple([true, .none, "sgdr(max_lr=0.2, t0=4, t_mult=3, min_lr=0.0001)"]))
        XCTAssertEqual(try session.run("len(sgdr(0.1, 5, total_steps=12).preview())"), 12)
        XCTAssertEqual(session.error("sgdr(0.1, 0)")?.message.contains("t0"), true)
        XCTAssertEqual(session.error("sgdr(0.1, 5, t_mult=0)")?.message.contains("t_mult"), true)
    }
}
