extension Datasets {
    /// Tiny ImageNet (200 classes of 64×64 JPEGs) from its official layout under `root`:
    ///
    ///     wnids.txt                     one WordNet id per line: the classes
    ///     words.txt                     `<wnid>\t<synonym>, <synonym>, …` (covers all of ImageNet)
    ///     train/<wnid>/images/*.JPEG    training images (the `<wnid>_boxes.txt` beside `images/` is ignored)
    ///     val/images/*.JPEG             validation images, labelled by
    ///     val/val_annotations.txt       `<file>\t<wnid>\t<box…>`, one line per image
    ///     test/images/*.JPEG            unlabelled, not loaded
    ///
    /// - Classes are the wnids sorted by byte order (torchvision's and fastai's order); without `wnids.txt`, the
    ///   sub-folders of `train/`. Their names are the first synonym in `words.txt` ("goldfish" for n01443537), so
    ///   interpretation shows words; a wnid missing there keeps its id, and a synonym shared by two classes gets
    ///   its wnid appended so names stay distinct.
    /// - `train` false reads the validation images, in the order of the annotation file.
    /// - `limit` keeps that many images chosen at random by `seed` (in listing order) before anything is decoded,
    ///   so a quick experiment does not decode all 100,000.
    /// - `size`, `channels` and `interrupt` as for `imageFolder`; non-image files in the image folders are skipped
    ///   and counted in the data set's name.
    public static func tinyImageNet(
        root: String, train: Bool = true, size: ImageSize? = nil, channels: Int = 3, limit: Int? = nil,
        seed: UInt64 = 0, interrupt: InterruptCheck? = nil
    ) throws -> Dataset {
        let op = "tinyImageNet"
        guard channels == 1 || channels == 3 else {
            throw KernelError.invalidArgument(op: op, message: "images have 1 (gray) or 3 (RGB) channels, found \(channels)")
        }
        if let size { _ = try ImageLayout.validatedShape(channels: channels, size, op: op) }
        if let limit, limit < 1 {
            throw KernelError.invalidArgument(op: op, message: "limit must be at least 1, found \(limit)")
        }
        try DataFiles.requireDirectory(root)
        let wnids = try tinyImageNetClasses(root: root)
        let classNames = try tinyImageNetNames(root: root, wnids: wnids)
        let labelOf = Dictionary(uniqueKeysWithValues: wnids.enumerated().map { ($1, $0) })
        let cancellation = LoadingCancellation(interrupt)

        var files: [String] = []
        var labels: [Int] = []
        var skipped = 0
        if train {
            for (label, wnid) in wnids.enumerated() {
                let classFolder = DataFiles.join(DataFiles.join(root, "train"), wnid)
                let imagesFolder = DataFiles.join(classFolder, "images")
                // Some re-packagings put the images straight into the class folder.
                let folder = DataFiles.kind(imagesFolder) == .directory ? imagesFolder : classFolder
                let listing = try imageListing(in: folder, cancellation: cancellation, root: root, found: files.count)
                guard !listing.images.isEmpty else {
                    throw KernelError.file(path: folder, message: "holds no training images for class \(wnid) (expected train/\(wnid)/images/*.JPEG)")
                }
                files += listing.images
                labels += Array(repeating: label, count: listing.images.count)
                skipped += listing.skipped
            }
        } else {
            (files, labels) = try tinyImageNetValidation(root: root, labelOf: labelOf)
        }

        if let limit, limit < files.count {
            let picked = RandomGenerator(seed: seed).permutation(files.count).prefix(limit).sorted()
            files = picked.map { files[$0] }
            labels = picked.map { labels[$0] }
        }
        let (values, shape) = try decodeImages(files, size: size, channels: channels, cancellation: cancellation, root: root, op: op)
        let name = DataFiles.join(root, train ? "train" : "val") + skippedNote(skipped)
        return try Dataset(values: values, sampleShape: shape, labels: labels, classNames: classNames, name: name)
    }

