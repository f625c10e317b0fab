import Basics
import Foundation

/// Reading and writing NumPy's `.npy` format (`numpy.save`/`numpy.load`): the magic `\x93NUMPY`, a version, a header
/// length, a Python dict literal `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }` padded to a multiple of
/// 64 bytes, then the raw values in C order.
///
/// Reads little-endian float32, float64, float16, int64, int32, int16, int8, uint8 and bool arrays (integers and bools
/// become int64 tensors); writes float32 tensors as `<f4` and int64 ones as `<i8`. Fortran order, big-endian data,
/// structured and object arrays are refused with the header field at fault. Files are untrusted input: the header is
/// bounded and the shape is checked against the bytes present before anything is allocated.
public enum Npy {
    /// The largest header accepted (NumPy's own default limit is 10,000 bytes).
    public static let maxHeaderBytes = 1 << 20

    /// The array in the `.npy` file at `path`.
    public static func load(_ path: String) throws -> Tensor {
        let file = try ReadOnlyFile(path: path)
        defer { file.close() }
        do {
            return try decode(size: file.size, name: (path as NSString).lastPathComponent, read: file.read)
        } catch let error as FileContentError {
            throw KernelError.file(path: path, message: error.message)
        }
    }

    /// Writes `tensor` to `path` as a version 1.0 `.npy` file, atomically.
    public static func save(_ tensor: Tensor, to path: String) throws {
        let bytes = encode(tensor)
        try KernelError.reportingFileErrors {
            try AtomicFile.write(to: path) { sink in try sink.write(bytes) }
        }
    }

    /// The `.npy` bytes of `tensor`: `<f4` for float32, `<i8` for int64, C order.
    public static func encode(_ tensor: Tensor) -> [UInt8] {
        let descr = Safetensors.storedType(tensor) == .i64 ? "<i8" : "<f4"
        let dimensions = tensor.shape.map(String.init)
        let shape = dimensions.count == 1 ? "(\(dimensions[0]),)" : "(" + dimensions.joined(separator: ", ") + ")"
        var header = Array("{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }".utf8)
        // Magic (6) + version (2) + length (2) + header + padding + newline is a multiple of 64, as numpy writes it.
        let unpadded = 10 + header.count + 1
        header += [UInt8](repeating: UInt8(ascii: " "), count: (64 - unpadded % 64) % 64) + [UInt8(ascii: "\n")]
        var bytes = magic + [1, 0, UInt8(header.count & 0xFF), UInt8(header.count >> 8)] + header
        bytes += Safetensors.littleEndianBytes(tensor)
        return bytes
    }

    /// The array in `bytes`, the whole content of a `.npy` file; throws `FileContentError` naming what is wrong.
    /// `name` says which array in messages.
    static func decode(_ bytes: [UInt8], name: String) throws -> Tensor {
        try decode(size: bytes.count, name: name) { offset, count in Array(bytes[offset..<offset + count]) }
    }

