import Basics
import Foundation

/// The tensors and metadata of one safetensors file.
public struct SafetensorsFile {
    /// The tensors in the order their data appears in the file.
    public let tensors: [NamedTensor]
    /// The optional `__metadata__` string map of the header.
    public let metadata: [String: String]

    /// The tensor stored under `name`, if any.
    public subscript(name: String) -> Tensor? {
        tensors.first { $0.name == name }?.tensor
    }
}

/// Reading and writing the safetensors format (https://github.com/huggingface/safetensors), the format of
/// `safetensors.torch.save_file`: an 8-byte little-endian header length N, N bytes of JSON mapping each tensor
/// name to `{"dtype", "shape", "data_offsets": [begin, end]}` (plus an optional `"__metadata__"` string map),
/// then the raw little-endian data, whose tensors are contiguous and cover the data section exactly.
///
/// Files are untrusted input: every size is checked against the real file size before anything is allocated.
public enum Safetensors {
    /// The largest header accepted (the reference implementation's limit).
    public static let maxHeaderBytes = 100_000_000

    /// Writes `tensors` to `path`, atomically: float32 tensors as F32, int64 ones as I64. Names must be unique and non-empty.
    public static func save(_ tensors: [NamedTensor], to path: String, metadata: [String: String] = [:]) throws {
        var seen = Set<String>()
        for entry in tensors {
            guard !entry.name.isEmpty, entry.name != "__metadata__" else {
                throw KernelError.file(path: path, message: "cannot save a tensor named \"\(entry.name)\" (reserved or empty)")
            }
            guard seen.insert(entry.name).inserted else {
                throw KernelError.file(path: path, message: "two tensors are named \"\(entry.name)\"")
            }
        }
        let header = headerBytes(tensors, metadata: metadata)
        try KernelError.reportingFileErrors {
            try AtomicFile.write(to: path) { sink in
                var length = UInt64(header.count).littleEndian
                try withUnsafeBytes(of: &length) { try sink.write($0) }
                try sink.write(header)
                for entry in tensors { try sink.write(littleEndianBytes(entry.tensor)) }
            }
        }
    }

    /// Reads every tensor of the safetensors file at `path`, converting F16/BF16/F64/integer data to Float32.
    public static func load(_ path: String) throws -> SafetensorsFile {
        let file = try ReadOnlyFile(path: path)
        defer { file.close() }
        guard file.size >= 8 else {
            throw KernelError.file(
                path: path, message: "not a safetensors file: it is \(Plural.count(file.size, "byte")) long, shorter than the 8-byte header length")
        }
        let lengthBytes = try file.read(offset: 0, count: 8)
        let declared = lengthBytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
        guard declared <= UInt64(maxHeaderBytes) else {
            throw KernelError.file(
                path: path, message: "not a safetensors file: declared header length \(declared) exceeds the limit of \(maxHeaderBytes) bytes")
        }
        let headerLength = Int(declared)
        guard headerLength <= file.size - 8 else {
            throw KernelError.file(
                path: path,
                message:
                    "truncated or not a safetensors file: declared header length \(headerLength) exceeds the \(file.size - 8) bytes after the length field"
            )
        }
        let header = try file.read(offset: 8, count: headerLength)
        let dataStart = 8 + headerLength
        let layout: HeaderLayout
        do {
            layout = try HeaderLayout(header: header, dataLength: file.size - dataStart)
        } catch let error as FileContentError {
            throw KernelError.file(path: path, message: error.message)
        }
        var tensors: [NamedTensor] = []
        for entry in layout.entries {
            try MemoryLimit.check(elements: entry.elementCount)
            let bytes = try file.read(offset: dataStart + entry.begin, count: entry.end - entry.begin)
            do {
                let tensor = try bytes.withUnsafeBytes {
                    try entry.dtype.tensor(shape: entry.shape, bytes: $0, count: entry.elementCount, name: entry.name)
                }
                tensors.append(NamedTensor(name: entry.name, tensor: tensor))
            } catch let error as FileContentError {
                throw KernelError.file(path: path, message: error.message)
            }
        }
        return SafetensorsFile(tensors: tensors, metadata: layout.metadata)
    }

