/*-------------------------------------------------------------------------
 *
 * idcguard_lease.c
 *		A primary acknowledges commits only while it holds a lease from the
 *		leading IDC Guard manager.
 *
 * The node agent keeps the file "idcguard.lease" in the data directory up to
 * date: one line, a decimal integer, the lease deadline in milliseconds of
 * CLOCK_MONOTONIC (Java's System.nanoTime() / 1000000 on Linux).  It writes
 * the file atomically (a temporary file renamed over it).
 *
 * The check must happen here, inside the server that acknowledges commits: a
 * primary frozen (SIGSTOP, a paused VM, a stalled host) while the DR city was
 * promoted may thaw and acknowledge commits before its node agent gets to run
 * again.  CLOCK_MONOTONIC keeps counting while a process is stopped, so a lease
 * that ran out during the freeze is seen as expired on the first instruction
 * after the thaw.
 *
 * - No file: nothing is enforced (standbys, a node never leased, cluster
 *	 creation).  A file that cannot be read or does not hold a number counts as
 *	 an expired lease.
 * - Enforced only outside recovery: a standby acknowledges nothing.
 * - At pre-commit of a transaction holding an xid the commit is refused with an
 *	 ERROR, so it aborts cleanly.
 * - After the commit record is written and the synchronous-replication wait
 *	 ended, a lease that ran out meanwhile means the client must not hear of
 *	 the commit: its connection is cut before CommandComplete is sent.
 *
 * Cost: one open/read/close of a tiny file at pre-commit and one at commit,
 * and only for transactions that wrote (hold an xid).
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "access/xact.h"
#include "access/xlog.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "storage/fd.h"

/*
 * Only Port.sock is used.  libpq-be.h pulls in <gssapi/gssapi.h> when the
 * server was built with GSSAPI, and Debian's postgresql-server-dev package
 * does not bring those headers; PostgreSQL keeps Port's layout the same with
 * and without GSSAPI for extensions' sake, so it is read as built without.
 */
#undef ENABLE_GSS
#include "libpq/libpq-be.h"

PG_MODULE_MAGIC;

/* Relative to the server's working directory, which is its data directory. */
#define LEASE_FILE "idcguard.lease"

/* Longer than any decimal int64 and a line end; more than this is malformed. */
#define LEASE_MAX_BYTES 32

typedef enum LeaseState
{
	LEASE_NONE,					/* no file: not enforced */
	LEASE_VALID,				/* deadline in the future */
	LEASE_EXPIRED,				/* deadline reached */
	LEASE_UNREADABLE			/* present but unreadable or malformed */
} LeaseState;

void		_PG_init(void);
extern void idcguard_twophase_init(void);

PG_FUNCTION_INFO_V1(idcguard_lease_remaining_ms);

