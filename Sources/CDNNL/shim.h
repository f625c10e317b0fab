// oneDNN's C API (Debian: libdnnl-dev), for fast blocked-layout convolutions.
#include <dnnl.h>
