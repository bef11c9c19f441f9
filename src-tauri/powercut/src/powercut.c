/*
 * A SQLite VFS for power-loss tests, in the spirit of the crash tests SQLite
 * runs on itself. It wraps the default VFS and remembers, for every write and
 * truncate since a file's last sync, both what it replaced and what it wrote.
 *
 * At an armed point (the Nth write, truncate or sync) the power goes: that
 * operation does not complete and every later one fails, so nothing more
 * reaches the disk. When the power comes back (powercut_power_back, with no
 * connection open), each tracked file is first put back to exactly what its
 * last sync made durable, then a random subset of the unsynced work is
 * replayed in order, 512-byte sector by sector: some writes are lost, some
 * reached the platter, some are torn. That is what a disk with a volatile
 * write cache may leave behind.
 *
 * Not modelled: directory entries (a created or deleted file is durable at
 * once) and the shared-memory index (the -shm file is removed on power-back,
 * as its contents after a crash are arbitrary and SQLite rebuilds it).
 */
#include <sqlite3.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SECTOR 512

typedef struct Op {
  int truncate;          /* 0: a write; 1: a truncate to `offset` */
  sqlite3_int64 offset;
  int length;            /* bytes in before/after */
  unsigned char *before; /* what the range held (zeros past the old end) */
  unsigned char *after;  /* what was written (writes only) */
  struct Op *newer, *older;
} Op;

typedef struct Tracked {
  char *path;
  sqlite3_int64 synced_size; /* the size its last sync made durable */
  Op *oldest, *newest;       /* unsynced operations */
  struct Tracked *next;
} Tracked;

typedef struct PcFile {
  sqlite3_file base;
  Tracked *tracked; /* NULL for files that need not survive (temporary ones) */
  sqlite3_file *real;
} PcFile;

static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static sqlite3_vfs *underlying;
static sqlite3_vfs powercut_vfs;
static Tracked *all_tracked;
static long long ops_until_cut = -1; /* -1: never */
static int power_is_cut;
static unsigned long long random_state = 0x9E3779B97F4A7C15ull;
static long long unsynced_ops_seen;

static unsigned long long next_random(void) {
  /* xorshift64* */
  random_state ^= random_state >> 12;
  random_state ^= random_state << 25;
  random_state ^= random_state >> 27;
  return random_state * 2685821657736338717ull;
}

/* Called with state_lock held before an operation that reaches the disk.
 * Returns 1 when the power is (now) off. */
static int power_fails_now(void) {
  if (power_is_cut) return 1;
  if (ops_until_cut > 0 && --ops_until_cut == 0) {
    power_is_cut = 1;
    return 1;
  }
  return 0;
}

static void free_ops(Tracked *t) {
  Op *op = t->oldest;
  while (op) {
    Op *next = op->newer;
    free(op->before);
    free(op->after);
    free(op);
    op = next;
  }
  t->oldest = t->newest = NULL;
}

static Tracked *track(const char *path, sqlite3_int64 size) {
  Tracked *t;
  for (t = all_tracked; t; t = t->next) {
    if (strcmp(t->path, path) == 0) return t;
  }
  t = calloc(1, sizeof(Tracked));
  if (!t) return NULL;
  t->path = strdup(path);
  if (!t->path) {
    free(t);
    return NULL;
  }
  t->synced_size = size;
  t->next = all_tracked;
  all_tracked = t;
  return t;
}

static void remember(Tracked *t, Op *op) {
  op->newer = NULL;
  op->older = t->newest;
  if (t->newest) t->newest->newer = op; else t->oldest = op;
  t->newest = op;
  unsynced_ops_seen++;
}

/* The bytes [offset, offset+length) as they are now, zeros past the end. */
static unsigned char *read_range(sqlite3_file *real, sqlite3_int64 offset, int length) {
  unsigned char *bytes = calloc(1, length > 0 ? (size_t)length : 1);
  if (!bytes) return NULL;
  int rc = real->pMethods->xRead(real, bytes, length, offset);
  if (rc != SQLITE_OK && rc != SQLITE_IOERR_SHORT_READ) {
    free(bytes);
    return NULL;
  }
  return bytes;
}

