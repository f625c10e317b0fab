// Open MPI, loaded at run time: rnx neither links libmpi nor needs mpi.h to build, and a process that is not
// started by mpirun never loads it. Every call returns 0 on success or an error code; `message` receives a
// one-line description (from dlerror or MPI_Error_string) when it fails.
#ifndef RNX_CMPI_H
#define RNX_CMPI_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// dlopens libmpi.so.40 and MPI_Init_thread's it (serialized: one thread at a time calls MPI, not always the same one), with errors
/// returned instead of aborting. Fills the rank and the number of ranks of MPI_COMM_WORLD.
int rnx_mpi_start(int *rank, int *size, char *message, size_t capacity);

/// In-place sum over all ranks of `count` floats.
int rnx_mpi_allreduce_float(float *buffer, size_t count, char *message, size_t capacity);

/// Starts an in-place sum over all ranks of `count` floats (at most INT_MAX) and returns at once; `request` receives
/// the handle to pass to rnx_mpi_test and rnx_mpi_wait. `buffer` must stay untouched until the wait returns.
int rnx_mpi_iallreduce_float(float *buffer, size_t count, void **request, char *message, size_t capacity);

/// Lets MPI progress a started operation; `done` becomes 1 when it has finished (the request is then released).
int rnx_mpi_test(void **request, int *done, char *message, size_t capacity);

/// Waits for a started operation to finish.
int rnx_mpi_wait(void **request, char *message, size_t capacity);

/// In-place sum over all ranks of `count` doubles.
int rnx_mpi_allreduce_double(double *buffer, size_t count, char *message, size_t capacity);

/// Copies `bytes` bytes from rank `root` into `buffer` on every rank.
int rnx_mpi_broadcast(void *buffer, size_t bytes, int root, char *message, size_t capacity);

/// MPI_Finalize, once; nothing when MPI was never started.
void rnx_mpi_finish(void);

/// MPI_Abort on MPI_COMM_WORLD: mpirun ends every rank with `code`.
void rnx_mpi_abort(int code);

#ifdef __cplusplus
}
#endif

#endif
