import COpenSSL
import Foundation

/// Signs and checks Jupyter messages: HMAC-SHA256 over the serialized header, parent header, metadata and content,
/// as lower-case hex (the messaging protocol's "wire format"). An empty key signs with the empty string and accepts
/// any signature, as jupyter_client does.
struct MessageSigner: Sendable {
    /// The key's bytes.
    let key: [UInt8]

    /// A signer with `key` (the connection file's `key`, used as UTF-8 bytes).
    init(key: String) {
        self.key = Array(key.utf8)
    }

    /// The hex signature of `parts`, in order; empty when there is no key.
    func signature(_ parts: [[UInt8]]) -> String {
        guard !key.isEmpty, let keyLength = Int32(exactly: key.count) else { return "" }
        let message = parts.flatMap { $0 }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let done = key.withUnsafeBytes { keyBytes in
            message.withUnsafeBufferPointer { data in
                digest.withUnsafeMutableBufferPointer { out in
                    HMAC(EVP_sha256(), keyBytes.baseAddress, keyLength, data.baseAddress, data.count, out.baseAddress, &length)
                }
            }
        }
        guard done != nil else { return "" }
        return digest.prefix(Int(length)).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `signature` is the signature of `parts`, compared in constant time.
    func verify(_ signature: [UInt8], of parts: [[UInt8]]) -> Bool {
        guard !key.isEmpty else { return true }
        let expected = Array(self.signature(parts).utf8)
        guard !expected.isEmpty, expected.count == signature.count else { return false }
        return expected.withUnsafeBytes { a in signature.withUnsafeBytes { b in CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) == 0 } }
    }
}