/* ---- file methods ------------------------------------------------------ */

static int pc_close(sqlite3_file *file) {
  PcFile *p = (PcFile *)file;
  return p->real->pMethods->xClose(p->real);
}

static int pc_read(sqlite3_file *file, void *buffer, int amount, sqlite3_int64 offset) {
  PcFile *p = (PcFile *)file;
  if (power_is_cut) return SQLITE_IOERR_READ;
  return p->real->pMethods->xRead(p->real, buffer, amount, offset);
}

static int pc_write(sqlite3_file *file, const void *buffer, int amount, sqlite3_int64 offset) {
  PcFile *p = (PcFile *)file;
  int rc;
  pthread_mutex_lock(&state_lock);
  if (power_is_cut) {
    pthread_mutex_unlock(&state_lock);
    return SQLITE_IOERR_WRITE;
  }
  if (p->tracked) {
    Op *op = calloc(1, sizeof(Op));
    if (!op) goto nomem;
    op->offset = offset;
    op->length = amount;
    op->before = read_range(p->real, offset, amount);
    op->after = malloc(amount > 0 ? (size_t)amount : 1);
    if (!op->before || !op->after) {
      free(op->before);
      free(op->after);
      free(op);
      goto nomem;
    }
    memcpy(op->after, buffer, (size_t)amount);
    remember(p->tracked, op);
  }
  /* The write at the cut point may still land, whole or torn: it is in the
   * unsynced set like any other; the caller is told it failed. */
  rc = p->real->pMethods->xWrite(p->real, buffer, amount, offset);
  if (p->tracked && power_fails_now()) rc = SQLITE_IOERR_WRITE;
  pthread_mutex_unlock(&state_lock);
  return rc;
nomem:
  pthread_mutex_unlock(&state_lock);
  return SQLITE_NOMEM;
}

static int pc_truncate(sqlite3_file *file, sqlite3_int64 size) {
  PcFile *p = (PcFile *)file;
  int rc;
  pthread_mutex_lock(&state_lock);
  if (p->tracked && power_fails_now()) {
    pthread_mutex_unlock(&state_lock);
    return SQLITE_IOERR_TRUNCATE;
  }
  if (p->tracked) {
    sqlite3_int64 current = 0;
    rc = p->real->pMethods->xFileSize(p->real, &current);
    if (rc != SQLITE_OK) goto done;
    if (current > size) {
      Op *op = calloc(1, sizeof(Op));
      if (!op) {
        rc = SQLITE_NOMEM;
        goto done;
      }
      op->truncate = 1;
      op->offset = size;
      op->length = (int)(current - size);
      op->before = read_range(p->real, size, op->length);
      if (!op->before) {
        free(op);
        rc = SQLITE_NOMEM;
        goto done;
      }
      remember(p->tracked, op);
    }
  }
  rc = p->real->pMethods->xTruncate(p->real, size);
done:
  pthread_mutex_unlock(&state_lock);
  return rc;
}

static int pc_sync(sqlite3_file *file, int flags) {
  PcFile *p = (PcFile *)file;
  int rc;
  pthread_mutex_lock(&state_lock);
  if (p->tracked ? power_fails_now() : power_is_cut) {
    pthread_mutex_unlock(&state_lock);
    return SQLITE_IOERR_FSYNC;
  }
  rc = p->real->pMethods->xSync(p->real, flags);
  if (rc == SQLITE_OK && p->tracked) {
    sqlite3_int64 size = 0;
    if (p->real->pMethods->xFileSize(p->real, &size) == SQLITE_OK) {
      free_ops(p->tracked);
      p->tracked->synced_size = size;
    }
  }
  pthread_mutex_unlock(&state_lock);
  return rc;
}

static int pc_file_size(sqlite3_file *file, sqlite3_int64 *size) {
  PcFile *p = (PcFile *)file;
  if (power_is_cut) return SQLITE_IOERR_FSTAT;
  return p->real->pMethods->xFileSize(p->real, size);
}

