extension Datasets {
    /// Fashion-MNIST's ten classes, labels 0…9 in the order of its README.
    public static let fashionMNISTClassNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// Where Debian's package `dataset-fashion-mnist` installs the four gzipped IDX files.
    public static let fashionMNISTSystemRoot = "/usr/share/datasets/fashion-mnist"

    /// Fashion-MNIST (Zalando's 28×28 gray clothing pictures, 60,000 training and 10,000 test) from the four IDX files
    /// named as MNIST's (`train-images-idx3-ubyte`, …, each optionally `.gz`) in `root`; by default the folder Debian's
    /// `dataset-fashion-mnist` installs. Labels carry `fashionMNISTClassNames`. `train` false reads the `t10k` files.
    /// A missing default folder throws a message naming the package to install.
    public static func fashionMNIST(root: String? = nil, train: Bool = true, interrupt: InterruptCheck? = nil) throws -> Dataset {
        let folder = root ?? fashionMNISTSystemRoot
        if root == nil && DataFiles.kind(folder) != .directory {
            throw KernelError.file(
                path: folder,
                message:
                    "Fashion-MNIST is not installed here; install it with `apt-get install dataset-fashion-mnist` or pass root= a folder holding its four IDX files"
            )
        }
        try DataFiles.requireDirectory(folder)
        let prefix = train ? "train" : "t10k"
        let images = try idxFile(in: folder, stem: "\(prefix)-images", kind: "idx3-ubyte", dataset: "Fashion-MNIST")
        let labels = try idxFile(in: folder, stem: "\(prefix)-labels", kind: "idx1-ubyte", dataset: "Fashion-MNIST")
        return try idx(
            images: images, labels: labels, classNames: fashionMNISTClassNames,
            name: "fashion-mnist-" + (train ? "train" : "test"), interrupt: interrupt)
    }

    /// The path of `<stem>-<kind>` in `folder`, plain or `.gz`, or with Kaggle's dot (`<stem>.<kind>`).
    static func idxFile(in folder: String, stem: String, kind: String, dataset: String) throws -> String {
        let candidates = ["\(stem)-\(kind)", "\(stem).\(kind)"].flatMap { [$0, $0 + ".gz"] }
        for name in candidates where DataFiles.kind(DataFiles.join(folder, name)) == .file {
            return DataFiles.join(folder, name)
        }
        throw KernelError.file(path: folder, message: "no \(dataset) file \(candidates[0]) (or \(candidates[1])) in this directory")
    }
}
