import Basics
import CZlib

/// The entries of a ZIP archive (the container of NumPy's `.npz`): reading stored and deflated entries, ZIP64 included,
/// and writing stored ones.
///
/// Archives are untrusted input: offsets and sizes come from the central directory and are checked against the file
/// size, every entry's size against the memory limit before it is inflated (into a buffer of exactly that size, so a
/// "zip bomb" cannot grow it), and every entry's CRC-32 after.
struct ZipArchive {
    /// One file of the archive, located but not yet read.
    struct Entry {
        let name: String
        let method: UInt16
        let crc: UInt32
        let compressedSize: Int
        let size: Int
        let localHeaderOffset: Int
    }

    /// The entries in central-directory order.
    let entries: [Entry]
    private let file: ReadOnlyFile

    /// Opens `path` and reads its central directory.
    init(path: String) throws {
        let file = try ReadOnlyFile(path: path)
        do {
            entries = try ZipArchive.centralDirectory(of: file)
        } catch let error as FileContentError {
            file.close()
            throw KernelError.file(path: path, message: error.message)
        } catch {
            file.close()
            throw error
        }
        self.file = file
    }

    func close() {
        file.close()
    }

    /// The uncompressed bytes of `entry`.
    func contents(of entry: Entry) throws -> [UInt8] {
        do {
            return try read(entry)
        } catch let error as FileContentError {
            throw KernelError.file(path: file.path, message: "entry '\(entry.name)': \(error.message)")
        }
    }

    private func read(_ entry: Entry) throws -> [UInt8] {
        guard entry.localHeaderOffset <= file.size - 30 else { throw FileContentError(message: "its local header lies beyond the end of the file") }
        let local = try file.read(offset: entry.localHeaderOffset, count: 30)
        guard ZipArchive.uint32(local, 0) == 0x0403_4b50 else { throw FileContentError(message: "no local header where the directory says") }
        let dataStart = entry.localHeaderOffset + 30 + Int(ZipArchive.uint16(local, 26)) + Int(ZipArchive.uint16(local, 28))
        guard dataStart <= file.size, entry.compressedSize <= file.size - dataStart else {
            throw FileContentError(message: "its \(entry.compressedSize) compressed bytes run past the end of the file (truncated archive?)")
        }
        try MemoryLimit.check(elements: entry.size / MemoryLayout<Float>.stride)
        let stored = try file.read(offset: dataStart, count: entry.compressedSize)
        let bytes: [UInt8]
        switch entry.method {
        case 0:
            guard entry.compressedSize == entry.size else {
                throw FileContentError(message: "stored entry with compressed size \(entry.compressedSize) and size \(entry.size)")
            }
            bytes = stored
        case 8:
            bytes = try ZipArchive.inflate(stored, size: entry.size)
        default:
            throw FileContentError(message: "compression method \(entry.method) is not supported (only stored and deflated)")
        }
        guard ZipArchive.crc32(of: bytes) == entry.crc else { throw FileContentError(message: "CRC-32 mismatch: the data is corrupt") }
        return bytes
    }

