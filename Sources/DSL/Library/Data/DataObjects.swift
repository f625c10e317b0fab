import Basics
import Kernel

/// A Kernel `Dataset` (labelled images in memory) as a language value: `len(ds)`, `ds[i]` → (image, label),
/// `ds[a:b]` → a smaller data set, iteration over (image, label) pairs, and `split`, `sample`, `stats`.
final class DatasetObject: DSLObject {
    let dataset: Dataset

    init(_ dataset: Dataset) {
        self.dataset = dataset
    }

    var shape: [Int]? { [dataset.count] + dataset.sampleShape }
    var memoryBytes: Int? { dataset.values.count * MemoryLayout<Float>.stride }

    var dslType: DSLType { DataObjects.datasetType }
    var description: String { "<Dataset \(dataset.description)>" }

    func length() throws -> Int? { dataset.count }

    func item(at index: Value) throws -> Value? {
        if case .slice(let slice) = index {
            let positions = try slice.positions(length: dataset.count)
            guard !positions.isEmpty else { throw DSLError(.index, "the slice selects no samples of \(dataset.name)") }
            return .object(DatasetObject(try dataset.subset(positions)))
        }
        guard index.integerValue != nil else {
            throw DSLError(.type, "Dataset indices must be integers or slices, not \(index.typeName)")
        }
        let position = try Operations.position(index, count: dataset.count, typeName: "Dataset")
        return try DataObjects.sample(dataset, position)
    }

    func makeIterator() throws -> ValueIterator? {
        var position = 0
        let dataset = self.dataset
        return ValueIterator {
            guard position < dataset.count else { return nil }
            defer { position += 1 }
            return try DataObjects.sample(dataset, position)
        }
    }
}

/// A Kernel `DataLoader` (mini-batches with shuffling, augmentation and prefetching) as a language value.
/// Iterating gives (images, labels) pairs of tensors, a new shuffle each time, like a PyTorch `DataLoader`.
final class LoaderObject: DSLObject {
    let loader: DataLoader
    /// The transforms as given, to rebuild a deterministic loader for evaluation.
    let transforms: [TransformObject]
    /// The data set whose statistics `normalize()` used.
    let trainingSet: Dataset
    /// Whether `transforms` were applied as a validation pipeline (random steps left out).
    let isValidation: Bool
    /// The resolved steps, for printing.
    let transformTexts: [String]
    private var passes = 0

    /// A loader over `dataset`; `transforms` are resolved against `trainingSet` (for `normalize()`), as a validation
    /// pipeline when `forValidation`.
    init(
        _ dataset: Dataset, batchSize: Int, shuffle: Bool, dropLast: Bool, transforms: [TransformObject], trainingSet: Dataset,
        forValidation: Bool, sizes: ResizeSchedule?, seed: UInt64?
    ) throws {
        let pipeline = try TransformPipeline(transforms, trainingSet: trainingSet, forValidation: forValidation)
        loader = try DataLoader(
            dataset, batchSize: batchSize, shuffle: shuffle, dropLast: dropLast, transform: pipeline.transform,
            resize: sizes, seed: seed)
        self.transforms = transforms
        self.trainingSet = trainingSet
        self.isValidation = forValidation
        self.transformTexts = pipeline.texts
    }

    var dslType: DSLType { DataObjects.loaderType }

    var description: String {
        var parts = [Plural.count(loader.dataset.count, "image"), "batch size \(loader.batchSize)", Plural.count(loader.batchCount, "batch")]
        if loader.shuffle { parts.append("shuffled") }
        if loader.dropLast { parts.append("last partial batch dropped") }
        var text = "<DataLoader " + parts.joined(separator: ", ")
        if !transformTexts.isEmpty { text += "; transforms: " + transformTexts.joined(separator: ", ") }
        if let sizes = loader.resize { text += "; sizes: " + ResizeScheduleObject(sizes).description }
        return text + ">"
    }

    func length() throws -> Int? { loader.batchCount }

    func makeIterator() throws -> ValueIterator? {
        let stream = try loader.batches(epoch: passes)
        passes += 1
        return ValueIterator {
            guard let batch = try stream.next() else { return nil }
            return try DataObjects.pair(batch)
        }
    }

    /// The first batch of the next pass, without using the pass up.
    func oneBatch() throws -> Value {
        let stream = try loader.batches(epoch: passes)
        defer { stream.cancel() }
        guard let batch = try stream.next() else {
            throw DSLError(.value, "the loader has no batches")
        }
        return try DataObjects.pair(batch)
    }

