// Shared helpers for the Fuzz*Tests files: a seeded random source, byte-level mutations, format-aware
// fix-ups (PNG checksums, length fields), hand-built PNG/JPEG/safetensors files, and process memory
// readings. (The file name follows the Fuzz*Tests pattern; it holds no tests of its own.)
import CImageIO
import CZlib
import Foundation
import XCTest
@testable import Kernel

/// SplitMix64: a tiny, seeded, platform-independent random source, so a fuzz run can be replayed from its seed.
struct FuzzRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0..<bound (bound > 0).
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// A number in range.
    mutating func within(_ range: ClosedRange<Int>) -> Int { range.lowerBound + below(range.count) }

    /// True with the given probability.
    mutating func chance(_ probability: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < probability }

    mutating func pick<T>(_ items: [T]) -> T { items[below(items.count)] }
}

/// A field of a file format that holds a size or an enumeration, overwritten with extreme values by the mutator.
struct FuzzField {
    let offset: Int
    let width: Int
    let bigEndian: Bool
}

/// Mutations of valid files: bit flips, extreme bytes, truncation, deleted, repeated or spliced ranges,
/// appended garbage and overwritten size fields (one to three of them stacked).
enum ByteMutator {
    static let interestingBytes: [UInt8] = [0, 1, 0x7F, 0x80, 0xFF, 0x0A, 0x0D, 0x22, 0x2C, 0x5B, 0x7B, 0x30, 0x39]
    static let interestingIntegers: [UInt64] = [
        0, 1, 2, 3, 7, 8, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x1_0000, 65_500, 65_501,
        1_000_000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x1_0000_0000, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, UInt64.max,
    ]

    static func mutate(_ original: [UInt8], fields: [FuzzField] = [], using random: inout FuzzRandom) -> [UInt8] {
        var bytes = original
        for _ in 0..<random.within(1...3) {
            switch random.below(fields.isEmpty ? 8 : 10) {
            case 0, 1:
                for _ in 0..<random.within(1...8) where !bytes.isEmpty {
                    bytes[random.below(bytes.count)] ^= 1 << UInt8(random.below(8))
                }
            case 2:
                for _ in 0..<random.within(1...4) where !bytes.isEmpty {
                    bytes[random.below(bytes.count)] = random.pick(interestingBytes)
                }
            case 3:
                bytes = Array(bytes.prefix(random.below(bytes.count + 1)))
            case 4 where !bytes.isEmpty:
                let start = random.below(bytes.count)
                bytes.removeSubrange(start..<min(bytes.count, start + random.within(1...32)))
            case 5 where !bytes.isEmpty:
                let start = random.below(bytes.count)
                let chunk = Array(bytes[start..<min(bytes.count, start + random.within(1...64))])
                bytes.insert(contentsOf: chunk, at: random.below(bytes.count + 1))
            case 6:
                bytes += (0..<random.within(1...64)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            case 7 where !bytes.isEmpty:
                let start = random.below(bytes.count)
                for index in start..<min(bytes.count, start + random.within(1...16)) {
                    bytes[index] = UInt8(truncatingIfNeeded: random.next())
                }
            default:
                guard let field = fields.isEmpty ? nil : random.pick(fields) else { break }
                var value = random.pick(interestingIntegers)
                if random.chance(0.3) { value = value &+ UInt64(bitPattern: Int64(random.within(-2...2))) }
                write(value, into: &bytes, at: field)
            }
        }
        return bytes
    }

    /// Stores the low `field.width` bytes of `value` at the field (if the field is still inside the file).
    static func write(_ value: UInt64, into bytes: inout [UInt8], at field: FuzzField) {
        guard field.offset + field.width <= bytes.count else { return }
        for index in 0..<field.width {
            let shift = UInt64(8 * (field.bigEndian ? field.width - 1 - index : index))
            bytes[field.offset + index] = UInt8(truncatingIfNeeded: value >> shift)
        }
    }
}

/// Hand-built files of the formats the Kernel reads, beyond what its own writers produce.
enum FuzzFiles {
    /// A PNG of any colour type and bit depth (filter type 0 rows; `palette` for colour type 3).
    static func png(
        width: Int, height: Int, bitDepth: UInt8, colorType: UInt8, palette: [UInt8] = [], transparency: [UInt8] = [],
        using random: inout FuzzRandom
    ) -> [UInt8] {
        let samples: Int = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][Int(colorType)] ?? 1
        let rowBytes = (width * samples * Int(bitDepth) + 7) / 8
        var raw: [UInt8] = []
        for _ in 0..<height {
            raw.append(0)
            for _ in 0..<rowBytes {
                raw.append(colorType == 3 ? UInt8(random.below(max(1, palette.count / 3))) : UInt8(truncatingIfNeeded: random.next()))
            }
        }
        var header = bigEndian32(width) + bigEndian32(height)
        header += [bitDepth, colorType, 0, 0, 0]
        var file = PNGCodec.signature + chunk("IHDR", header)
        if !palette.isEmpty { file += chunk("PLTE", palette) }
        if !transparency.isEmpty { file += chunk("tRNS", transparency) }
        return file + chunk("IDAT", deflate(raw)) + chunk("IEND", [])
    }

