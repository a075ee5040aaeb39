/* http-01 answered by the built-in responder (C1, D6): the key
 * authorization stays in RAM (E2); the responder is a loop service, so it
 * answers whatever else the process is waiting for. */
#include <stdlib.h>
#include <string.h>

#include "agent.h"
#include "challenge.h"
#include "err.h"
#include "responder.h"

struct http01 {
	const struct challenge_class *vtable;
	struct responder *resp; /* the context's, opened by prepare() */
	int attached;
};

static int h_handles(const struct challenge_class **self, const char *type,
                     const char *id_type)
{
	(void)self;
	(void)id_type;
	return !strcmp(type, "http-01");
}

/* Open the port before any CA contact, so a busy port fails early. */
static int h_prepare(const struct challenge_class **self, struct ctx *c)
{
	struct http01 *m = (struct http01 *)self;
	int rc;

	if ((rc = responder_open(m->resp, c->cfg->http_addr, c->cfg->http_port,
	                         &c->log)) != 0)
		return rc;
	if ((rc = responder_attach(m->resp, &c->loop)) != 0) {
		log_err(&c->log, "responder: no room in the poll loop");
		return rc;
	}
	m->attached = 1;
	return 0;
}

static int h_present(const struct challenge_class **self, struct ctx *c,
                     const struct challenge_auth *a)
{
	struct http01 *m = (struct http01 *)self;

	if (responder_add(m->resp, a->token, a->keyauth) != 0) {
		log_err(&c->log, "%s: challenge token too long or too many "
		        "names", a->id_value);
		return AL_EPROTO;
	}
	return 0;
}

/* Tokens stay served until close(): a CA may still fetch one from another
 * vantage point after the authorization became valid. */
static void h_cleanup(const struct challenge_class **self, struct ctx *c,
                      const struct challenge_auth *a, int ok)
{
	(void)self;
	(void)c;
	(void)a;
	(void)ok;
}

static long h_answered(const struct challenge_class **self)
{
	return (long)((const struct http01 *)self)->resp->sent;
}

static void h_close(const struct challenge_class **self, struct ctx *c)
{
	struct http01 *m = (struct http01 *)self;

	if (m->attached)
		loop_del(&c->loop, m->resp);
	responder_close(m->resp);
	responder_clear(m->resp);
	free(m);
}

static const struct challenge_class http01_class = {
	"http-01 responder", h_handles, h_prepare, h_present, h_cleanup,
	h_answered, h_close,
};

/* The responder method, or the files one (webroot.c) when a directory is
 * configured. */
int http01_open(struct ctx *c, const struct challenge_class ***out)
{
	struct http01 *m;

	if ((c->cfg->challenge_dir && c->cfg->challenge_dir[0]) ||
	    (c->cfg->webroot && c->cfg->webroot[0]))
		return webroot_open(c, out);
	if (!(m = challenge_new(c, sizeof(*m), &http01_class, out)))
		return AL_EFAIL;
	m->resp = c->resp;
	return 0;
}
