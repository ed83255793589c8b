/*
 * asan_seccomp.c: linked into the module only by make test-asan.
 *
 * The ASan and UBSan runtimes make system calls of their own that Kore's
 * worker sandbox does not allow: starting a thread (a task thread, for
 * reports) costs gettid and sched_getaffinity, and their spin locks may
 * sched_yield.  Without these the first task thread of an instrumented
 * worker dies from a sandbox violation.  The module keeps its one
 * KORE_SECCOMP_FILTER (app/http/api.c); this adds a second filter from a
 * constructor, which runs when the parent loads the module, after Kore
 * has set up its filter list and before any worker enables the sandbox.
 */
#include <sys/syscall.h>

#include <kore/kore.h>
#include <kore/seccomp.h>

static struct sock_filter	asan_filter[] = {
	KORE_SYSCALL_ALLOW(gettid),
	KORE_SYSCALL_ALLOW(sched_getaffinity),
	KORE_SYSCALL_ALLOW(sched_yield),
};

static void	asan_seccomp(void) __attribute__((constructor));

static void
asan_seccomp(void)
{
	kore_seccomp_filter("asan", asan_filter, KORE_FILTER_LEN(asan_filter));
}
