import CZMQ
import Foundation

/// A ZeroMQ failure, with libzmq's message.
struct SocketError: Error, CustomStringConvertible {
    let description: String

    /// The error `zmq_errno()` reports now, after `action`.
    static func last(_ action: String) -> SocketError {
        SocketError(description: "\(action): \(String(cString: zmq_strerror(zmq_errno())))")
    }

    /// Whether the last failure was a signal interrupting the call (retry it).
    static var wasInterrupted: Bool { zmq_errno() == EINTR }
    /// Whether the last failure was the context being terminated (the kernel is shutting down).
    static var wasTerminated: Bool { zmq_errno() == ETERM }
}

/// A ZeroMQ context: owns the I/O thread every socket of the kernel uses.
final class SocketContext: @unchecked Sendable {
    // libzmq contexts are thread-safe.
    let handle: UnsafeMutableRawPointer

    init() throws {
        guard let handle = zmq_ctx_new() else { throw SocketError.last("cannot create a ZeroMQ context") }
        self.handle = handle
    }

    /// Ends the context: blocking calls on its sockets in other threads fail with ETERM (their owners close them),
    /// and this returns once every socket is closed and its pending messages sent (within each socket's linger).
    func terminate() {
        while zmq_ctx_term(handle) != 0 && SocketError.wasInterrupted {}
    }
}

/// One ZeroMQ socket. A socket is used by one thread at a time: its owner, or callers holding the owner's lock.
final class Socket: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    /// The endpoint it is bound to, for messages.
    let endpoint: String

    /// A socket of `type` (`ZMQ_ROUTER`, `ZMQ_PUB`, `ZMQ_REP`) bound to `endpoint`. Pending messages are sent for up to
    /// a second after it is closed, so a reply sent just before shutting down still arrives.
    init(_ context: SocketContext, type: Int32, endpoint: String) throws {
        guard let handle = zmq_socket(context.handle, type) else { throw SocketError.last("cannot create a socket") }
        self.handle = handle
        self.endpoint = endpoint
        var linger: Int32 = 1000
        zmq_setsockopt(handle, ZMQ_LINGER, &linger, MemoryLayout<Int32>.size)
        guard zmq_bind(handle, endpoint) == 0 else {
            let error = SocketError.last("cannot bind \(endpoint)")
            zmq_close(handle)
            throw error
        }
    }

    /// Closes the socket (pending messages still go out within the linger time).
    func close() {
        zmq_close(handle)
    }

    /// Receives one multipart message: its frames. Throws when the context was terminated.
    func receive() throws -> [[UInt8]] {
        var frames: [[UInt8]] = []
        while true {
            var message = zmq_msg_t()
            zmq_msg_init(&message)
            defer { zmq_msg_close(&message) }
            while zmq_msg_recv(&message, handle, 0) < 0 {
                guard SocketError.wasInterrupted else { throw SocketError.last("receive on \(endpoint)") }
            }
            let size = zmq_msg_size(&message)
            if let data = zmq_msg_data(&message), size > 0 {
                frames.append(Array(UnsafeRawBufferPointer(start: data, count: size)))
            } else {
                frames.append([])
            }
            if zmq_msg_more(&message) == 0 { return frames }
        }
    }

    /// Sends `frames` as one multipart message.
    func send(_ frames: [[UInt8]]) throws {
        for (index, frame) in frames.enumerated() {
            let flags = index < frames.count - 1 ? ZMQ_SNDMORE : 0
            while frame.withUnsafeBytes({ zmq_send(handle, $0.baseAddress, $0.count, flags) }) < 0 {
                guard SocketError.wasInterrupted else { throw SocketError.last("send on \(endpoint)") }
            }
        }
    }

    /// Waits until one of `sockets` (or the plain file descriptor `descriptor`, unless it is -1) is readable, or
    /// `timeoutMilliseconds` have passed (-1: no limit); returns which sockets are, and whether the descriptor is.
    /// Signals only end the wait early.
    static func waitReadable(
        _ sockets: [Socket], descriptor: Int32, timeoutMilliseconds: Int = -1
    ) throws -> (sockets: [Bool], descriptor: Bool) {
        var items = sockets.map { zmq_pollitem_t(socket: $0.handle, fd: 0, events: Int16(ZMQ_POLLIN), revents: 0) }
        items.append(zmq_pollitem_t(socket: nil, fd: descriptor, events: Int16(ZMQ_POLLIN), revents: 0))
        if zmq_poll(&items, Int32(descriptor < 0 ? items.count - 1 : items.count), timeoutMilliseconds) < 0 {
            guard SocketError.wasInterrupted else { throw SocketError.last("poll") }
            return (sockets.map { _ in false }, false)
        }
        return (items.dropLast().map { $0.revents & Int16(ZMQ_POLLIN) != 0 }, items[items.count - 1].revents & Int16(ZMQ_POLLIN) != 0)
    }
}