static int pc_lock(sqlite3_file *file, int level) {
  PcFile *p = (PcFile *)file;
  if (power_is_cut) return SQLITE_IOERR_LOCK;
  return p->real->pMethods->xLock(p->real, level);
}

/* Unlocking always goes through, so connections can be closed after the cut. */
static int pc_unlock(sqlite3_file *file, int level) {
  PcFile *p = (PcFile *)file;
  return p->real->pMethods->xUnlock(p->real, level);
}

static int pc_check_reserved_lock(sqlite3_file *file, int *out) {
  PcFile *p = (PcFile *)file;
  return p->real->pMethods->xCheckReservedLock(p->real, out);
}

static int pc_file_control(sqlite3_file *file, int op, void *arg) {
  PcFile *p = (PcFile *)file;
  return p->real->pMethods->xFileControl(p->real, op, arg);
}

static int pc_sector_size(sqlite3_file *file) {
  PcFile *p = (PcFile *)file;
  return p->real->pMethods->xSectorSize(p->real);
}

static int pc_device_characteristics(sqlite3_file *file) {
  PcFile *p = (PcFile *)file;
  return p->real->pMethods->xDeviceCharacteristics(p->real);
}

static int pc_shm_map(sqlite3_file *file, int page, int size, int extend, void volatile **out) {
  PcFile *p = (PcFile *)file;
  return p->real->pMethods->xShmMap(p->real, page, size, extend, out);
}

static int pc_shm_lock(sqlite3_file *file, int offset, int n, int flags) {
  PcFile *p = (PcFile *)file;
  return p->real->pMethods->xShmLock(p->real, offset, n, flags);
}

static void pc_shm_barrier(sqlite3_file *file) {
  PcFile *p = (PcFile *)file;
  p->real->pMethods->xShmBarrier(p->real);
}

static int pc_shm_unmap(sqlite3_file *file, int delete_flag) {
  PcFile *p = (PcFile *)file;
  return p->real->pMethods->xShmUnmap(p->real, delete_flag);
}

static const sqlite3_io_methods powercut_methods = {
    2, /* with shared memory, without memory-mapped I/O */
    pc_close,
    pc_read,
    pc_write,
    pc_truncate,
    pc_sync,
    pc_file_size,
    pc_lock,
    pc_unlock,
    pc_check_reserved_lock,
    pc_file_control,
    pc_sector_size,
    pc_device_characteristics,
    pc_shm_map,
    pc_shm_lock,
    pc_shm_barrier,
    pc_shm_unmap,
    0,
    0,
};

/* ---- VFS methods ------------------------------------------------------- */

static int pc_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags, int *out_flags) {
  PcFile *p = (PcFile *)file;
  int durable = SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_WAL | SQLITE_OPEN_MAIN_JOURNAL | SQLITE_OPEN_SUPER_JOURNAL;
  int rc;
  (void)vfs;
  memset(p, 0, sizeof(PcFile));
  p->real = (sqlite3_file *)&p[1];
  if (power_is_cut) return SQLITE_CANTOPEN;
  rc = underlying->xOpen(underlying, name, p->real, flags, out_flags);
  if (rc != SQLITE_OK) return rc;
  if (name && (flags & durable)) {
    sqlite3_int64 size = 0;
    p->real->pMethods->xFileSize(p->real, &size);
    pthread_mutex_lock(&state_lock);
    p->tracked = track(name, size);
    pthread_mutex_unlock(&state_lock);
    if (!p->tracked) {
      p->real->pMethods->xClose(p->real);
      return SQLITE_NOMEM;
    }
  }
  p->base.pMethods = &powercut_methods;
  return SQLITE_OK;
}

