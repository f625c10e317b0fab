import Basics

/// One IDX file (the MNIST format): a big-endian header — two zero bytes, an element-type byte
/// (0x08 = unsigned byte), a dimension count, then one 32-bit size per dimension — followed by the
/// elements, row-major. Plain or gzip-compressed.
struct IDXFile {
    /// The sizes the header declares.
    let dimensions: [Int]
    /// The elements, row-major.
    let bytes: [UInt8]

    /// Reads the unsigned-byte IDX file at `path` of rank `rank`; `role` names the content for messages
    /// ("image", "label"). Sizes declared in the header are checked against the data actually present.
    /// `cancellation` is asked before each MiB of data (see `GzipInput.read`).
    static func read(path: String, rank: Int, role: String, cancellation: LoadingCancellation? = nil) throws -> IDXFile {
        let input = try GzipInput(path: path)
        let expectedMagic = 0x0800 + rank
        let magicBytes = try input.read(upTo: 4)
        guard magicBytes.count == 4 else {
            throw KernelError.file(
                path: path, message: "truncated: an IDX file starts with a 4-byte magic number, found only \(Plural.count(magicBytes.count, "byte"))")
        }
        let magic = bigEndian(magicBytes, at: 0)
        guard magic == expectedMagic else {
            throw KernelError.file(
                path: path,
                message:
                    "wrong magic number \(magic) (\(hex(magic))); an IDX \(role) file starts with \(expectedMagic) (\(hex(expectedMagic)): unsigned bytes, \(rank) dimension\(rank == 1 ? "" : "s"))"
            )
        }
        let header = try input.read(upTo: 4 * rank)
        guard header.count == 4 * rank else {
            throw KernelError.file(
                path: path, message: "truncated header: expected \(rank) dimension sizes (\(4 * rank) bytes), found \(header.count) bytes")
        }
        let dimensions = (0..<rank).map { bigEndian(header, at: 4 * $0) }
        let (payload, overflow) = dimensions.reduce((1, false)) { partial, size in
            let (product, over) = partial.0.multipliedReportingOverflow(by: size)
            return (product, partial.1 || over)
        }
        let declared = dimensions.map(String.init).joined(separator: "x")
        guard !overflow, payload <= MemoryLimit.bytes / MemoryLayout<Float>.stride else {
            throw KernelError.file(path: path, message: "header declares \(declared) \(role) bytes, more than the memory limit allows")
        }
        let bytes = try input.read(upTo: payload, cancellation: cancellation)
        guard bytes.count == payload else {
            throw KernelError.file(
                path: path,
                message: "truncated: the header declares \(declared) (\(payload) bytes of \(role) data) but the file holds only \(bytes.count)")
        }
        guard try !input.hasMoreData() else {
            throw KernelError.file(path: path, message: "unexpected data after the \(payload) bytes the header declares (\(declared))")
        }
        return IDXFile(dimensions: dimensions, bytes: bytes)
    }

    private static func bigEndian(_ bytes: [UInt8], at offset: Int) -> Int {
        (0..<4).reduce(0) { $0 << 8 | Int(bytes[offset + $1]) }
    }

    private static func hex(_ value: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return "0x" + String(repeating: "0", count: Swift.max(0, 8 - digits.count)) + digits
    }
}

/// Converts bytes 0…255 to Float32 pixels in [0, 1] through a table (one lookup per pixel).
enum PixelScale {
    static let unitTable: [Float] = (0..<256).map { Float($0) / 255 }

    /// `bytes[i] / 255` for every byte.
    static func unit(_ bytes: [UInt8]) -> [Float] {
        unitTable.withUnsafeBufferPointer { table in bytes.map { table[Int($0)] } }
    }
}
