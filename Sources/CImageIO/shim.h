// libjpeg(-turbo) and libpng, for image-folder data sets (Debian: libjpeg-dev, libpng-dev).
//
// libjpeg reports a fatal error by calling the error manager's `error_exit`, which must not return; the
// documented answer is `setjmp`/`longjmp`. Swift frames must never be jumped over, so the whole libjpeg run
// (create, read or write, destroy) happens inside the C helpers below: the jump starts and lands in the
// same C function, and Swift only sees a status code and a message.
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

/// How a libjpeg helper ended.
enum {
    RNX_JPEG_OK = 0,
    /// libjpeg failed (`message` holds its text).
    RNX_JPEG_FAILED = 1,
    /// The image data is damaged: truncated or corrupt entropy-coded data (`message` holds the warning).
    RNX_JPEG_DAMAGED = 2,
    /// The image declares more pixels than the caller allows (`width` and `height` are set).
    RNX_JPEG_TOO_LARGE = 3,
    /// Memory for the pixels or the compressed bytes could not be allocated, or decoding needs more
    /// working memory than the caller allows (`message` says which).
    RNX_JPEG_OUT_OF_MEMORY = 4,
};

/// The outcome of `rnx_jpeg_decode` or `rnx_jpeg_encode`. `data` is malloc'ed; the caller frees it.
typedef struct {
    int status;
    /// libjpeg's message for FAILED or DAMAGED, NUL-terminated.
    char message[JMSG_LENGTH_MAX];
    /// Decoding: width × height × channels interleaved pixels. Encoding: the JPEG file's bytes.
    unsigned char *data;
    size_t size;
    int width;
    int height;
    /// 1 (gray), 3 (RGB) or 4 (CMYK, which libjpeg cannot turn into RGB itself).
    int channels;
    /// Whether CMYK values are stored inverted (files with an Adobe marker, as Photoshop writes them).
    int adobe_inverted;
} rnx_jpeg_result;

/// libjpeg's error manager extended with the jump target and the result to fill in.
typedef struct {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    rnx_jpeg_result *result;
    /// Set once pixels are being decoded: from then on a damage warning ends the run at once.
    int stop_when_damaged;
} rnx_jpeg_error_manager;

/// Ends the run: records `status` (the message is already in the result) and jumps back into the helper.
static inline void rnx_jpeg_fail(j_common_ptr common, int status) {
    rnx_jpeg_error_manager *errors = (rnx_jpeg_error_manager *)common->err;
    errors->result->status = status;
    longjmp(errors->jump, 1);
}

/// Fatal errors: keep the message and jump back into the helper that started the run. Running out of the
/// working-memory limit shows up as libjpeg's "Backing store not supported" (it would spill to disk).
static inline void rnx_jpeg_error_exit(j_common_ptr common) {
    rnx_jpeg_error_manager *errors = (rnx_jpeg_error_manager *)common->err;
    if (common->err->msg_code == JERR_NO_BACKING_STORE) {
        snprintf(errors->result->message, JMSG_LENGTH_MAX, "decoding needs more working memory than the limit of %ld MiB",
                 common->mem->max_memory_to_use >> 20);
        rnx_jpeg_fail(common, RNX_JPEG_OUT_OF_MEMORY);
    }
    errors->manager.format_message(common, errors->result->message);
    rnx_jpeg_fail(common, RNX_JPEG_FAILED);
}

/// Keeps the first warning that means the pixels are damaged (a truncated file, bad entropy-coded data);
/// stray bytes between markers, common in camera files, decode fine and are ignored, as are trace messages
/// (level >= 0). While reading the header, libjpeg goes on (a fatal error that follows explains more);
/// once pixels are decoded, damage ends the run: the caller rejects such images anyway, and stopping at
/// once keeps a corrupt file that declares a huge image from costing the time and memory of decoding garbage.
static inline void rnx_jpeg_emit_message(j_common_ptr common, int level) {
    if (level >= 0) return;
    rnx_jpeg_error_manager *errors = (rnx_jpeg_error_manager *)common->err;
    char text[JMSG_LENGTH_MAX];
    errors->manager.format_message(common, text);
    int damaged = (strncmp(text, "Corrupt JPEG data", 17) == 0 || strncmp(text, "Premature end of JPEG file", 26) == 0)
        && strstr(text, "extraneous bytes") == NULL;
    if (!damaged) return;
    if (errors->result->status != RNX_JPEG_DAMAGED) {
        memcpy(errors->result->message, text, JMSG_LENGTH_MAX);
        errors->result->status = RNX_JPEG_DAMAGED;
    }
    if (errors->stop_when_damaged) rnx_jpeg_fail(common, RNX_JPEG_DAMAGED);
}