    /// The raw-deflate stream `compressed` decoded into exactly `size` bytes.
    private static func inflate(_ compressed: [UInt8], size: Int) throws -> [UInt8] {
        var stream = z_stream()
        guard inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            throw FileContentError(message: "zlib could not start decompressing")
        }
        defer { inflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: size)
        var input = compressed
        let ended = input.withUnsafeMutableBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target -> Bool in
                stream.next_in = source.baseAddress
                stream.next_out = target.baseAddress
                // zlib counts in 32-bit units: hand it at most 1 GiB of each side at a time.
                var inputLeft = source.count
                var outputLeft = target.count
                var result = Z_OK
                while result == Z_OK {
                    if stream.avail_in == 0 && inputLeft > 0 {
                        stream.avail_in = UInt32(Swift.min(inputLeft, 1 << 30))
                        inputLeft -= Int(stream.avail_in)
                    }
                    if stream.avail_out == 0 && outputLeft > 0 {
                        stream.avail_out = UInt32(Swift.min(outputLeft, 1 << 30))
                        outputLeft -= Int(stream.avail_out)
                    }
                    if stream.avail_out == 0 {
                        // Every declared byte is out: the stream must end here, producing nothing more.
                        var spare: UInt8 = 0
                        return withUnsafeMutablePointer(to: &spare) { pointer in
                            stream.next_out = pointer
                            stream.avail_out = 1
                            return CZlib.inflate(&stream, Z_NO_FLUSH) == Z_STREAM_END && stream.avail_out == 1
                        }
                    }
                    result = CZlib.inflate(&stream, Z_NO_FLUSH)
                }
                return result == Z_STREAM_END
            }
        }
        guard ended, stream.total_out == UInt(size) else {
            throw FileContentError(message: "corrupt deflate data, or not the \(size) bytes the directory declares")
        }
        return output
    }

    /// The entries listed by the central directory of `file`.
    private static func centralDirectory(of file: ReadOnlyFile) throws -> [Entry] {
        // The end record is 22 bytes plus a comment of at most 65,535: search that tail backwards for its signature.
        let tailLength = Swift.min(file.size, 22 + 0xFFFF)
        let tail = try file.read(offset: file.size - tailLength, count: tailLength)
        guard tailLength >= 22,
            let end = stride(from: tailLength - 22, through: 0, by: -1).first(where: { uint32(tail, $0) == 0x0605_4b50 })
        else {
            throw FileContentError(message: "not a zip archive (.npz): no end-of-central-directory record")
        }
        var count = Int(uint16(tail, end + 10))
        var directorySize = Int(uint32(tail, end + 12))
        var directoryOffset = Int(uint32(tail, end + 16))
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            // ZIP64: a locator just before the end record points at the 64-bit end record.
            let locatorStart = file.size - tailLength + end - 20
            guard locatorStart >= 0 else { throw FileContentError(message: "ZIP64 end-of-directory locator missing") }
            let locator = try file.read(offset: locatorStart, count: 20)
            let recordOffset = uint64(locator, 8)
            guard uint32(locator, 0) == 0x0706_4b50, recordOffset <= UInt64(file.size - 56) else {
                throw FileContentError(message: "ZIP64 end-of-directory locator missing or out of range")
            }
            let record = try file.read(offset: Int(recordOffset), count: 56)
            guard uint32(record, 0) == 0x0606_4b50 else { throw FileContentError(message: "ZIP64 end-of-directory record missing") }
            let values = [uint64(record, 32), uint64(record, 40), uint64(record, 48)]
            guard values.allSatisfy({ $0 <= UInt64(file.size) }) else { throw FileContentError(message: "ZIP64 directory out of range") }
            (count, directorySize, directoryOffset) = (Int(values[0]), Int(values[1]), Int(values[2]))
        }
        guard directoryOffset <= file.size, directorySize <= file.size - directoryOffset else {
            throw FileContentError(message: "the central directory lies beyond the end of the file (truncated archive?)")
        }
        let directory = try file.read(offset: directoryOffset, count: directorySize)
        var entries: [Entry] = []
        var position = 0
        for _ in 0..<count {
            guard position <= directory.count - 46, uint32(directory, position) == 0x0201_4b50 else {
                throw FileContentError(message: "the central directory is corrupt (entry \(entries.count + 1) of \(count))")
            }
            let flags = uint16(directory, position + 8)
            let nameLength = Int(uint16(directory, position + 28))
            let extraLength = Int(uint16(directory, position + 30))
            let commentLength = Int(uint16(directory, position + 32))
            let next = position + 46 + nameLength + extraLength + commentLength
            guard next <= directory.count else { throw FileContentError(message: "the central directory is truncated") }
            let name = String(decoding: directory[position + 46..<position + 46 + nameLength], as: UTF8.self)
            guard flags & 1 == 0 else { throw FileContentError(message: "entry '\(name)' is encrypted") }
            var size = UInt64(uint32(directory, position + 24))
            var compressedSize = UInt64(uint32(directory, position + 20))
            var offset = UInt64(uint32(directory, position + 42))
            // Fields saturated at 0xFFFFFFFF continue, in this order, in the ZIP64 extra field (id 1).
            var extra = position + 46 + nameLength
            let extraEnd = extra + extraLength
            while extra + 4 <= extraEnd {
                let id = uint16(directory, extra)
                let length = Int(uint16(directory, extra + 2))
                guard extra + 4 + length <= extraEnd else { break }
                if id == 1 {
                    var field = extra + 4
                    if size == 0xFFFF_FFFF, field + 8 <= extra + 4 + length {
                        size = uint64(directory, field)
                        field += 8
                    }
                    if compressedSize == 0xFFFF_FFFF, field + 8 <= extra + 4 + length {
                        compressedSize = uint64(directory, field)
                        field += 8
                    }
                    if offset == 0xFFFF_FFFF, field + 8 <= extra + 4 + length { offset = uint64(directory, field) }
                }
                extra += 4 + length
            }
            guard size <= UInt64(Int.max), compressedSize <= UInt64(file.size), offset <= UInt64(file.size) else {
                throw FileContentError(message: "entry '\(name)' declares sizes or an offset beyond the file")
            }
            entries.append(
                Entry(
                    name: name, method: uint16(directory, position + 10), crc: uint32(directory, position + 16),
                    compressedSize: Int(compressedSize), size: Int(size), localHeaderOffset: Int(offset)))
            position = next
        }
        return entries
    }

    /// Writes `files` (name and contents) as a zip archive of stored entries to `path`, atomically.
    static func write(_ files: [(name: String, contents: [UInt8])], to path: String) throws {
        guard files.count < 0xFFFF else { throw KernelError.file(path: path, message: "a zip archive holds at most 65,534 entries here") }
        var directory: [UInt8] = []
        var offset = 0
        var records: [([UInt8], [UInt8])] = []
        for file in files {
            let name = Array(file.name.utf8)
            guard file.contents.count < 0xFFFF_FFFF, offset < 0xFFFF_FFFF, name.count <= 0xFFFF else {
                throw KernelError.file(path: path, message: "entry '\(file.name)' is too large for a zip archive without ZIP64 (4 GiB)")
            }
            let crc = crc32(of: file.contents)
            // Version 2.0, no flags, stored, 1980-01-01 00:00 (fixed, so the same tensors give the same file).
            var common = bytes16(20) + bytes16(0) + bytes16(0) + bytes16(0) + bytes16(0x21) + bytes32(crc)
            common += bytes32(UInt32(file.contents.count)) + bytes32(UInt32(file.contents.count)) + bytes16(UInt16(name.count)) + bytes16(0)
            let local = bytes32(0x0403_4b50) + common + name
            directory += bytes32(0x0201_4b50) + bytes16(20) + common + bytes16(0) + bytes16(0) + bytes16(0) + bytes32(0)
            directory += bytes32(UInt32(offset)) + name
            records.append((local, file.contents))
            offset += local.count + file.contents.count
        }
        guard offset < 0xFFFF_FFFF else { throw KernelError.file(path: path, message: "the archive would exceed 4 GiB, the limit without ZIP64") }
        let count = bytes16(UInt16(files.count))
        let end =
            bytes32(0x0605_4b50) + bytes16(0) + bytes16(0) + count + count + bytes32(UInt32(directory.count)) + bytes32(UInt32(offset)) + bytes16(0)
        try KernelError.reportingFileErrors {
            try AtomicFile.write(to: path) { sink in
                for (local, contents) in records {
                    try sink.write(local)
                    try sink.write(contents)
                }
                try sink.write(directory)
                try sink.write(end)
            }
        }
    }

    /// The CRC-32 of `bytes` (zlib's), fed in chunks its 32-bit length accepts.
    static func crc32(of bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { buffer in
            var crc = CZlib.crc32(0, nil, 0)
            var start = 0
            while start < buffer.count {
                let length = Swift.min(buffer.count - start, 1 << 30)
                crc = CZlib.crc32(crc, buffer.baseAddress.map { $0 + start }, UInt32(length))
                start += length
            }
            return UInt32(truncatingIfNeeded: crc)
        }
    }

    private static func uint16(_ bytes: [UInt8], _ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
    private static func uint32(_ bytes: [UInt8], _ at: Int) -> UInt32 { UInt32(uint16(bytes, at)) | UInt32(uint16(bytes, at + 2)) << 16 }
    private static func uint64(_ bytes: [UInt8], _ at: Int) -> UInt64 { UInt64(uint32(bytes, at)) | UInt64(uint32(bytes, at + 4)) << 32 }
    private static func bytes16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    private static func bytes32(_ value: UInt32) -> [UInt8] { bytes16(UInt16(value & 0xFFFF)) + bytes16(UInt16(value >> 16)) }
}
