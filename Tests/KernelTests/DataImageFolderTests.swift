import XCTest
@testable import Kernel

final class DataImageFolderTests: XCTestCase {
    /// A smooth [channels, height, width] test picture (JPEG keeps smooth images nearly exact).
    private func picture(channels: Int = 3, height: Int, width: Int, shift: Float = 0) throws -> Tensor {
        var values: [Float] = []
        for c in 0..<channels {
            for y in 0..<height {
                for x in 0..<width {
                    values.append(min(1, shift + 0.2 + 0.6 * Float(x + y) / Float(width + height) + 0.1 * Float(c)))
                }
            }
        }
        return try Tensor(shape: [channels, height, width], data: values)
    }

    func testPNGAndJPEGFilesRoundTrip() throws {
        let folder = try DataFixtures.temporaryDirectory(for: self)
        // PNG is lossless: values on the 1/255 grid come back exactly.
        let exact = try Tensor(shape: [3, 2, 2], data: (0..<12).map { Float($0 * 20) / 255 })
        try ImageFile.write(exact, to: folder + "/exact.png")
        XCTAssertEqual(try ImageFile.read(folder + "/exact.png").data, exact.data)
        let gray = try Tensor(shape: [1, 2, 3], data: [0, 1, 0.2, 0.4, 0.6, 0.8])
        try ImageFile.write(gray, to: folder + "/gray.png")
        assertValuesClose(try ImageFile.read(folder + "/gray.png", channels: 1).data, gray.data, accuracy: 1e-6)
        // Gray read as RGB repeats the plane.
        XCTAssertEqual(try ImageFile.read(folder + "/gray.png").shape, [3, 2, 3])

        let smooth = try picture(height: 16, width: 24)
        try ImageFile.write(smooth, to: folder + "/smooth.JPG", quality: 100)
        let decoded = try ImageFile.read(folder + "/smooth.JPG")
        XCTAssertEqual(decoded.shape, [3, 16, 24])
        assertValuesClose(decoded.data, smooth.data, accuracy: 0.03)

        // CMYK (libjpeg cannot convert it) becomes RGB as PIL does it.
        try DataFixtures.writeCMYKJPEG([255, 0, 0, 255], width: 8, height: 8, to: folder + "/red-ink.jpg")
        let red = try ImageFile.read(folder + "/red-ink.jpg")
        XCTAssertEqual(red.shape, [3, 8, 8])
        assertValuesClose([red.data[0], red.data[64], red.data[128]], [1, 0, 0], accuracy: 0.02)
        XCTAssertEqual(try ImageFile.read(folder + "/red-ink.jpg", channels: 1).data[0], 0.299, accuracy: 0.02)

        XCTAssertThrowsError(try ImageFile.write(smooth, to: folder + "/picture.bmp")) { error in
            XCTAssertTrue("\(error)".contains("use .png, .jpg or .jpeg"), "\(error)")
        }
        XCTAssertThrowsError(try ImageFile.write(smooth, to: folder + "/q.jpg", quality: 0))
    }

    func testClassesAreSortedFoldersAndImagesKeepTheirSize() throws {
        let root = try DataFixtures.temporaryDirectory(for: self)
        try DataFixtures.writeImage(picture(height: 6, width: 8), to: root + "/dog/b.png")
        try DataFixtures.writeImage(picture(height: 6, width: 8, shift: 0.1), to: root + "/dog/a.jpg")
        try DataFixtures.writeImage(picture(height: 6, width: 8, shift: 0.2), to: root + "/cat/nested/c.jpeg")
        try DataFixtures.write("notes", to: root + "/README.txt")
        try DataFixtures.write("hidden", to: root + "/cat/.DS_Store")
        try FileManager.default.createDirectory(atPath: root + "/.ipynb_checkpoints", withIntermediateDirectories: true)

        let data = try Datasets.imageFolder(root: root)
        XCTAssertEqual(data.classNames, ["cat", "dog"])
        XCTAssertEqual(data.labels, [0, 1, 1])
        XCTAssertEqual(data.sampleShape, [3, 6, 8])
        // Sample 2 is dog/b.png, stored losslessly.
        let expected = try picture(height: 6, width: 8)
        assertValuesClose(try data.sample(2).image.data, expected.data, accuracy: 0.51 / 255)

        let gray = try Datasets.imageFolder(root: root, channels: 1)
        XCTAssertEqual(gray.sampleShape, [1, 6, 8])
    }