/// Keeps libjpeg from printing to stderr.
static inline void rnx_jpeg_output_message(j_common_ptr common) { (void)common; }

static inline void rnx_jpeg_install_errors(rnx_jpeg_error_manager *errors, rnx_jpeg_result *result) {
    jpeg_std_error(&errors->manager);
    errors->manager.error_exit = rnx_jpeg_error_exit;
    errors->manager.emit_message = rnx_jpeg_emit_message;
    errors->manager.output_message = rnx_jpeg_output_message;
    errors->result = result;
}

/// Everything one decoding run changes lives here, in allocated memory: after a `longjmp`, C guarantees
/// the values of non-volatile local variables changed since `setjmp` no longer, but heap memory is exact.
typedef struct {
    struct jpeg_decompress_struct info;
    rnx_jpeg_error_manager errors;
    unsigned char *pixels;
} rnx_jpeg_decoder;

/// Decodes the JPEG in `bytes[0..<count]` into `result` as 8-bit interleaved pixels: gray when `gray` is
/// non-zero, otherwise RGB; CMYK files come out as CMYK (4 channels) for the caller to convert. Images of
/// more than `max_pixels` pixels are refused before any pixel memory is allocated, and libjpeg's own working
/// memory (whole-image coefficient buffers of progressive files) is limited to `max_memory` bytes. Returns
/// `result->status`; on success the caller frees `result->data`.
static inline int rnx_jpeg_decode(const unsigned char *bytes, size_t count, int gray, size_t max_pixels, long max_memory,
                                  rnx_jpeg_result *result) {
    memset(result, 0, sizeof *result);
    rnx_jpeg_decoder *decoder = (rnx_jpeg_decoder *)calloc(1, sizeof *decoder);
    if (decoder == NULL) return result->status = RNX_JPEG_OUT_OF_MEMORY;
    j_decompress_ptr info = &decoder->info;
    rnx_jpeg_install_errors(&decoder->errors, result);
    info->err = &decoder->errors.manager;
    if (setjmp(decoder->errors.jump)) {
        jpeg_destroy_decompress(info);
        free(decoder->pixels);
        free(decoder);
        return result->status;
    }
    jpeg_create_decompress(info);
    info->mem->max_memory_to_use = max_memory;
    jpeg_mem_src(info, bytes, (unsigned long)count);
    jpeg_read_header(info, TRUE);
    int cmyk = info->jpeg_color_space == JCS_CMYK || info->jpeg_color_space == JCS_YCCK;
    info->out_color_space = cmyk ? JCS_CMYK : (gray ? JCS_GRAYSCALE : JCS_RGB);
    result->adobe_inverted = info->saw_Adobe_marker != 0;
    jpeg_calc_output_dimensions(info);
    result->width = (int)info->output_width;
    result->height = (int)info->output_height;
    result->channels = info->out_color_components;
    size_t width = info->output_width, height = info->output_height, channels = (size_t)info->out_color_components;
    if (height != 0 && width > max_pixels / height) {
        jpeg_destroy_decompress(info);
        free(decoder);
        return result->status = RNX_JPEG_TOO_LARGE;
    }
    decoder->errors.stop_when_damaged = 1;
    if (result->status == RNX_JPEG_DAMAGED) rnx_jpeg_fail((j_common_ptr)info, RNX_JPEG_DAMAGED);
    jpeg_start_decompress(info);
    size_t stride = width * channels;
    decoder->pixels = (unsigned char *)malloc(stride * height > 0 ? stride * height : 1);
    if (decoder->pixels == NULL) {
        jpeg_destroy_decompress(info);
        free(decoder);
        return result->status = RNX_JPEG_OUT_OF_MEMORY;
    }
    while (info->output_scanline < info->output_height) {
        JSAMPROW row = decoder->pixels + (size_t)info->output_scanline * stride;
        jpeg_read_scanlines(info, &row, 1);
    }
    jpeg_finish_decompress(info);
    jpeg_destroy_decompress(info);
    result->data = decoder->pixels;
    result->size = stride * height;
    free(decoder);
    return result->status;
}

