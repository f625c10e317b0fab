import XCTest
@testable import DSL

/// Data sets, loaders, bunches and transforms in the language.
final class DataBindingTests: XCTestCase {
    func testMNIST5kBunchSplitsTheTrainingFiles() throws {
        let session = Session()
        try session.run("data = mnist5k(batch_size=64, valid=0.2, seed=42)\nx, y = data.one_batch()")
        XCTAssertEqual(try session.run("len(data.train.dataset), len(data.valid.dataset), len(data.test.dataset)"), .tuple([3200, 800, 1000]))
        XCTAssertEqual(
            try session.run("data.c, data.classes[:3], data.shape, data.batch_size"), .tuple([10, ["0", "1", "2"], .tuple([1, 28, 28]), 64]))
        XCTAssertEqual(
            try session.run("len(data.train), len(data.valid), data.train.shuffle, data.valid.shuffle, data.train.drop_last"),
            .tuple([50, 13, true, false, true]))
        XCTAssertEqual(
            try session.run("x.shape, y.shape, 0 <= y.min().item(), y.max().item() <= 9"),
            .tuple([.tuple([64, 1, 28, 28]), .tuple([64]), true, true]))
        XCTAssertEqual(
            try session.run("str(data)"),
            """
            DataBunch: 3200 train / 800 valid / 1000 test images of [1, 28, 28], 10 classes ('0', '1', '2', '3', '4', '5', '6', '7', '8', '9')
              train: <DataLoader 3200 images, batch size 64, 50 batches, shuffled, last partial batch dropped>
              valid: <DataLoader 800 images, batch size 64, 13 batches>
              test:  <DataLoader 1000 images, batch size 64, 16 batches>
            """)
    }

    func testSeedsMakeBunchesReproducibleAndLimitSubsamples() throws {
        let session = Session()
        try session.run(
            """
            a = mnist5k(batch_size=16, limit=100, seed=3)
            b = mnist5k(batch_size=16, limit=100, seed=3)
            """)
        XCTAssertEqual(
            try session.run("len(a.train.dataset), len(a.valid.dataset), a.test"), .tuple([100, 100, .none]),
            "without valid=, the test files validate")
        XCTAssertEqual(try session.run("a.train.dataset.labels == b.train.dataset.labels"), true)
        XCTAssertEqual(try session.run("a.one_batch()[1].tolist() == b.one_batch()[1].tolist()"), true)
        XCTAssertEqual(
            try session.run("[y.tolist() for x, y in a.train] != [y.tolist() for x, y in a.train]"), true,
            "each pass over a loader shuffles anew")
    }

    func testTransformPipelineAndItsValidationCounterpart() throws {
        let session = Session()
        try session.run(
            """
            data = mnist5k(batch_size=50, valid=0.5, limit=200, seed=1, transforms=[random_crop(28, padding=2), flip(), rotate(10), normalize()])
            x, y = data.valid.one_batch()
            """)
        let train = try XCTUnwrap(try session.run("data.train.transforms")?.listItems).map(\.description)
        XCTAssertEqual(Array(train.prefix(3)), ["random_crop(28, padding=2)", "flip(p=0.5)", "rotate(10)"])
        XCTAssertTrue(train[3].hasPrefix("normalize(mean=[0.1"), train[3])
        XCTAssertEqual(try session.run("data.valid.transforms == data.train.transforms[3:]"), true, "validation keeps only normalize")
        // Normalised with the training half's statistics, the validation half has a mean near 0 and a std near 1.
        let mean = try XCTUnwrap(try session.run("x.mean().item()")?.numericValue)
        let std = try XCTUnwrap(try session.run("((x - x.mean()) ** 2).mean().item() ** 0.5")?.numericValue)
        XCTAssertEqual(mean, 0, accuracy: 0.15)
        XCTAssertEqual(std, 1, accuracy: 0.15)
        XCTAssertEqual(try session.run("data.train.one_batch()[0].shape"), .tuple([50, 1, 28, 28]))
    }

    func testSizeChangingCropsGetADeterministicStandInForValidation() throws {
        let session = Session()
        try session.run(
            """
            data = mnist5k(batch_size=8, valid=0.5, limit=16, seed=1, transforms=[random_crop(24), cutout(4)])
            crops = mnist5k(batch_size=8, valid=0.5, limit=16, seed=1, transforms=[random_resized_crop(20)])
            """)
        XCTAssertEqual(
            try session.run("data.valid.transforms, data.valid.one_batch()[0].shape, data.train.one_batch()[0].shape"),
            .tuple([["center_crop(24)"], .tuple([8, 1, 24, 24]), .tuple([8, 1, 24, 24])]))
        XCTAssertEqual(
            try session.run("crops.valid.transforms, crops.valid.one_batch()[0].shape"),
            .tuple([["resize(20)"], .tuple([8, 1, 20, 20])]))
    }

    func testProgressiveResizing() throws {
        let session = Session()
        try session.run(
            """
            schedule = resize_schedule({0: 16, 2: (20, 24)})
            data = mnist5k(batch_size=4, valid=0.5, limit=8, seed=1, sizes={0: 16, 1: 20})
            """)
        XCTAssertEqual(
            try session.run("schedule.size(1), schedule.size(5), repr(schedule)"),
            .tuple([.tuple([16, 16]), .tuple([20, 24]), "resize_schedule({0: 16, 2: (20, 24)})"]))
        XCTAssertEqual(
            try session.run("data.train.one_batch()[0].shape, data.valid.one_batch()[0].shape"),
            .tuple([.tuple([4, 1, 16, 16]), .tuple([4, 1, 16, 16])]))
        XCTAssertTrue(try session.run("str(data.train)")?.description.hasSuffix("sizes: resize_schedule({0: 16, 1: 20})>") ?? false)
    }

