import Basics
import Kernel

/// Data sets, loaders and data bunches in the language: the bundled MNIST-5k, MNIST, CIFAR-10, image folders,
/// CSV files and tensors; `split`, `loader` and `databunch` to assemble them.
///
/// Randomness: a `seed` argument fixes the split, the subset of `limit` and the training loader's shuffles and
/// augmentation; without one, a seed is drawn from the global generator, so `seed(n)` earlier makes runs repeatable.
enum DataBindings {
    /// The keyword parameters every bunch builder shares.
    static let bunchParameters: [Parameter] = [
        .keywordOnly("batch_size", 64), .keywordOnly("valid", .none), .keywordOnly("seed", .none), .keywordOnly("transforms", .none),
        .keywordOnly("valid_transforms", .none), .keywordOnly("sizes", .none), .keywordOnly("limit", .none),
    ]

    static let bunchDoc = """
        valid=None validates on the test files; a fraction such as 0.2 splits it off the training files instead (the test files become .test).
        transforms apply to training batches; validation keeps the deterministic ones (normalize, resize) unless valid_transforms is given.
        sizes={epoch: size} resizes progressively; limit=n keeps n random samples of each file; seed fixes split, subset, shuffles and augmentation.
        The training loader drops its last partial batch, as fastai's does.
        """

    static let group = BuiltinGroup(
        title: "Data",
        functions: [
            BuiltinFunction(
                "mnist5k", bunchParameters + [.keywordOnly("root", .none)],
                doc: "The bundled MNIST sample (4,000 training and 1,000 test digits, [1, 28, 28]) as a DataBunch.\n" + bunchDoc
            ) { args in
                let root = try args.optionalString("root")
                let (train, test) = try load(args) { stop in
                    (try Datasets.mnist5k(root: root, train: true, interrupt: stop), try Datasets.mnist5k(root: root, train: false, interrupt: stop))
                }
                return .object(try bunch(train: train, test: test, args))
            },
            BuiltinFunction(
                "mnist", [.required("root")] + bunchParameters,
                doc: "MNIST (or Fashion-MNIST) from a folder holding the four IDX files (optionally .gz) as a DataBunch.\n" + bunchDoc
            ) { args in
                let root = try args.string("root")
                let (train, test) = try load(args) { stop in
                    (try Datasets.mnist(root: root, train: true, interrupt: stop), try Datasets.mnist(root: root, train: false, interrupt: stop))
                }
                return .object(try bunch(train: train, test: test, args))
            },
            BuiltinFunction(
                "cifar10", [.required("root")] + bunchParameters,
                doc: "CIFAR-10 from its binary batches folder (cifar-10-batches-bin) as a DataBunch of [3, 32, 32] images.\n" + bunchDoc
            ) { args in
                let root = try args.string("root")
                let (train, test) = try load(args) { stop in
                    (try Datasets.cifar10(root: root, train: true, interrupt: stop), try Datasets.cifar10(root: root, train: false, interrupt: stop))
                }
                return .object(try bunch(train: train, test: test, args))
            },
            BuiltinFunction(
                "image_folder", [.required("root"), .optional("size", .none), .optional("channels", 3)],
                doc:
                    "A Dataset of the images in root/<class>/…/*.jpg|jpeg|png in any case (torchvision's ImageFolder); other files are skipped and counted in its description. size (an int or (h, w)) scales and centre-crops them all."
            ) { args in
                let root = try args.string("root")
                let size = try args.isNone("size") ? nil : try DataTransforms.imageSize(args, "size")
                let channels = try args.int("channels")
                return .object(
                    DatasetObject(try load(args) { stop in try Datasets.imageFolder(root: root, size: size, channels: channels, interrupt: stop) }))
            },
            BuiltinFunction(
                "csv_dataset",
                [
                    .required("path"), .required("shape"), .optional("header", .none), .optional("scale", .float(1.0 / 255)),
                    .optional("classes", .none), .optional("label", 0),
                ],
                doc:
                    "A Dataset from CSV rows of a label and C·H·W pixel values (Kaggle's MNIST layout), plain or gzip-compressed (.csv.gz); shape is (C, H, W), values are multiplied by scale. label chooses the label column: an index (default 0, the first; -1 the last) or a header name; labels must be integers ≥ 0 giving at least two classes."
            ) { args in
                let path = try args.string("path")
                let shape = try TensorBindings.shape(from: try args.value("shape"), args, "shape")
                let header = try args.isNone("header") ? nil : try args.bool("header")
                let scale = Float(try args.double("scale"))
                let classes = try classNames(args, "classes")
                let label = try labelColumn(args, "label")
                return .object(
                    DatasetObject(
                        try load(args) { stop in
                            try Datasets.csv(
                                path: path, shape: shape, header: header, scale: scale, classNames: classes, label: label, interrupt: stop)
                        }))
            },
            tinyImageNet,
            fashionMNIST,
            BuiltinFunction(
                "tensor_dataset", [.required("x"), .required("y"), .optional("classes", .none)],
                doc: "A Dataset from images x [N, C, H, W] and labels y (a list or tensor of N class indices)."
            ) { args in
                let images = try args.tensor("x")
                let labels = try labelList(args, "y")
                let classes = try classNames(args, "classes")
                return .object(DatasetObject(try Dataset(images: images, labels: labels, classNames: classes)))
            },
            BuiltinFunction(
                "split", [.required("dataset"), .optional("valid", 0.2), .optional("seed", .none), .optional("stratified", false)],
                doc: "Random (train, valid) data sets with about valid of the samples in the second; stratified keeps every class's share."
            ) { args in
                try split(try args.object("dataset", as: DatasetObject.self, expected: "a Dataset").dataset, args)
            },
            BuiltinFunction(
                "loader",
                [
                    .required("dataset"), .optional("batch_size", 64), .optional("shuffle", true), .optional("drop_last", false),
                    .optional("transforms", .none), .optional("seed", .none), .optional("sizes", .none),
                ],
                doc:
                    "A DataLoader serving dataset in batches (PyTorch's DataLoader), with per-sample transforms and progressive resizing (sizes={epoch: size})."
            ) { args in
                let dataset = try args.object("dataset", as: DatasetObject.self, expected: "a Dataset").dataset
                return .object(
                    try LoaderObject(
                        dataset, batchSize: try args.int("batch_size"), shuffle: try args.bool("shuffle"),
                        dropLast: try args.bool("drop_last"), transforms: try transforms(args, "transforms") ?? [],
                        trainingSet: dataset, forValidation: false, sizes: try sizes(args), seed: try seed(args, "seed")))
            },
            BuiltinFunction(
                "databunch",
                [
                    .required("train"), .optional("valid", .none), .keywordOnly("batch_size", 64), .keywordOnly("transforms", .none),
                    .keywordOnly("valid_transforms", .none), .keywordOnly("sizes", .none), .keywordOnly("seed", .none),
                    .keywordOnly("test", .none),
                ],
                doc:
                    "Training and validation data for fit (fastai's DataLoaders) from Datasets or DataLoaders; valid may also be a fraction of train to split off."
            ) { args in
                try databunch(args)
            },
        ])

