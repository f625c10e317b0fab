import XCTest
@testable import Kernel

/// The real layouts of the recipes' data sets, written small: Tiny ImageNet, Fashion-MNIST, image folders holding
/// other files, and CSV files compressed or with the label elsewhere.
final class DataRecipeSetsTests: XCTestCase {
    /// A flat [3, 8, 8] picture whose level tells samples apart.
    private func picture(_ level: Float) throws -> Tensor {
        try Tensor(shape: [3, 8, 8], data: [Float](repeating: level, count: 192))
    }

    /// Tiny ImageNet's official layout with three classes listed out of order, `.JPEG` files, box files beside
    /// `images/`, a words.txt covering more wnids than the set uses, and an unlabelled test folder.
    private func writeTinyImageNet() throws -> String {
        let root = try DataFixtures.temporaryDirectory(for: self)
        let wnids = ["n02124075", "n01443537", "n01629819"]
        try DataFixtures.write(wnids.joined(separator: "\n") + "\n", to: root + "/wnids.txt")
        try DataFixtures.write(
            """
            n00001740\tentity
            n01443537\tgoldfish, Carassius auratus
            n01629819\tEuropean fire salamander, Salamandra salamandra
            n02124075\tEgyptian cat

            """, to: root + "/words.txt")
        for (index, wnid) in wnids.enumerated() {
            for image in 0..<(index + 1) {
                try DataFixtures.writeImage(picture(0.1 * Float(index + 1)), to: root + "/train/\(wnid)/images/\(wnid)_\(image).JPEG", quality: 100)
            }
            try DataFixtures.write("\(wnid)_0.JPEG\t0\t0\t7\t7\n", to: root + "/train/\(wnid)/\(wnid)_boxes.txt")
        }
        try DataFixtures.writeImage(picture(0.3), to: root + "/val/images/val_0.JPEG", quality: 100)
        try DataFixtures.writeImage(picture(0.1), to: root + "/val/images/val_1.JPEG", quality: 100)
        try DataFixtures.write("val_0.JPEG\tn02124075\t0\t0\t7\t7\r\nval_1.JPEG\tn01443537\t1\t1\t6\t6\r\n", to: root + "/val/val_annotations.txt")
        try DataFixtures.writeImage(picture(0.5), to: root + "/test/images/test_0.JPEG")
        return root
    }

    func testTinyImageNetReadsTheOfficialLayoutWithWordsAsClassNames() throws {
        let root = try writeTinyImageNet()
        let train = try Datasets.tinyImageNet(root: root)
        // Sorted wnids: n01443537 (goldfish), n01629819 (salamander), n02124075 (cat).
        XCTAssertEqual(train.classNames, ["goldfish", "European fire salamander", "Egyptian cat"])
        XCTAssertEqual(train.labels, [0, 0, 1, 1, 1, 2])
        XCTAssertEqual(train.sampleShape, [3, 8, 8])
        XCTAssertEqual(train.name, root + "/train", "the box files beside images/ are never listed")
        // Class 0 is the second wnid written, whose pictures are 0.2 gray.
        XCTAssertEqual(try train.sample(0).image.data[0], 0.2, accuracy: 0.01)

        let valid = try Datasets.tinyImageNet(root: root, train: false, size: ImageSize(4))
        XCTAssertEqual(valid.labels, [2, 0])
        XCTAssertEqual(valid.sampleShape, [3, 4, 4])
        XCTAssertEqual(valid.classNames, train.classNames)
        XCTAssertEqual(try valid.sample(0).image.data[0], 0.3, accuracy: 0.01)

        let limited = try Datasets.tinyImageNet(root: root, limit: 2, seed: 7)
        XCTAssertEqual(limited.count, 2)
        XCTAssertEqual(try Datasets.tinyImageNet(root: root, limit: 2, seed: 7).labels, limited.labels)
    }