    /// The values of `tensor` as stored: little-endian F32, or I64 for an int64 tensor (exact: its values are integers).
    static func littleEndianBytes(_ tensor: Tensor) -> [UInt8] {
        let values = tensor.data
        let dtype = storedType(tensor)
        let byteCount = values.count * dtype.size
        return [UInt8](unsafeUninitializedCapacity: byteCount) { out, initialized in
            let raw = UnsafeMutableRawBufferPointer(out)
            for (i, value) in values.enumerated() {
                switch dtype {
                // An int64 tensor holds only integers of magnitude ≤ 2^24 (its constructors check), so this cannot trap.
                case .i64: raw.storeBytes(of: Int64(value).littleEndian, toByteOffset: i * 8, as: Int64.self)
                default: raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self)
                }
            }
            initialized = byteCount
        }
    }

    /// How `tensor` is stored: F32, or I64 for an int64 tensor.
    static func storedType(_ tensor: Tensor) -> SafetensorsDType {
        tensor.elementType == .int64 ? .i64 : .f32
    }

    /// The JSON header for `tensors` stored one after another, padded with spaces to a multiple of 8 bytes
    /// so that the data section starts aligned (as the reference writer does).
    static func headerBytes(_ tensors: [NamedTensor], metadata: [String: String]) -> [UInt8] {
        var fields: [String] = []
        if !metadata.isEmpty {
            let entries = metadata.keys.sorted().map { "\(JSONText.quoted($0)):\(JSONText.quoted(metadata[$0] ?? ""))" }
            fields.append("\"__metadata__\":{" + entries.joined(separator: ",") + "}")
        }
        var offset = 0
        for entry in tensors {
            let dtype = storedType(entry.tensor)
            let end = offset + entry.tensor.count * dtype.size
            let shape = entry.tensor.shape.map(String.init).joined(separator: ",")
            fields.append("\(JSONText.quoted(entry.name)):{\"dtype\":\"\(dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var bytes = Array(("{" + fields.joined(separator: ",") + "}").utf8)
        bytes += [UInt8](repeating: UInt8(ascii: " "), count: (8 - bytes.count % 8) % 8)
        return bytes
    }
}

/// A problem with the content of a tensor file (its header, sizes or values), reported as "<file>: <message>".
struct FileContentError: Error {
    let message: String
}

/// The validated content of a safetensors header: where each tensor's bytes are and what they mean.
struct HeaderLayout {
    struct Entry {
        let name: String
        let dtype: SafetensorsDType
        let shape: [Int]
        let elementCount: Int
        let begin: Int
        let end: Int
    }

    /// Tensors sorted by their position in the data section.
    let entries: [Entry]
    let metadata: [String: String]

    /// Parses and checks `header` against a data section of `dataLength` bytes.
    init(header: [UInt8], dataLength: Int) throws {
        guard header.first == UInt8(ascii: "{") else {
            throw FileContentError(message: "not a safetensors file: the header does not start with '{'")
        }
        let json: JSONValue
        do {
            json = try JSONValue.parse(header)
        } catch let error as JSONParseError {
            throw FileContentError(message: "invalid JSON in the safetensors header: \(error)")
        }
        guard case let .object(members) = json else {
            throw FileContentError(message: "the safetensors header is \(json.kindName), expected an object")
        }
        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        for (key, value) in members {
            if key == "__metadata__" {
                guard case let .object(pairs) = value else {
                    throw FileContentError(message: "\"__metadata__\" is \(value.kindName), expected an object of strings")
                }
                for (name, item) in pairs {
                    guard case let .string(text) = item else {
                        throw FileContentError(message: "metadata entry \"\(name)\" is \(item.kindName), expected a string")
                    }
                    metadata[name] = text
                }
                continue
            }
            entries.append(try HeaderLayout.entry(named: key, value, dataLength: dataLength))
        }
        entries.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        var expectedBegin = 0
        var previous: Entry?
        for entry in entries {
            if entry.begin < expectedBegin, let previous {
                throw FileContentError(
                    message:
                        "tensor \"\(entry.name)\" (bytes \(entry.begin)..<\(entry.end)) overlaps tensor \"\(previous.name)\" (bytes \(previous.begin)..<\(previous.end))"
                )
            }
            if entry.begin > expectedBegin {
                let after = previous.map { "after tensor \"\($0.name)\"" } ?? "at the start of the data section"
                throw FileContentError(
                    message: "the data is not contiguous: \(entry.begin - expectedBegin) unused bytes \(after), before tensor \"\(entry.name)\"")
            }
            expectedBegin = entry.end
            previous = entry
        }
        guard expectedBegin == dataLength else {
            throw FileContentError(
                message: "the tensors cover \(expectedBegin) bytes but the data section has \(dataLength) bytes (truncated file or trailing garbage)")
        }
        self.entries = entries
        self.metadata = metadata
    }

    private static func entry(named name: String, _ value: JSONValue, dataLength: Int) throws -> Entry {
        guard case let .object(fields) = value else {
            throw FileContentError(
                message: "tensor \"\(name)\" is described by \(value.kindName), expected an object with dtype, shape and data_offsets")
        }
        func field(_ key: String) throws -> JSONValue {
            guard let found = fields.first(where: { $0.key == key }) else {
                throw FileContentError(message: "tensor \"\(name)\" has no \"\(key)\"")
            }
            return found.value
        }
        guard case let .string(dtypeName) = try field("dtype") else {
            throw FileContentError(message: "tensor \"\(name)\": \"dtype\" must be a string")
        }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw FileContentError(
                message: "tensor \"\(name)\" has dtype \(dtypeName), which rnx cannot load (supported: \(SafetensorsDType.supportedList))")
        }
        guard case let .array(shapeValues) = try field("shape") else {
            throw FileContentError(message: "tensor \"\(name)\": \"shape\" must be an array of sizes")
        }
        var shape: [Int] = []
        var elementCount = 1
        var overflow = false
        for dimension in shapeValues {
            guard case let .integer(size) = dimension, size >= 0 else {
                throw FileContentError(message: "tensor \"\(name)\": shape entries must be non-negative integers, found \(dimension)")
            }
            shape.append(size)
            let (product, overflowed) = elementCount.multipliedReportingOverflow(by: size)
            elementCount = product
            overflow = overflow || overflowed
        }
        guard case let .array(offsetValues) = try field("data_offsets"), offsetValues.count == 2,
            case let .integer(begin) = offsetValues[0], case let .integer(end) = offsetValues[1]
        else {
            throw FileContentError(message: "tensor \"\(name)\": \"data_offsets\" must be two integers [begin, end]")
        }
        guard begin >= 0, begin <= end else {
            throw FileContentError(message: "tensor \"\(name)\" has invalid data_offsets [\(begin), \(end)]")
        }
        guard end <= dataLength else {
            throw FileContentError(
                message: "tensor \"\(name)\" has data_offsets [\(begin), \(end)] beyond the \(dataLength)-byte data section (truncated file?)")
        }
        let (byteCount, byteOverflow) = elementCount.multipliedReportingOverflow(by: dtype.size)
        guard !overflow, !byteOverflow, byteCount == end - begin else {
            let declared = overflow || byteOverflow ? "more than 2^63" : "\(byteCount)"
            throw FileContentError(
                message:
                    "tensor \"\(name)\" of shape \(shapeString(shape)) and dtype \(dtype.rawValue) needs \(declared) bytes, but its data_offsets span \(end - begin)"
            )
        }
        return Entry(name: name, dtype: dtype, shape: shape, elementCount: elementCount, begin: begin, end: end)
    }
}

