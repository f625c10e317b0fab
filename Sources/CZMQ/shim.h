// ZeroMQ, the transport of the Jupyter messaging protocol (Debian: libzmq3-dev).
#include <zmq.h>
