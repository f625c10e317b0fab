#include "ChildProcess.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace rnx {
namespace {

std::string describe_wait_status(int status) {
    if (WIFEXITED(status)) return "gnuplot exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "gnuplot was killed by signal " + std::to_string(WTERMSIG(status));
    return "gnuplot ended";
}

/// A pipe whose ends are not inherited by other children this program starts (an inherited
/// stderr write end would keep rnx from ever seeing gnuplot's end).
void make_private_pipe(int fds[2]) {
#ifdef __linux__
    if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("cannot create a pipe: ") + std::strerror(errno));
#else
    if (pipe(fds) != 0) throw std::runtime_error(std::string("cannot create a pipe: ") + std::strerror(errno));
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
#endif
}

}  // namespace

ChildProcess::ChildProcess(const std::string &path, const std::string &argument) {
    int input[2], errors[2];
    make_private_pipe(input);
    try {
        make_private_pipe(errors);
    } catch (...) {
        close(input[0]);
        close(input[1]);
        throw;
    }

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, input[0], STDIN_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, errors[1], STDERR_FILENO);

    // rnx ignores SIGPIPE; gnuplot gets the default back.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t defaults, empty;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigemptyset(&empty);
    posix_spawnattr_setsigdefault(&attributes, &defaults);
    posix_spawnattr_setsigmask(&attributes, &empty);
    posix_spawnattr_setpgroup(&attributes, 0);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);

    std::string program(path), only_argument(argument);
    char *arguments[] = {&program[0], &only_argument[0], nullptr};
    int spawn_error = posix_spawn(&pid_, path.c_str(), &actions, &attributes, arguments, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    close(input[0]);
    close(errors[1]);
    if (spawn_error != 0) {
        close(input[1]);
        close(errors[0]);
        throw std::runtime_error("cannot start '" + path + "': " + std::strerror(spawn_error));
    }
    input_fd_ = input[1];
    error_fd_ = errors[0];
    try {
        watchdog_ = std::thread([this] { watch(); });
    } catch (...) {
        finish(std::chrono::milliseconds(0));
        close(input_fd_);
        close(error_fd_);
        throw;
    }
}

ChildProcess::~ChildProcess() {
    if (input_fd_ >= 0) close(input_fd_);
    finish(std::chrono::milliseconds(500));
    {
        std::lock_guard<std::mutex> guard(lock_);
        closing_ = true;
    }
    wake_.notify_all();
    if (watchdog_.joinable()) watchdog_.join();
    if (error_fd_ >= 0) close(error_fd_);
}

int ChildProcess::take_input() {
    int fd = input_fd_;
    input_fd_ = -1;
    return fd;
}

bool ChildProcess::reap_locked(int options) {
    if (!running_) return true;
    int status = 0;
    pid_t result;
    do {
        result = waitpid(pid_, &status, options);
    } while (result < 0 && errno == EINTR);
    if (result == pid_ || result < 0) {
        running_ = false;
        exit_description_ = result == pid_ ? describe_wait_status(status) : "gnuplot ended";
        return true;
    }
    return false;
}

bool ChildProcess::is_running() {
    std::lock_guard<std::mutex> guard(lock_);
    return !reap_locked(WNOHANG);
}

void ChildProcess::finish(std::chrono::milliseconds grace) {
    auto give_up = std::chrono::steady_clock::now() + grace;
    while (is_running() && std::chrono::steady_clock::now() < give_up) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    std::lock_guard<std::mutex> guard(lock_);
    if (running_) {
        kill(pid_, SIGKILL);
        reap_locked(0);
    }
}

std::string ChildProcess::exit_description() {
    std::lock_guard<std::mutex> guard(lock_);
    return running_ ? "gnuplot is still running" : exit_description_;
}

void ChildProcess::set_deadline(int timeout_ms) {
    {
        std::lock_guard<std::mutex> guard(lock_);
        armed_ = timeout_ms >= 0;
        deadline_ = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
    }
    wake_.notify_all();
}

bool ChildProcess::deadline_passed() {
    std::lock_guard<std::mutex> guard(lock_);
    return fired_;
}

void ChildProcess::watch() {
    std::unique_lock<std::mutex> guard(lock_);
    while (!closing_) {
        if (!armed_) {
            wake_.wait(guard);
        } else if (std::chrono::steady_clock::now() >= deadline_) {
            // A blocked write or read in the caller returns once the child is gone.
            if (running_) kill(pid_, SIGKILL);
            fired_ = true;
            armed_ = false;
        } else {
            wake_.wait_until(guard, deadline_);
        }
    }
}

}  // namespace rnx
