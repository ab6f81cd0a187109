/*
 * idcheck.h - Chinese identifier checks (DOMAIN.md 2.2, rule category C10)
 * and the GB/T 2260 region list.
 *
 * Every check takes a byte string s of length n that need not be
 * NUL-terminated and is never read past n; s may be NULL only when n is 0.
 * Checks return 1 (valid) or 0 (invalid) and never fail otherwise.  They
 * take the value as it is: no trimming, no case folding (a lower-case 'x'
 * in an ID number or a lower-case letter in a USCI is a format error; a
 * transform step may normalise, the validator must not guess).
 *
 * Format and checksum are separate functions so that a rule set can report
 * a bad format as an error and a bad check character as a warning, and skip
 * the checksum when the format already failed (one message per value).
 * Each *_check() function returns 0 when the format is bad.
 *
 *	if (!bs_id_resident_format(v, n))
 *		report("R014", "not a resident ID number");
 *	else if (!bs_id_resident_check(v, n))
 *		report("R015", "check character wrong");
 *
 * The region list (GB/T 2260 county-level and higher codes, current and
 * historical) is data: rules/ref/gb2260.csv, documented in
 * rules/ref/README.md, loaded with bs_region_list_load().  The list owns its
 * names; pointers returned by bs_region_name() and bs_region_list_version()
 * stay valid until bs_region_list_free().
 */
#ifndef BS_IDCHECK_H
#define BS_IDCHECK_H

#include <stddef.h>

struct bs_err;

/* ---- Resident identity number (GB 11643-1999, MOD 11-2) ---------------- */

/*
 * 1 if s is 18 characters \d{17}[\dX] (upper-case X only) or 15 digits
 * (the legacy GB 11643-1989 number).
 */
int bs_id_resident_format(const char *s, size_t n);

/*
 * 1 if s is a well-formed 18-character number whose last character is the
 * ISO 7064 MOD 11-2 check character of the first 17 digits (weights
 * 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2, check "10X98765432"[sum % 11]).
 * 0 for a bad check character and for anything not 18 well-formed
 * characters (a 15-digit number has no check character).
 */
int bs_id_resident_check(const char *s, size_t n);

/*
 * Extract the birth date: digits 7-14 of an 18-character number, or 19 +
 * digits 7-12 of a 15-digit one.  Stores year, month and day in *y, *m, *d
 * (each may be NULL) whenever the format is right, zeros otherwise.
 * Returns 1 if they form a real Gregorian date (year 1-9999), 0 if not or if
 * the format is bad.  Whether the date is in the future is the caller's rule.
 */
int bs_id_resident_birth(const char *s, size_t n, int *y, int *m, int *d);

/*
 * Sex from the sequence code (digit 17 of 18, digit 15 of 15): 1 male (odd),
 * 2 female (even) - the codes of the sample schema's gender column; 0 if the
 * format is bad.
 */
int bs_id_resident_sex(const char *s, size_t n);

/*
 * Upgrade a 15-digit number: insert "19" before YYMMDD and append the check
 * character; out receives 18 characters and a NUL.  1 on success, 0 (out
 * untouched) if s is not 15 digits.
 *	bs_id_resident_upgrade("110105491231002", 15, out) -> "11010519491231002X"
 */
int bs_id_resident_upgrade(const char *s, size_t n, char out[19]);

/* ---- Unified social credit identifier (GB 32100-2015) ------------------ */

/*
 * 1 if s matches ^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$ (the
 * 31-symbol set has no I, O, S, V, Z).
 */
int bs_id_uscc_format(const char *s, size_t n);

/*
 * 1 if the format is right and the 18th character is the GB 32100 check
 * character (symbol values 0..30, weights 3^(i-1) mod 31, check 31 - sum %
 * 31, 31 -> 0).  Some real pilot-area codes fail it (DOMAIN.md 2.2 b.5),
 * so a failure should be a warning with a whitelist.  The embedded
 * organization code is s + 8, 9 characters: check it with
 * bs_id_orgcode_check(s + 8, 9).
 */
int bs_id_uscc_check(const char *s, size_t n);

/* ---- Organization code (GB 11714-1997) ---------------------------------- */

/*
 * 1 if s is 8 body characters [0-9A-Z] and a check character [0-9X], with
 * or without a '-' before the check character (9 or 10 bytes).
 */
int bs_id_orgcode_format(const char *s, size_t n);

/*
 * 1 if the format is right and the check character is correct: body values
 * 0-9 and A=10 .. Z=35 (the full alphabet, not the USCI symbol values),
 * weights 3 7 9 10 5 8 4 2, c = 11 - sum % 11, 10 -> 'X', 11 -> '0'.
 */
int bs_id_orgcode_check(const char *s, size_t n);

/* ---- Others -------------------------------------------------------------- */

/* 1 if s is 12..19 digits and passes the Luhn (mod 10) check. */
int bs_id_luhn(const char *s, size_t n);

/* 1 if s matches ^1[3-9]\d{9}$ (mainland mobile number, loose pattern). */
int bs_id_mobile(const char *s, size_t n);

/* ---- GB/T 2260 region list ----------------------------------------------- */

struct bs_region_list;

/*
 * Load a region list, e.g. "rules/ref/gb2260.csv".  The file is a reference
 * CSV (see refcsv.h) whose header starts with code,name,status (further
 * columns, such as first_seen,last_seen, are ignored); code is 6 digits,
 * name non-empty, status "current" or "historical".  A sibling file
 * "<stem>-extra.csv" (rules/ref/gb2260-extra.csv), if it exists, is loaded
 * too, with the same columns: its rows add codes or replace the main file's
 * row for the same code.  A code twice in one file is an error.
 *
 * The version (bs_region_list_version) is the first line of the sibling
 * "<stem>.VERSION" file, or "sha256:<16 hex>" of the list without one, with
 * "+extra:<version of the extra file>" appended when an extra file was read.
 *
 * Returns 0 and *out (free with bs_region_list_free), or -1 with err:
 * 66 the list is missing or unreadable, 74 a read error, 78 malformed
 * content, as "path:line: ..." or "path:line:column: ...".
 *
 *	struct bs_region_list *gb;
 *	if (bs_region_list_load(&gb, "rules/ref/gb2260.csv", &err) < 0)
 *		return bs_report(&err);
 *	if (!bs_region_known(gb, id, 6)) ...
 *	bs_region_list_free(gb);
 */
int bs_region_list_load(struct bs_region_list **out, const char *path,
    struct bs_err *err);

/* 1 if code is 6 digits and in the list (current or historical), else 0. */
int bs_region_known(const struct bs_region_list *l, const char *code,
    size_t n);

/*
 * 1 if code is in the list with status "current", 0 otherwise (historical
 * or unknown).
 */
int bs_region_current(const struct bs_region_list *l, const char *code,
    size_t n);

/* The code's name ("朝阳区"), or NULL if unknown.  Borrowed (see above). */
const char *bs_region_name(const struct bs_region_list *l, const char *code,
    size_t n);

/* The list's version string (see bs_region_list_load).  Borrowed. */
const char *bs_region_list_version(const struct bs_region_list *l);

/* Number of codes in the list. */
size_t bs_region_list_count(const struct bs_region_list *l);

/* Free the list; accepts NULL. */
void bs_region_list_free(struct bs_region_list *l);

#endif
