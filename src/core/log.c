/* log.c — timestamped log lines on stderr. A line is formatted in one buffer and written
 * whole, so threads never mix within a line. The access log (log_access) may be buffered per
 * thread: see log.h. */
#include "core/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { LOG_LINE = 2048, LOG_BUF = 16384, LOG_FLUSH_MS = 5 };

static enum log_level log_min = LOG_INFO;

/* One thread's pending access lines; registered on the list for good (the HTTP worker
 * threads are few and live as long as the daemon). */
struct log_buf {
	struct log_buf *next;
	pthread_mutex_t lock;
	size_t len;
	char data[LOG_BUF];
};

static pthread_mutex_t log_bufs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct log_buf *log_bufs;
static _Thread_local struct log_buf *log_tl;
static atomic_bool log_buffering, log_flusher_stop;
static pthread_t log_flusher;

/* The thread's cached "YYYY-MM-DDTHH:MM:SS." for the current second. */
static _Thread_local time_t log_tl_sec = -1;
static _Thread_local char log_tl_stamp[64];

void log_set_level(enum log_level level)
{
	log_min = level;
}

static void log_write_all(const char *p, size_t len)
{
	while (len > 0) {
		ssize_t w = write(STDERR_FILENO, p, len);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		p += w;
		len -= (size_t)w;
	}
}

/* Formats one line, newline included, into line (cap >= 64); returns its length. */
static size_t log_format(char *line, size_t cap, enum log_level level, const char *fmt,
			 va_list ap)
{
	static const char *const names[] = {"debug", "info", "warn", "error"};
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != log_tl_sec) {
		struct tm tm;
		gmtime_r(&ts.tv_sec, &tm);
		snprintf(log_tl_stamp, sizeof(log_tl_stamp), "%04d-%02d-%02dT%02d:%02d:%02d.",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec);
		log_tl_sec = ts.tv_sec;
	}
	size_t n = strlen(log_tl_stamp);
	memcpy(line, log_tl_stamp, n);
	long ms = ts.tv_nsec / 1000000;
	line[n++] = (char)('0' + ms / 100);
	line[n++] = (char)('0' + ms / 10 % 10);
	line[n++] = (char)('0' + ms % 10);
	line[n++] = 'Z';
	line[n++] = ' ';
	size_t k = strlen(names[level]);
	memcpy(line + n, names[level], k);
	n += k;
	line[n++] = ' ';
	int m = vsnprintf(line + n, cap - n - 1, fmt, ap);
	size_t len = n + (m < 0 ? 0 : (size_t)m);
	if (len > cap - 2)
		len = cap - 2;
	line[len++] = '\n';
	return len;
}

/* Writes b's pending lines; b locked. */
static void log_buf_flush(struct log_buf *b)
{
	if (b->len) {
		log_write_all(b->data, b->len);
		b->len = 0;
	}
}

/* Writes one formatted line, after the calling thread's buffered lines (order per thread). */
static void log_emit(const char *line, size_t len)
{
	struct log_buf *b = log_tl;
	if (!b) {
		log_write_all(line, len);
		return;
	}
	pthread_mutex_lock(&b->lock);
	log_buf_flush(b);
	log_write_all(line, len);
	pthread_mutex_unlock(&b->lock);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if (level < log_min)
		return;
	char line[LOG_LINE];
	va_list ap;
	va_start(ap, fmt);
	size_t len = log_format(line, sizeof(line), level, fmt, ap);
	va_end(ap);
	log_emit(line, len);
}

static struct log_buf *log_tl_buf(void)
{
	if (log_tl)
		return log_tl;
	struct log_buf *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	pthread_mutex_init(&b->lock, NULL);
	pthread_mutex_lock(&log_bufs_lock);
	b->next = log_bufs;
	log_bufs = b;
	pthread_mutex_unlock(&log_bufs_lock);
	log_tl = b;
	return b;
}

void log_access(const char *fmt, ...)
{
	if (LOG_INFO < log_min)
		return;
	va_list ap;
	va_start(ap, fmt);
	struct log_buf *b = atomic_load(&log_buffering) ? log_tl_buf() : NULL;
	if (!b) {
		char line[LOG_LINE];
		size_t len = log_format(line, sizeof(line), LOG_INFO, fmt, ap);
		va_end(ap);
		log_emit(line, len);
		return;
	}
	pthread_mutex_lock(&b->lock);
	if (b->len + LOG_LINE > sizeof(b->data))
		log_buf_flush(b);
	b->len += log_format(b->data + b->len, LOG_LINE, LOG_INFO, fmt, ap);
	pthread_mutex_unlock(&b->lock);
	va_end(ap);
}

void log_flush(void)
{
	pthread_mutex_lock(&log_bufs_lock);
	struct log_buf *first = log_bufs;
	pthread_mutex_unlock(&log_bufs_lock);
	/* Buffers are only ever added at the head and never freed. */
	for (struct log_buf *b = first; b; b = b->next) {
		pthread_mutex_lock(&b->lock);
		log_buf_flush(b);
		pthread_mutex_unlock(&b->lock);
	}
}

static void *log_flusher_main(void *arg)
{
	(void)arg;
	struct timespec nap = {.tv_sec = 0, .tv_nsec = LOG_FLUSH_MS * 1000000L};
	while (!atomic_load(&log_flusher_stop)) {
		nanosleep(&nap, NULL);
		log_flush();
	}
	return NULL;
}

int log_buffer_start(void)
{
	if (atomic_load(&log_buffering))
		return 0;
	atomic_store(&log_flusher_stop, false);
	if (pthread_create(&log_flusher, NULL, log_flusher_main, NULL) != 0)
		return -1;
	atomic_store(&log_buffering, true);
	return 0;
}

void log_buffer_stop(void)
{
	if (!atomic_load(&log_buffering))
		return;
	atomic_store(&log_buffering, false);
	atomic_store(&log_flusher_stop, true);
	pthread_join(log_flusher, NULL);
	log_flush();
}
