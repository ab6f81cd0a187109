/*
 * idcheck.h - check digits and formats of Chinese identifiers
 * (DOMAIN.md 2.2), and the GB/T 2260 region-code list.
 *
 * PLACEHOLDER: this is the interface contract given to the idcheck helper,
 * copied verbatim so that lib/expr.c can be built and tested; the lead keeps
 * that helper's lib/idcheck.{c,h}.  Functions return 1 valid, 0 invalid.
 */
#ifndef BS_IDCHECK_H
#define BS_IDCHECK_H

#include <stddef.h>

struct bs_err;

int bs_id_resident_format(const char *s, size_t n);   /* \d{17}[\dX] or \d{15} */
int bs_id_resident_check(const char *s, size_t n);    /* 18-digit: MOD 11-2 check char correct; assumes format ok */
int bs_id_resident_birth(const char *s, size_t n, int *y, int *m, int *d); /* extracts birth date (15- or 18-digit), 1 if a real calendar date */
int bs_id_uscc_format(const char *s, size_t n);
int bs_id_uscc_check(const char *s, size_t n);        /* assumes format ok */
int bs_id_orgcode_format(const char *s, size_t n);    /* 8 chars + check, with or without '-' */
int bs_id_orgcode_check(const char *s, size_t n);
int bs_id_luhn(const char *s, size_t n);              /* digits only, 12..19 long, Luhn ok */
int bs_id_mobile(const char *s, size_t n);            /* ^1[3-9]\d{9}$ */
struct bs_region_list;                                 /* loaded from a shipped CSV */
int bs_region_list_load(struct bs_region_list **out, const char *path, struct bs_err *err);
int bs_region_known(const struct bs_region_list *l, const char *code, size_t n); /* 6 digits, current or historical */
void bs_region_list_free(struct bs_region_list *l);

#endif