/// Everything one encoding run changes, in allocated memory (see `rnx_jpeg_decoder`). The compressed bytes
/// collect in a growing buffer this code owns, so that it can be freed after a failure (the buffer of
/// libjpeg's own `jpeg_mem_dest` cannot be reached then).
typedef struct {
    struct jpeg_compress_struct info;
    rnx_jpeg_error_manager errors;
    struct jpeg_destination_mgr destination;
    unsigned char *buffer;
    size_t capacity;
    size_t size;
} rnx_jpeg_encoder;

static inline void rnx_jpeg_destination_init(j_compress_ptr info) {
    rnx_jpeg_encoder *encoder = (rnx_jpeg_encoder *)info->client_data;
    encoder->destination.next_output_byte = encoder->buffer;
    encoder->destination.free_in_buffer = encoder->capacity;
}

static inline boolean rnx_jpeg_destination_grow(j_compress_ptr info) {
    rnx_jpeg_encoder *encoder = (rnx_jpeg_encoder *)info->client_data;
    size_t used = encoder->capacity;
    unsigned char *larger = (unsigned char *)realloc(encoder->buffer, encoder->capacity * 2);
    if (larger == NULL) {
        snprintf(encoder->errors.result->message, JMSG_LENGTH_MAX, "out of memory for %zu bytes of JPEG data", encoder->capacity * 2);
        rnx_jpeg_fail((j_common_ptr)info, RNX_JPEG_OUT_OF_MEMORY);
    }
    encoder->buffer = larger;
    encoder->capacity *= 2;
    encoder->destination.next_output_byte = larger + used;
    encoder->destination.free_in_buffer = encoder->capacity - used;
    return TRUE;
}

static inline void rnx_jpeg_destination_term(j_compress_ptr info) {
    rnx_jpeg_encoder *encoder = (rnx_jpeg_encoder *)info->client_data;
    encoder->size = encoder->capacity - encoder->destination.free_in_buffer;
}

/// Encodes `width` × `height` interleaved 8-bit pixels of 1 (gray) or 3 (RGB) channels at `quality`
/// (1…100) into `result` as a JPEG file's bytes. Returns `result->status`; on success the caller frees
/// `result->data`.
static inline int rnx_jpeg_encode(const unsigned char *pixels, int width, int height, int channels, int quality, rnx_jpeg_result *result) {
    memset(result, 0, sizeof *result);
    rnx_jpeg_encoder *encoder = (rnx_jpeg_encoder *)calloc(1, sizeof *encoder);
    if (encoder == NULL) return result->status = RNX_JPEG_OUT_OF_MEMORY;
    encoder->capacity = 1 << 16;
    encoder->buffer = (unsigned char *)malloc(encoder->capacity);
    if (encoder->buffer == NULL) {
        free(encoder);
        return result->status = RNX_JPEG_OUT_OF_MEMORY;
    }
    j_compress_ptr info = &encoder->info;
    rnx_jpeg_install_errors(&encoder->errors, result);
    info->err = &encoder->errors.manager;
    if (setjmp(encoder->errors.jump)) {
        jpeg_destroy_compress(info);
        free(encoder->buffer);
        free(encoder);
        return result->status;
    }
    jpeg_create_compress(info);
    info->client_data = encoder;
    encoder->destination.init_destination = rnx_jpeg_destination_init;
    encoder->destination.empty_output_buffer = rnx_jpeg_destination_grow;
    encoder->destination.term_destination = rnx_jpeg_destination_term;
    info->dest = &encoder->destination;
    info->image_width = (JDIMENSION)width;
    info->image_height = (JDIMENSION)height;
    info->input_components = channels;
    info->in_color_space = channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(info);
    jpeg_set_quality(info, quality, TRUE);
    jpeg_start_compress(info, TRUE);
    size_t stride = (size_t)width * (size_t)channels;
    while (info->next_scanline < info->image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + (size_t)info->next_scanline * stride);
        jpeg_write_scanlines(info, &row, 1);
    }
    jpeg_finish_compress(info);
    jpeg_destroy_compress(info);
    result->data = encoder->buffer;
    result->size = encoder->size;
    free(encoder);
    return result->status = RNX_JPEG_OK;
}