/// A file opened for positioned reads, with its size known up front.
final class ReadOnlyFile {
    let path: String
    let size: Int
    private var descriptor: Int32

    init(path: String) throws {
        self.path = path
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw KernelError.file(path: path, message: "cannot open: \(String(cString: strerror(errno)))")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            Foundation.close(descriptor)
            throw KernelError.file(path: path, message: "cannot read its size: \(reason)")
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            Foundation.close(descriptor)
            throw KernelError.file(path: path, message: "not a regular file")
        }
        size = Int(status.st_size)
    }

    /// Exactly `count` bytes starting at `offset`; the range must lie within the file.
    func read(offset: Int, count: Int) throws -> [UInt8] {
        try [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            guard let base = buffer.baseAddress else { return }
            var done = 0
            while done < count {
                let got = pread(descriptor, base + done, count - done, off_t(offset + done))
                if got < 0 && errno == EINTR { continue }
                guard got > 0 else {
                    let reason = got < 0 ? String(cString: strerror(errno)) : "the file ended early (was it truncated while reading?)"
                    throw KernelError.file(path: path, message: "cannot read \(count) bytes at offset \(offset): \(reason)")
                }
                done += got
            }
            initialized = count
        }
    }

    func close() {
        if descriptor >= 0 {
            Foundation.close(descriptor)
            descriptor = -1
        }
    }
}
