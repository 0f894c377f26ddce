/* open311_reply.c — Open311 GeoReport v2 answers: JSON as is, or XML written with libxml2's
 * xmlwriter from the same JSON value (an object's members become elements in order, an
 * array's items elements named in the singular, null an empty element). Errors under
 * /open311/ take the spec's shape instead of problem+json, whoever answers them: a handler,
 * the router (404, 405) or the server (413, 414). */
#include "http/http.h"
#include "http/server_internal.h"

#include "core/mem.h"

#include <libxml/xmlwriter.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* The element of an array's items, by the array's name. */
static const char *const open311_items[][2] = {
	{"services", "service"},   {"service_requests", "request"}, {"errors", "error"},
	{"endpoints", "endpoint"}, {"formats", "format"},           {"attributes", "attribute"},
	{"values", "value"},
};

static const char *open311_item(const char *plural)
{
	for (size_t i = 0; i < sizeof(open311_items) / sizeof(open311_items[0]); i++)
		if (strcmp(open311_items[i][0], plural) == 0)
			return open311_items[i][1];
	return "item";
}

bool http_path_open311(const char *path)
{
	return path && strncmp(path, "/open311/", 9) == 0;
}

/* Text as XML 1.0 allows it: C0 controls other than tab and newlines become U+FFFD. */
static int open311_xml_text(xmlTextWriterPtr w, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	bool clean = true;
	for (; *p && clean; p++)
		clean = *p >= 0x20 || *p == '\t' || *p == '\n' || *p == '\r';
	if (clean)
		return xmlTextWriterWriteString(w, BAD_CAST s);
	char *copy = xmalloc(strlen(s) * 3 + 1), *o = copy;
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x20 || *p == '\t' || *p == '\n' || *p == '\r') {
			*o++ = (char)*p;
		} else {
			memcpy(o, "\xEF\xBF\xBD", 3);
			o += 3;
		}
	}
	*o = '\0';
	int rc = xmlTextWriterWriteString(w, BAD_CAST copy);
	free(copy);
	return rc;
}

static int open311_xml_value(xmlTextWriterPtr w, const char *name, json_t *v)
{
	if (xmlTextWriterStartElement(w, BAD_CAST name) < 0)
		return -1;
	int rc = 0;
	char num[40];
	switch (json_typeof(v)) {
	case JSON_OBJECT: {
		const char *key;
		json_t *x;
		json_object_foreach(v, key, x)
		{
			if (rc >= 0)
				rc = open311_xml_value(w, key, x);
		}
		break;
	}
	case JSON_ARRAY: {
		const char *item = open311_item(name);
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x)
		{
			if (rc >= 0)
				rc = open311_xml_value(w, item, x);
		}
		break;
	}
	case JSON_STRING:
		rc = open311_xml_text(w, json_string_value(v));
		break;
	case JSON_INTEGER:
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		rc = xmlTextWriterWriteString(w, BAD_CAST num);
		break;
	case JSON_REAL:
		snprintf(num, sizeof(num), "%.12g", json_real_value(v));
		rc = xmlTextWriterWriteString(w, BAD_CAST num);
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		rc = xmlTextWriterWriteString(w, BAD_CAST(json_is_true(v) ? "true" : "false"));
		break;
	case JSON_NULL:
		break;
	}
	if (rc < 0)
		return rc;
	return xmlTextWriterEndElement(w);
}

static pthread_once_t open311_xml_once = PTHREAD_ONCE_INIT;

static void open311_xml_init(void)
{
	xmlInitParser();
}

/* The XML document of body under root, malloc'd; NULL when libxml2 fails. */
static char *open311_xml(const char *root, json_t *body, size_t *len)
{
	pthread_once(&open311_xml_once, open311_xml_init);
	xmlBufferPtr buf = xmlBufferCreate();
	if (!buf)
		return NULL;
	xmlTextWriterPtr w = xmlNewTextWriterMemory(buf, 0);
	char *out = NULL;
	if (w) {
		int rc = xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL);
		if (rc >= 0)
			rc = open311_xml_value(w, root, body);
		if (rc >= 0)
			rc = xmlTextWriterEndDocument(w);
		xmlFreeTextWriter(w); /* flushes into buf */
		if (rc >= 0) {
			*len = (size_t)xmlBufferLength(buf);
			out = xmalloc(*len + 1);
			memcpy(out, xmlBufferContent(buf), *len);
			out[*len] = '\0';
		}
	}
	xmlBufferFree(buf);
	return out;
}

static int open311_send(struct http_req *r, int status, bool xml, const char *root, json_t *body,
			const char *allow)
{
	size_t len = 0;
	char *text = xml ? open311_xml(root, body, &len)
			 : json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(12));
	json_decref(body);
	if (!text)
		abort(); /* out of memory in jansson or libxml2 */
	if (!xml)
		len = strlen(text);
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return MHD_NO;
	}
	http_response_headers(r, resp);
	MHD_add_response_header(resp, "Content-Type", xml ? "text/xml; charset=utf-8"
							  : "application/json; charset=utf-8");
	if (allow)
		MHD_add_response_header(resp, "Allow", allow);
	r->status = status;
	r->replied = true;
	enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)status, resp);
	MHD_destroy_response(resp);
	return ret;
}

int http_reply_open311(struct http_req *r, int status, bool xml, const char *root, json_t *body)
{
	return open311_send(r, status, xml, root, body, NULL);
}

int http_open311_error_allow(struct http_req *r, int status, const char *description,
			     const char *allow)
{
	size_t n = strlen(r->path);
	bool xml = n >= 4 && strcmp(r->path + n - 4, ".xml") == 0;
	json_t *d = json_string(description ? description : "");
	if (!d) /* a detail quoting the client's bytes that are not UTF-8 */
		d = json_string("the request holds text that is not UTF-8");
	json_t *body = json_pack("[{s:i, s:o}]", "code", status, "description", d);
	return open311_send(r, status, xml, "errors", body, allow);
}

int http_reply_open311_error(struct http_req *r, int status, const char *description)
{
	return http_open311_error_allow(r, status, description, NULL);
}
