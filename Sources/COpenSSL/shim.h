// OpenSSL's libcrypto, for the HMAC-SHA256 signatures of Jupyter messages (Debian: libssl-dev).
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
