extension Datasets {
    /// The extensions `imageFolder` loads (compared without case).
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]

    /// Images sorted into one folder per class, like torchvision's `ImageFolder`:
    /// `root/<class name>/<any sub-folders>/<image>.jpg|jpeg|png`.
    ///
    /// - Classes are the sub-folders of `root`, sorted by name (byte order, as Python sorts), labelled 0, 1, ….
    ///   Files directly in `root` are ignored (a README or a licence may sit there).
    /// - Names starting with `.` (hidden files, `.ipynb_checkpoints`) are skipped everywhere.
    /// - Files under a class folder whose extension (any case: `.JPEG` too) is not one of the above are skipped, as
    ///   torchvision's `ImageFolder` skips them (annotation files such as Tiny ImageNet's `*_boxes.txt`); the data set's
    ///   name then ends in a note of how many, so its description says so. An unreadable or corrupt image, or a class
    ///   folder without images, throws `KernelError.file` naming the file.
    /// - `size` nil: every image must have the size of the first one (an error names the first that differs).
    ///   `size` given: each image is scaled (keeping its aspect ratio) until it covers `size`, then the centre is
    ///   cut out — torchvision's `Resize` + `CenterCrop`. Large reductions first average pixel blocks, so
    ///   shrinking a photo does not alias.
    /// - `channels`: 3 (RGB) or 1 (gray, ITU-R 601 luma). Alpha is dropped.
    /// - `interrupt`: asked before each folder is listed and each image is decoded; when it returns true, loading
    ///   stops and throws `LoadingInterrupted` (how many files were read of how many), keeping nothing.
    /// - Symbolic links are followed, but each real folder is listed once per class, so links that share or loop
    ///   back to folders cannot make the walk repeat itself. A class folder holding more than `entryLimit` entries
    ///   (files and folders, counted over all its sub-folders) throws instead of being listed.
    public static func imageFolder(root: String, size: ImageSize? = nil, channels: Int = 3, interrupt: InterruptCheck? = nil) throws -> Dataset {
        guard channels == 1 || channels == 3 else {
            throw KernelError.invalidArgument(op: "imageFolder", message: "images have 1 (gray) or 3 (RGB) channels, found \(channels)")
        }
        if let size { _ = try ImageLayout.validatedShape(channels: channels, size, op: "imageFolder") }
        let classes = try DataFiles.entries(of: root).filter { !$0.hasPrefix(".") && DataFiles.kind(DataFiles.join(root, $0)) == .directory }
        guard !classes.isEmpty else {
            throw KernelError.file(path: root, message: "holds no class folders (expected root/<class name>/<image>.png or .jpg)")
        }
        let cancellation = LoadingCancellation(interrupt)
        var files: [String] = []
        var labels: [Int] = []
        var skipped = 0
        for (label, name) in classes.enumerated() {
            let folder = DataFiles.join(root, name)
            let listing = try imageListing(in: folder, cancellation: cancellation, root: root, found: files.count)
            guard !listing.images.isEmpty else {
                throw KernelError.file(
                    path: folder, message: "class folder holds no images" + (listing.skipped > 0 ? " (\(listing.skipped) other files skipped)" : ""))
            }
            files += listing.images
            labels += Array(repeating: label, count: listing.images.count)
            skipped += listing.skipped
        }
        let (values, shape) = try decodeImages(files, size: size, channels: channels, cancellation: cancellation, root: root, op: "imageFolder")
        return try Dataset(values: values, sampleShape: shape, labels: labels, classNames: classes, name: root + skippedNote(skipped))
    }

    /// ` (3 non-image files skipped)`, or nothing when none were.
    static func skippedNote(_ skipped: Int) -> String {
        skipped == 0 ? "" : " (\(skipped) non-image file\(skipped == 1 ? "" : "s") skipped)"
    }

    /// Decodes `files` in parallel into one sample-major buffer of [channels, H, W] images: H×W is `size`, or the first
    /// image's when nil (then every image must match it). Throws the first bad file in list order, or
    /// `LoadingInterrupted` naming `root` when `cancellation` stops it.
    static func decodeImages(
        _ files: [String], size: ImageSize?, channels: Int, cancellation: LoadingCancellation, root: String,
        op: String
    ) throws -> (values: [Float], sampleShape: [Int]) {
        guard let first = files.first else {
            throw KernelError.file(path: root, message: "holds no images")
        }
        if cancellation.shouldStop() { throw LoadingInterrupted(path: root, progress: "0 of \(files.count) files read") }
        let (firstPlanes, firstSize) = try ImageFile.decode(DataFiles.readAll(first), channels: channels, path: first)
        let target = size ?? firstSize
        let perImage = try Shape.validate([channels, target.height, target.width], op: op)
        try Shape.validate([files.count, perImage], op: op)
        var values = [Float](repeating: 0, count: files.count * perImage)
        var failures = [KernelError?](repeating: nil, count: files.count)
        // Each worker writes only its own slots, so the files read are counted without a shared counter.
        var read = [Bool](repeating: false, count: files.count)
        values.withUnsafeMutableBufferPointer { destination in
            failures.withUnsafeMutableBufferPointer { errors in
                read.withUnsafeMutableBufferPointer { read in
                    Parallel.forEach(files.count) { index in
                        // Index 0 was decoded above, before the size of every image was known.
                        if index > 0 && cancellation.shouldStop() { return }
                        do {
                            let (planes, found) =
                                index == 0
                                ? (firstPlanes, firstSize)
                                : try ImageFile.decode(DataFiles.readAll(files[index]), channels: channels, path: files[index])
                            let fitted: [Float]
                            if size == nil {
                                guard found == target else {
                                    throw KernelError.file(
                                        path: files[index], message: "image is \(found) but \(first) is \(target); pass a size to resize them all")
                                }
                                fitted = planes
                            } else {
                                fitted = try ImageFit.cover(planes, channels: channels, from: found, to: target, path: files[index])
                            }
                            for i in 0..<perImage { destination[index * perImage + i] = fitted[i] }
                            read[index] = true
                        } catch let error as KernelError {
                            errors[index] = error
                        } catch {
                            errors[index] = KernelError.file(path: files[index], message: "\(error)")
                        }
                    }
                }
            }
        }
        if cancellation.wasStopped {
            throw LoadingInterrupted(path: root, progress: "\(read.lazy.filter { $0 }.count) of \(files.count) files read")
        }
        // Report the first bad file in folder order, whatever order the threads finished in.
        if let failure = failures.first(where: { $0 != nil }), let error = failure { throw error }
        return (values, [channels, target.height, target.width])
    }

    /// The most entries (files and folders) one class folder may hold, counting all its sub-folders: far more than any
    /// real data set, and few enough that listing them cannot exhaust memory.
    public static let entryLimit = 10_000_000

    /// The image files under `folder`, sorted, descending into sub-folders (each real folder once: see `imageFolder`).
    /// Stops before listing a folder when `cancellation` says so; `root` and `found` (the files found in earlier class
    /// folders) go into that error. Throws once more than `limit` entries have been listed.
    static func imageFiles(
        in folder: String, cancellation: LoadingCancellation, root: String, found earlier: Int,
        limit: Int = entryLimit
    ) throws -> [String] {
        try imageListing(in: folder, cancellation: cancellation, root: root, found: earlier, limit: limit).images
    }

    /// `imageFiles`, with the number of files skipped because their extension is not an image's.
    static func imageListing(
        in folder: String, cancellation: LoadingCancellation, root: String, found earlier: Int,
        limit: Int = entryLimit
    ) throws -> (images: [String], skipped: Int) {
        var found: [String] = []
        var skipped = 0
        var visited = Set<DataFiles.Identity>()
        var listed = 0
        // A stack of folders being listed and the position in each, in place of recursion: a deep tree cannot
        // overflow the stack, and the order is the recursive one (entries by name, each folder's content in its place).
        var stack: [(path: String, names: [String], next: Int)] = []
        func enter(_ path: String) throws {
            if cancellation.shouldStop() {
                throw LoadingInterrupted(path: root, progress: "listing the image files (\(earlier + found.count) found so far)")
            }
            guard visited.insert(try DataFiles.identity(path)).inserted else { return }
            let names = try DataFiles.entries(of: path).filter { !$0.hasPrefix(".") }
            listed += names.count
            guard listed <= limit else {
                throw KernelError.file(path: folder, message: "holds more than \(limit) files and folders (counting sub-folders and symbolic links)")
            }
            stack.append((path, names, 0))
        }
        try enter(folder)
        while let top = stack.last {
            guard top.next < top.names.count else {
                stack.removeLast()
                continue
            }
            stack[stack.count - 1].next += 1
            let name = top.names[top.next]
            let path = DataFiles.join(top.path, name)
            switch DataFiles.kind(path) {
            case .directory:
                try enter(path)
            case .file:
                if imageExtensions.contains(ImageFile.extensionOf(name)) {
                    found.append(path)
                } else {
                    skipped += 1
                }
            case .missing, .other:
                throw KernelError.file(path: path, message: "is not a regular file (a broken link or a device?)")
            }
        }
        return (found, skipped)
    }
}

