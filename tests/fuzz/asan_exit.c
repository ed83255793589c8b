/*
 * asan_exit.c: preloaded into Kore (which is not instrumented) by make
 * test-asan, after the ASan runtime.
 *
 * In a program that is not instrumented, the preloaded ASan runtime
 * initialises only after libp11-kit's constructor (libpq -> libldap ->
 * gnutls -> p11-kit) has called newlocale(); initialising inside it
 * leaves glibc's locale lock with a reader count of -1, so exit() hangs
 * for ever in p11-kit's destructor (freelocale() waits for the lock).
 * Kore registers no exit handlers, so exit() here flushes stdio and
 * leaves with _exit().
 */
#include <stdio.h>
#include <unistd.h>

void	exit(int);

void
exit(int status)
{
	fflush(NULL);
	_exit(status);
}