    func testRequestedSizeScalesToCoverThenCropsTheCentre() throws {
        let root = try DataFixtures.temporaryDirectory(for: self)
        try DataFixtures.writeImage(picture(height: 8, width: 8), to: root + "/a/square.png")
        try DataFixtures.writeImage(picture(height: 20, width: 40), to: root + "/a/wide.png")
        try DataFixtures.writeImage(picture(height: 3, width: 2), to: root + "/b/tiny.png")
        let data = try Datasets.imageFolder(root: root, size: ImageSize(4))
        XCTAssertEqual(data.sampleShape, [3, 4, 4])
        XCTAssertEqual(data.count, 3)
        XCTAssertTrue(data.values.allSatisfy { $0 >= 0 && $0 <= 1 })

        // Halving an 8x8 picture by 2x2 averaging: the top-left output pixel is the mean of four.
        let square = try ImageFile.read(root + "/a/square.png")
        let first = try data.sample(0).image
        let mean = (square.data[0] + square.data[1] + square.data[8] + square.data[9]) / 4
        XCTAssertEqual(first.data[0], mean, accuracy: 1e-5)

        assertFileError(
            try Datasets.imageFolder(root: root), path: root + "/a/wide.png",
            contains: "image is 20x40 but \(root)/a/square.png is 8x8; pass a size to resize them all")
    }

    func testNonImagesAndCorruptImagesAreReportedByName() throws {
        let root = try DataFixtures.temporaryDirectory(for: self)
        try DataFixtures.writeImage(picture(height: 4, width: 4), to: root + "/good/one.png")
        try DataFixtures.write("not an image", to: root + "/good/notes.txt")
        XCTAssertTrue(
            try Datasets.imageFolder(root: root).description.contains("(1 non-image file skipped)"), "other files are skipped, as torchvision does")
        try FileManager.default.removeItem(atPath: root + "/good/notes.txt")

        try DataFixtures.write("hello, world", to: root + "/good/fake.png")
        assertFileError(
            try Datasets.imageFolder(root: root), path: root + "/good/fake.png",
            contains: "not a JPEG or PNG image (it starts with 0x68 0x65 0x6C 0x6C)")
        try FileManager.default.removeItem(atPath: root + "/good/fake.png")

        try DataFixtures.writeImage(picture(height: 16, width: 16), to: root + "/good/whole.jpg")
        let jpeg = try DataFixtures.read(root + "/good/whole.jpg")
        // Cut inside the compressed scan (after the start-of-scan marker 0xFF 0xDA).
        let scan = try XCTUnwrap((0..<(jpeg.count - 1)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xDA })
        try DataFixtures.write(Array(jpeg.prefix((scan + jpeg.count) / 2)), to: root + "/good/truncated.jpg")
        assertFileError(
            try Datasets.imageFolder(root: root), path: root + "/good/truncated.jpg", contains: "corrupt JPEG data: Premature end of JPEG file")
        // A JPEG start marker followed by garbage makes libjpeg fail outright.
        try DataFixtures.write([0xFF, 0xD8, 0xFF, 0xE0, 0, 3, 1, 0xFF, 0xC4, 0, 2], to: root + "/good/truncated.jpg")
        assertFileError(try Datasets.imageFolder(root: root), path: root + "/good/truncated.jpg", contains: "cannot decode JPEG: ")
        try FileManager.default.removeItem(atPath: root + "/good/truncated.jpg")

        let png = try DataFixtures.read(root + "/good/one.png")
        try DataFixtures.write(Array(png.prefix(png.count - 20)), to: root + "/good/two.png")
        assertFileError(try Datasets.imageFolder(root: root), path: root + "/good/two.png", contains: "cannot decode PNG: ")
        try FileManager.default.removeItem(atPath: root + "/good/two.png")

        try FileManager.default.createDirectory(atPath: root + "/empty", withIntermediateDirectories: true)
        assertFileError(try Datasets.imageFolder(root: root), path: root + "/empty", contains: "class folder holds no images")
        let bare = try DataFixtures.temporaryDirectory(for: self)
        assertFileError(try Datasets.imageFolder(root: bare), path: bare, contains: "holds no class folders")
        assertFileError(try Datasets.imageFolder(root: bare + "/missing"), path: bare + "/missing", contains: "no such directory")
    }
}
