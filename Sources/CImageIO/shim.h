// libjpeg(-turbo) and libpng, for image-folder data sets (Debian: libjpeg-dev, libpng-dev).
#include <stdio.h>
#include <jpeglib.h>
#include <png.h>
