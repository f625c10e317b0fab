import Basics
import Foundation

/// The kernel's broadcast channel (a PUB socket): status, inputs, outputs and results of every client's requests.
/// Thread-safe: the request loop and the running program publish through one lock.
final class IOPubChannel: @unchecked Sendable {
    private let socket: Socket
    private let signer: MessageSigner
    /// The kernel's session id, in every message's header.
    let session: String
    private let isClosed = Locked(false)

    init(socket: Socket, signer: MessageSigner, session: String) {
        self.socket = socket
        self.signer = signer
        self.session = session
    }

    /// Publishes a message of `type` with `content`, answering `parent`, under the topic `kernel.<session>.<type>`.
    func publish(_ type: String, _ content: JSONObject, parent: WireMessage?) {
        let message = WireMessage(
            type: type, session: session, content: content, parent: parent, identities: [Array("kernel.\(session).\(type)".utf8)])
        isClosed.withLock { closed in
            guard !closed else { return }
            do {
                try socket.send(try message.frames(signer: signer))
            } catch {
                KernelLog.write("cannot publish \(type): \(error)")
            }
        }
    }

    /// Publishes the kernel's execution state (`busy`, `idle`) for `parent`.
    func status(_ state: String, parent: WireMessage?) {
        publish("status", ["execution_state": state], parent: parent)
    }

    /// Closes the socket; later messages are dropped.
    func close() {
        isClosed.withLock { closed in
            guard !closed else { return }
            closed = true
            socket.close()
        }
    }
}

/// The kernel's own messages (dropped requests, failures to send), on standard error, which the client shows or logs.
enum KernelLog {
    static func write(_ message: String) {
        fputs("rnx kernel: \(message)\n", StandardStream.error)
    }
}
