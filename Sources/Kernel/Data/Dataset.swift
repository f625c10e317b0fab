import Basics

/// Labelled images held in memory: `count` samples, each a Float32 image of `sampleShape` = [C, H, W]
/// and an integer class label in `0..<classNames.count`.
///
/// All pixels live in one contiguous sample-major buffer (`values`, the layout of an [N, C, H, W] tensor),
/// so batches are assembled with plain copies and the value is cheap to pass between threads
/// (arrays are copy-on-write; nothing is duplicated until written).
public struct Dataset: Sendable, CustomStringConvertible {
    /// Where the samples came from, for messages and printing (`mnist5k-train`, a folder path, …).
    public let name: String
    /// The shape of one image, [C, H, W].
    public let sampleShape: [Int]
    /// Every pixel, sample after sample: `count × C × H × W` values.
    public let values: [Float]
    /// One class index per sample.
    public let labels: [Int]
    /// The class names; label `k` means `classNames[k]`.
    public let classNames: [String]

    /// Wraps images of shape [N, C, H, W] and their `labels`. Class names default to `"0"`, `"1"`, …
    /// up to the largest label.
    public init(images: Tensor, labels: [Int], classNames: [String]? = nil, name: String = "tensors") throws {
        guard images.rank == 4 else {
            throw KernelError.shapeMismatch(op: "Dataset", expected: "images of shape [N, C, H, W]", found: shapeString(images.shape))
        }
        try self.init(values: images.data, sampleShape: Array(images.shape.dropFirst()), labels: labels, classNames: classNames, name: name)
    }

    /// Checks and wraps a sample-major pixel buffer; every loader ends here.
    init(values: [Float], sampleShape: [Int], labels: [Int], classNames: [String]?, name: String) throws {
        guard sampleShape.count == 3, sampleShape.allSatisfy({ $0 > 0 }) else {
            throw KernelError.invalidArgument(
                op: "Dataset", message: "each image must have a shape [C, H, W] with positive sizes, found \(shapeString(sampleShape))")
        }
        guard !labels.isEmpty else {
            throw KernelError.invalidArgument(op: "Dataset", message: "a data set needs at least one sample")
        }
        guard values.count == labels.count * Shape.count(sampleShape) else {
            throw KernelError.shapeMismatch(
                op: "Dataset", expected: "one label per image", found: "\(values.count / Shape.count(sampleShape)) images and \(labels.count) labels")
        }
        let largest = labels.max() ?? 0
        if let negative = labels.firstIndex(where: { $0 < 0 }) {
            throw KernelError.invalidArgument(op: "Dataset", message: "label \(labels[negative]) of sample \(negative) is negative")
        }
        // Default names are made for every label up to the largest: refuse a stray huge label (a corrupt file's
        // 999999999) instead of building a billion names.
        guard classNames != nil || largest < Dataset.maximumDefaultClassCount else {
            let sample = labels.firstIndex(of: largest) ?? 0
            throw KernelError.invalidArgument(
                op: "Dataset",
                message:
                    "label \(largest) of sample \(sample) is too large to number the classes 0…\(largest); pass the class names if there really are that many"
            )
        }
        let names = classNames ?? (0...largest).map(String.init)
        guard largest < names.count else {
            let sample = labels.firstIndex(of: largest) ?? 0
            throw KernelError.invalidArgument(
                op: "Dataset", message: "label \(largest) of sample \(sample) is outside the \(names.count) classes \(names)")
        }
        self.name = name
        self.sampleShape = sampleShape
        self.values = values
        self.labels = labels
        self.classNames = names
    }

    /// The most classes a data set without class names may have (labels 0…1,048,575).
    public static let maximumDefaultClassCount = 1 << 20

    /// Number of samples.
    public var count: Int { labels.count }
    /// Number of classes.
    public var classCount: Int { classNames.count }
    /// Values in one image (C × H × W).
    public var sampleSize: Int { Shape.count(sampleShape) }

    /// Sample `index`: its image [C, H, W] and label.
    public func sample(_ index: Int) throws -> (image: Tensor, label: Int) {
        guard index >= 0, index < count else {
            throw KernelError.invalidArgument(op: "Dataset.sample", message: "index \(index) is out of range for \(Plural.count(count, "sample"))")
        }
        return (image(at: index), labels[index])
    }

    /// The image of a sample whose index is known to be valid.
    func image(at index: Int) -> Tensor {
        let start = index * sampleSize
        return Tensor(unchecked: sampleShape, data: Array(values[start..<(start + sampleSize)]))
    }

    /// All images as one [N, C, H, W] tensor (shares storage until either side is written).
    public var images: Tensor {
        Tensor(unchecked: [count] + sampleShape, data: values)
    }

    /// How many samples each class has, indexed by label.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[label] += 1 }
        return counts
    }

    /// The samples at `indices`, in that order (indices may repeat).
    public func subset(_ indices: [Int], name: String? = nil) throws -> Dataset {
        guard !indices.isEmpty else {
            throw KernelError.invalidArgument(op: "Dataset.subset", message: "a subset needs at least one index")
        }
        if let bad = indices.first(where: { $0 < 0 || $0 >= count }) {
            throw KernelError.invalidArgument(op: "Dataset.subset", message: "index \(bad) is out of range for \(Plural.count(count, "sample"))")
        }
        let size = sampleSize
        var picked = [Float](repeating: 0, count: indices.count * size)
        picked.withUnsafeMutableBufferPointer { destination in
            values.withUnsafeBufferPointer { source in
                guard let to = destination.baseAddress, let from = source.baseAddress else { return }
                for (row, index) in indices.enumerated() {
                    (to + row * size).update(from: from + index * size, count: size)
                }
            }
        }
        return Dataset(
            checked: name ?? self.name, sampleShape: sampleShape, values: picked, labels: indices.map { labels[$0] }, classNames: classNames)
    }

    /// Wraps parts already validated by another `Dataset`.
    private init(checked name: String, sampleShape: [Int], values: [Float], labels: [Int], classNames: [String]) {
        self.name = name
        self.sampleShape = sampleShape
        self.values = values
        self.labels = labels
        self.classNames = classNames
    }

    /// `mnist5k-train: 4000 images of [1, 28, 28], 10 classes`.
    public var description: String {
        "\(name): \(Plural.count(count, "image")) of \(shapeString(sampleShape)), \(Plural.count(classCount, "class"))"
    }
}

/// The data-set loaders: MNIST (IDX), CIFAR-10 (binary batches), image folders, CSV pixel rows,
/// and the bundled MNIST-5k. Each returns a `Dataset` or throws `KernelError.file` naming the bad file.
public enum Datasets {
    /// `"0"` … `"9"`, the classes of digit data sets.
    public static let digitClassNames = (0..<10).map(String.init)
}
