import Foundation

/// A JSON object of a Jupyter message (header, metadata, content), as `JSONSerialization` reads and writes it.
typealias JSONObject = [String: Any]

/// Why a message received from a client was dropped (logged, never fatal: a kernel outlives bad clients).
struct WireError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// One Jupyter message in the messaging protocol's wire format: routing identities, the `<IDS|MSG>` delimiter,
/// the HMAC signature, then header, parent header, metadata and content as JSON, and optional binary buffers.
/// Sendable: its JSON parts are Foundation values (strings, numbers, arrays, dictionaries) nothing mutates once
/// parsed, so a cell's thread may hold its request.
struct WireMessage: @unchecked Sendable {
    /// The protocol version rnx speaks.
    static let protocolVersion = "5.3"
    /// The frame that ends the routing identities.
    static let delimiter = Array("<IDS|MSG>".utf8)

    /// ROUTER identities of the client (replies go back through them); on iopub, the topic.
    var identities: [[UInt8]]
    var header: JSONObject
    var parentHeader: JSONObject
    var metadata: JSONObject
    var content: JSONObject
    var buffers: [[UInt8]] = []

    /// The message type, e.g. `execute_request`.
    var type: String { header["msg_type"] as? String ?? "" }

    /// A new message of `type` in the kernel's `session`, answering `parent` (nil: none).
    init(type: String, session: String, content: JSONObject, parent: WireMessage?, identities: [[UInt8]]? = nil) {
        self.identities = identities ?? parent?.identities ?? []
        self.header = [
            "msg_id": UUID().uuidString.lowercased(), "session": session, "username": "rnx", "date": Self.timestamp(),
            "msg_type": type, "version": Self.protocolVersion,
        ]
        self.parentHeader = parent?.header ?? [:]
        self.metadata = [:]
        self.content = content
    }

    /// Parses the frames of a received message and checks its signature.
    init(frames: [[UInt8]], signer: MessageSigner) throws {
        guard let split = frames.firstIndex(of: Self.delimiter) else { throw WireError("no <IDS|MSG> delimiter") }
        guard frames.count - split - 1 >= 5 else {
            throw WireError("expected a signature and four JSON parts after <IDS|MSG>, found \(frames.count - split - 1) frames")
        }
        let signature = frames[split + 1]
        let parts = Array(frames[(split + 2)..<(split + 6)])
        guard signer.verify(signature, of: parts) else { throw WireError("invalid signature") }
        identities = Array(frames[..<split])
        header = try Self.object(parts[0], "header")
        parentHeader = try Self.object(parts[1], "parent header")
        metadata = try Self.object(parts[2], "metadata")
        content = try Self.object(parts[3], "content")
        buffers = Array(frames[(split + 6)...])
        guard header["msg_type"] is String else { throw WireError("the header has no msg_type") }
    }

    /// The frames to send, signed by `signer`.
    func frames(signer: MessageSigner) throws -> [[UInt8]] {
        let parts = try [header, parentHeader, metadata, content].map { object in
            Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
        }
        return identities + [Self.delimiter, Array(signer.signature(parts).utf8)] + parts + buffers
    }

    /// Now in ISO 8601 with microseconds, as the protocol's `date` field wants it.
    static func timestamp(_ date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: date)
    }

    private static func object(_ bytes: [UInt8], _ name: String) throws -> JSONObject {
        guard let value = try? JSONSerialization.jsonObject(with: Data(bytes)), let object = value as? JSONObject else {
            throw WireError("the \(name) is not a JSON object")
        }
        return object
    }
}