    /// The loader evaluation and interpretation use: data-set order, no random augmentation, the last size of a
    /// progressive-resizing schedule. This loader itself when it already is one.
    func evaluationSource() throws -> DataLoader {
        let finalSizes = try loader.resize.flatMap { schedule in try schedule.phases.last.map { try ResizeSchedule(constant: $0.size) } }
        let hasRandomSteps = !isValidation && transforms.contains { if case .same = $0.validationUse { return false } else { return true } }
        if !loader.shuffle && !hasRandomSteps && finalSizes == loader.resize { return loader }
        let transform =
            isValidation
            ? loader.transform
            : try TransformPipeline(transforms, trainingSet: trainingSet, forValidation: true).transform
        return try DataLoader(loader.dataset, batchSize: loader.batchSize, shuffle: false, transform: transform, resize: finalSizes, seed: 0)
    }
}

/// Training, validation and (optionally) test loaders together, like fastai's `DataLoaders`.
final class DataBunchObject: DSLObject {
    let train: LoaderObject
    let valid: LoaderObject?
    let test: LoaderObject?

    init(train: LoaderObject, valid: LoaderObject?, test: LoaderObject?) {
        self.train = train
        self.valid = valid
        self.test = test
    }

    var dslType: DSLType { DataObjects.bunchType }

    var classNames: [String] { train.loader.dataset.classNames }

    var description: String {
        let dataset = train.loader.dataset
        var sizes = "\(dataset.count) train"
        if let valid { sizes += " / \(valid.loader.dataset.count) valid" }
        if let test { sizes += " / \(test.loader.dataset.count) test" }
        let shown =
            classNames.count <= 10
            ? classNames.map(Value.quote).joined(separator: ", ") : "\(classNames.prefix(5).map(Value.quote).joined(separator: ", ")), …"
        var lines = ["DataBunch: \(sizes) images of \(DataObjects.shapeText(dataset.sampleShape)), \(dataset.classCount) classes (\(shown))"]
        lines.append("  train: " + train.description)
        if let valid { lines.append("  valid: " + valid.description) }
        if let test { lines.append("  test:  " + test.description) }
        return lines.joined(separator: "\n")
    }
}

/// The types of data values and the helpers they share.
enum DataObjects {
    static let datasetType = DSLType(
        name: "Dataset",
        doc: "Labelled images in memory; ds[i] is (image, label), ds[a:b] a smaller data set.",
        properties: [
            DSLProperty("name", doc: "Where the images came from.") { .string(try dataset($0).name) },
            DSLProperty("classes", doc: "The class names; label k means classes[k].") { value in
                .list(try dataset(value).classNames.map { .string($0) })
            },
            DSLProperty("c", doc: "The number of classes (fastai's name).") { .int(try dataset($0).classCount) },
            DSLProperty("shape", doc: "The shape of one image, (channels, height, width).") { value in
                .tuple(try dataset(value).sampleShape.map { .int($0) })
            },
            DSLProperty("labels", doc: "Every sample's label, as a list of ints.") { value in .list(try dataset(value).labels.map { .int($0) }) },
            DSLProperty("images", doc: "Every image as one tensor [N, C, H, W].") { .object(TensorObject(try dataset($0).images)) },
            DSLProperty("class_counts", doc: "How many samples each class has, by label.") { value in
                .list(try dataset(value).classCounts.map { .int($0) })
            },
        ],
        methods: [
            BuiltinFunction(
                "split", [.optional("valid", 0.2), .optional("seed", .none), .optional("stratified", false)],
                doc: "Random (train, valid) data sets with about valid of the samples in the second; stratified keeps class shares."
            ) { args in
                try DataBindings.split(try args.receiver(as: DatasetObject.self).dataset, args)
            },
            BuiltinFunction(
                "sample", [.required("n"), .optional("seed", .none)],
                doc: "n samples drawn at random without repetition (in data-set order), e.g. a small subset for quick experiments."
            ) { args in
                let dataset = try args.receiver(as: DatasetObject.self).dataset
                return .object(
                    DatasetObject(try DataBindings.sample(dataset, count: try args.int("n"), seed: try DataBindings.seed(args, "seed"), args, "n")))
            },
            BuiltinFunction("subset", [.required("indices")], doc: "The samples at indices (a list of ints), in that order.") { args in
                let dataset = try args.receiver(as: DatasetObject.self).dataset
                let indices = try args.elements("indices").map { try Operations.position($0, count: dataset.count, typeName: "Dataset") }
                return .object(DatasetObject(try dataset.subset(indices)))
            },
            BuiltinFunction("stats", doc: "The per-channel (mean, std) lists over every pixel, the numbers normalize() uses.") { args in
                let (mean, std) = try args.receiver(as: DatasetObject.self).dataset.channelStatistics()
                return .tuple([.list(mean.map { .float(Double($0)) }), .list(std.map { .float(Double($0)) })])
            },
        ])

