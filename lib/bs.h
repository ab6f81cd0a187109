/*
 * bs.h - prelude of every baosong source file: feature macros, the common
 * system headers, the shared error/alloc/log declarations, banned.h last.
 * Every .c includes "bs.h" first, then its own header.
 */
#ifndef BS_H
#define BS_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "exitcode.h"
#include "err.h"
#include "xalloc.h"
#include "log.h"
#include "buf.h"

#define BS_VERSION "0.1.0"
#define BS_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#include "banned.h"

#endif
