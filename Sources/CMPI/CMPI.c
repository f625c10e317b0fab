#include "CMPI.h"

#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

// Open MPI's handles are pointers to its predefined objects (its ABI, stable across 4.x): MPI_COMM_WORLD is
// &ompi_mpi_comm_world and so on, so dlsym of the object gives the handle.
typedef void *Handle;

static int (*init_thread)(int *, char ***, int, int *);
static int (*comm_rank)(Handle, int *);
static int (*comm_size)(Handle, int *);
static int (*comm_set_errhandler)(Handle, Handle);
static int (*allreduce)(const void *, void *, int, Handle, Handle, Handle);
static int (*iallreduce)(const void *, void *, int, Handle, Handle, Handle, Handle *);
static int (*test)(Handle *, int *, void *);
static int (*wait_)(Handle *, void *);
static int (*bcast)(void *, int, Handle, int, Handle);
static int (*finalize)(void);
static int (*abort_)(Handle, int);
static int (*error_string)(int, char *, int *);
static Handle comm_world, type_float, type_double, type_byte, op_sum, errors_return;
static int started;
static int finished;

/// MPI_IN_PLACE in Open MPI.
#define IN_PLACE ((void *)1)
#define THREAD_SERIALIZED 2
/// Collectives take an int count; larger buffers go in slices of this many elements.
#define SLICE (1 << 28)

static void describe(int code, const char *what, char *message, size_t capacity) {
    if (!message || capacity == 0) return;
    char text[512] = "unknown error";
    int length = 0;
    if (error_string && error_string(code, text, &length) != 0) snprintf(text, sizeof text, "error code %d", code);
    snprintf(message, capacity, "%s failed: %s", what, text);
}

static int load(char *message, size_t capacity) {
    void *library = dlopen("libmpi.so.40", RTLD_NOW | RTLD_GLOBAL);
    if (!library) {
        snprintf(message, capacity, "cannot load Open MPI (libmpi.so.40): %s; install libopenmpi-dev and openmpi-bin", dlerror());
        return -1;
    }
    struct { void **slot; const char *name; } symbols[] = {
        {(void **)&init_thread, "MPI_Init_thread"}, {(void **)&comm_rank, "MPI_Comm_rank"}, {(void **)&comm_size, "MPI_Comm_size"},
        {(void **)&comm_set_errhandler, "MPI_Comm_set_errhandler"}, {(void **)&allreduce, "MPI_Allreduce"}, {(void **)&bcast, "MPI_Bcast"},
        {(void **)&iallreduce, "MPI_Iallreduce"}, {(void **)&test, "MPI_Test"}, {(void **)&wait_, "MPI_Wait"},
        {(void **)&finalize, "MPI_Finalize"}, {(void **)&abort_, "MPI_Abort"},
        {(void **)&error_string, "MPI_Error_string"}, {&comm_world, "ompi_mpi_comm_world"}, {&type_float, "ompi_mpi_float"},
        {&type_double, "ompi_mpi_double"}, {&type_byte, "ompi_mpi_byte"}, {&op_sum, "ompi_mpi_op_sum"},
        {&errors_return, "ompi_mpi_errors_return"},
    };
    for (size_t i = 0; i < sizeof symbols / sizeof symbols[0]; i++) {
        *symbols[i].slot = dlsym(library, symbols[i].name);
        if (!*symbols[i].slot) {
            snprintf(message, capacity, "libmpi.so.40 has no %s; rnx needs Open MPI 4", symbols[i].name);
            return -1;
        }
    }
    return 0;
}

int rnx_mpi_start(int *rank, int *size, char *message, size_t capacity) {
    if (started) {
        int code = comm_rank(comm_world, rank);
        return code ? code : comm_size(comm_world, size);
    }
    if (load(message, capacity) != 0) return -1;
    int provided = 0;
    int code = init_thread(NULL, NULL, THREAD_SERIALIZED, &provided);
    if (code) { describe(code, "MPI_Init_thread", message, capacity); return code; }
    started = 1;
    // A broken connection or a dead peer should come back as an error rnx can report, not abort inside MPI.
    if ((code = comm_set_errhandler(comm_world, errors_return))) { describe(code, "MPI_Comm_set_errhandler", message, capacity); return code; }
    if ((code = comm_rank(comm_world, rank))) { describe(code, "MPI_Comm_rank", message, capacity); return code; }
    if ((code = comm_size(comm_world, size))) { describe(code, "MPI_Comm_size", message, capacity); return code; }
    return 0;
}

static int reduce(void *buffer, size_t count, size_t width, Handle type, char *message, size_t capacity) {
    if (!started) { snprintf(message, capacity, "MPI is not started"); return -1; }
    char *bytes = buffer;
    for (size_t done = 0; done < count; done += SLICE) {
        size_t slice = count - done < SLICE ? count - done : SLICE;
        int code = allreduce(IN_PLACE, bytes + done * width, (int)slice, type, op_sum, comm_world);
        if (code) { describe(code, "MPI_Allreduce", message, capacity); return code; }
    }
    return 0;
}

int rnx_mpi_allreduce_float(float *buffer, size_t count, char *message, size_t capacity) {
    return reduce(buffer, count, sizeof(float), type_float, message, capacity);
}

int rnx_mpi_iallreduce_float(float *buffer, size_t count, void **request, char *message, size_t capacity) {
    if (!started) { snprintf(message, capacity, "MPI is not started"); return -1; }
    if (count > INT_MAX) { snprintf(message, capacity, "MPI_Iallreduce: %zu values are more than one call takes", count); return -1; }
    int code = iallreduce(IN_PLACE, buffer, (int)count, type_float, op_sum, comm_world, request);
    if (code) describe(code, "MPI_Iallreduce", message, capacity);
    return code;
}

int rnx_mpi_test(void **request, int *done, char *message, size_t capacity) {
    int code = test(request, done, NULL);  // NULL is MPI_STATUS_IGNORE in Open MPI
    if (code) describe(code, "MPI_Test", message, capacity);
    return code;
}

int rnx_mpi_wait(void **request, char *message, size_t capacity) {
    int code = wait_(request, NULL);
    if (code) describe(code, "MPI_Wait", message, capacity);
    return code;
}

int rnx_mpi_allreduce_double(double *buffer, size_t count, char *message, size_t capacity) {
    return reduce(buffer, count, sizeof(double), type_double, message, capacity);
}

int rnx_mpi_broadcast(void *buffer, size_t bytes, int root, char *message, size_t capacity) {
    if (!started) { snprintf(message, capacity, "MPI is not started"); return -1; }
    char *start = buffer;
    for (size_t done = 0; done < bytes; done += SLICE) {
        size_t slice = bytes - done < SLICE ? bytes - done : SLICE;
        int code = bcast(start + done, (int)slice, type_byte, root, comm_world);
        if (code) { describe(code, "MPI_Bcast", message, capacity); return code; }
    }
    return 0;
}

void rnx_mpi_finish(void) {
    if (!started || finished) return;
    finished = 1;
    finalize();
}

void rnx_mpi_abort(int code) {
    if (started) abort_(comm_world, code);
}