    /// Recomputes the CRC of every complete chunk, so that mutations reach libpng's decoder instead of its checksum test.
    static func fixPNGChecksums(_ bytes: inout [UInt8]) {
        var offset = 8
        while offset + 12 <= bytes.count {
            let length = Int(
                UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3]))
            let end = offset + 8 + length
            guard length < bytes.count, end + 4 <= bytes.count else { return }
            let crc = bytes[(offset + 4)..<end].withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
            bytes.replaceSubrange(end..<(end + 4), with: bigEndian32(Int(crc)))
            offset = end + 4
        }
    }

    /// The IHDR fields of a PNG: width, height, bit depth, colour type, compression, filter, interlace.
    static let pngHeaderFields = [
        FuzzField(offset: 16, width: 4, bigEndian: true), FuzzField(offset: 20, width: 4, bigEndian: true),
        FuzzField(offset: 24, width: 1, bigEndian: true), FuzzField(offset: 25, width: 1, bigEndian: true),
        FuzzField(offset: 26, width: 1, bigEndian: true), FuzzField(offset: 27, width: 1, bigEndian: true),
        FuzzField(offset: 28, width: 1, bigEndian: true), FuzzField(offset: 33, width: 4, bigEndian: true),
    ]

    /// The size fields of a JPEG: each marker segment's length, and the frame header's precision, height,
    /// width and component count.
    static func jpegFields(_ bytes: [UInt8]) -> [FuzzField] {
        var fields: [FuzzField] = []
        var offset = 2
        while offset + 4 <= bytes.count, bytes[offset] == 0xFF {
            let marker = bytes[offset + 1]
            let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
            fields.append(FuzzField(offset: offset + 2, width: 2, bigEndian: true))
            if [0xC0, 0xC1, 0xC2, 0xC9, 0xCA].contains(marker) {
                fields += [
                    FuzzField(offset: offset + 4, width: 1, bigEndian: true), FuzzField(offset: offset + 5, width: 2, bigEndian: true),
                    FuzzField(offset: offset + 7, width: 2, bigEndian: true), FuzzField(offset: offset + 9, width: 1, bigEndian: true),
                ]
            }
            if marker == 0xDA { break }
            offset += 2 + length
        }
        return fields
    }

    /// A JPEG written with libjpeg's full options: progressive and/or arithmetic coding, restart markers.
    static func jpeg(
        width: Int, height: Int, gray: Bool, progressive: Bool, arithmetic: Bool, restartRows: Int,
        using random: inout FuzzRandom
    ) -> [UInt8] {
        let channels = gray ? 1 : 3
        let pixels = (0..<(width * height * channels)).map { index -> UInt8 in
            UInt8(truncatingIfNeeded: index * 7 + random.below(40))
        }
        return JPEGTestEncoder.encode(
            pixels, width: width, height: height, components: channels,
            colorSpace: gray ? JCS_GRAYSCALE : JCS_RGB, quality: 80
        ) { info in
            if progressive { jpeg_simple_progression(info) }
            info.pointee.arith_code = arithmetic ? 1 : 0
            info.pointee.restart_in_rows = Int32(restartRows)
        }
    }

    /// A safetensors file from a JSON header text and a data section (the header length is computed).
    static func safetensors(header: String, data: [UInt8]) -> [UInt8] {
        safetensors(headerBytes: Array(header.utf8), data: data)
    }

    static func safetensors(headerBytes: [UInt8], data: [UInt8]) -> [UInt8] {
        var length = UInt64(headerBytes.count).littleEndian
        return withUnsafeBytes(of: &length) { Array($0) } + headerBytes + data
    }

    static func bigEndian32(_ value: Int) -> [UInt8] {
        [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) }
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        let crc = body.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, UInt32($0.count))) }
        return bigEndian32(data.count) + body + bigEndian32(Int(crc))
    }

    private static func deflate(_ bytes: [UInt8]) -> [UInt8] {
        var size = compressBound(UInt(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(size))
        let status = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { compress(out.baseAddress, &size, $0.baseAddress, UInt(bytes.count)) }
        }
        return status == Z_OK ? Array(output.prefix(Int(size))) : []
    }
}

/// The process's resident memory, from /proc (Linux); nil elsewhere.
enum ProcessMemory {
    /// Resets the peak resident size ("high water mark") so a later `peakBytes` covers only what follows.
    static func resetPeak() {
        #if os(Linux)
            try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
        #endif
    }

    /// The peak resident size since the last reset (VmHWM).
    static var peakBytes: Int? { statusField("VmHWM:") }

    /// The current resident size (VmRSS).
    static var residentBytes: Int? { statusField("VmRSS:") }

    private static func statusField(_ name: String) -> Int? {
        #if os(Linux)
            guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }),
                let kilobytes = Int(line.dropFirst(name.count).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "")
            else {
                return nil
            }
            return kilobytes * 1024
        #else
            return nil
        #endif
    }
}
