// Measured single-precision FMA peak of this machine, the yardstick for every GFLOP/s figure of `make bench`.
//
// Built by Benchmarks/run.sh with `cc -O2 -march=native -pthread`, so it uses the widest vectors the CPU has
// (AVX-512, else AVX2+FMA, else SSE). Each thread runs independent FMA chains, enough to hide the FMA latency on
// every current x86 core, and the best of several runs is printed as JSON:
//   {"threads": 2, "vector_bits": 512, "gflops": 230.1, "gflops_one_thread": 115.2}
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <immintrin.h>

#if defined(__AVX512F__)
typedef __m512 vec;
#define VEC_BITS 512
#define SET1(x) _mm512_set1_ps(x)
#define FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define ADD(a, b) _mm512_add_ps(a, b)
#define SUM(v) _mm512_reduce_add_ps(v)
#elif defined(__AVX2__) && defined(__FMA__)
typedef __m256 vec;
#define VEC_BITS 256
#define SET1(x) _mm256_set1_ps(x)
#define FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define ADD(a, b) _mm256_add_ps(a, b)
static float SUM(__m256 v) { float f[8]; _mm256_storeu_ps(f, v); return f[0] + f[1] + f[2] + f[3] + f[4] + f[5] + f[6] + f[7]; }
#else
typedef __m128 vec;
#define VEC_BITS 128
#define SET1(x) _mm_set1_ps(x)
#define FMA(a, b, c) _mm_add_ps(_mm_mul_ps(a, b), c) /* no FMA unit: a multiply and an add, counted as 2 flops */
#define ADD(a, b) _mm_add_ps(a, b)
static float SUM(__m128 v) { float f[4]; _mm_storeu_ps(f, v); return f[0] + f[1] + f[2] + f[3]; }
#endif

#define CHAINS 12
#define ITERATIONS 20000000L

static double seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void *spin(void *out) {
    vec a = SET1(0.999999f), b = SET1(1e-7f);
    vec c0 = SET1(0), c1 = SET1(1), c2 = SET1(2), c3 = SET1(3), c4 = SET1(4), c5 = SET1(5);
    vec c6 = SET1(6), c7 = SET1(7), c8 = SET1(8), c9 = SET1(9), c10 = SET1(10), c11 = SET1(11);
    // Twelve named accumulators stay in registers: twelve independent chains per iteration.
    for (long n = 0; n < ITERATIONS; n++) {
        c0 = FMA(c0, a, b); c1 = FMA(c1, a, b); c2 = FMA(c2, a, b); c3 = FMA(c3, a, b);
        c4 = FMA(c4, a, b); c5 = FMA(c5, a, b); c6 = FMA(c6, a, b); c7 = FMA(c7, a, b);
        c8 = FMA(c8, a, b); c9 = FMA(c9, a, b); c10 = FMA(c10, a, b); c11 = FMA(c11, a, b);
    }
    vec total = ADD(ADD(ADD(c0, c1), ADD(c2, c3)), ADD(ADD(c4, c5), ADD(c6, c7)));
    total = ADD(total, ADD(ADD(c8, c9), ADD(c10, c11)));
    *(float *)out = SUM(total);
    return NULL;
}

/// Best GFLOP/s of `threads` threads over `runs` runs.
static double peak(int threads, int runs) {
    double best = 0;
    pthread_t tid[256];
    float sink[256];
    for (int r = 0; r < runs; r++) {
        double start = seconds();
        for (int t = 0; t < threads; t++) pthread_create(&tid[t], NULL, spin, &sink[t]);
        for (int t = 0; t < threads; t++) pthread_join(tid[t], NULL);
        double elapsed = seconds() - start;
        double flops = (double)threads * ITERATIONS * CHAINS * (VEC_BITS / 32) * 2;
        if (flops / elapsed / 1e9 > best) best = flops / elapsed / 1e9;
    }
    return best;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 2;
    if (threads < 1 || threads > 256) {
        fprintf(stderr, "usage: fma_peak [threads 1..256]\n");
        return 1;
    }
    double one = peak(1, 3);
    double all = threads == 1 ? one : peak(threads, 3);
    printf("{\"threads\": %d, \"vector_bits\": %d, \"gflops\": %.1f, \"gflops_one_thread\": %.1f}\n", threads, VEC_BITS, all, one);
    return 0;
}