    /// The sorted wnids of `wnids.txt`, or of the folders in `train/` when that file is absent.
    private static func tinyImageNetClasses(root: String) throws -> [String] {
        let listPath = DataFiles.join(root, "wnids.txt")
        var wnids: [String]
        if DataFiles.kind(listPath) == .missing {
            let trainFolder = DataFiles.join(root, "train")
            guard DataFiles.kind(trainFolder) == .directory else {
                throw KernelError.file(
                    path: root,
                    message: "is not a Tiny ImageNet folder: it has neither wnids.txt nor train/ (expected the layout of tiny-imagenet-200.zip)")
            }
            wnids = try DataFiles.entries(of: trainFolder).filter {
                !$0.hasPrefix(".") && DataFiles.kind(DataFiles.join(trainFolder, $0)) == .directory
            }
        } else {
            wnids = try TextLines.read(listPath).map { $0.text.trimmingSpaces() }.filter { !$0.isEmpty }
        }
        guard !wnids.isEmpty else {
            throw KernelError.file(path: listPath, message: "lists no classes (expected one WordNet id such as n01443537 per line)")
        }
        var seen = Set<String>()
        for wnid in wnids where !seen.insert(wnid).inserted {
            throw KernelError.file(path: listPath, message: "lists the class \(wnid) twice")
        }
        wnids.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        return wnids
    }

    /// The first synonym of each wnid in `words.txt` (the wnid itself when the file or its line is missing).
    private static func tinyImageNetNames(root: String, wnids: [String]) throws -> [String] {
        let wordsPath = DataFiles.join(root, "words.txt")
        var words: [String: String] = [:]
        if DataFiles.kind(wordsPath) != .missing {
            let wanted = Set(wnids)
            for line in try TextLines.read(wordsPath) {
                let fields = line.text.split(separator: "\t", maxSplits: 1, omittingEmptySubsequences: false)
                guard fields.count == 2 else { continue }
                let wnid = String(fields[0]).trimmingSpaces()
                guard wanted.contains(wnid) else { continue }
                let first = fields[1].split(separator: ",", maxSplits: 1).first.map { String($0).trimmingSpaces() } ?? ""
                if !first.isEmpty { words[wnid] = first }
            }
        }
        let names = wnids.map { words[$0] ?? $0 }
        var uses: [String: Int] = [:]
        for name in names { uses[name, default: 0] += 1 }
        return zip(wnids, names).map { wnid, name in uses[name, default: 0] > 1 ? "\(name) (\(wnid))" : name }
    }

    /// The validation images and labels listed in `val/val_annotations.txt`.
    private static func tinyImageNetValidation(root: String, labelOf: [String: Int]) throws -> (files: [String], labels: [Int]) {
        let valFolder = DataFiles.join(root, "val")
        let annotations = DataFiles.join(valFolder, "val_annotations.txt")
        let imagesFolder = DataFiles.join(valFolder, "images")
        try DataFiles.requireDirectory(imagesFolder)
        var files: [String] = []
        var labels: [Int] = []
        for line in try TextLines.read(annotations) {
            let fields = line.text.split(separator: "\t", omittingEmptySubsequences: false).map { String($0).trimmingSpaces() }
            if fields.allSatisfy(\.isEmpty) { continue }
            guard fields.count >= 2, !fields[0].isEmpty else {
                throw KernelError.file(
                    path: annotations, message: "line \(line.number): expected '<file>\\t<wnid>\\t<box>', found '\(line.text.prefix(80))'")
            }
            guard let label = labelOf[fields[1]] else {
                throw KernelError.file(path: annotations, message: "line \(line.number): class \(fields[1]) is not in wnids.txt")
            }
            guard !fields[0].contains("/") else {
                throw KernelError.file(path: annotations, message: "line \(line.number): '\(fields[0])' must be a file name inside val/images")
            }
            files.append(DataFiles.join(imagesFolder, fields[0]))
            labels.append(label)
        }
        guard !files.isEmpty else {
            throw KernelError.file(path: annotations, message: "lists no validation images")
        }
        return (files, labels)
    }
}

/// The lines of a small text file (Windows line ends and a UTF-8 byte order mark tolerated), numbered from 1.
enum TextLines {
    static func read(_ path: String) throws -> [(number: Int, text: String)] {
        var bytes = try DataFiles.readAll(path)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        // Split on bytes: as Characters, "\r\n" is one grapheme that a split on "\n" would not see.
        return bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated().map { index, line in
            (index + 1, String(decoding: line.last == UInt8(ascii: "\r") ? line.dropLast() : line, as: UTF8.self))
        }
    }
}

fileprivate extension String {
    /// The text without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = firstIndex(where: { !isSpace($0) }), let end = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[start...end])
    }
}
