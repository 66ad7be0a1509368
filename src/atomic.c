/*
 * atomic.c - outputs appear whole or not at all.  A file is written under a
 * hidden temporary name in its destination's directory (so the final
 * rename(2) cannot cross file systems), then renamed over the destination.
 * Any failure removes the temporary and leaves an existing destination
 * untouched.  There is no fsync: the guarantee is against errors, full
 * disks and interruptions, which is what previews need; waiting for the
 * disk on every file would double the wall time of a render.
 *
 * A destination that exists and is not a regular file (/dev/null, a
 * terminal, a pipe) has no contents to protect, and renaming over it would
 * replace the device or pipe itself (as root, /dev/full by a regular
 * file): such a destination is written straight through instead.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"

/* Opens an existing non-regular file for writing without waiting for a
 * reader (a pipe nobody reads fails at once instead of hanging). */
static smp_status open_through(smp_atomic *a, smp_error *err)
{
    int fd = open(a->path, O_WRONLY | O_NONBLOCK | O_NOCTTY);
    int e = errno;
    if (fd >= 0 && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0)
        e = errno;
    else if (fd >= 0 && !(a->fp = fdopen(fd, "wb")))
        e = errno;
    if (!a->fp) {
        if (fd >= 0)
            close(fd);
        smp_status st = smp_fail(err, SMP_ERR_IO, "%s: cannot open: %s",
                                 a->path, strerror(e));
        smp_atomic_abort(a);
        return st;
    }
    return SMP_OK;
}

smp_status smp_atomic_open(smp_atomic *a, const char *path, smp_error *err)
{
    memset(a, 0, sizeof *a);
    size_t n = strlen(path);
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    a->path = malloc(n + 1);
    if (!a->path)
        return smp_fail(err, SMP_ERR_NOMEM, "out of memory");
    memcpy(a->path, path, n + 1);
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (!S_ISDIR(st.st_mode))
            return open_through(a, err);
        smp_atomic_abort(a);
        return smp_fail(err, SMP_ERR_IO, "%s: is a directory", path);
    }
    a->tmp = malloc(n + 32);
    if (!a->tmp) {
        smp_atomic_abort(a);
        return smp_fail(err, SMP_ERR_NOMEM, "out of memory");
    }
    memcpy(a->tmp, path, dirlen);
    snprintf(a->tmp + dirlen, n + 32 - dirlen, ".%s.smpr-XXXXXX",
             path + dirlen);
    int fd = mkstemp(a->tmp);
    if (fd < 0) {
        int e = errno;
        free(a->tmp);
        a->tmp = NULL;
        smp_atomic_abort(a);
        return smp_fail(err, SMP_ERR_IO, "%s: cannot create: %s", path,
                        strerror(e));
    }
    /* mkstemp makes 0600; outputs are ordinary files */
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    a->fp = fdopen(fd, "wb");
    if (!a->fp) {
        close(fd);
        smp_atomic_abort(a);
        return smp_fail(err, SMP_ERR_NOMEM, "out of memory");
    }
    return SMP_OK;
}

smp_status smp_atomic_close(smp_atomic *a, smp_error *err)
{
    if (!a->fp)
        return SMP_OK;
    errno = 0;
    int e = 0;
    if (fflush(a->fp) != 0 || ferror(a->fp))
        e = errno ? errno : EIO;
    errno = 0;
    if (fclose(a->fp) != 0 && !e)
        e = errno ? errno : EIO;
    a->fp = NULL;
    if (e)
        return smp_fail(err, SMP_ERR_IO, "%s: cannot write: %s", a->path,
                        strerror(e));
    return SMP_OK;
}

smp_status smp_atomic_commit(smp_atomic *a, smp_error *err)
{
    smp_status st = smp_atomic_close(a, err);
    if (st == SMP_OK && a->tmp && rename(a->tmp, a->path) != 0)
        st = smp_fail(err, SMP_ERR_IO, "%s: cannot write: %s", a->path,
                      strerror(errno));
    if (st != SMP_OK) {
        smp_atomic_abort(a);
        return st;
    }
    free(a->tmp);
    a->tmp = NULL;
    smp_atomic_abort(a);
    return SMP_OK;
}

void smp_atomic_abort(smp_atomic *a)
{
    if (a->fp)
        fclose(a->fp);
    if (a->tmp)
        unlink(a->tmp);
    free(a->tmp);
    free(a->path);
    memset(a, 0, sizeof *a);
}
