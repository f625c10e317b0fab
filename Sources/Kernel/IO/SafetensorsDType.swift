/// The element types a safetensors (or NumPy) file may declare, and how each becomes a tensor when loaded.
///
/// Floating types become float32 (F16/BF16 exactly, F64 rounded to the nearest Float); integer and boolean types
/// become int64 tensors, whose values must be exact in the Float32 buffer (|v| ≤ 2^24).
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

    /// Whether the elements are integers (or booleans), loaded as an int64 tensor.
    var isInteger: Bool {
        switch self {
        case .f32, .f16, .bf16, .f64: return false
        case .i64, .i32, .i16, .i8, .u8, .bool: return true
        }
    }

    /// The tensor of `shape` whose `count` little-endian elements are `bytes`; `name` says which tensor in messages.
    ///
    /// Integers go through `Tensor(shape:integers:)`, checked here first so the message names the tensor.
    func tensor(shape: [Int], bytes: UnsafeRawBufferPointer, count: Int, name: String) throws -> Tensor {
        guard isInteger else { return try Tensor(shape: shape, data: decodeFloats(bytes, count: count)) }
        let integers = decodeIntegers(bytes, count: count)
        if let position = integers.firstIndex(where: { $0.magnitude > Tensor.maxExactInteger.magnitude }) {
            throw FileContentError(
                message:
                    "integer tensor \"\(name)\" holds \(integers[position]) at position \(position); rnx keeps integers exactly only up to ±\(Tensor.maxExactInteger) (convert it to floating point first)"
            )
        }
        return try Tensor(shape: shape, integers: integers)
    }

    /// The supported names, for error messages.
    static var supportedList: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// Converts little-endian elements of a floating type to Float32.
    private func decodeFloats(_ bytes: UnsafeRawBufferPointer, count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { out, initialized in
            for i in 0..<count {
                switch self {
                case .f16: out[i] = SafetensorsDType.halfToFloat(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self)))
                case .bf16:
                    out[i] = Float(bitPattern: UInt32(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))) << 16)
                case .f64: out[i] = Float(Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))))
                default: out[i] = Float(bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)))
                }
            }
            initialized = count
        }
    }

    /// Widens little-endian elements of an integer or boolean type to Int64.
    private func decodeIntegers(_ bytes: UnsafeRawBufferPointer, count: Int) -> [Int64] {
        [Int64](unsafeUninitializedCapacity: count) { out, initialized in
            for i in 0..<count {
                switch self {
                case .i64: out[i] = Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 8, as: Int64.self))
                case .i32: out[i] = Int64(Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)))
                case .i16: out[i] = Int64(Int16(littleEndian: bytes.loadUnaligned(fromByteOffset: i * 2, as: Int16.self)))
                case .i8: out[i] = Int64(Int8(bitPattern: bytes[i]))
                case .u8: out[i] = Int64(bytes[i])
                default: out[i] = bytes[i] == 0 ? 0 : 1
                }
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
