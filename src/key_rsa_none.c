/* KEY_RSA off: this build makes, reads and signs with ECDSA keys only.
 * Every function says no; cli.c turns "-k rsa-..." into a usage error. */
#include "err.h"
#include "json.h"
#include "key_rsa.h"

int rsa_built(void)
{
	return 0;
}

int rsa_generate(struct key *k, enum key_type t, struct rng *r)
{
	(void)k, (void)t, (void)r;
	return AL_EINVAL;
}

int rsa_from_skey(struct key *k, const br_rsa_private_key *sk)
{
	(void)k, (void)sk;
	return AL_EINVAL;
}

int rsa_to_der(const struct key *k, unsigned char *der, size_t cap,
               size_t *len)
{
	(void)k, (void)der, (void)cap, (void)len;
	return AL_EINVAL;
}

int rsa_pub(const struct key *k, br_rsa_public_key *pk)
{
	(void)k, (void)pk;
	return AL_EINVAL;
}

void rsa_jwk_members(const struct key *k, struct jw *w)
{
	(void)k;
	if (!w->err)
		w->err = AL_EINVAL;
}

int rsa_thumbprint(const struct key *k, char out[44])
{
	(void)k, (void)out;
	return AL_EINVAL;
}

int rsa_sign(const struct key *k, const void *data, size_t n,
             unsigned char *sig, size_t cap, size_t *siglen)
{
	(void)k, (void)data, (void)n, (void)sig, (void)cap, (void)siglen;
	return AL_EINVAL;
}

int rsa_matches_pub(const struct key *k, const br_rsa_public_key *pub)
{
	(void)k, (void)pub;
	return 0;
}