    func testTensorDatasetsSplitsLoadersAndBunches() throws {
        let session = Session()
        try session.run(
            """
            seed(0)
            ds = tensor_dataset(randn(10, 1, 4, 4), [0, 1] * 5, classes=["cat", "dog"])
            image, label = ds[3]
            train, valid = split(ds, 0.2, seed=1)
            batches = loader(ds, batch_size=4, shuffle=False)
            bunch = databunch(ds, valid=0.2, batch_size=4, seed=1)
            """)
        XCTAssertEqual(
            try session.run("len(ds), ds.classes, ds.shape, image.shape, label, len(ds[2:5]), ds.class_counts"),
            .tuple([10, ["cat", "dog"], .tuple([1, 4, 4]), .tuple([1, 4, 4]), 1, 3, [5, 5]]))
        XCTAssertEqual(try session.run("len(train), len(valid), len(ds.sample(4, seed=2)), len(ds.split(0.5)[0])"), .tuple([8, 2, 4, 5]))
        XCTAssertEqual(
            try session.run("len(batches), [y.tolist() for x, y in batches]"),
            .tuple([3, [[0.0, 1.0, 0.0, 1.0], [0.0, 1.0, 0.0, 1.0], [0.0, 1.0]]]))
        XCTAssertEqual(try session.run("len(loader(ds, batch_size=4, drop_last=True))"), 2)
        XCTAssertEqual(try session.run("len(bunch.train.dataset), len(bunch.valid.dataset), bunch.test"), .tuple([8, 2, .none]))
        XCTAssertEqual(try session.run("len(databunch(train, valid, batch_size=2).valid)"), 1)
        XCTAssertEqual(try session.run("len(tensor_dataset(zeros(3, 1, 2, 2), tensor([0, 2, 1])).classes)"), 3)
    }

    func testCSVDataset() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rnx-data-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("digits.csv").path
        try "label,p0,p1,p2,p3\n1,0,255,0,255\n0,255,255,0,0\n".write(toFile: path, atomically: true, encoding: .utf8)
        let session = Session()
        try session.run("ds = csv_dataset('\(path)', (1, 2, 2))")
        XCTAssertEqual(try session.run("len(ds), ds.labels, ds[0][0].flatten().tolist()"), .tuple([2, [1, 0], [0.0, 1.0, 0.0, 1.0]]))
    }

    func testDataErrorsAreClear() throws {
        let session = Session()
        XCTAssertEqual(session.error("mnist('/no/such/folder')")?.message, "/no/such/folder: no such directory")
        XCTAssertEqual(session.error("image_folder('/no/such/folder', size=32)")?.message, "/no/such/folder: no such directory")
        XCTAssertEqual(session.error("image_folder('/tmp', size=(0, 4))")?.message, "image_folder() argument 'size' must be positive, got 0x4")
        XCTAssertEqual(
            session.error("tensor_dataset(zeros(3, 4), [0, 1, 2])")?.message,
            "Dataset: shape mismatch: expected images of shape [N, C, H, W], found [3, 4]")
        XCTAssertEqual(
            session.error("tensor_dataset(zeros(2, 1, 2, 2), [0, -1])")?.message,
            "tensor_dataset() argument 'y' must hold class indices (whole numbers ≥ 0), found -1.0")
        XCTAssertEqual(
            session.error("mnist5k(limit=10, transforms=[random_crop(40)])")?.message,
            "RandomCrop: crop 40x40 does not fit in an image of 28x28 padded by 0")
        XCTAssertEqual(
            session.error("mnist5k(transforms=[1])")?.message,
            "mnist5k() argument 'transforms' must be a list of transforms such as flip() or normalize(), not int")
        XCTAssertEqual(
            session.error("random_crop(28, mode='wrap')")?.message, "random_crop() argument 'mode' must be 'zero' or 'reflect', got 'wrap'")
        XCTAssertEqual(
            session.error("split(tensor_dataset(zeros(2, 1, 1, 1), [0, 1]), 0.1)")?.message,
            "split: validFraction 0.1 of 2 samples leaves one part empty")
    }
}

/// `normalize` takes what it is not given from the training set: `normalize(std=1)` is mean subtraction.
final class NormalizeStatisticsTests: XCTestCase {
    func testStdAloneSubtractsTheTrainingMeanOnly() throws {
        let session = Session()
        try session.run("d = mnist5k(limit=64, batch_size=64, transforms=[normalize(std=1)])\nx = d.one_batch()[0]")
        XCTAssertEqual(try session.run("abs(x.mean().item()) < 1e-4"), true, "the one batch is the whole training set")
        XCTAssertEqual(try session.run("0.5 < x.max().item() < 1"), true, "pixels in [0, 1] minus the mean, not standardised")
        try session.run("s = mnist5k(limit=64, batch_size=64, transforms=[normalize()])\ny = s.one_batch()[0]")
        XCTAssertEqual(try session.run("y.max().item() > 2"), true, "normalize() also divides by the std")
    }
}