    /// The array of a `.npy` file of `size` bytes, read through `read(offset, count)` (only ranges within the file):
    /// the preamble and header first, the data only once the header's shape accounts for exactly the bytes left.
    private static func decode(size: Int, name: String, read: (Int, Int) throws -> [UInt8]) throws -> Tensor {
        guard size >= 10, try read(0, 6) == magic else {
            throw FileContentError(message: "not a .npy file: it does not start with the magic bytes \\x93NUMPY")
        }
        let version = try read(6, 2)
        let headerStart: Int
        let headerLength: Int
        switch version[0] {
        case 1:
            headerStart = 10
            headerLength = try read(8, 2).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        case 2, 3:
            guard size >= 12 else { throw FileContentError(message: "truncated .npy file: \(Plural.count(size, "byte")), shorter than its preamble") }
            headerStart = 12
            headerLength = try read(8, 4).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        default:
            throw FileContentError(message: "unsupported .npy format version \(version[0]).\(version[1]) (rnx reads versions 1, 2 and 3)")
        }
        guard headerLength <= maxHeaderBytes else {
            throw FileContentError(message: "the .npy header declares \(headerLength) bytes, more than the limit of \(maxHeaderBytes)")
        }
        guard headerLength <= size - headerStart else {
            throw FileContentError(message: "truncated .npy file: the header declares \(headerLength) bytes but only \(size - headerStart) follow")
        }
        let header = try NpyHeader(try read(headerStart, headerLength))
        let dataStart = headerStart + headerLength
        var elements = 1
        var overflow = false
        for size in header.shape {
            let (product, overflowed) = elements.multipliedReportingOverflow(by: size)
            elements = product
            overflow = overflow || overflowed
        }
        let (byteCount, byteOverflow) = elements.multipliedReportingOverflow(by: header.dtype.size)
        guard !overflow, !byteOverflow, byteCount == size - dataStart else {
            let needed = overflow || byteOverflow ? "more than 2^63" : "\(byteCount)"
            throw FileContentError(
                message:
                    "header field 'shape' \(shapeString(header.shape)) with 'descr' '\(header.descr)' needs \(needed) bytes of data, but the file has \(size - dataStart) (truncated file or trailing garbage?)"
            )
        }
        try Shape.validate(header.shape, op: "load_npy")
        let data = try read(dataStart, byteCount)
        return try data.withUnsafeBytes { try header.dtype.tensor(shape: header.shape, bytes: $0, count: elements, name: name) }
    }

    /// `\x93NUMPY`.
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)
}

/// The dict literal of a `.npy` header: its element type, order and shape, validated.
struct NpyHeader {
    /// The `descr` as written, for messages.
    let descr: String
    let dtype: SafetensorsDType
    let shape: [Int]

    /// The `descr` strings rnx reads: little-endian (`<`), or without byte order for one-byte types (`|`).
    private static let types: [String: SafetensorsDType] = [
        "<f4": .f32, "<f8": .f64, "<f2": .f16, "<i8": .i64, "<i4": .i32, "<i2": .i16, "|i1": .i8, "|u1": .u8, "|b1": .bool,
    ]

    init(_ bytes: [UInt8]) throws {
        var parser = PythonLiteralParser(bytes)
        guard case .dict(let fields) = try parser.parseDocument() else {
            throw FileContentError(message: "the .npy header is not a Python dict")
        }
        func field(_ key: String) throws -> PythonLiteral {
            guard let value = fields.first(where: { $0.key == key })?.value else {
                throw FileContentError(message: "the .npy header has no '\(key)' field")
            }
            return value
        }
        guard case .string(let descr) = try field("descr") else {
            throw FileContentError(message: "header field 'descr' is a structured (record) dtype; rnx reads plain numeric arrays only")
        }
        guard let dtype = NpyHeader.types[descr] else {
            let reason: String
            switch descr.first {
            case ">": reason = "big-endian data is not supported; save it with arr.astype(arr.dtype.newbyteorder('<'))"
            case "|" where descr.dropFirst().first == "O": reason = "object arrays (pickled Python objects) are refused"
            default: reason = "supported: float32, float64, float16, int64, int32, int16, int8, uint8 and bool, little-endian"
            }
            throw FileContentError(message: "header field 'descr' is '\(descr)': \(reason)")
        }
        guard case .bool(let fortran) = try field("fortran_order") else {
            throw FileContentError(message: "header field 'fortran_order' must be True or False")
        }
        guard !fortran else {
            throw FileContentError(
                message: "header field 'fortran_order' is True: Fortran-ordered arrays are not supported; save np.ascontiguousarray(arr) instead")
        }
        guard case .tuple(let dimensions) = try field("shape") else {
            throw FileContentError(message: "header field 'shape' must be a tuple of sizes")
        }
        var shape: [Int] = []
        for dimension in dimensions {
            guard case .int(let size) = dimension, size >= 0 else {
                throw FileContentError(message: "header field 'shape' must hold non-negative integers")
            }
            shape.append(size)
        }
        self.descr = descr
        self.dtype = dtype
        self.shape = shape
    }
}

/// A value of the Python literal subset `.npy` headers use.
enum PythonLiteral {
    case string(String)
    case int(Int)
    case bool(Bool)
    case none
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case dict([(key: String, value: PythonLiteral)])
}