static int64
monotonic_now_ms(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC is system-wide and what the node agent's JVM reads. */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
		return PG_INT64_MAX;	/* no clock: treat every lease as run out */
	return (int64) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Parses "<digits>[whitespace]" (an optional leading '-').  Returns false for
 * anything else, including an empty file or a number out of int64's range.
 */
static bool
parse_deadline(const char *buf, int len, int64 *deadline)
{
	int			i = 0;
	bool		negative = false;
	bool		digits = false;
	int64		value = 0;

	if (i < len && buf[i] == '-')
	{
		negative = true;
		i++;
	}
	for (; i < len && buf[i] >= '0' && buf[i] <= '9'; i++)
	{
		int			digit = buf[i] - '0';

		if (value > (PG_INT64_MAX - digit) / 10)
			return false;
		value = value * 10 + digit;
		digits = true;
	}
	for (; i < len; i++)
	{
		if (buf[i] != '\n' && buf[i] != '\r' && buf[i] != ' ' && buf[i] != '\t')
			return false;
	}
	if (!digits)
		return false;
	*deadline = negative ? -value : value;
	return true;
}

/*
 * Reads the lease file.  Raises no error, because it also runs after the
 * commit record was written, where an ERROR would become a PANIC.  On return
 * *remaining_ms is deadline - now for LEASE_VALID and LEASE_EXPIRED, and
 * *read_errno the errno of a failed open or read (0 for a malformed file).
 */
static LeaseState
lease_read(int64 *remaining_ms, int *read_errno)
{
	char		buf[LEASE_MAX_BYTES];
	int			fd;
	int			len = 0;
	int64		deadline;

	*remaining_ms = 0;
	*read_errno = 0;

	/* BasicOpenFile frees a virtual fd and retries when the process is out of them. */
	fd = BasicOpenFile(LEASE_FILE, O_RDONLY | PG_BINARY);
	if (fd < 0)
	{
		if (errno == ENOENT)
			return LEASE_NONE;
		*read_errno = errno;
		return LEASE_UNREADABLE;
	}
	/* the node agent renames a complete file into place, so one read gets it all */
	while (len < LEASE_MAX_BYTES)
	{
		ssize_t		n = read(fd, buf + len, LEASE_MAX_BYTES - len);

		if (n < 0)
		{
			if (errno == EINTR)
				continue;
			*read_errno = errno;
			close(fd);
			return LEASE_UNREADABLE;
		}
		if (n == 0)
			break;
		len += n;
	}
	close(fd);

	if (len >= LEASE_MAX_BYTES || !parse_deadline(buf, len, &deadline))
		return LEASE_UNREADABLE;

	*remaining_ms = deadline - monotonic_now_ms();
	return *remaining_ms > 0 ? LEASE_VALID : LEASE_EXPIRED;
}

/*
 * Whether this process must hold a lease to commit now.  A standby (in
 * recovery) commits nothing of its own; single-user mode is the DBA's repair
 * tool with no client to acknowledge to.
 */
static bool
lease_enforced(void)
{
	return IsUnderPostmaster && !RecoveryInProgress();
}

/*
 * An errdetail for a lease that is not valid.  %m reads the errno saved when
 * the ereport began, so callers set errno = read_errno before it.
 */
static int
lease_errdetail(LeaseState state, int64 remaining_ms, int read_errno)
{
	if (state == LEASE_EXPIRED)
		return errdetail("The lease in \"%s\" ran out " INT64_FORMAT " ms ago.",
						 LEASE_FILE, -remaining_ms);
	if (read_errno != 0)
		return errdetail("The lease file \"%s\" cannot be read: %m.", LEASE_FILE);
	return errdetail("The lease file \"%s\" does not hold a deadline.", LEASE_FILE);
}

static void
lease_refuse_commit(void)
{
	int64		remaining_ms;
	int			read_errno;
	LeaseState	state = lease_read(&remaining_ms, &read_errno);

	if (state == LEASE_NONE || state == LEASE_VALID)
		return;

	/*
	 * 25006 is what a standby or a read-only server answers to a write:
	 * applications and drivers already take it as "this is not the writable
	 * primary, reconnect", and nothing of the transaction was committed.
	 */
	errno = read_errno;
	ereport(ERROR,
			(errcode(ERRCODE_READ_ONLY_SQL_TRANSACTION),
			 errmsg("this primary's lease from the IDC Guard manager has run out: the commit is refused"),
			 lease_errdetail(state, remaining_ms, read_errno),
			 errhint("Nothing of this transaction was committed. Reconnect to the group's current primary and retry.")));
}

/*
 * The commit record is written and any wait for the synchronous standby has
 * ended; the client has not been told yet.  This is the commit that waited for
 * a frozen standby, or ran on a frozen primary, and completes on thaw after the
 * lease ran out: the DR city may have been promoted meanwhile without this
 * transaction, so the client must not receive a success.
 *
 * An ERROR or FATAL here would PANIC ("cannot abort transaction, it was already
 * committed"), so the connection is cut instead: shutdown() ends both
 * directions at once, so not even a buffered CommandComplete can leave, and the
 * client sees its connection lost, i.e. the outcome as unknown.  Setting
 * ClientConnectionLost makes the backend exit with "connection to client
 * lost" at its next CHECK_FOR_INTERRUPTS; CommitTransaction holds interrupts
 * until the transaction is over, so that FATAL cannot abort the commit.
 */
static void
lease_cut_acknowledgement(void)
{
	int64		remaining_ms;
	int			read_errno;
	LeaseState	state;

	if (MyProcPort == NULL || MyProcPort->sock == PGINVALID_SOCKET)
		return;					/* no client to acknowledge to */

	state = lease_read(&remaining_ms, &read_errno);
	if (state == LEASE_NONE || state == LEASE_VALID)
		return;

	shutdown(MyProcPort->sock, SHUT_RDWR);
	ClientConnectionLost = 1;
	InterruptPending = 1;

	errno = read_errno;
	ereport(LOG_SERVER_ONLY,
			(errmsg("this primary's lease from the IDC Guard manager ran out while transaction %u committed: its client's connection is cut instead of acknowledging it",
					GetTopTransactionIdIfAny()),
			 lease_errdetail(state, remaining_ms, read_errno),
			 errhint("The transaction is committed here and on the standbys that acknowledged it; its client sees the outcome as unknown.")));
}

/*
 * For the two-phase commit module: whether this backend may act on a commit
 * now (its lease, where one is enforced, has not run out).  Raises nothing.
 */
bool		idcguard_lease_lets_commit(void);

bool
idcguard_lease_lets_commit(void)
{
	int64		remaining_ms;
	int			read_errno;
	LeaseState	state;

	if (!lease_enforced())
		return true;
	state = lease_read(&remaining_ms, &read_errno);
	return state == LEASE_NONE || state == LEASE_VALID;
}

static void
lease_xact_callback(XactEvent event, void *arg)
{
	/* only a transaction that wrote something commits anything */
	if (!TransactionIdIsValid(GetTopTransactionIdIfAny()))
		return;

	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
		case XACT_EVENT_PRE_PREPARE:
			if (lease_enforced())
				lease_refuse_commit();
			break;
		case XACT_EVENT_COMMIT:
			if (lease_enforced())
				lease_cut_acknowledgement();
			break;
		default:
			break;
	}
}

void
_PG_init(void)
{
	/*
	 * Loaded by shared_preload_libraries in the postmaster, the callback is
	 * inherited by every backend it forks.  Loaded later (by the SQL function)
	 * it covers that backend only, which is harmless.
	 */
	RegisterXactCallback(lease_xact_callback, NULL);
	idcguard_twophase_init();
}

/*
 * idcguard_lease_remaining_ms() returns bigint: the lease's deadline minus
 * now (negative once it ran out), or NULL without a lease file.
 */
Datum
idcguard_lease_remaining_ms(PG_FUNCTION_ARGS)
{
	int64		remaining_ms;
	int			read_errno;
	LeaseState	state = lease_read(&remaining_ms, &read_errno);

	if (state == LEASE_NONE)
		PG_RETURN_NULL();
	if (state == LEASE_UNREADABLE)
	{
		errno = read_errno;
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("the IDC Guard lease file cannot be used: commits count it as run out"),
				 lease_errdetail(state, remaining_ms, read_errno)));
	}
	PG_RETURN_INT64(remaining_ms);
}
