/// The element types a safetensors file may declare, and how each becomes Float32 when loaded.
///
/// rnx computes in Float32 only, so other floating and integer types are converted on load
/// (F16/BF16 exactly, F64 and 64-bit integers rounded to the nearest Float).
enum SafetensorsDType: String, CaseIterable {
    case f32 = "F32"
    case f16 = "F16"
    case bf16 = "BF16"
    case f64 = "F64"
    case i64 = "I64"
    case i32 = "I32"
    case i16 = "I16"
    case i8 = "I8"
    case u8 = "U8"
    case bool = "BOOL"

    /// Bytes per element.
    var size: Int {
        switch self {
        case .f64, .i64: return 8
        case .f32, .i32: return 4
        case .f16, .bf16, .i16: return 2
        case .i8, .u8, .bool: return 1
        }
    }

    /// The supported names, for error messages.
    static var supportedList: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Converts little-endian elements of this type to Float32.
    func decode(_ bytes: UnsafeRawBufferPointer, count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { out, initialized in
            switch self {
            case .f32:
                for i in 0..<count { out[i] = Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))) }
            case .f16:
                for i in 0..<count {
                    out[i] = SafetensorsDType.halfToFloat(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)))
                }
            case .bf16:
                for i in 0..<count {
                    out[i] = Float(bitPattern: UInt32(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))) << 16)
                }
            case .f64:
                for i in 0..<count {
                    out[i] = Float(Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))))
                }
            case .i64:
                for i in 0..<count { out[i] = Float(Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 8, as: Int64.self))) }
            case .i32:
                for i in 0..<count { out[i] = Float(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 4, as: Int32.self))) }
            case .i16:
                for i in 0..<count { out[i] = Float(Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 2, as: Int16.self))) }
            case .i8:
                for i in 0..<count { out[i] = Float(Int8(bitPattern: bytes[i])) }
            case .u8:
                for i in 0..<count { out[i] = Float(bytes[i]) }
            case .bool:
                for i in 0..<count { out[i] = bytes[i] == 0 ? 0 : 1 }
            }
            initialized = count
        }
    }

    /// IEEE 754 binary16 to binary32, exactly (subnormals, infinities and NaN included).
    static func halfToFloat(_ half: UInt16) -> Float {
        let sign: Float = half & 0x8000 == 0 ? 1 : -1
        let exponent = Int((half >> 10) & 0x1F)
        let mantissa = UInt32(half & 0x3FF)
        switch exponent {
        case 0:
            return sign * Float(mantissa) * 0x1p-24
        case 31:
            return Float(bitPattern: (UInt32(half & 0x8000) << 16) | 0x7F80_0000 | (mantissa << 13))
        default:
            return Float(bitPattern: (UInt32(half & 0x8000) << 16) | (UInt32(exponent + 112) << 23) | (mantissa << 13))
        }
    }
}
