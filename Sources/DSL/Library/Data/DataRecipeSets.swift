import Kernel

/// The data sets the experiment recipes download: Tiny ImageNet in its official layout and Fashion-MNIST (Debian's
/// `dataset-fashion-mnist` or a folder of its IDX files), each as a DataBunch with the shared bunch arguments.
extension DataBindings {
    static let tinyImageNet = BuiltinFunction(
        "tiny_imagenet", [.required("root"), .optional("size", .none), .optional("channels", 3)] + bunchParameters,
        doc: """
            Tiny ImageNet from its official layout (root holds wnids.txt, words.txt, train/<wnid>/images/*.JPEG, val/images with val/val_annotations.txt) as a DataBunch; test/ is unlabelled and not loaded.
            Classes are the sorted wnids, named by the first synonym in words.txt ("goldfish"), so interpretation shows words. size (an int or (h, w)) scales and centre-crops as image_folder does; limit=n picks n random images of each part before decoding.
            """ + "\n" + bunchDoc
    ) { args in
        let root = try args.string("root")
        let size = try args.isNone("size") ? nil : try DataTransforms.imageSize(args, "size")
        let channels = try args.int("channels")
        let limit = try args.optionalInt("limit")
        if let limit, limit < 1 { throw args.valueError("limit", "must be at least 1, got \(limit)") }
        let base = try seed(args, "seed") ?? RandomGenerator.global.next()
        let (train, valid): (Dataset, Dataset) = try load(args) { stop in
            (
                try Datasets.tinyImageNet(root: root, train: true, size: size, channels: channels, limit: limit, seed: base, interrupt: stop),
                try Datasets.tinyImageNet(root: root, train: false, size: size, channels: channels, limit: limit, seed: base &+ 1, interrupt: stop)
            )
        }
        return .object(try bunch(train: train, test: valid, args))
    }

    static let fashionMNIST = BuiltinFunction(
        "fashion_mnist", [.optional("root", .none)] + bunchParameters,
        doc: """
            Fashion-MNIST (28×28 gray clothing pictures in 10 classes: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot) as a DataBunch, from the four IDX files (optionally .gz) in root; root=None reads /usr/share/datasets/fashion-mnist, where Debian's package dataset-fashion-mnist puts them.
            """ + "\n" + bunchDoc
    ) { args in
        let root = try args.optionalString("root")
        let (train, test): (Dataset, Dataset) = try load(args) { stop in
            (
                try Datasets.fashionMNIST(root: root, train: true, interrupt: stop),
                try Datasets.fashionMNIST(root: root, train: false, interrupt: stop)
            )
        }
        return .object(try bunch(train: train, test: test, args))
    }

    /// The `label=` argument of `csv_dataset`: a column index (negative from the end) or a header name.
    static func labelColumn(_ args: Arguments, _ name: String) throws -> CSVLabelColumn {
        let value = try args.value(name)
        if let index = value.integerValue { return .index(index) }
        if case .string(let column) = value { return .name(column) }
        throw args.typeError(name, expected: "a column index (int, negative counts from the end) or a header name (str)", found: value)
    }
}
