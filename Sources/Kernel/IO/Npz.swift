/// NumPy's `.npz` archives (`numpy.savez`, `numpy.savez_compressed`, `numpy.load`): a zip file of `.npy` entries,
/// one per array, named `<key>.npy`.
public enum Npz {
    /// The arrays of the archive at `path`, in archive order, named by their keys (the entry names without `.npy`).
    /// Stored and deflated (`savez_compressed`) entries both read.
    public static func load(_ path: String) throws -> [NamedTensor] {
        let archive = try ZipArchive(path: path)
        defer { archive.close() }
        var tensors: [NamedTensor] = []
        var seen = Set<String>()
        for entry in archive.entries where !entry.name.hasSuffix("/") {
            let key = entry.name.hasSuffix(".npy") ? String(entry.name.dropLast(4)) : entry.name
            guard seen.insert(key).inserted else {
                throw KernelError.file(path: path, message: "the archive holds two arrays named \"\(key)\"")
            }
            let bytes = try archive.contents(of: entry)
            do {
                tensors.append(NamedTensor(name: key, tensor: try Npy.decode(bytes, name: key)))
            } catch let error as FileContentError {
                throw KernelError.file(path: path, message: "entry '\(entry.name)': \(error.message)")
            }
        }
        return tensors
    }

    /// Writes `tensors` to `path` as an uncompressed `.npz` (entries `<name>.npy`), atomically. Names must be unique
    /// and non-empty.
    public static func save(_ tensors: [NamedTensor], to path: String) throws {
        var seen = Set<String>()
        for entry in tensors {
            guard !entry.name.isEmpty else { throw KernelError.file(path: path, message: "cannot save an array with an empty name") }
            guard seen.insert(entry.name).inserted else {
                throw KernelError.file(path: path, message: "two arrays are named \"\(entry.name)\"")
            }
        }
        try ZipArchive.write(tensors.map { (name: $0.name + ".npy", contents: Npy.encode($0.tensor)) }, to: path)
    }
}
