/* db_sqlite_vfs.c — the SQLite driver's VFS: the default one, except that writes to a WAL
 * file are gathered and reach the file in one pwrite per commit instead of two per page.
 *
 * SQLite writes each WAL frame as two pwrite(2)s (its 24-byte header, then the page), and a
 * question of the submission bench dirtied ~1.65 pages (the device index's random leaf among
 * them, before migration 0008 dropped it): ~3.3 write system calls a question on the group
 * committer's serial path, ~20 % of its time (docs/performance.md). Here a WAL file's writes
 * that continue where the previous one ended go into a buffer; anything else that touches the
 * file (xSync, xRead, xTruncate, xFileSize, xFileControl, xClose, a write elsewhere, a full
 * buffer) writes the buffer first.
 *
 * Why this keeps what a commit means: a COMMIT with synchronous=FULL (set on every
 * connection by db_sqlite.c) ends in xSync of the WAL, which writes the buffer and then
 * fsyncs, before SQLite publishes the frames in the WAL index — so other connections (the
 * checkpointer, readers) never see a frame that is only in the buffer, and a 201 still means
 * the frames are on disk. SQLite's own later reads of frames it wrote in the same
 * transaction (a spilled page) go through xRead, which writes the buffer first. Belt and
 * braces for modes without a sync at commit: the shared-memory barrier SQLite raises between
 * writing the two copies of the WAL index header also writes this thread's buffer first (a
 * connection is used by one thread at a time). Every other file is passed straight through. */
#include "store/db_internal.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* A buffer never holds more than WAL_BUF_MAX; a bigger run of frames goes out in pieces. It
 * is written WAL_WRITE_MAX at a time: the unix VFS's xWrite takes at most 128 KB - 1 a call
 * (seekAndWriteFd masks the length with 0x1ffff). */
enum { WAL_BUF_MAX = 4 << 20, WAL_BUF_MIN = 64 << 10, WAL_WRITE_MAX = 64 << 10 };

struct vfs_file {
	sqlite3_file base; /* base.pMethods = &vfs_methods */
	sqlite3_file *real; /* the default VFS's file, in the memory after this struct */
	bool wal; /* gather writes */
	int err; /* a failed write of the buffer not yet reported (by xSync) */
	unsigned char *buf;
	size_t len, cap;
	sqlite3_int64 off; /* the file offset of buf[0] */
};

/* Room for struct vfs_file, aligned for the real file after it. */
#define VFS_FILE_SIZE ((sizeof(struct vfs_file) + 15) & ~(size_t)15)

static sqlite3_vfs *vfs_default;
static sqlite3_vfs vfs_tala;
static _Thread_local struct vfs_file *vfs_pending; /* this thread's unwritten WAL buffer */

static sqlite3_file *real_of(sqlite3_file *f)
{
	return ((struct vfs_file *)f)->real;
}

/* Writes f's buffer to its file. */
static int vfs_flush(struct vfs_file *f)
{
	if (vfs_pending == f)
		vfs_pending = NULL;
	int rc = SQLITE_OK;
	for (size_t at = 0; at < f->len && rc == SQLITE_OK; at += WAL_WRITE_MAX) {
		size_t n = f->len - at < WAL_WRITE_MAX ? f->len - at : WAL_WRITE_MAX;
		rc = f->real->pMethods->xWrite(f->real, f->buf + at, (int)n,
					       f->off + (sqlite3_int64)at);
	}
	f->len = 0;
	if (rc != SQLITE_OK)
		f->err = rc; /* whichever call wrote it may not report it: xSync will */
	return rc;
}

static int vfs_close(sqlite3_file *file)
{
	struct vfs_file *f = (struct vfs_file *)file;
	int rc = vfs_flush(f);
	int rc2 = f->real->pMethods->xClose(f->real);
	free(f->buf);
	f->buf = NULL;
	f->cap = 0;
	return rc != SQLITE_OK ? rc : rc2;
}

static int vfs_read(sqlite3_file *file, void *p, int amt, sqlite3_int64 off)
{
	int rc = vfs_flush((struct vfs_file *)file);
	if (rc != SQLITE_OK)
		return rc;
	return real_of(file)->pMethods->xRead(real_of(file), p, amt, off);
}

static int vfs_write(sqlite3_file *file, const void *p, int amt, sqlite3_int64 off)
{
	struct vfs_file *f = (struct vfs_file *)file;
	int rc;
	if (!f->wal || amt <= 0)
		return f->real->pMethods->xWrite(f->real, p, amt, off);
	size_t n = (size_t)amt;
	if (f->len && (off != f->off + (sqlite3_int64)f->len || f->len + n > WAL_BUF_MAX)) {
		rc = vfs_flush(f);
		if (rc != SQLITE_OK)
			return rc;
	}
	if (n > WAL_WRITE_MAX)
		return f->real->pMethods->xWrite(f->real, p, amt, off); /* as SQLite would */
	if (f->len + n > f->cap) {
		size_t cap = f->cap ? f->cap : WAL_BUF_MIN;
		while (cap < f->len + n)
			cap *= 2;
		unsigned char *b = realloc(f->buf, cap);
		if (!b) { /* no bigger buffer: write what there is, then this one directly */
			rc = vfs_flush(f);
			if (rc != SQLITE_OK)
				return rc;
			return f->real->pMethods->xWrite(f->real, p, amt, off);
		}
		f->buf = b;
		f->cap = cap;
	}
	if (!f->len)
		f->off = off;
	memcpy(f->buf + f->len, p, n);
	f->len += n;
	vfs_pending = f;
	return SQLITE_OK;
}

