extension Datasets {
    /// An IDX pair: an image file ([N, H, W] unsigned bytes, magic 2051) and a label file ([N], magic 2049),
    /// each plain or gzip-compressed. Images become [1, H, W] with pixels scaled to [0, 1].
    /// Fashion-MNIST, KMNIST and EMNIST use this format too; pass their `classNames`.
    /// `interrupt` is asked before each MiB read; when it returns true, loading throws `LoadingInterrupted`.
    public static func idx(
        images imagesPath: String, labels labelsPath: String, classNames: [String] = digitClassNames, name: String? = nil,
        interrupt: InterruptCheck? = nil
    ) throws -> Dataset {
        let cancellation = LoadingCancellation(interrupt)
        let images = try IDXFile.read(path: imagesPath, rank: 3, role: "image", cancellation: cancellation)
        let labels = try IDXFile.read(path: labelsPath, rank: 1, role: "label", cancellation: cancellation)
        let imageCount = images.dimensions[0]
        guard labels.dimensions[0] == imageCount else {
            throw KernelError.file(path: labelsPath, message: "holds \(labels.dimensions[0]) labels but \(imagesPath) holds \(imageCount) images")
        }
        guard imageCount > 0, images.dimensions[1] > 0, images.dimensions[2] > 0 else {
            throw KernelError.file(
                path: imagesPath, message: "holds no pixels (its header declares \(images.dimensions.map(String.init).joined(separator: "x")))")
        }
        if let bad = labels.bytes.firstIndex(where: { Int($0) >= classNames.count }) {
            throw KernelError.file(
                path: labelsPath, message: "label \(labels.bytes[bad]) of sample \(bad) is not one of the \(classNames.count) classes")
        }
        return try Dataset(
            values: PixelScale.unit(images.bytes),
            sampleShape: [1, images.dimensions[1], images.dimensions[2]],
            labels: labels.bytes.map(Int.init),
            classNames: classNames,
            name: name ?? imagesPath)
    }

    /// MNIST from the directory `root` holding the four standard files (`train-images-idx3-ubyte`,
    /// `train-labels-idx1-ubyte`, `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`), each optionally
    /// ending in `.gz`; Kaggle's dotted spelling (`train-images.idx3-ubyte`) is found as well.
    /// `train: false` reads the test files. `interrupt` as for `idx`.
    public static func mnist(root: String, train: Bool = true, name: String? = nil, interrupt: InterruptCheck? = nil) throws -> Dataset {
        try DataFiles.requireDirectory(root)
        let prefix = train ? "train" : "t10k"
        let images = try findMNISTFile(root: root, stem: "\(prefix)-images", kind: "idx3-ubyte")
        let labels = try findMNISTFile(root: root, stem: "\(prefix)-labels", kind: "idx1-ubyte")
        return try idx(images: images, labels: labels, name: name ?? DataFiles.join(root, prefix), interrupt: interrupt)
    }

    /// The MNIST-5k sample bundled with rnx (4,000 training and 1,000 test digits, 400 and 100 per class).
    /// `root` is its folder; by default `mnist5k` inside the project's data directory (see `DataDirectory`).
    /// `interrupt` as for `idx`.
    public static func mnist5k(root: String? = nil, train: Bool = true, interrupt: InterruptCheck? = nil) throws -> Dataset {
        let folder = try root ?? DataFiles.join(DataDirectory.locate(), "mnist5k")
        return try mnist(root: folder, train: train, name: train ? "mnist5k-train" : "mnist5k-test", interrupt: interrupt)
    }

    private static func findMNISTFile(root: String, stem: String, kind: String) throws -> String {
        let candidates = ["\(stem)-\(kind)", "\(stem).\(kind)"].flatMap { [$0, $0 + ".gz"] }
        for name in candidates where DataFiles.kind(DataFiles.join(root, name)) == .file {
            return DataFiles.join(root, name)
        }
        throw KernelError.file(path: root, message: "no MNIST file \(candidates[0]) (or \(candidates[1])) in this directory")
    }
}
