/* Error codes shared by every module: 0 is success, negatives are failures. */
#ifndef ACMELET_ERR_H
#define ACMELET_ERR_H

enum al_err {
	AL_OK = 0,
	AL_EFAIL = -1,     /* generic failure, already logged */
	AL_ENOENT = -2,    /* file or object does not exist */
	AL_ENOSPC = -3,    /* storage full */
	AL_E2BIG = -4,     /* input larger than the bounded buffer */
	AL_EUNSEEDED = -5, /* entropy pool not seeded yet */
	AL_EPROTO = -6,    /* peer answered something malformed */
	AL_ECONNECT = -7,  /* could not reach the peer */
	AL_ETLS = -8,      /* TLS handshake or verification failed */
	AL_ETIMEOUT = -9,  /* peer too slow */
	AL_EADDRINUSE = -10, /* listening port busy */
	AL_EINVAL = -11,   /* caller passed something invalid */
	AL_ECLOCK = -12,   /* wall clock not trustworthy */
	AL_EINTR = -13,    /* a wait was cut short by a signal */
	AL_EDECLINED = -14, /* a challenge method declined an authorization */
	AL_ELOCKED = -15,  /* another acmelet holds the lock */
	AL_ENOTREG = -16,  /* a FIFO, device or directory where a file belongs */
	AL_EINPUT = -17,   /* the user's settings must change (an unknown
	                      profile, terms not agreed, a name the CA rejects):
	                      not counted in the failure backoff */
	/* Codes are added at the end, never renumbered. */
};

#endif
