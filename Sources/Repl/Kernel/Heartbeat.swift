import CZMQ
import Foundation

/// The heartbeat: a REP socket on its own thread that echoes every message at once, so a client can tell a busy
/// kernel (it still echoes) from a dead one.
enum Heartbeat {
    /// Starts echoing on `socket`; the thread ends, closing the socket, when the context is terminated.
    static func start(_ socket: Socket) {
        let thread = Thread {
            while let frames = try? socket.receive() {
                if (try? socket.send(frames)) == nil, SocketError.wasTerminated { break }
            }
            socket.close()
        }
        thread.name = "rnx-kernel-heartbeat"
        thread.start()
    }
}
