/* Unit tests of core/qr.c: the SVG and the PNG draw exactly libqrencode's module matrix (read
 * back module by module, since no decoder is installed), with the quiet zone; bad input is
 * refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cairo.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/qr.h"

static const char *const join_url = "https://zwfw.example.gov.cn/m/#/live/7KQ3MX";

/* The matrix qr.c is documented to draw. */
static QRcode *expected(const char *text)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	assert_non_null(q);
	return q;
}

static long next_num(const char **p)
{
	char *end;
	long v = strtol(*p, &end, 10);
	assert_true(end != *p);
	*p = end;
	return v;
}

/* Paints the SVG's path runs into a size × size grid and compares it with the matrix. */
static void check_svg(const char *text)
{
	char *svg = qr_svg(text);
	assert_non_null(svg);
	QRcode *q = expected(text);
	int size = q->width + 2 * QR_QUIET;
	assert_true(strncmp(svg, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg ", 44) == 0);
	char want[64];
	snprintf(want, sizeof(want), "viewBox=\"0 0 %d %d\"", size, size);
	assert_non_null(strstr(svg, want));
	assert_non_null(strstr(svg, "shape-rendering=\"crispEdges\""));
	assert_non_null(strstr(svg, "fill=\"#fff\""));
	const char *end = "\"/>\n</svg>\n";
	assert_string_equal(svg + strlen(svg) - strlen(end), end);
	/* one path only */
	const char *d = strstr(svg, " d=\"");
	assert_non_null(d);
	assert_null(strstr(d + 1, " d=\""));
	unsigned char *grid = calloc((size_t)size * (size_t)size, 1);
	assert_non_null(grid);
	const char *p = d + 4;
	int runs = 0, dark = 0;
	while (*p == 'M') {
		p++;
		long x = next_num(&p);
		assert_int_equal(*p++, ' ');
		long y = next_num(&p);
		assert_int_equal(*p++, 'h');
		long n = next_num(&p);
		assert_true(strncmp(p, "v1h-", 4) == 0);
		p += 4;
		assert_int_equal(next_num(&p), n);
		assert_int_equal(*p++, 'z');
		assert_true(x >= QR_QUIET && y >= QR_QUIET && n >= 1);
		assert_true(x + n <= size - QR_QUIET && y < size - QR_QUIET);
		/* runs are maximal: the module after one is light */
		for (long i = 0; i < n; i++) {
			assert_int_equal(grid[y * size + x + i], 0);
			grid[y * size + x + i] = 1;
		}
		runs++;
		dark += (int)n;
	}
	assert_int_equal(*p, '"');
	int want_dark = 0, want_runs = 0;
	for (int y = 0; y < q->width; y++)
		for (int x = 0; x < q->width; x++) {
			int m = q->data[y * q->width + x] & 1;
			want_dark += m;
			if (m && (x == 0 || !(q->data[y * q->width + x - 1] & 1)))
				want_runs++;
			assert_int_equal(grid[(y + QR_QUIET) * size + x + QR_QUIET], m);
		}
	assert_int_equal(dark, want_dark);
	assert_int_equal(runs, want_runs);
	free(grid);
	QRcode_free(q);
	free(svg);
}

static void test_qr_svg_draws_the_module_matrix(void **state)
{
	(void)state;
	check_svg(join_url);
	check_svg("科右中旗政务直播 第12期");
	check_svg("1");
}

struct reader {
	const unsigned char *data;
	size_t len, off;
};

static cairo_status_t read_png(void *closure, unsigned char *data, unsigned int length)
{
	struct reader *r = closure;
	if (r->len - r->off < length)
		return CAIRO_STATUS_READ_ERROR;
	memcpy(data, r->data + r->off, length);
	r->off += length;
	return CAIRO_STATUS_SUCCESS;
}

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Decodes the PNG and checks every pixel against the module it belongs to. */
static void check_png(const char *text, int scale)
{
	unsigned char *png = NULL;
	size_t len = 0;
	assert_int_equal(qr_png(text, scale, &png, &len), 0);
	assert_non_null(png);
	QRcode *q = expected(text);
	int px = (q->width + 2 * QR_QUIET) * scale;
	assert_true(len > 33);
	assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
	assert_memory_equal(png + 12, "IHDR", 4);
	assert_int_equal(be32(png + 16), (uint32_t)px);
	assert_int_equal(be32(png + 20), (uint32_t)px);
	struct reader r = {png, len, 0};
	cairo_surface_t *s = cairo_image_surface_create_from_png_stream(read_png, &r);
	assert_int_equal(cairo_surface_status(s), CAIRO_STATUS_SUCCESS);
	assert_int_equal(cairo_image_surface_get_width(s), px);
	assert_int_equal(cairo_image_surface_get_height(s), px);
	cairo_format_t f = cairo_image_surface_get_format(s);
	assert_true(f == CAIRO_FORMAT_RGB24 || f == CAIRO_FORMAT_ARGB32);
	const unsigned char *pix = cairo_image_surface_get_data(s);
	int stride = cairo_image_surface_get_stride(s);
	for (int y = 0; y < px; y++)
		for (int x = 0; x < px; x++) {
			uint32_t v;
			memcpy(&v, pix + (size_t)y * (size_t)stride + (size_t)x * 4, 4);
			int mx = x / scale - QR_QUIET, my = y / scale - QR_QUIET;
			int dark = mx >= 0 && my >= 0 && mx < q->width && my < q->width &&
				   (q->data[my * q->width + mx] & 1);
			/* opaque black or opaque white, nothing between */
			assert_int_equal(v & 0xffffff, dark ? 0x000000 : 0xffffff);
			if (f == CAIRO_FORMAT_ARGB32)
				assert_int_equal(v >> 24, 0xff);
		}
	cairo_surface_destroy(s);
	QRcode_free(q);
	free(png);
}

static void test_qr_png_pixels_match_the_matrix(void **state)
{
	(void)state;
	check_png(join_url, 1);
	check_png(join_url, 8);
	check_png("科右中旗政务直播 第12期", 3);
	check_png("1", QR_SCALE_MAX);
}

static void test_qr_refuses_bad_input(void **state)
{
	(void)state;
	unsigned char *png = (unsigned char *)"x";
	size_t len = 7;
	assert_null(qr_svg(NULL));
	assert_null(qr_svg(""));
	assert_int_equal(qr_png(NULL, 4, &png, &len), -1);
	assert_null(png);
	assert_int_equal(len, 0);
	assert_int_equal(qr_png("", 4, &png, &len), -1);
	assert_int_equal(qr_png(join_url, 0, &png, &len), -1);
	assert_int_equal(qr_png(join_url, QR_SCALE_MAX + 1, &png, &len), -1);
	assert_int_equal(qr_png(join_url, -3, &png, &len), -1);
	assert_null(png);
	/* QR_MAX_TEXT bytes fit (version 40-M holds 2331 in 8-bit mode); one more is refused */
	char *big = malloc(QR_MAX_TEXT + 2);
	assert_non_null(big);
	for (int i = 0; i <= QR_MAX_TEXT; i++)
		big[i] = (char)(0x80 | (i & 0x3f)); /* bytes only 8-bit mode can hold */
	big[QR_MAX_TEXT + 1] = '\0';
	assert_null(qr_svg(big));
	assert_int_equal(qr_png(big, 1, &png, &len), -1);
	assert_null(png);
	big[QR_MAX_TEXT] = '\0';
	char *svg = qr_svg(big);
	assert_non_null(svg);
	free(svg);
	assert_int_equal(qr_png(big, 1, &png, &len), 0);
	free(png);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qr_svg_draws_the_module_matrix),
		cmocka_unit_test(test_qr_png_pixels_match_the_matrix),
		cmocka_unit_test(test_qr_refuses_bad_input),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
