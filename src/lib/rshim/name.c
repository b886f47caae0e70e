/* name.c - the device name forms, checked before anything is opened. */
#include "config.h"
#include "rshim/name.h"
#include "error.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#define FORMS "sim:N, usb:BUS-PORT, pcie:DDDD:BB:DD.F, pcie-lf:DDDD:BB:DD.F, rshimN through rshimd"

/* n (>= 1) characters of s in set, then s + n; NULL otherwise. */
static const char *span(const char *s, const char *set, size_t min, size_t max)
{
	size_t n = strspn(s, set);

	if (n < min || (max && n > max))
		return NULL;
	return s + n;
}

static bool digits_only(const char *s)
{
	const char *e = span(s, "0123456789", 1, 9);

	return e && !*e;
}

/* BUS-PORT[.PORT...]: decimal numbers. */
static bool usb_port(const char *s)
{
	if (!(s = span(s, "0123456789", 1, 3)) || *s++ != '-')
		return false;
	for (;;) {
		if (!(s = span(s, "0123456789", 1, 3)))
			return false;
		if (!*s)
			return true;
		if (*s++ != '.')
			return false;
	}
}

/* DDDD:BB:DD.F, hexadecimal, function 0-7. */
static bool pci_addr(const char *s)
{
	static const char hex[] = "0123456789abcdefABCDEF";

	if (strlen(s) != 12)
		return false;
	return span(s, hex, 4, 4) && s[4] == ':' && span(s + 5, hex, 2, 2) && s[7] == ':' &&
	       span(s + 8, hex, 2, 2) && s[10] == '.' && s[11] >= '0' && s[11] <= '7';
}

int bf_rshim_name_check(const char *name)
{
	static const struct {
		const char *prefix;
		bool (*arg_ok)(const char *arg);
	} forms[] = {
		{ "sim", digits_only }, { "usb", usb_port }, { "pcie", pci_addr }, { "pcie-lf", pci_addr },
	};
	size_t i, n;

	if (name[0] == '/')
		return 0;
	if (!strncmp(name, "rshim", 5) && digits_only(name + 5))
		return 0;
	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		n = strlen(forms[i].prefix);
		if (strncmp(name, forms[i].prefix, n))
			continue;
		if (!name[n])
			return 0;
		if (name[n] == ':' && forms[i].arg_ok(name + n + 1))
			return 0;
		if (name[n] == ':')
			return bf_error_ret(EINVAL, "'%s' is not a %s device name (use %s:%s)", name,
					    forms[i].prefix, forms[i].prefix,
					    forms[i].arg_ok == digits_only ? "N" :
					    forms[i].arg_ok == usb_port ? "BUS-PORT" : "DDDD:BB:DD.F");
	}
	return bf_error_ret(EINVAL, "'%s' is not a device name (known forms: " FORMS ")", name);
}