/// Scaling an image to cover a target size, then cropping the centre.
enum ImageFit {
    /// `planes` ([channels, from]) scaled by the smallest factor that makes both sides at least `target`'s
    /// (aspect ratio kept), then centre-cropped to `target`. Throws, naming `path`, when the scaled image would not
    /// fit in memory (a very long, thin image scaled to cover a square).
    static func cover(_ planes: [Float], channels: Int, from: ImageSize, to target: ImageSize, path: String) throws -> [Float] {
        if from == target { return planes }
        let factor = Swift.max(Double(target.height) / Double(from.height), Double(target.width) / Double(from.width))
        let tooLarge = KernelError.file(path: path, message: "image of \(from) scaled to cover \(target) would not fit in memory")
        guard let height = NNChecks.roundedInt(Double(from.height) * factor), let width = NNChecks.roundedInt(Double(from.width) * factor) else {
            throw tooLarge
        }
        let scaled = ImageSize(height: Swift.max(target.height, height), width: Swift.max(target.width, width))
        guard (try? Shape.validate([channels, scaled.height, scaled.width], op: "imageFolder")) != nil else { throw tooLarge }
        var source = planes
        var sourceSize = from
        // Bilinear interpolation reads only 2×2 pixels per output; averaging blocks first keeps a big
        // reduction from aliasing.
        let block = Int(1 / factor)
        if block >= 2 {
            (source, sourceSize) = averageBlocks(planes, channels: channels, size: from, block: block)
        }
        if sourceSize != scaled {
            source = Bilinear.resize(
                source, planes: channels, height: sourceSize.height, width: sourceSize.width,
                region: Bilinear.Region(top: 0, left: 0, height: sourceSize.height, width: sourceSize.width), to: scaled)
        }
        if scaled == target { return source }
        let layout = ImageLayout(unchecked: channels, scaled)
        let top = Int((Double(scaled.height - target.height) / 2).rounded(.toNearestOrEven))
        let left = Int((Double(scaled.width - target.width) / 2).rounded(.toNearestOrEven))
        return CenterCrop.crop(source, layout: layout, top: top, left: left, to: target)
    }

    /// Each `block`×`block` tile averaged into one pixel (tiles at the right and bottom edges may be smaller).
    static func averageBlocks(_ planes: [Float], channels: Int, size: ImageSize, block: Int) -> ([Float], ImageSize) {
        let out = ImageSize(height: (size.height + block - 1) / block, width: (size.width + block - 1) / block)
        var result = [Float](repeating: 0, count: channels * out.height * out.width)
        for c in 0..<channels {
            for oy in 0..<out.height {
                let rows = (oy * block)..<Swift.min(size.height, (oy + 1) * block)
                for ox in 0..<out.width {
                    let columns = (ox * block)..<Swift.min(size.width, (ox + 1) * block)
                    var sum: Float = 0
                    for y in rows {
                        for x in columns { sum += planes[(c * size.height + y) * size.width + x] }
                    }
                    result[(c * out.height + oy) * out.width + ox] = sum / Float(rows.count * columns.count)
                }
            }
        }
        return (result, out)
    }
}