    static let loaderType = DSLType(
        name: "DataLoader",
        doc: "Mini-batches of a data set; for x, y in loader gives image tensors [B, C, H, W] and label tensors [B].",
        properties: [
            DSLProperty("dataset", doc: "The data set served.") { .object(DatasetObject(try loader($0).loader.dataset)) },
            DSLProperty("batch_size", doc: "Samples per batch.") { .int(try loader($0).loader.batchSize) },
            DSLProperty("shuffle", doc: "Whether each pass visits the samples in a new random order.") { .bool(try loader($0).loader.shuffle) },
            DSLProperty("drop_last", doc: "Whether an incomplete last batch is left out.") { .bool(try loader($0).loader.dropLast) },
            DSLProperty("seed", doc: "The seed every shuffle and augmentation derives from.") {
                .int(Int(truncatingIfNeeded: try loader($0).loader.seed))
            },
            DSLProperty("transforms", doc: "The transform steps, as resolved (normalize shows its numbers).") { value in
                .list(try loader(value).transformTexts.map { .string($0) })
            },
            DSLProperty("classes", doc: "The class names of the data set.") { value in
                .list(try loader(value).loader.dataset.classNames.map { .string($0) })
            },
        ],
        methods: [
            BuiltinFunction("one_batch", doc: "The first (images, labels) batch of the next pass, e.g. to check shapes.") { args in
                try args.receiver(as: LoaderObject.self).oneBatch()
            }
        ])

    static let bunchType = DSLType(
        name: "DataBunch",
        doc: "Training and validation (and maybe test) loaders, fastai's DataLoaders: what fit, lr_find and evaluate take.",
        properties: [
            DSLProperty("train", doc: "The training loader (shuffled, augmented).") { .object(try bunch($0).train) },
            DSLProperty("valid", doc: "The validation loader, or None.") { value in try bunch(value).valid.map { .object($0) } ?? .none },
            DSLProperty("test", doc: "The test loader, or None.") { value in try bunch(value).test.map { .object($0) } ?? .none },
            DSLProperty("classes", doc: "The class names.") { value in .list(try bunch(value).classNames.map { .string($0) }) },
            DSLProperty("c", doc: "The number of classes (fastai's name).") { .int(try bunch($0).classNames.count) },
            DSLProperty("shape", doc: "The shape of one training image, (channels, height, width), before transforms.") { value in
                .tuple(try bunch(value).train.loader.dataset.sampleShape.map { .int($0) })
            },
            DSLProperty("batch_size", doc: "Samples per training batch.") { .int(try bunch($0).train.loader.batchSize) },
        ],
        methods: [
            BuiltinFunction("one_batch", doc: "The first (images, labels) batch of the training loader's next pass.") { args in
                try args.receiver(as: DataBunchObject.self).train.oneBatch()
            }
        ])

    static func dataset(_ value: Value) throws -> Dataset {
        guard case .object(let object) = value, let wrapped = object as? DatasetObject else {
            throw DSLError(.type, "expected a Dataset, not \(value.typeName)")
        }
        return wrapped.dataset
    }

    static func loader(_ value: Value) throws -> LoaderObject {
        guard case .object(let object) = value, let wrapped = object as? LoaderObject else {
            throw DSLError(.type, "expected a DataLoader, not \(value.typeName)")
        }
        return wrapped
    }

    static func bunch(_ value: Value) throws -> DataBunchObject {
        guard case .object(let object) = value, let wrapped = object as? DataBunchObject else {
            throw DSLError(.type, "expected a DataBunch, not \(value.typeName)")
        }
        return wrapped
    }

    /// (image [C, H, W], label) of sample `position`.
    static func sample(_ dataset: Dataset, _ position: Int) throws -> Value {
        let (image, label) = try dataset.sample(position)
        return .tuple([.object(TensorObject(image)), .int(label)])
    }

    /// (images [B, C, H, W], labels [B]) of a batch; labels as a float tensor of class indices, as PyTorch gives them.
    static func pair(_ batch: Batch) throws -> Value {
        let labels = try Tensor(shape: [batch.labels.count], data: batch.labels.map(Float.init))
        return .tuple([.object(TensorObject(batch.images)), .object(TensorObject(labels))])
    }

    /// `[1, 28, 28]`.
    static func shapeText(_ shape: [Int]) -> String {
        "[" + shape.map(String.init).joined(separator: ", ") + "]"
    }
}
