/* glibc's _FORTIFY_SOURCE entry points, for the static musl build only
 * (make static): Debian's libbearssl.a was compiled with fortify, so its
 * objects call __memcpy_chk, __memmove_chk and __memset_chk, which musl
 * does not have. The checks are kept: a copy longer than the object the
 * compiler saw is a bug, and glibc would abort too.
 *
 * Not part of libacmelet.a: a glibc build links glibc's own versions. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

void *__memcpy_chk(void *dst, const void *src, size_t len, size_t dstlen);
void *__memmove_chk(void *dst, const void *src, size_t len, size_t dstlen);
void *__memset_chk(void *dst, int c, size_t len, size_t dstlen);

/* memcpy(dst, src, len); aborts when len exceeds dstlen, the size of dst
 * known at compile time ((size_t)-1 when unknown). */
void *__memcpy_chk(void *dst, const void *src, size_t len, size_t dstlen)
{
	if (len > dstlen)
		abort();
	return memcpy(dst, src, len);
}

/* memmove(dst, src, len), checked like __memcpy_chk. */
void *__memmove_chk(void *dst, const void *src, size_t len, size_t dstlen)
{
	if (len > dstlen)
		abort();
	return memmove(dst, src, len);
}

/* memset(dst, c, len), checked like __memcpy_chk. */
void *__memset_chk(void *dst, int c, size_t len, size_t dstlen)
{
	if (len > dstlen)
		abort();
	return memset(dst, c, len);
}