    // MARK: - Loading

    /// Runs a Kernel loader with the running program's interrupt as its stop check. A load stopped by Ctrl-C throws
    /// `LoadingInterrupted`, which the interpreter reports as `KeyboardInterrupt` saying how far it got, consuming the
    /// request (as an interrupted `evaluate` does), so the next statement runs normally.
    static func load<T>(_ args: Arguments, _ body: (@escaping InterruptCheck) throws -> T) throws -> T {
        let interrupt = args.interpreter.interrupt
        return try body({ interrupt.isRequested })
    }

    // MARK: - Building bunches

    /// A bunch from a training file and a test file, following the shared keyword arguments.
    static func bunch(train: Dataset, test: Dataset, _ args: Arguments) throws -> DataBunchObject {
        let base = try seed(args, "seed") ?? RandomGenerator.global.next()
        var train = train
        var test = test
        if let limit = try args.optionalInt("limit") {
            guard limit >= 1 else { throw args.valueError("limit", "must be at least 1, got \(limit)") }
            train = try sample(train, count: min(limit, train.count), seed: base, args, "limit")
            test = try sample(test, count: min(limit, test.count), seed: base &+ 1, args, "limit")
        }
        var valid: Dataset? = test
        var heldOut: Dataset?
        if !(try args.isNone("valid")) {
            let fraction = try args.double("valid")
            let parts = try train.split(validFraction: fraction, seed: base)
            train = parts.train
            valid = parts.valid
            heldOut = test
        }
        return try assemble(train: .dataset(train), valid: valid.map(DataSource.dataset), test: heldOut.map(DataSource.dataset), base: base, args)
    }

    /// `databunch(train, valid, ...)`.
    private static func databunch(_ args: Arguments) throws -> Value {
        let base = try seed(args, "seed") ?? RandomGenerator.global.next()
        var train = try source(args, "train")
        var valid: DataSource?
        let validArgument = try args.value("valid")
        switch validArgument {
        case .none:
            valid = nil
        case .int, .float:
            guard case .dataset(let whole) = train else {
                throw args.valueError("valid", "can be a fraction only when train is a Dataset (a loader is already built)")
            }
            let fraction = try args.double("valid")
            let parts = try whole.split(validFraction: fraction, seed: base)
            train = .dataset(parts.train)
            valid = .dataset(parts.valid)
        default:
            valid = try source(args, "valid")
        }
        let test = try args.isNone("test") ? nil : try source(args, "test")
        return .object(try assemble(train: train, valid: valid, test: test, base: base, args))
    }

    /// A part of a bunch as given: a data set still to wrap, or a finished loader.
    private enum DataSource {
        case dataset(Dataset)
        case loader(LoaderObject)
    }

    private static func source(_ args: Arguments, _ name: String) throws -> DataSource {
        let value = try args.value(name)
        if case .object(let object) = value {
            if let dataset = object as? DatasetObject { return .dataset(dataset.dataset) }
            if let loader = object as? LoaderObject { return .loader(loader) }
        }
        throw args.typeError(name, expected: "a Dataset or a DataLoader", found: value)
    }

