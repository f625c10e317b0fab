import Foundation

/// The connection file a Jupyter client writes for each kernel it starts: the five ports, the transport and the
/// key that signs every message (`jupyter_client.connect.write_connection_file`).
struct ConnectionFile: Decodable, Equatable {
    /// `tcp` or `ipc`.
    let transport: String
    /// The address to bind (`127.0.0.1`), or for `ipc` the path prefix of the socket files.
    let ip: String
    let shellPort: Int
    let iopubPort: Int
    let stdinPort: Int
    let controlPort: Int
    let heartbeatPort: Int
    /// The HMAC key; empty: messages are not signed.
    let key: String
    /// `hmac-sha256`, the only scheme rnx signs with.
    let signatureScheme: String

    private enum CodingKeys: String, CodingKey {
        case transport, ip, key
        case shellPort = "shell_port"
        case iopubPort = "iopub_port"
        case stdinPort = "stdin_port"
        case controlPort = "control_port"
        case heartbeatPort = "hb_port"
        case signatureScheme = "signature_scheme"
    }

    /// Reads and checks the file at `path`.
    init(contentsOf path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReplError("cannot read the connection file \(path)")
        }
        do {
            self = try JSONDecoder().decode(ConnectionFile.self, from: data)
        } catch let error as DecodingError {
            throw ReplError("connection file \(path): \(Self.describe(error))")
        } catch {
            throw ReplError("connection file \(path): expected a JSON object: \(error.localizedDescription)")
        }
        guard transport == "tcp" || transport == "ipc" else {
            throw ReplError("connection file \(path): transport must be \"tcp\" or \"ipc\", found \"\(transport)\"")
        }
        guard signatureScheme == "hmac-sha256" else {
            throw ReplError("connection file \(path): signature_scheme must be \"hmac-sha256\", found \"\(signatureScheme)\"")
        }
        for (name, port) in [
            ("shell_port", shellPort), ("iopub_port", iopubPort), ("stdin_port", stdinPort), ("control_port", controlPort),
            ("hb_port", heartbeatPort),
        ] where !(1...65535).contains(port) {
            throw ReplError("connection file \(path): \(name) must be a port number 1...65535, found \(port)")
        }
    }

    /// The ZeroMQ endpoint of `port`: `tcp://127.0.0.1:5555`, or `ipc://kernel-5555` for the ipc transport (as
    /// jupyter_client names the socket files).
    func endpoint(_ port: Int) -> String {
        transport == "ipc" ? "ipc://\(ip)-\(port)" : "tcp://\(ip):\(port)"
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "missing \"\(key.stringValue)\""
        case .typeMismatch(let type, let context), .valueNotFound(let type, let context):
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "\"\(field)\" must be \(type == String.self ? "a string" : "a number")"
        case .dataCorrupted(let context): return "not valid JSON (\(context.debugDescription))"
        @unknown default: return "\(error)"
        }
    }
}
