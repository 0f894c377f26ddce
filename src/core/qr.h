/* qr.h — QR codes (the live Q&A join code) as SVG and PNG, through libqrencode and cairo.
 * Every code is error-correction level M, encoded with QRcode_encodeString(text, 0,
 * QR_ECLEVEL_M, QR_MODE_8, 1): UTF-8 bytes in 8-bit mode, the smallest version that fits,
 * and a quiet zone of QR_QUIET modules on each side. */
#ifndef TALA_QR_H
#define TALA_QR_H

#include <stddef.h>

enum {
	QR_QUIET = 4,        /* modules of white around the symbol */
	QR_MAX_TEXT = 2048,  /* bytes; version 40-M holds 2331 in 8-bit mode */
	QR_SCALE_MAX = 32,   /* pixels per module in a PNG */
};

/* A standalone SVG document of the code for text: black modules on white, viewBox in
 * modules, each row's run of dark modules one subpath. Returns a malloc'd NUL-terminated
 * string the caller frees, or NULL when text is NULL, empty, longer than QR_MAX_TEXT or
 * does not fit a QR code. */
char *qr_svg(const char *text);

/* A PNG of the code for text, scale pixels per module (1..QR_SCALE_MAX), so an image of
 * (modules + 2 * QR_QUIET) * scale pixels square. Returns 0 with *out a malloc'd buffer of
 * *len bytes the caller frees, or -1 (with *out NULL, *len 0) on bad input or failure. */
int qr_png(const char *text, int scale, unsigned char **out, size_t *len);

#endif
