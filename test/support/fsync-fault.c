/*
 * fsync-fault: an LD_PRELOAD shim for test/log/fsync-fault.test.ts that makes fsync() and
 * fdatasync() fail with EIO, as a disk does when a write-back fails ("fsyncgate").
 *
 *   ETCHLOG_FSYNC_FAIL_AFTER=N   the first N calls succeed, later ones fail (unset: never fail)
 *   ETCHLOG_FSYNC_FAIL_COUNT=M   only M calls fail, then they succeed again (unset: all fail)
 *
 * Calls are counted over the whole process (every thread), fsync and fdatasync together.
 * Build: cc -shared -fPIC -o fsync-fault.so fsync-fault.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>

static atomic_long calls;
static long fail_after = -1;
static long fail_count = -1;

static long env_number(const char *name) {
  const char *s = getenv(name);
  if (s == NULL || *s == '\0') return -1;
  return strtol(s, NULL, 10);
}

__attribute__((constructor)) static void read_settings(void) {
  fail_after = env_number("ETCHLOG_FSYNC_FAIL_AFTER");
  fail_count = env_number("ETCHLOG_FSYNC_FAIL_COUNT");
}

/* Counts this call; true when it must fail. */
static int must_fail(void) {
  long n = atomic_fetch_add(&calls, 1);
  if (fail_after < 0 || n < fail_after) return 0;
  return fail_count < 0 || n < fail_after + fail_count;
}

typedef int (*sync_fn)(int);

static int call_real(const char *name, int fd) {
  sync_fn real = (sync_fn)dlsym(RTLD_NEXT, name);
  if (real == NULL) {
    errno = ENOSYS;
    return -1;
  }
  return real(fd);
}

int fsync(int fd) {
  if (must_fail()) {
    errno = EIO;
    return -1;
  }
  return call_real("fsync", fd);
}

int fdatasync(int fd) {
  if (must_fail()) {
    errno = EIO;
    return -1;
  }
  return call_real("fdatasync", fd);
}