static int pc_delete(sqlite3_vfs *vfs, const char *name, int sync_dir) {
  Tracked *t;
  int rc;
  (void)vfs;
  pthread_mutex_lock(&state_lock);
  if (power_is_cut) {
    pthread_mutex_unlock(&state_lock);
    return SQLITE_IOERR_DELETE;
  }
  rc = underlying->xDelete(underlying, name, sync_dir);
  if (rc == SQLITE_OK) {
    for (t = all_tracked; t; t = t->next) {
      if (strcmp(t->path, name) == 0) {
        free_ops(t);
        t->synced_size = 0;
      }
    }
  }
  pthread_mutex_unlock(&state_lock);
  return rc;
}

static int pc_access(sqlite3_vfs *vfs, const char *name, int flags, int *out) {
  (void)vfs;
  return underlying->xAccess(underlying, name, flags, out);
}

static int pc_full_pathname(sqlite3_vfs *vfs, const char *name, int size, char *out) {
  (void)vfs;
  return underlying->xFullPathname(underlying, name, size, out);
}

static void *pc_dl_open(sqlite3_vfs *vfs, const char *name) {
  (void)vfs;
  return underlying->xDlOpen(underlying, name);
}

static void pc_dl_error(sqlite3_vfs *vfs, int size, char *out) {
  (void)vfs;
  underlying->xDlError(underlying, size, out);
}

static void (*pc_dl_sym(sqlite3_vfs *vfs, void *handle, const char *symbol))(void) {
  (void)vfs;
  return underlying->xDlSym(underlying, handle, symbol);
}

static void pc_dl_close(sqlite3_vfs *vfs, void *handle) {
  (void)vfs;
  underlying->xDlClose(underlying, handle);
}

static int pc_randomness(sqlite3_vfs *vfs, int size, char *out) {
  (void)vfs;
  return underlying->xRandomness(underlying, size, out);
}

static int pc_sleep(sqlite3_vfs *vfs, int micros) {
  (void)vfs;
  return underlying->xSleep(underlying, micros);
}

static int pc_current_time(sqlite3_vfs *vfs, double *out) {
  (void)vfs;
  return underlying->xCurrentTime(underlying, out);
}

static int pc_get_last_error(sqlite3_vfs *vfs, int size, char *out) {
  (void)vfs;
  return underlying->xGetLastError(underlying, size, out);
}

static int pc_current_time_int64(sqlite3_vfs *vfs, sqlite3_int64 *out) {
  (void)vfs;
  return underlying->xCurrentTimeInt64(underlying, out);
}

/* ---- the controls the tests use --------------------------------------- */

/* Registers the VFS as the default one (every connection opened afterwards
 * goes through it). Idempotent. Returns a SQLite result code. */
int powercut_install(void) {
  if (underlying) return SQLITE_OK;
  int rc = sqlite3_initialize();
  if (rc != SQLITE_OK) return rc;
  underlying = sqlite3_vfs_find(0);
  if (!underlying) return SQLITE_ERROR;
  powercut_vfs.iVersion = 2;
  powercut_vfs.szOsFile = (int)sizeof(PcFile) + underlying->szOsFile;
  powercut_vfs.mxPathname = underlying->mxPathname;
  powercut_vfs.zName = "powercut";
  powercut_vfs.xOpen = pc_open;
  powercut_vfs.xDelete = pc_delete;
  powercut_vfs.xAccess = pc_access;
  powercut_vfs.xFullPathname = pc_full_pathname;
  powercut_vfs.xDlOpen = pc_dl_open;
  powercut_vfs.xDlError = pc_dl_error;
  powercut_vfs.xDlSym = pc_dl_sym;
  powercut_vfs.xDlClose = pc_dl_close;
  powercut_vfs.xRandomness = pc_randomness;
  powercut_vfs.xSleep = pc_sleep;
  powercut_vfs.xCurrentTime = pc_current_time;
  powercut_vfs.xGetLastError = pc_get_last_error;
  powercut_vfs.xCurrentTimeInt64 = pc_current_time_int64;
  return sqlite3_vfs_register(&powercut_vfs, 1);
}

