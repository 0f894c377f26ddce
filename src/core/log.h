/* log.h — one line per event on stderr: time, level, message. */
#ifndef TALA_LOG_H
#define TALA_LOG_H

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* An access-log line (level info). Between log_buffer_start and log_buffer_stop it goes to
 * the calling thread's buffer, written out within about 5 ms by a flusher thread, when the
 * buffer fills, before any other line of that thread, and by log_flush / log_buffer_stop:
 * lines stay whole and in order per thread, with one write(2) for many lines. A crash may
 * lose the last few ms of access lines; a clean stop (SIGTERM) loses none. */
void log_access(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_flush(void);
int log_buffer_start(void);
void log_buffer_stop(void); /* stops the flusher and writes everything pending */

#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)

#endif
