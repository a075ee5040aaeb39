/* Names as the CA will see them (src/names.c): normalised in place, then
 * checked; every rule of the local check has a case that passes and one
 * that fails, so a check that accepts everything fails here. */
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "names.h"
#include "tap.h"

/* in normalises to want (want NULL: refused, err mentions why). */
static void norm(const char *in, const char *want, const char *why)
{
	char buf[400], err[256] = "";
	int rc;

	snprintf(buf, sizeof(buf), "%s", in);
	rc = name_normalize(buf, err, sizeof(err));
	if (want) {
		ok(rc == 0, "'%.40s' is accepted (%s)", in, err);
		is_str(buf, want, "'%.40s' normalises", in);
	} else {
		ok(rc == AL_EINVAL, "'%.40s' is refused", in);
		ok(strstr(err, why) != NULL, "'%.40s': '%s' says '%s'", in, err, why);
	}
}

int main(void)
{
	char l63[64], l64[65], long_name[300];
	const char *names[] = { "a.test", "b.test", "a.test", "c.test", "b.test" };
	const char *x[] = { "b.test", "a.test" }, *y[] = { "a.test", "c.test" };
	int n;

	memset(l63, 'a', 63);
	l63[63] = '\0';
	memset(l64, 'a', 64);
	l64[64] = '\0';
	norm("Example.COM", "example.com", NULL);
	norm("example.com.", "example.com", NULL);
	norm("*.Example.com", "*.example.com", NULL);
	norm("xn--bcher-kva.example", "xn--bcher-kva.example", NULL);
	norm("a-b.c1.test", "a-b.c1.test", NULL);
	norm("192.0.2.1", "192.0.2.1", NULL);
	norm("2001:DB8::1", "2001:db8::1", NULL);
	norm("example.com..", NULL, "empty label");
	norm("a..b", NULL, "empty label");
	norm(".a.b", NULL, "empty label");
	norm("", NULL, "empty name");
	norm("a.*.b", NULL, "wildcard");
	norm("*a.b", NULL, "wildcard");
	norm("*", NULL, "wildcard");
	norm("-a.b", NULL, "'-'");
	norm("a-.b", NULL, "'-'");
	norm("a_b.test", NULL, "'_'");
	norm("a b.test", NULL, "' '");
	norm("192.0.2.01", NULL, "IPv4");
	norm("1.2.3", NULL, "IPv4");
	norm("12345", NULL, "number");
	norm("example.123", NULL, "number");
	norm("2001:db8:0:0::1", NULL, "2001:db8::1");
	norm("2001:db8::g", NULL, "IPv6");
	snprintf(long_name, sizeof(long_name), "%s.test", l63);
	norm(long_name, long_name, NULL);
	snprintf(long_name, sizeof(long_name), "%s.test", l64);
	norm(long_name, NULL, "63");
	/* 253 characters pass, 254 do not */
	snprintf(long_name, sizeof(long_name), "%s.%s.%s.%.61s", l63, l63, l63, l63);
	is_int((int)strlen(long_name), 253, "a 253-character name");
	norm(long_name, long_name, NULL);
	snprintf(long_name, sizeof(long_name), "%s.%s.%s.%.62s", l63, l63, l63, l63);
	norm(long_name, NULL, "253");

	n = names_dedupe(names, 5);
	is_int(n, 3, "duplicates dropped");
	ok(n == 3 && !strcmp(names[0], "a.test") && !strcmp(names[1], "b.test") &&
	   !strcmp(names[2], "c.test"), "first occurrences kept in order");
	ok(names_same_set(names, 2, x, 2), "same set in another order");
	ok(!names_same_set(names, 2, y, 2), "another set");
	ok(!names_same_set(names, 3, x, 2), "a subset is not the same set");
	return tap_done();
}