    func testTinyImageNetProblemsNameTheFileAndLine() throws {
        let root = try writeTinyImageNet()
        try DataFixtures.write("val_0.JPEG\tn09999999\t0\t0\t7\t7\n", to: root + "/val/val_annotations.txt")
        assertFileError(
            try Datasets.tinyImageNet(root: root, train: false), path: root + "/val/val_annotations.txt",
            contains: "line 1: class n09999999 is not in wnids.txt")
        try DataFixtures.write("val_0.JPEG\n", to: root + "/val/val_annotations.txt")
        assertFileError(try Datasets.tinyImageNet(root: root, train: false), path: root + "/val/val_annotations.txt", contains: "line 1: expected")
        try DataFixtures.write("val_9.JPEG\tn01443537\n", to: root + "/val/val_annotations.txt")
        assertFileError(try Datasets.tinyImageNet(root: root, train: false), path: root + "/val/images/val_9.JPEG", contains: "no such file")

        try DataFixtures.write("n01443537\nn01443537\n", to: root + "/wnids.txt")
        assertFileError(try Datasets.tinyImageNet(root: root), path: root + "/wnids.txt", contains: "lists the class n01443537 twice")
        let empty = try DataFixtures.temporaryDirectory(for: self)
        assertFileError(try Datasets.tinyImageNet(root: empty), path: empty, contains: "is not a Tiny ImageNet folder")
        XCTAssertThrowsError(try Datasets.tinyImageNet(root: root, limit: 0))
    }

    func testImageFolderSkipsNonImagesAndCountsThem() throws {
        let root = try DataFixtures.temporaryDirectory(for: self)
        try DataFixtures.writeImage(picture(0.2), to: root + "/cat/one.JPEG")
        try DataFixtures.writeImage(picture(0.4), to: root + "/cat/two.Png")
        try DataFixtures.writeImage(picture(0.6), to: root + "/dog/three.jpg")
        try DataFixtures.write("0 0 7 7", to: root + "/cat/cat_boxes.txt")
        try DataFixtures.write("x", to: root + "/dog/labels.csv")
        let data = try Datasets.imageFolder(root: root)
        XCTAssertEqual(data.labels, [0, 0, 1])
        XCTAssertTrue(data.description.contains("(2 non-image files skipped)"), data.description)

        try DataFixtures.write("x", to: root + "/bird/notes.txt")
        assertFileError(try Datasets.imageFolder(root: root), path: root + "/bird", contains: "class folder holds no images (1 other files skipped)")
    }

