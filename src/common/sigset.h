/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Signal sets of the keeper and the worker, spelled as lists. */

#include <signal.h>
#include <stdarg.h>

/* Sets *ret to the signals listed after it, a list that ends with 0. */
static inline void pv_sigset_of(sigset_t *ret, ...)
{
        va_list ap;
        int sig;

        sigemptyset(ret);
        va_start(ap, ret);
        while ((sig = va_arg(ap, int)) != 0)
                sigaddset(ret, sig);
        va_end(ap);
}
