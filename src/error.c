/*
 * error.c - status codes and the messages that go with them.  Messages are
 * kept in the caller's smp_error, never in a global, so threads don't mix
 * them up.
 */
#include <stdarg.h>
#include "internal.h"

const char *smp_strerror(smp_status status)
{
    switch (status) {
    case SMP_OK: return "success";
    case SMP_ERR_NOMEM: return "out of memory";
    case SMP_ERR_IO: return "input/output error";
    case SMP_ERR_FORMAT: return "unsupported file format";
    case SMP_ERR_CORRUPT: return "corrupt or truncated image";
    case SMP_ERR_LIMIT: return "image dimensions out of limits";
    case SMP_ERR_ARG: return "invalid argument";
    case SMP_ERR_CANCELLED: return "cancelled";
    case SMP_ERR_REGION: return "nothing to treat";
    }
    return "unknown error";
}

smp_status smp_fail(smp_error *err, smp_status status, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->status = status;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
        /* one line: a library message must never break the CLI's output */
        for (char *c = err->msg; *c; c++)
            if (*c == '\n' || *c == '\r')
                *c = ' ';
    }
    return status;
}
