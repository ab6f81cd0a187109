/*
 * banned.h - functions we never call: unbounded copies and parsers that
 * cannot report errors.  Included last by bs.h, so a use is a compile error.
 */
#ifndef BS_BANNED_H
#define BS_BANNED_H

#define BS_BANNED(func) sorry_##func##_is_a_banned_function

#undef strcpy
#define strcpy(x, y) BS_BANNED(strcpy)
#undef strcat
#define strcat(x, y) BS_BANNED(strcat)
#undef sprintf
#define sprintf(...) BS_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BS_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) BS_BANNED(strtok)
#undef atoi
#define atoi(x) BS_BANNED(atoi)
#undef atol
#define atol(x) BS_BANNED(atol)
#undef gets
#define gets(x) BS_BANNED(gets)

#endif
