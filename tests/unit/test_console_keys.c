/* tests/unit/test_console_keys.c: the console keys (Ctrl-A, then a key) as a pure function over input bytes. */
#include <stdint.h>

#include "tests/unit/tap.h"
#include "vmm/console.h"

/* What a run of bytes gives: the bytes for the guest in `guest` and the
 * commands, one letter each ('h' help, 'q' quit), in `cmds`. */
struct result {
	uint8_t guest[64];
	size_t nguest;
	char cmds[16];
	size_t ncmds;
};

static struct result feed(struct console_escape *e, const char *in, size_t n)
{
	struct result r = { .nguest = 0 };

	for (size_t i = 0; i < n; i++) {
		uint8_t b = (uint8_t)in[i];
		switch (console_escape_feed(e, b)) {
		case CONSOLE_KEY_GUEST: r.guest[r.nguest++] = b; break;
		case CONSOLE_KEY_NONE: break;
		case CONSOLE_KEY_HELP: r.cmds[r.ncmds++] = 'h'; break;
		case CONSOLE_KEY_QUIT: r.cmds[r.ncmds++] = 'q'; break;
		}
	}
	return r;
}

/* One case: input bytes, the guest's bytes and the commands expected. */
static const struct {
	const char *name;
	const char *in;
	size_t nin;
	const char *guest;
	size_t nguest;
	const char *cmds;
} cases[] = {
#define S(x) x, sizeof(x) - 1
	{ "plain text passes", S("hello\n"), S("hello\n"), "" },
	{ "Ctrl-C passes to the guest", S("\x03"), S("\x03"), "" },
	{ "every byte but Ctrl-A passes", S("\x00\x02\x04\x1a\x1c\x7f\xff"), S("\x00\x02\x04\x1a\x1c\x7f\xff"), "" },
	{ "Ctrl-A x quits", S("\x01x"), S(""), "q" },
	{ "Ctrl-A h shows the keys", S("\x01h"), S(""), "h" },
	{ "Ctrl-A Ctrl-A sends one Ctrl-A", S("\x01\x01"), S("\x01"), "" },
	{ "Ctrl-A Ctrl-A Ctrl-A x: one Ctrl-A, then quit", S("\x01\x01\x01x"), S("\x01"), "q" },
	{ "an unknown key after Ctrl-A is dropped with it", S("a\x01zb"), S("ab"), "" },
	{ "Ctrl-A Ctrl-C: both dropped", S("\x01\x03"), S(""), "" },
	{ "x and h alone are text", S("xh"), S("xh"), "" },
	{ "keys among text", S("ab\x01hcd\x01" "x"), S("abcd"), "hq" },
	{ "Ctrl-A X (upper case) is not quit", S("\x01X"), S(""), "" },
#undef S
};

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct console_escape e = { .armed = false };
		struct result r = feed(&e, cases[i].in, cases[i].nin);
		r.cmds[r.ncmds] = '\0';
		ok(r.nguest == cases[i].nguest && memcmp(r.guest, cases[i].guest, r.nguest) == 0,
		   "%s: the guest gets %zu byte(s)", cases[i].name, cases[i].nguest);
		if (!ok(strcmp(r.cmds, cases[i].cmds) == 0, "%s: commands \"%s\"", cases[i].name,
			cases[i].cmds))
			printf("#   got \"%s\"\n", r.cmds);
		ok(!e.armed, "%s: no Ctrl-A left waiting", cases[i].name);
	}

	/* A Ctrl-A at the end of one read waits for the key in the next. */
	struct console_escape e = { .armed = false };
	struct result r = feed(&e, "ab\x01", 3);
	ok(e.armed && r.nguest == 2, "a Ctrl-A at the end of a read waits for its key");
	r = feed(&e, "x", 1);
	ok(r.ncmds == 1 && r.cmds[0] == 'q' && r.nguest == 0, "its key in the next read: x quits");

	/* The table: every key the help lists, and the ones the issue asks for. */
	size_t n;
	const struct console_key *keys = console_keys(&n);
	int seen_h = 0, seen_x = 0, seen_a = 0;
	for (size_t i = 0; i < n; i++) {
		seen_h |= keys[i].key == 'h' && keys[i].action == CONSOLE_KEY_HELP;
		seen_x |= keys[i].key == 'x' && keys[i].action == CONSOLE_KEY_QUIT;
		seen_a |= keys[i].key == CONSOLE_ESCAPE && keys[i].action == CONSOLE_KEY_GUEST;
		ok(keys[i].name && keys[i].help, "key row %zu has a name and a help text", i);
	}
	ok(seen_h && seen_x && seen_a, "the table has h (help), x (quit), Ctrl-A (send Ctrl-A)");

	/* The help text Ctrl-A h shows lists every row. */
	char text[1024];
	size_t len = console_keys_help(text, sizeof(text));
	ok(len < sizeof(text), "the help text fits (%zu bytes)", len);
	for (size_t i = 0; i < n; i++)
		ok(strstr(text, keys[i].help) != NULL, "the help text lists \"%s\"", keys[i].help);
	char tiny[8];
	is(console_keys_help(tiny, sizeof(tiny)), len, "a short buffer: the length it needed");
	is(tiny[sizeof(tiny) - 1], '\0', "a short buffer: cut and NUL-terminated");
	return done_testing();
}
