/// A plain C interface to one gnuplot process driven through gnuplot-iostream.
///
/// The C++ side catches every exception and turns it into a status code plus a message, so Swift
/// never sees a C++ exception. Every `char **out_message` / `out_text` receives a string allocated
/// with malloc (or NULL); release it with `rnx_gp_free_string`.
#ifndef RNX_CGNUPLOT_IOSTREAM_H
#define RNX_CGNUPLOT_IOSTREAM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Outcome of a call into the shim.
typedef enum {
    /// The call did what it was asked.
    RNX_GP_OK = 0,
    /// The request itself was refused (bad argument, process could not be started); the message says why.
    RNX_GP_FAILED = 1,
    /// gnuplot is no longer running (it exited, was killed, or its input pipe broke).
    RNX_GP_STOPPED = 2,
    /// The deadline set with `rnx_gp_set_deadline` passed and the shim killed gnuplot.
    RNX_GP_TIMED_OUT = 3,
} rnx_gp_status;

/// One running gnuplot process; opaque to callers.
typedef struct rnx_gp_process rnx_gp_process;

/// Ignores SIGPIPE for the whole program (so a dead gnuplot cannot kill it), then starts the
/// executable at `executable_path` with the single argument `-d` (no init files), without a shell.
/// Its stdin is the command pipe, its stdout goes to /dev/null and its stderr (where gnuplot
/// prints errors and `print` output) is read back by `rnx_gp_wait_for_marker`.
rnx_gp_status rnx_gp_open(const char *executable_path, rnx_gp_process **out_process, char **out_message);

/// Kills gnuplot if it is still busy `timeout_ms` from now, which also ends any blocked send or
/// wait with RNX_GP_TIMED_OUT. A negative value clears the deadline.
void rnx_gp_set_deadline(rnx_gp_process *process, int timeout_ms);

/// Sends one command line. Lines containing a newline or carriage return are refused, because
/// they would let the text after them run as a separate command.
rnx_gp_status rnx_gp_send_line(rnx_gp_process *process, const char *line, char **out_message);

/// Defines the datablock `$block_name` from `row_count` rows of `column_count` doubles (row-major),
/// sent as numbers through gnuplot-iostream's inline data format. The name must match
/// [A-Za-z_][A-Za-z0-9_]*.
rnx_gp_status rnx_gp_send_rows(rnx_gp_process *process, const char *block_name,
                               const double *values, size_t row_count, size_t column_count,
                               char **out_message);

/// Flushes everything sent so far, then reads gnuplot's stderr until a line equal to `marker`
/// arrives or gnuplot ends (set a deadline first, or a hung gnuplot blocks this forever).
/// On RNX_GP_OK, `out_text` holds everything gnuplot printed before the marker (warnings, errors);
/// on other statuses, what it printed plus the reason.
rnx_gp_status rnx_gp_wait_for_marker(rnx_gp_process *process, const char *marker, char **out_text);

/// Whether the process is still running (reaps it if it has exited).
int rnx_gp_is_running(rnx_gp_process *process);

/// The operating-system process id of gnuplot.
int rnx_gp_process_id(const rnx_gp_process *process);

/// Closes gnuplot's input, gives it a moment to exit, kills it if it does not, and frees `process`.
void rnx_gp_close(rnx_gp_process *process);

/// Releases a string returned by this interface.
void rnx_gp_free_string(char *text);

#ifdef __cplusplus
}
#endif

#endif