/// A recursive-descent parser of that subset (strings, integers, True/False/None, tuples, lists, dicts with string
/// keys), with bounded nesting so a hostile header cannot exhaust the stack.
struct PythonLiteralParser {
    private let bytes: [UInt8]
    private var position = 0
    private static let maxDepth = 32

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The one literal the bytes hold, surrounded only by whitespace.
    mutating func parseDocument() throws -> PythonLiteral {
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard position == bytes.count else { throw failure("unexpected text after the header dict") }
        return value
    }

    private func failure(_ problem: String) -> FileContentError {
        FileContentError(message: "invalid .npy header at byte \(position): \(problem)")
    }

    private mutating func skipWhitespace() {
        while position < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position += 1 }
    }

    private mutating func parseValue(depth: Int) throws -> PythonLiteral {
        guard depth < PythonLiteralParser.maxDepth else { throw failure("nested more than \(PythonLiteralParser.maxDepth) levels deep") }
        skipWhitespace()
        guard position < bytes.count else { throw failure("the header ends early") }
        switch bytes[position] {
        case UInt8(ascii: "'"), UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "("): return .tuple(try parseSequence(closing: UInt8(ascii: ")"), depth: depth))
        case UInt8(ascii: "["): return .list(try parseSequence(closing: UInt8(ascii: "]"), depth: depth))
        case UInt8(ascii: "{"): return try parseDict(depth: depth)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .int(try parseInteger())
        default:
            for (word, value) in [("True", PythonLiteral.bool(true)), ("False", .bool(false)), ("None", .none)] where matches(word) {
                position += word.utf8.count
                return value
            }
            throw failure("expected a string, number, True, False, None, tuple, list or dict")
        }
    }

    private func matches(_ word: String) -> Bool {
        let text = Array(word.utf8)
        return bytes.count - position >= text.count && Array(bytes[position..<position + text.count]) == text
    }

    private mutating func parseString() throws -> String {
        let quote = bytes[position]
        position += 1
        let start = position
        while position < bytes.count, bytes[position] != quote {
            guard bytes[position] != UInt8(ascii: "\\") else { throw failure("escapes in strings are not supported") }
            position += 1
        }
        guard position < bytes.count else { throw failure("unterminated string") }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        position += 1
        return text
    }

    private mutating func parseInteger() throws -> Int {
        let negative = bytes[position] == UInt8(ascii: "-")
        if negative { position += 1 }
        var value = 0
        var digits = 0
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int(bytes[position] - UInt8(ascii: "0")))
            guard !overflow1, !overflow2 else { throw failure("integer too large") }
            value = sum
            digits += 1
            position += 1
        }
        guard digits > 0 else { throw failure("expected digits") }
        // Python 2 wrote long integers with an L suffix.
        if position < bytes.count, bytes[position] == UInt8(ascii: "L") { position += 1 }
        return negative ? -value : value
    }

    private mutating func parseSequence(closing: UInt8, depth: Int) throws -> [PythonLiteral] {
        position += 1
        var items: [PythonLiteral] = []
        while true {
            skipWhitespace()
            if position < bytes.count, bytes[position] == closing {
                position += 1
                return items
            }
            items.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard position < bytes.count else { throw failure("the header ends inside a sequence") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
            } else if bytes[position] != closing {
                throw failure("expected ',' or '\(Character(Unicode.Scalar(closing)))'")
            }
        }
    }

    private mutating func parseDict(depth: Int) throws -> PythonLiteral {
        position += 1
        var fields: [(key: String, value: PythonLiteral)] = []
        while true {
            skipWhitespace()
            guard position < bytes.count else { throw failure("the header ends inside the dict") }
            if bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .dict(fields)
            }
            guard case .string(let key) = try parseValue(depth: depth + 1) else { throw failure("dict keys must be strings") }
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw failure("expected ':' after '\(key)'") }
            position += 1
            fields.append((key, try parseValue(depth: depth + 1)))
            skipWhitespace()
            guard position < bytes.count else { throw failure("the header ends inside the dict") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
            } else if bytes[position] != UInt8(ascii: "}") {
                throw failure("expected ',' or '}'")
            }
        }
    }
}
