// The C interface over gnuplot-iostream: process plumbing only; chart logic lives in Swift.
#include "CGnuplotIostream.h"
#include "ChildProcess.hpp"

#include <gnuplot-iostream.h>

#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <poll.h>
#include <string>
#include <unistd.h>
#include <vector>

struct rnx_gp_process {
    std::unique_ptr<rnx::ChildProcess> child;
    std::unique_ptr<gnuplotio::Gnuplot> stream;
    /// stderr bytes read past the last marker, kept for the next wait.
    std::string pending;
};

namespace {

char *copy_string(const std::string &text) {
    char *copy = static_cast<char *>(std::malloc(text.size() + 1));
    if (copy) std::memcpy(copy, text.c_str(), text.size() + 1);
    return copy;
}

rnx_gp_status report(rnx_gp_status status, const std::string &message, char **out_message) {
    if (out_message) *out_message = copy_string(message);
    return status;
}

/// Whatever gnuplot had printed before it ended, up to end of file or a short pause.
std::string drain_errors(rnx_gp_process *process) {
    std::string said;
    std::swap(said, process->pending);
    char buffer[4096];
    for (;;) {
        pollfd watch{process->child->error_output(), POLLIN, 0};
        if (poll(&watch, 1, 20) <= 0) break;
        ssize_t count = read(watch.fd, buffer, sizeof buffer);
        if (count <= 0) break;
        said.append(buffer, static_cast<size_t>(count));
    }
    return said;
}

/// gnuplot is gone: reap it and say how it ended, after what it printed.
rnx_gp_status report_stopped(rnx_gp_process *process, std::string said, char **out_message) {
    process->child->finish(std::chrono::milliseconds(500));
    if (process->child->deadline_passed()) return report(RNX_GP_TIMED_OUT, said, out_message);
    if (!said.empty() && said.back() != '\n') said += '\n';
    return report(RNX_GP_STOPPED, said + process->child->exit_description(), out_message);
}

bool is_block_name(const char *name) {
    if (!name || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
    for (const char *c = name; *c; ++c) {
        if (!(std::isalnum(static_cast<unsigned char>(*c)) || *c == '_')) return false;
    }
    return true;
}

}  // namespace

extern "C" rnx_gp_status rnx_gp_open(const char *executable_path, rnx_gp_process **out_process, char **out_message) {
    if (out_process) *out_process = nullptr;
    if (out_message) *out_message = nullptr;
    if (!executable_path || !out_process) return report(RNX_GP_FAILED, "no gnuplot executable given", out_message);
    try {
        std::signal(SIGPIPE, SIG_IGN);
        auto process = std::make_unique<rnx_gp_process>();
        process->child = std::make_unique<rnx::ChildProcess>(executable_path, "-d");
        int input = process->child->take_input();
        FILE *input_file = fdopen(input, "w");
        if (!input_file) {
            int saved = errno;
            close(input);
            return report(RNX_GP_FAILED, std::string("cannot open gnuplot's input: ") + std::strerror(saved), out_message);
        }
        process->stream = std::make_unique<gnuplotio::Gnuplot>(input_file);
        *out_process = process.release();
        return RNX_GP_OK;
    } catch (const std::exception &error) {
        return report(RNX_GP_FAILED, error.what(), out_message);
    } catch (...) {
        return report(RNX_GP_FAILED, "cannot start gnuplot: unknown error", out_message);
    }
}

extern "C" void rnx_gp_set_deadline(rnx_gp_process *process, int timeout_ms) {
    if (process) process->child->set_deadline(timeout_ms);
}

extern "C" rnx_gp_status rnx_gp_send_line(rnx_gp_process *process, const char *line, char **out_message) {
    if (out_message) *out_message = nullptr;
    if (!process || !line) return report(RNX_GP_FAILED, "no process or no line", out_message);
    if (std::strpbrk(line, "\n\r")) return report(RNX_GP_FAILED, "a command line may not contain a line break", out_message);
    try {
        *process->stream << line << '\n';
        if (!process->stream->good()) return report_stopped(process, drain_errors(process), out_message);
        return RNX_GP_OK;
    } catch (const std::exception &error) {
        return report(RNX_GP_FAILED, std::string("cannot send to gnuplot: ") + error.what(), out_message);
    } catch (...) {
        return report(RNX_GP_FAILED, "cannot send to gnuplot: unknown error", out_message);
    }
}

extern "C" rnx_gp_status rnx_gp_send_rows(rnx_gp_process *process, const char *block_name,
                                          const double *values, size_t row_count, size_t column_count,
                                          char **out_message) {
    if (out_message) *out_message = nullptr;
    if (!process) return report(RNX_GP_FAILED, "no process", out_message);
    if (!is_block_name(block_name)) return report(RNX_GP_FAILED, "invalid datablock name", out_message);
    if (row_count > 0 && (column_count == 0 || !values)) return report(RNX_GP_FAILED, "rows without values", out_message);
    try {
        std::vector<std::vector<double>> rows(row_count);
        for (size_t row = 0; row < row_count; ++row) {
            rows[row].assign(values + row * column_count, values + (row + 1) * column_count);
        }
        // gnuplot-iostream ends inline data with a line "e"; no number starts with 'e',
        // so that line closes the datablock too.
        *process->stream << '$' << block_name << " << e\n";
        process->stream->send1d(rows);
        if (!process->stream->good()) return report_stopped(process, drain_errors(process), out_message);
        return RNX_GP_OK;
    } catch (const std::exception &error) {
        return report(RNX_GP_FAILED, std::string("cannot send data to gnuplot: ") + error.what(), out_message);
    } catch (...) {
        return report(RNX_GP_FAILED, "cannot send data to gnuplot: unknown error", out_message);
    }
}

extern "C" rnx_gp_status rnx_gp_wait_for_marker(rnx_gp_process *process, const char *marker, char **out_text) {
    if (out_text) *out_text = nullptr;
    if (!process || !marker) return report(RNX_GP_FAILED, "no process or no marker", out_text);
    try {
        process->stream->flush();
        if (!process->stream->good()) return report_stopped(process, drain_errors(process), out_text);

        const std::string marker_line = std::string(marker) + "\n";
        std::string &seen = process->pending;
        size_t search_from = 0;
        char buffer[65536];
        for (;;) {
            for (size_t at = seen.find(marker_line, search_from); at != std::string::npos;
                 at = seen.find(marker_line, at + 1)) {
                if (at == 0 || seen[at - 1] == '\n') {
                    std::string before = seen.substr(0, at);
                    seen.erase(0, at + marker_line.size());
                    return report(RNX_GP_OK, before, out_text);
                }
            }
            search_from = seen.size() >= marker_line.size() ? seen.size() - marker_line.size() : 0;

            ssize_t count = read(process->child->error_output(), buffer, sizeof buffer);
            if (count > 0) {
                seen.append(buffer, static_cast<size_t>(count));
            } else if (count == 0 || errno != EINTR) {
                // stderr closed: gnuplot is gone (or the deadline killed it).
                std::string said;
                std::swap(said, seen);
                return report_stopped(process, said, out_text);
            }
        }
    } catch (const std::exception &error) {
        return report(RNX_GP_FAILED, std::string("cannot read from gnuplot: ") + error.what(), out_text);
    } catch (...) {
        return report(RNX_GP_FAILED, "cannot read from gnuplot: unknown error", out_text);
    }
}

extern "C" int rnx_gp_is_running(rnx_gp_process *process) {
    return process && process->child->is_running() ? 1 : 0;
}

extern "C" int rnx_gp_process_id(const rnx_gp_process *process) {
    return process ? static_cast<int>(process->child->pid()) : -1;
}

extern "C" void rnx_gp_close(rnx_gp_process *process) {
    if (!process) return;
    try {
        // Closing gnuplot's stdin first lets it exit by itself at end of input.
        process->stream.reset();
        process->child.reset();
    } catch (...) {
    }
    delete process;
}

extern "C" void rnx_gp_free_string(char *text) {
    std::free(text);
}