    /// Wraps data sets in loaders (the training one shuffled and augmented) and loaders as they are.
    private static func assemble(train: DataSource, valid: DataSource?, test: DataSource?, base: UInt64, _ args: Arguments) throws -> DataBunchObject
    {
        let batchSize = try args.int("batch_size")
        let trainTransforms = try transforms(args, "transforms") ?? []
        let validTransforms = try transforms(args, "valid_transforms")
        let resize = try sizes(args)
        let trainLoader: LoaderObject
        let trainingSet: Dataset
        switch train {
        case .loader(let loader):
            trainLoader = loader
            trainingSet = loader.trainingSet
        case .dataset(let dataset):
            trainingSet = dataset
            trainLoader = try LoaderObject(
                dataset, batchSize: batchSize, shuffle: true, dropLast: dataset.count >= batchSize,
                transforms: trainTransforms, trainingSet: dataset, forValidation: false, sizes: resize, seed: base)
        }
        func evaluationLoader(_ source: DataSource?) throws -> LoaderObject? {
            switch source {
            case nil: return nil
            case .loader(let loader)?: return loader
            case .dataset(let dataset)?:
                return try LoaderObject(
                    dataset, batchSize: batchSize, shuffle: false, dropLast: false,
                    transforms: validTransforms ?? trainTransforms, trainingSet: trainingSet,
                    forValidation: validTransforms == nil, sizes: resize, seed: 0)
            }
        }
        return DataBunchObject(train: trainLoader, valid: try evaluationLoader(valid), test: try evaluationLoader(test))
    }

    // MARK: - Argument helpers

    /// `split(dataset, valid, seed, stratified)` as a (train, valid) tuple.
    static func split(_ dataset: Dataset, _ args: Arguments) throws -> Value {
        let fraction = try args.double("valid")
        let seed = try seed(args, "seed") ?? RandomGenerator.global.next()
        let stratified = try args.bool("stratified")
        let parts = try dataset.split(validFraction: fraction, seed: seed, stratified: stratified)
        return .tuple([.object(DatasetObject(parts.train)), .object(DatasetObject(parts.valid))])
    }

    /// `count` samples of `dataset` chosen at random without repetition, kept in data-set order.
    static func sample(_ dataset: Dataset, count: Int, seed: UInt64?, _ args: Arguments, _ name: String) throws -> Dataset {
        guard count >= 1, count <= dataset.count else {
            throw args.valueError(name, "must be between 1 and the \(Plural.count(dataset.count, "sample")) of \(dataset.name), got \(count)")
        }
        if count == dataset.count { return dataset }
        let generator = RandomGenerator(seed: seed ?? RandomGenerator.global.next())
        let picked = generator.permutation(dataset.count).prefix(count).sorted()
        return try dataset.subset(Array(picked))
    }

    /// A seed argument: None (nil) or an int ≥ 0.
    static func seed(_ args: Arguments, _ name: String) throws -> UInt64? {
        guard let seed = try args.optionalInt(name) else { return nil }
        guard seed >= 0 else { throw args.valueError(name, "must not be negative, got \(seed)") }
        return UInt64(seed)
    }

    /// A list of transforms (or one transform), or nil for None.
    static func transforms(_ args: Arguments, _ name: String) throws -> [TransformObject]? {
        let value = try args.value(name)
        if case .none = value { return nil }
        if case .object(let object) = value, let single = object as? TransformObject { return [single] }
        return try args.elements(name).map { item in
            guard case .object(let object) = item, let transform = object as? TransformObject else {
                throw args.typeError(name, expected: "a list of transforms such as flip() or normalize()", found: item)
            }
            return transform
        }
    }

    private static func sizes(_ args: Arguments) throws -> ResizeSchedule? {
        try args.isNone("sizes") ? nil : try DataTransforms.resizeSchedule(from: try args.value("sizes"), args, "sizes")
    }

    private static func classNames(_ args: Arguments, _ name: String) throws -> [String]? {
        try args.isNone(name)
            ? nil
            : try args.elements(name).map { item in
                guard case .string(let text) = item else { throw args.typeError(name, expected: "a list of class names (str)", found: item) }
                return text
            }
    }

    /// Labels given as a list of ints or a tensor of whole numbers ≥ 0.
    private static func labelList(_ args: Arguments, _ name: String) throws -> [Int] {
        let value = try args.value(name)
        let numbers: [Double]
        if case .object(let object) = value, let tensor = object as? TensorObject {
            numbers = tensor.tensor.data.map(Double.init)
        } else {
            numbers = try args.elements(name).map { item in
                guard let number = item.numericValue else { throw args.typeError(name, expected: "a list of class indices", found: item) }
                return number
            }
        }
        return try numbers.map { number in
            guard number >= 0, number == number.rounded(), number < Double(Int32.max) else {
                throw args.valueError(name, "must hold class indices (whole numbers ≥ 0), found \(Value.formatFloat(number))")
            }
            return Int(number)
        }
    }
}