    func testFashionMNISTReadsIDXFilesWithItsClassNames() throws {
        let folder = try DataFixtures.temporaryDirectory(for: self)
        let pixels: [UInt8] = (0..<(3 * 2 * 2)).map { UInt8($0 * 20) }
        // Training files gzipped (as Debian ships them), test files plain.
        try DataFixtures.writeGzip(DataFixtures.idx(dimensions: [3, 2, 2], payload: pixels), to: folder + "/train-images-idx3-ubyte.gz")
        try DataFixtures.writeGzip(DataFixtures.idx(dimensions: [3], payload: [9, 0, 5]), to: folder + "/train-labels-idx1-ubyte.gz")
        try DataFixtures.write(DataFixtures.idx(dimensions: [1, 2, 2], payload: [0, 51, 102, 255]), to: folder + "/t10k-images-idx3-ubyte")
        try DataFixtures.write(DataFixtures.idx(dimensions: [1], payload: [8]), to: folder + "/t10k-labels-idx1-ubyte")

        let train = try Datasets.fashionMNIST(root: folder)
        XCTAssertEqual(train.classNames, ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"])
        XCTAssertEqual(train.labels, [9, 0, 5])
        XCTAssertEqual(train.sampleShape, [1, 2, 2])
        assertValuesClose(try train.sample(1).image.data, [80, 100, 120, 140].map { Float($0) / 255 }, accuracy: 1e-6)
        let test = try Datasets.fashionMNIST(root: folder, train: false)
        XCTAssertEqual(test.labels, [8])
        assertValuesClose(test.values, [0, 0.2, 0.4, 1], accuracy: 1e-6)

        try FileManager.default.removeItem(atPath: folder + "/t10k-labels-idx1-ubyte")
        assertFileError(try Datasets.fashionMNIST(root: folder, train: false), path: folder, contains: "no Fashion-MNIST file t10k-labels-idx1-ubyte")
    }

    func testFashionMNISTDefaultFolderNamesTheDebianPackage() throws {
        guard DataFiles.kind(Datasets.fashionMNISTSystemRoot) == .missing else {
            // The package is installed: the default folder must then load.
            XCTAssertEqual(try Datasets.fashionMNIST(train: false).count, 10_000)
            return
        }
        assertFileError(try Datasets.fashionMNIST(), path: Datasets.fashionMNISTSystemRoot, contains: "apt-get install dataset-fashion-mnist")
    }

    func testCSVReadsGzipByItsMagicAndTakesTheLabelFromAnyColumn() throws {
        let folder = try DataFixtures.temporaryDirectory(for: self)
        let text = "a,b,kind,c\n0,255,1,51\n255,0,0,102\n"
        // Compressed, under a name that does not say so: the magic bytes decide.
        try DataFixtures.writeGzip(Array(text.utf8), to: folder + "/rows.data")
        let byName = try Datasets.csv(path: folder + "/rows.data", shape: [1, 1, 3], label: .name("kind"))
        XCTAssertEqual(byName.labels, [1, 0])
        assertValuesClose(byName.values, [0, 1, 0.2, 1, 0, 0.4], accuracy: 1e-6)
        let byIndex = try Datasets.csv(path: folder + "/rows.data", shape: [1, 1, 3], label: .index(-2))
        XCTAssertEqual(byIndex.values, byName.values)
        XCTAssertEqual(byIndex.labels, byName.labels)

        try DataFixtures.writeGzip(Array("3,0.5\n4,0.25\n".utf8), to: folder + "/plain.csv.gz")
        XCTAssertEqual(try Datasets.csv(path: folder + "/plain.csv.gz", shape: [1, 1, 1]).labels, [3, 4])

        assertFileError(
            try Datasets.csv(path: folder + "/rows.data", shape: [1, 1, 3], label: .name("label")), path: folder + "/rows.data",
            contains: "no column named 'label' in the header row (it has 'a', 'b', 'kind', 'c')")
        assertFileError(
            try Datasets.csv(path: folder + "/rows.data", shape: [1, 1, 3], label: .index(4)), path: folder + "/rows.data",
            contains: "label column 4 does not exist: the rows have 4 columns")
        try DataFixtures.write("7,0.5\n7,0.25\n", to: folder + "/single.csv")
        assertFileError(
            try Datasets.csv(path: folder + "/single.csv", shape: [1, 1, 1]), path: folder + "/single.csv",
            contains: "every one of the 2 data rows has the label 7, which makes a single class")
        try DataFixtures.write("0.5,1\n0.25,0\n", to: folder + "/fractions.csv")
        assertFileError(
            try Datasets.csv(path: folder + "/fractions.csv", shape: [1, 1, 1]), path: folder + "/fractions.csv",
            contains: "line 1, column 1: label '0.5' is not a non-negative integer")
        XCTAssertEqual(try Datasets.csv(path: folder + "/fractions.csv", shape: [1, 1, 1], label: .index(1)).labels, [1, 0])
        try DataFixtures.write("1,2\n0,3\n", to: folder + "/noheader.csv")
        assertFileError(
            try Datasets.csv(path: folder + "/noheader.csv", shape: [1, 1, 1], label: .name("y")), path: folder + "/noheader.csv",
            contains: "the file has no header row")
    }
}
