/* static.c — serves the built web app (web/dist): content types by extension, immutable
 * caching for hashed assets, and the app's index.html for paths the app routes itself. */
#include "http/server_internal.h"

#include "core/mem.h"

#include <fcntl.h>
#include <microhttpd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
	const char *ext, *type;
} static_types[] = {
	{".html", "text/html; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".mjs", "text/javascript; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".json", "application/json"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".jpg", "image/jpeg"},
	{".ico", "image/x-icon"},
	{".woff2", "font/woff2"},
	{".woff", "font/woff"},
	{".ttf", "font/ttf"},
	{".txt", "text/plain; charset=utf-8"},
	{".webmanifest", "application/manifest+json"},
	{".map", "application/json"},
};

static const char *static_type(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (dot && !strchr(dot, '/'))
		for (size_t i = 0; i < sizeof(static_types) / sizeof(static_types[0]); i++)
			if (strcmp(dot, static_types[i].ext) == 0)
				return static_types[i].type;
	return "application/octet-stream";
}

/* True for a path with no "..", no "//", no backslash and no NUL-free surprises. */
static bool static_path_safe(const char *p)
{
	if (p[0] != '/' || strstr(p, "..") || strstr(p, "//") || strchr(p, '\\'))
		return false;
	return true;
}

static int static_send_file(struct http_req *r, const char *file, const char *url_path)
{
	int fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -1;
	}
	struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (!resp) {
		close(fd);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", static_type(file));
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	if (strncmp(url_path, "/assets/", 8) == 0 || strncmp(url_path, "/m/assets/", 10) == 0)
		MHD_add_response_header(resp, "Cache-Control", "public, max-age=31536000, immutable");
	else
		MHD_add_response_header(resp, "Cache-Control", "no-cache");
	if (strstr(file, ".html"))
		MHD_add_response_header(resp, "Content-Security-Policy",
					"default-src 'self'; img-src 'self' data: blob:; "
					"style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
	r->status = MHD_HTTP_OK;
	r->replied = true;
	enum MHD_Result ret = MHD_queue_response(r->conn, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

int static_serve(struct http_req *r, const char *web_dir)
{
	const char *p = r->path;
	if (!static_path_safe(p))
		return http_reply_problem(r, "request.not_found", NULL, NULL);
	bool mobile = strcmp(p, "/m") == 0 || strncmp(p, "/m/", 3) == 0;
	const char *rel = p;
	if (strcmp(p, "/") == 0)
		rel = "/index.html";
	else if (strcmp(p, "/m") == 0 || strcmp(p, "/m/") == 0)
		rel = "/m/index.html";
	char *file = arena_printf(r->arena, "%s%s", web_dir, rel);
	int ret = static_send_file(r, file, p);
	if (ret >= 0)
		return ret;
	/* Files with an extension that are missing are 404s; other paths belong to the app. */
	const char *last = strrchr(p, '/');
	if (last && strchr(last, '.'))
		return http_reply_problem(r, "request.not_found", NULL, NULL);
	file = arena_printf(r->arena, "%s%s", web_dir, mobile ? "/m/index.html" : "/index.html");
	ret = static_send_file(r, file, "/index.html");
	if (ret >= 0)
		return ret;
	return http_reply_problem(r, "request.not_found", "the web app is not built (make build)",
				  NULL);
}
