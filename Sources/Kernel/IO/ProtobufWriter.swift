/// Protocol Buffers' wire format, written by hand for the two formats rnx produces from messages (ONNX models and
/// TensorBoard event files): a few dozen lines instead of a code generator and a runtime library.
///
/// Fields are written in the order the calls make them, each as its key (field number and wire type) and value:
///
///     var event = ProtobufWriter()
///     event.double(1, wallTime)          // Event.wall_time
///     event.int64(2, step)               // Event.step
///     event.message(5) { summary in      // Event.summary
///         summary.message(1) { value in value.string(1, "loss"); value.float(2, 0.25) }
///     }
///     let bytes = event.bytes
///
/// Proto3 readers take a missing field as its default, so callers may skip zeros; repeated scalars use the packed
/// encoding proto3 expects.
public struct ProtobufWriter {
    /// The encoded message so far.
    public private(set) var bytes: [UInt8] = []

    public init() {}

    private enum WireType: UInt64 {
        case varint = 0, fixed64 = 1, lengthDelimited = 2, fixed32 = 5
    }

    private mutating func appendVarint(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: rest))
    }

    private mutating func appendKey(_ field: Int, _ type: WireType) {
        appendVarint(UInt64(truncatingIfNeeded: field) << 3 | type.rawValue)
    }

    private mutating func appendLengthDelimited(_ field: Int, _ payload: [UInt8]) {
        appendKey(field, .lengthDelimited)
        appendVarint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }

    /// An `int32`, `int64` or enum field (negative values take ten bytes, as in every protobuf implementation).
    public mutating func int64(_ field: Int, _ value: Int64) {
        appendKey(field, .varint)
        appendVarint(UInt64(bitPattern: value))
    }

    /// A `uint32` or `uint64` field.
    public mutating func uint64(_ field: Int, _ value: UInt64) {
        appendKey(field, .varint)
        appendVarint(value)
    }

    /// A `bool` field.
    public mutating func bool(_ field: Int, _ value: Bool) {
        appendKey(field, .varint)
        appendVarint(value ? 1 : 0)
    }

    /// A `float` field (fixed 32 bits, little-endian).
    public mutating func float(_ field: Int, _ value: Float) {
        appendKey(field, .fixed32)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A `double` field (fixed 64 bits, little-endian).
    public mutating func double(_ field: Int, _ value: Double) {
        appendKey(field, .fixed64)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// A `string` field (UTF-8).
    public mutating func string(_ field: Int, _ value: String) {
        appendLengthDelimited(field, Array(value.utf8))
    }

    /// A `bytes` field.
    public mutating func bytes(_ field: Int, _ value: [UInt8]) {
        appendLengthDelimited(field, value)
    }

    /// An embedded message, written by `body` into a writer of its own.
    public mutating func message(_ field: Int, _ body: (inout ProtobufWriter) throws -> Void) rethrows {
        var inner = ProtobufWriter()
        try body(&inner)
        appendLengthDelimited(field, inner.bytes)
    }

    /// A `repeated float` field, packed.
    public mutating func packedFloats(_ field: Int, _ values: [Float]) {
        var payload: [UInt8] = []
        payload.reserveCapacity(values.count * 4)
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { payload.append(contentsOf: $0) } }
        appendLengthDelimited(field, payload)
    }

    /// A `repeated double` field, packed.
    public mutating func packedDoubles(_ field: Int, _ values: [Double]) {
        var payload: [UInt8] = []
        payload.reserveCapacity(values.count * 8)
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { payload.append(contentsOf: $0) } }
        appendLengthDelimited(field, payload)
    }

    /// A `repeated int64` (or `int32`) field, packed.
    public mutating func packedInt64s(_ field: Int, _ values: [Int64]) {
        var inner = ProtobufWriter()
        for value in values { inner.appendVarint(UInt64(bitPattern: value)) }
        appendLengthDelimited(field, inner.bytes)
    }
}
