extension Datasets {
    /// The CIFAR-10 classes in label order, used when a folder has no `batches.meta.txt`.
    public static let cifar10ClassNames = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]

    /// Bytes in one CIFAR-10 record: a label byte, then 1024 red, 1024 green and 1024 blue pixels (32×32, row-major).
    static let cifarRecordSize = 1 + 3 * 32 * 32

    /// CIFAR-10 from its binary version: `root` is the extracted `cifar-10-batches-bin` folder (or the folder
    /// containing it). Training reads every `data_batch_<n>.bin` in numeric order; `train: false` reads
    /// `test_batch.bin`. Class names come from `batches.meta.txt` when present. Images are [3, 32, 32] in [0, 1].
    /// `interrupt` is asked every 1,024 records; when it returns true, loading throws `LoadingInterrupted`.
    public static func cifar10(root: String, train: Bool = true, interrupt: InterruptCheck? = nil) throws -> Dataset {
        try DataFiles.requireDirectory(root)
        let nested = DataFiles.join(root, "cifar-10-batches-bin")
        let folder = DataFiles.kind(nested) == .directory ? nested : root
        let files: [String]
        if train {
            let numbered = try DataFiles.entries(of: folder).compactMap { name -> (Int, String)? in
                guard name.hasPrefix("data_batch_"), name.hasSuffix(".bin"),
                    let number = Int(name.dropFirst("data_batch_".count).dropLast(".bin".count))
                else { return nil }
                return (number, DataFiles.join(folder, name))
            }
            guard !numbered.isEmpty else {
                throw KernelError.file(path: folder, message: "no CIFAR-10 training batches (data_batch_1.bin …) in this directory")
            }
            files = numbered.sorted { $0.0 < $1.0 }.map(\.1)
        } else {
            files = [DataFiles.join(folder, "test_batch.bin")]
        }
        let meta = DataFiles.join(folder, "batches.meta.txt")
        let names = DataFiles.kind(meta) == .file ? try classNames(fromMeta: meta) : cifar10ClassNames
        return try cifar10(files: files, classNames: names, name: DataFiles.join(folder, train ? "train" : "test"), interrupt: interrupt)
    }

    /// CIFAR-10 records from the given binary batch files, in order. `interrupt` is asked every 1,024 records;
    /// when it returns true, loading throws `LoadingInterrupted` (how many files and records were read).
    public static func cifar10(
        files: [String], classNames: [String] = cifar10ClassNames, name: String? = nil,
        interrupt: InterruptCheck? = nil
    ) throws -> Dataset {
        guard !files.isEmpty else {
            throw KernelError.invalidArgument(op: "cifar10", message: "no batch files given")
        }
        var records = 0
        for file in files {
            try DataFiles.requireFile(file)
            let size = DataFiles.size(file)
            guard size > 0, size % cifarRecordSize == 0 else {
                throw KernelError.file(
                    path: file,
                    message:
                        "size \(size) bytes is not a whole number of \(cifarRecordSize)-byte records (1 label byte + 3072 pixel bytes); is this a CIFAR-10 binary batch?"
                )
            }
            records += size / cifarRecordSize
        }
        let pixelsPerImage = cifarRecordSize - 1
        try MemoryLimit.check(elements: records * pixelsPerImage)
        var values = [Float](repeating: 0, count: records * pixelsPerImage)
        var labels: [Int] = []
        labels.reserveCapacity(records)
        let cancellation = LoadingCancellation(interrupt, every: 1024)
        try values.withUnsafeMutableBufferPointer { destination in
            try PixelScale.unitTable.withUnsafeBufferPointer { table in
                for (fileIndex, file) in files.enumerated() {
                    let bytes = try DataFiles.readAll(file)
                    guard bytes.count % cifarRecordSize == 0 else {
                        throw KernelError.file(path: file, message: "changed size while being read")
                    }
                    for record in 0..<(bytes.count / cifarRecordSize) {
                        if cancellation.shouldStop() {
                            throw LoadingInterrupted(
                                path: name ?? files[0],
                                progress: "\(fileIndex) of \(files.count) files read (\(labels.count) of \(records) records)")
                        }
                        let start = record * cifarRecordSize
                        let label = Int(bytes[start])
                        guard label < classNames.count else {
                            throw KernelError.file(
                                path: file, message: "record \(record): label \(label) is not one of the \(classNames.count) classes")
                        }
                        let base = labels.count * pixelsPerImage
                        for i in 0..<pixelsPerImage {
                            destination[base + i] = table[Int(bytes[start + 1 + i])]
                        }
                        labels.append(label)
                    }
                }
            }
        }
        return try Dataset(values: values, sampleShape: [3, 32, 32], labels: labels, classNames: classNames, name: name ?? files[0])
    }

    /// One class name per non-empty line of `batches.meta.txt`.
    private static func classNames(fromMeta path: String) throws -> [String] {
        let bytes = try DataFiles.readAll(path)
        let names = String(decoding: bytes, as: UTF8.self)
            .split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
            .map { String($0.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()) }
            .filter { !$0.isEmpty }
        guard !names.isEmpty else {
            throw KernelError.file(path: path, message: "holds no class names (expected one per line)")
        }
        return names
    }
}
