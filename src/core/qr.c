/* qr.c — QR codes as SVG and PNG: libqrencode makes the module matrix, cairo writes PNGs. */
#include "core/qr.h"

#include "core/mem.h"

#include <cairo.h>
#include <qrencode.h>
#include <stdio.h>
#include <string.h>

/* The module matrix for text, or NULL on bad input or when it does not fit. */
static QRcode *qr_encode(const char *text)
{
	if (!text || !*text || strnlen(text, QR_MAX_TEXT + 1) > QR_MAX_TEXT)
		return NULL;
	return QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
}

/* libqrencode's matrix byte: bit 0 is set for a dark module. */
static int qr_dark(const QRcode *q, int x, int y)
{
	return q->data[(size_t)y * (size_t)q->width + (size_t)x] & 1;
}

char *qr_svg(const char *text)
{
	QRcode *q = qr_encode(text);
	if (!q)
		return NULL;
	int w = q->width, size = w + 2 * QR_QUIET;
	size_t runs = 0;
	for (int y = 0; y < w; y++)
		for (int x = 0; x < w; x++)
			if (qr_dark(q, x, y) && (x == 0 || !qr_dark(q, x - 1, y)))
				runs++;
	/* each run is "M%d %dh%dv1h-%dz": at most 4 numbers of 3 digits and 7 letters */
	size_t cap = 512 + runs * 24;
	char *svg = xmalloc(cap);
	int n = snprintf(svg, cap,
			 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
			 "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
			 "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
			 "shape-rendering=\"crispEdges\">\n"
			 "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n"
			 "<path fill=\"#000\" d=\"",
			 size * 8, size * 8, size, size, size, size);
	size_t off = (size_t)n;
	for (int y = 0; y < w; y++) {
		int x = 0;
		while (x < w) {
			if (!qr_dark(q, x, y)) {
				x++;
				continue;
			}
			int start = x;
			while (x < w && qr_dark(q, x, y))
				x++;
			n = snprintf(svg + off, cap - off, "M%d %dh%dv1h-%dz", start + QR_QUIET,
				     y + QR_QUIET, x - start, x - start);
			off += (size_t)n;
		}
	}
	snprintf(svg + off, cap - off, "\"/>\n</svg>\n");
	QRcode_free(q);
	return svg;
}

static cairo_status_t qr_png_write(void *closure, const unsigned char *data, unsigned int length)
{
	membuf_append(closure, data, length);
	return CAIRO_STATUS_SUCCESS;
}

int qr_png(const char *text, int scale, unsigned char **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	if (scale < 1 || scale > QR_SCALE_MAX)
		return -1;
	QRcode *q = qr_encode(text);
	if (!q)
		return -1;
	int rc = -1;
	struct membuf b = {0};
	int px = (q->width + 2 * QR_QUIET) * scale;
	/* A8 is written as 8-bit grayscale, the byte the gray level: 0xff white, 0 black. One
	 * byte a pixel, where RGB24 would take four. */
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_A8, px, px);
	if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS)
		goto fail;
	cairo_surface_flush(s);
	unsigned char *pix = cairo_image_surface_get_data(s);
	int stride = cairo_image_surface_get_stride(s);
	for (int y = 0; y < px; y++) {
		unsigned char *row = pix + (size_t)y * (size_t)stride;
		int my = y / scale - QR_QUIET;
		for (int x = 0; x < px; x++) {
			int mx = x / scale - QR_QUIET;
			int dark = my >= 0 && my < q->width && mx >= 0 && mx < q->width &&
				   qr_dark(q, mx, my);
			row[x] = dark ? 0x00 : 0xff;
		}
	}
	cairo_surface_mark_dirty(s);
	if (cairo_surface_write_to_png_stream(s, qr_png_write, &b) != CAIRO_STATUS_SUCCESS)
		goto fail;
	*out = b.data;
	*len = b.len;
	b.data = NULL;
	rc = 0;
fail:
	free(b.data);
	cairo_surface_destroy(s);
	QRcode_free(q);
	return rc;
}