/* The power goes at the `ops`-th write, truncate or sync from now (0: never). */
void powercut_arm(long long ops, unsigned long long seed) {
  pthread_mutex_lock(&state_lock);
  ops_until_cut = ops > 0 ? ops : -1;
  random_state = seed ? seed : 0x9E3779B97F4A7C15ull;
  power_is_cut = 0;
  pthread_mutex_unlock(&state_lock);
}

int powercut_is_cut(void) {
  return power_is_cut;
}

/* Unsynced operations recorded since the last power-back. */
long long powercut_unsynced_ops_seen(void) {
  return unsynced_ops_seen;
}

static int write_all(int fd, const unsigned char *bytes, size_t length, off_t offset) {
  while (length > 0) {
    ssize_t n = pwrite(fd, bytes, length, offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return -1;
    }
    bytes += n;
    length -= (size_t)n;
    offset += n;
  }
  return 0;
}

/* Puts one file back to what its last sync made durable, then replays a
 * random subset of the unsynced work. Returns 0, or -1 with errno set. */
static int power_back_file(Tracked *t, long long *kept, long long *lost) {
  Op *op;
  int fd = open(t->path, O_RDWR);
  if (fd < 0) {
    if (errno == ENOENT) return 0; /* deleted: deletions are durable */
    return -1;
  }
  /* 1. Undo everything, newest first: the image of the last sync. */
  for (op = t->newest; op; op = op->older) {
    if (write_all(fd, op->before, (size_t)op->length, op->offset) != 0) goto fail;
  }
  if (ftruncate(fd, t->synced_size) != 0) goto fail;
  /* 2. Redo a random subset, oldest first, sector by sector. How much
   *    survives varies by round: all lost, all kept, or a mix. */
  unsigned long long mood = next_random() % 4; /* 0: nothing kept, 1: everything, else: a mix */
  for (op = t->oldest; op; op = op->newer) {
    if (op->truncate) {
      int keep = mood == 1 || (mood > 1 && (next_random() & 1));
      if (keep && ftruncate(fd, op->offset) != 0) goto fail;
      if (keep) (*kept)++; else (*lost)++;
      continue;
    }
    sqlite3_int64 start = op->offset, end = op->offset + op->length;
    while (start < end) {
      sqlite3_int64 chunk_end = (start / SECTOR + 1) * SECTOR;
      if (chunk_end > end) chunk_end = end;
      int keep = mood == 1 || (mood > 1 && (next_random() & 1));
      if (keep) {
        if (write_all(fd, op->after + (start - op->offset), (size_t)(chunk_end - start), start) != 0) goto fail;
        (*kept)++;
      } else {
        (*lost)++;
      }
      start = chunk_end;
    }
  }
  if (fsync(fd) != 0) goto fail;
  close(fd);
  return 0;
fail:
  {
    int saved = errno;
    close(fd);
    errno = saved;
  }
  return -1;
}

/* The power comes back: call with no connection open. Every tracked file is
 * put in a state a real disk could have been left in, the -shm files are
 * removed, and the power is on (and disarmed) again. Returns 0, or errno. */
int powercut_power_back(long long *sectors_kept, long long *sectors_lost) {
  Tracked *t;
  int error = 0;
  *sectors_kept = 0;
  *sectors_lost = 0;
  pthread_mutex_lock(&state_lock);
  for (t = all_tracked; t; t = t->next) {
    if (!error && power_back_file(t, sectors_kept, sectors_lost) != 0) error = errno ? errno : EIO;
    free_ops(t);
    size_t length = strlen(t->path);
    char *shm = malloc(length + 5);
    if (shm) {
      memcpy(shm, t->path, length);
      memcpy(shm + length, "-shm", 5);
      unlink(shm);
      free(shm);
    }
  }
  /* Forget the files: the next round starts from what is on disk. */
  while (all_tracked) {
    t = all_tracked;
    all_tracked = t->next;
    free(t->path);
    free(t);
  }
  power_is_cut = 0;
  ops_until_cut = -1;
  unsynced_ops_seen = 0;
  pthread_mutex_unlock(&state_lock);
  return error;
}
