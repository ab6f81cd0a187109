/*
 * bytepat.h - a fast path for the regular expressions rule files use most:
 * fixed-length sequences of ASCII characters and character classes, such
 * as '[0-9]{17}[0-9X]', '1[3-9][0-9]{9}', 'P\d{6}' or '[A-Z]{2}-[0-9]{4}'.
 *
 * bs_bytepat_compile() recognises such a pattern and turns it into runs of
 * positions that accept the same bytes (a 256-entry table per run);
 * bs_bytepat_match() then tests a whole value (anchored at both ends, as
 * 'pattern:' rules match) with one table look-up per byte, without PCRE2's
 * per-call set-up.  Any pattern
 * outside the subset is refused (-1) and the caller keeps using PCRE2, so
 * the subset is kept small enough to be obviously equivalent:
 *
 *	atom	an ASCII character other than \ ^ $ . | ? * + ( ) [ ] { }
 *		\d (ASCII digits: PCRE2 without UCP), or \ and an ASCII
 *		punctuation character (that character)
 *	class	[ items ] where an item is an ASCII character other than
 *		\ [ ] ^, a range a-z of such characters (ascending), \d, or \
 *		and an ASCII punctuation character; '-' first or last is
 *		itself.  No negation ([^...]), no POSIX classes, no empty class.
 *	count	an atom or class may be followed by {n} (0 <= n <= 255)
 *
 * Equivalence with PCRE2 (PCRE2_UTF | PCRE2_ANCHORED | PCRE2_ENDANCHORED):
 * every set holds only ASCII bytes, so a value matches only if it is
 * exactly len ASCII characters, each in its position's set; on valid
 * UTF-8 input PCRE2 gives the same answer, character for character.
 *
 * Ownership: the pattern lives in the caller's struct; nothing allocates
 * but bs_bytepat_compile(), and bs_bytepat_release() frees.
 *
 *	struct bs_bytepat p;
 *	if (bs_bytepat_compile("1[3-9][0-9]{9}", 14, &p) == 0) {
 *		ok = bs_bytepat_match(&p, v, n);
 *		bs_bytepat_release(&p);
 *	}
 */
#ifndef BS_BYTEPAT_H
#define BS_BYTEPAT_H

#include <stddef.h>
#include <stdint.h>

#define BS_BYTEPAT_MAX 1024	/* positions (bytes of a matching value) */

/* A run of positions that accept the same bytes. */
struct bs_bytepat_run {
	unsigned char ok[256];	/* 1: byte accepted */
	size_t count;		/* positions */
};

struct bs_bytepat {
	struct bs_bytepat_run *run;
	size_t nrun;
	size_t len;		/* positions: the sum of the runs' counts */
};

/*
 * Compile n bytes of re.  0 and *p filled when re is in the subset above
 * (its whole text; at most BS_BYTEPAT_MAX positions), else -1 and *p
 * empty (nothing to release).  Never fails otherwise.
 */
int bs_bytepat_compile(const char *re, size_t n, struct bs_bytepat *p);

/* 1 if the n bytes of s match the whole pattern, else 0. */
int bs_bytepat_match(const struct bs_bytepat *p, const char *s, size_t n);

/* Free; p is then empty.  An empty p is fine. */
void bs_bytepat_release(struct bs_bytepat *p);

#endif