static int vfs_truncate(sqlite3_file *file, sqlite3_int64 size)
{
	int rc = vfs_flush((struct vfs_file *)file);
	if (rc != SQLITE_OK)
		return rc;
	return real_of(file)->pMethods->xTruncate(real_of(file), size);
}

static int vfs_sync(sqlite3_file *file, int flags)
{
	struct vfs_file *f = (struct vfs_file *)file;
	int rc = vfs_flush(f);
	if (rc == SQLITE_OK)
		rc = f->err;
	f->err = SQLITE_OK;
	if (rc != SQLITE_OK)
		return rc;
	return real_of(file)->pMethods->xSync(real_of(file), flags);
}

static int vfs_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
	int rc = vfs_flush((struct vfs_file *)file);
	if (rc != SQLITE_OK)
		return rc;
	return real_of(file)->pMethods->xFileSize(real_of(file), size);
}

static int vfs_lock(sqlite3_file *file, int level)
{
	return real_of(file)->pMethods->xLock(real_of(file), level);
}

static int vfs_unlock(sqlite3_file *file, int level)
{
	return real_of(file)->pMethods->xUnlock(real_of(file), level);
}

static int vfs_check_reserved(sqlite3_file *file, int *out)
{
	return real_of(file)->pMethods->xCheckReservedLock(real_of(file), out);
}

static int vfs_file_control(sqlite3_file *file, int op, void *arg)
{
	int rc = vfs_flush((struct vfs_file *)file);
	if (rc != SQLITE_OK)
		return rc;
	return real_of(file)->pMethods->xFileControl(real_of(file), op, arg);
}

static int vfs_sector_size(sqlite3_file *file)
{
	return real_of(file)->pMethods->xSectorSize(real_of(file));
}

static int vfs_device_characteristics(sqlite3_file *file)
{
	return real_of(file)->pMethods->xDeviceCharacteristics(real_of(file));
}

static int vfs_shm_map(sqlite3_file *file, int page, int size, int extend, void volatile **p)
{
	return real_of(file)->pMethods->xShmMap(real_of(file), page, size, extend, p);
}

static int vfs_shm_lock(sqlite3_file *file, int offset, int n, int flags)
{
	return real_of(file)->pMethods->xShmLock(real_of(file), offset, n, flags);
}

static void vfs_shm_barrier(sqlite3_file *file)
{
	if (vfs_pending)
		vfs_flush(vfs_pending); /* an error shows again at the xSync that follows */
	real_of(file)->pMethods->xShmBarrier(real_of(file));
}

static int vfs_shm_unmap(sqlite3_file *file, int del)
{
	return real_of(file)->pMethods->xShmUnmap(real_of(file), del);
}

static int vfs_fetch(sqlite3_file *file, sqlite3_int64 off, int amt, void **p)
{
	return real_of(file)->pMethods->xFetch(real_of(file), off, amt, p);
}

static int vfs_unfetch(sqlite3_file *file, sqlite3_int64 off, void *p)
{
	return real_of(file)->pMethods->xUnfetch(real_of(file), off, p);
}

static const sqlite3_io_methods vfs_methods = {
	.iVersion = 3,
	.xClose = vfs_close,
	.xRead = vfs_read,
	.xWrite = vfs_write,
	.xTruncate = vfs_truncate,
	.xSync = vfs_sync,
	.xFileSize = vfs_file_size,
	.xLock = vfs_lock,
	.xUnlock = vfs_unlock,
	.xCheckReservedLock = vfs_check_reserved,
	.xFileControl = vfs_file_control,
	.xSectorSize = vfs_sector_size,
	.xDeviceCharacteristics = vfs_device_characteristics,
	.xShmMap = vfs_shm_map,
	.xShmLock = vfs_shm_lock,
	.xShmBarrier = vfs_shm_barrier,
	.xShmUnmap = vfs_shm_unmap,
	.xFetch = vfs_fetch,
	.xUnfetch = vfs_unfetch,
};

static int vfs_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *file, int flags,
		    int *out_flags)
{
	(void)vfs;
	struct vfs_file *f = (struct vfs_file *)file;
	memset(f, 0, sizeof(*f));
	f->real = (sqlite3_file *)((char *)f + VFS_FILE_SIZE);
	int rc = vfs_default->xOpen(vfs_default, name, f->real, flags, out_flags);
	if (rc != SQLITE_OK || !f->real->pMethods) {
		f->base.pMethods = NULL; /* SQLite calls no xClose then */
		return rc != SQLITE_OK ? rc : SQLITE_CANTOPEN;
	}
	/* Methods the default VFS's file lacks would be called through ours: not supported. */
	if (f->real->pMethods->iVersion < 3) {
		f->real->pMethods->xClose(f->real);
		f->base.pMethods = NULL;
		return SQLITE_CANTOPEN;
	}
	f->wal = (flags & SQLITE_OPEN_WAL) != 0;
	f->base.pMethods = &vfs_methods;
	return SQLITE_OK;
}

const char *db_sqlite_vfs(void)
{
	if (vfs_tala.zName)
		return vfs_tala.zName;
	sqlite3_vfs *d = sqlite3_vfs_find(NULL);
	if (!d || d->iVersion < 2)
		return NULL;
	vfs_default = d;
	vfs_tala = *d;
	vfs_tala.pNext = NULL;
	vfs_tala.szOsFile = (int)VFS_FILE_SIZE + d->szOsFile;
	vfs_tala.xOpen = vfs_open;
	vfs_tala.zName = "tala-wal";
	if (sqlite3_vfs_register(&vfs_tala, 0) != SQLITE_OK) {
		vfs_tala.zName = NULL;
		return NULL;
	}
	return vfs_tala.zName;
}
