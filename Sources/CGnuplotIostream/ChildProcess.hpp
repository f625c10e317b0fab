// A child process with a command pipe on its stdin and a pipe from its stderr, plus a watchdog
// that kills it when a deadline passes. Internal to the shim; not part of the C interface.
#ifndef RNX_CHILD_PROCESS_HPP
#define RNX_CHILD_PROCESS_HPP

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <sys/types.h>
#include <thread>

namespace rnx {

class ChildProcess {
public:
    /// Starts `path` with `argument` as its only argument, without a shell, in its own process
    /// group (so a terminal Ctrl-C reaches rnx, not gnuplot), stdout to /dev/null.
    /// Throws std::runtime_error with a readable message when it cannot.
    ChildProcess(const std::string &path, const std::string &argument);

    /// Waits briefly for the child to exit, kills it if needed, stops the watchdog, closes pipes.
    ~ChildProcess();

    ChildProcess(const ChildProcess &) = delete;
    ChildProcess &operator=(const ChildProcess &) = delete;

    /// The write end of the child's stdin; the caller takes ownership (and closes it).
    int take_input();

    /// The read end of the child's stderr (owned by this object).
    int error_output() const { return error_fd_; }

    pid_t pid() const { return pid_; }

    /// Whether the child still runs; reaps it if it has exited.
    bool is_running();

    /// Gives the child `grace` to exit by itself, then kills it; always reaps it.
    void finish(std::chrono::milliseconds grace);

    /// How the child ended ("gnuplot exited with status 1"), once reaped.
    std::string exit_description();

    /// Arms the watchdog to kill the child `timeout_ms` from now; a negative value disarms it.
    void set_deadline(int timeout_ms);

    /// Whether the watchdog has killed the child.
    bool deadline_passed();

private:
    bool reap_locked(int options);
    void watch();

    pid_t pid_ = -1;
    int input_fd_ = -1;
    int error_fd_ = -1;
    // Guards liveness and the deadline: the watchdog never signals a pid that was already reaped.
    std::mutex lock_;
    std::condition_variable wake_;
    bool running_ = true;
    std::string exit_description_;
    bool armed_ = false;
    bool fired_ = false;
    bool closing_ = false;
    std::chrono::steady_clock::time_point deadline_;
    std::thread watchdog_;
};

}  // namespace rnx

#endif
