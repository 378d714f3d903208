/*-------------------------------------------------------------------------
 *
 * idcguard_twophase.c
 *		A coordinator transaction that wrote on more than one shard commits
 *		with two-phase commit.
 *
 * postgres_fdw (PostgreSQL 15) commits each shard's part one after the other
 * at pre-commit and cannot PREPARE: a coordinator lost between two shards'
 * commits leaves the transaction on some shards only.  This module, in the
 * coordinator's backends, does instead:
 *
 * 1. While statements run, it notes every foreign table written (result
 *	  relations of the executor, tuple routing included) with the user mapping
 *	  postgres_fdw uses for it.
 * 2. At pre-commit, if two or more foreign servers were written, before
 *	  postgres_fdw's own pre-commit callback: PREPARE TRANSACTION 'gid' on each
 *	  of those connections (WAL-logged, and waiting for the shard's synchronous
 *	  standbys like a commit; a prepare whose synchronous wait was cancelled is
 *	  a failure), then the decision row (gid) is inserted into
 *	  idcguard_twophase_decision in the coordinator's own transaction, whose
 *	  commit record is the decision.  An empty transaction is begun on each
 *	  connection, for postgres_fdw to commit as it always does.
 * 3. After the local commit (durable and replicated to the coordinator's
 *	  synchronous standbys), COMMIT PREPARED on each shard.  A failure here is a
 *	  warning only: the client's commit is decided, and the manager's in-doubt
 *	  resolver commits what is left.
 * 4. On abort, ROLLBACK PREPARED on each shard prepared so far.
 *
 * The manager resolves prepared transactions left by a failure: for a gid
 * whose coordinator transaction is over, COMMIT PREPARED if its decision row
 * exists on the coordinator's primary, ROLLBACK PREPARED if not.  The gid
 * carries the coordinator's full transaction id (for "is it over?") and a
 * random part (a transaction id of a timeline a takeover cut off may be used
 * again on the new one).
 *
 * idcguard.two_phase_commit (superuser, default on) turns the protocol off for
 * tests that show what it prevents; idcguard.two_phase_pause (superuser) makes
 * the backend sleep at one point of the protocol so a test can kill the
 * coordinator there.
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <unistd.h>

#include "access/xact.h"
#include "access/xlog.h"
#include "catalog/pg_authid_d.h"
#include "catalog/pg_inherits.h"
#include "catalog/namespace.h"
#include "catalog/pg_class_d.h"
#include "catalog/pg_type_d.h"
#include "common/pg_prng.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "foreign/foreign.h"
#include "libpq-fe.h"
#include "miscadmin.h"
#include "nodes/execnodes.h"
#include "parser/parsetree.h"
#include "pgstat.h"
#include "replication/syncrep.h"
#include "replication/walsender_private.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "tcop/utility.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timestamp.h"
#include "catalog/pg_class.h"

#define MAX_PARTICIPANTS 64
/* in a schema of the bootstrap superuser's: the application owns public and could drop or replace a table there */
#define DECISION_SCHEMA "idcguard"
#define DECISION_TABLE "twophase_decision"
/* how long a shard's COMMIT PREPARED may take after the local commit before it is left to the manager */
#define COMMIT_PREPARED_WAIT_MS 10000

typedef struct PgFdwConnState PgFdwConnState;
typedef PGconn *(*GetConnection_type) (UserMapping *user, bool will_prep_stmt, PgFdwConnState **state);

typedef struct Participant
{
	Oid			serverid;
	Oid			umid;			/* postgres_fdw keeps one connection per user mapping */
	UserMapping *mapping;
	PGconn	   *conn;			/* set at prepare */
	bool		prepared;
	bool		sync_cancelled; /* the command in flight drew "canceling wait for synchronous replication" */
} Participant;

void		idcguard_twophase_init(void);
extern bool idcguard_lease_lets_commit(void);

static bool two_phase_enabled = true;
static char *pause_at = NULL;
static int	pause_ms = 0;

static ExecutorEnd_hook_type prev_ExecutorEnd = NULL;
static ProcessUtility_hook_type prev_ProcessUtility = NULL;
static GetConnection_type get_connection = NULL;

static Participant participants[MAX_PARTICIPANTS];
static int	participant_count = 0;
static char current_gid[64];
static PQnoticeReceiver libpq_receiver = NULL;

static void twophase_xact_callback(XactEvent event, void *arg);

static void
pause_if(const char *point)
{
	if (pause_at != NULL && strcmp(pause_at, point) == 0 && pause_ms > 0)
	{
		elog(LOG, "idcguard two-phase commit: pausing %d ms %s (%s)", pause_ms, point, current_gid);
		pg_usleep((long) pause_ms * 1000L);
	}
}

static void
note_participant(Oid serverid, Oid userid)
{
	int			i;
	MemoryContext previous = MemoryContextSwitchTo(TopTransactionContext);
	UserMapping *um = GetUserMapping(userid, serverid);

	MemoryContextSwitchTo(previous);
	/* one participant per connection: users sharing a mapping (PUBLIC) share postgres_fdw's connection */
	for (i = 0; i < participant_count; i++)
		if (participants[i].umid == um->umid)
			return;
	if (participant_count >= MAX_PARTICIPANTS)
		ereport(ERROR,
				(errmsg("a transaction may write through at most %d foreign connections", MAX_PARTICIPANTS)));
	participants[participant_count].serverid = serverid;
	participants[participant_count].umid = um->umid;
	participants[participant_count].mapping = um;
	participants[participant_count].conn = NULL;
	participants[participant_count].prepared = false;
	participant_count++;
	/* run before postgres_fdw's callback, which registered when it first connected */
	UnregisterXactCallback(twophase_xact_callback, NULL);
	RegisterXactCallback(twophase_xact_callback, NULL);
}

/* Every foreign table a relation is or holds (a partitioned table's foreign partitions), as the current user. */
static void
note_foreign_tables_of(Oid relid)
{
	List	   *all = find_all_inheritors(relid, NoLock, NULL);
	ListCell   *lc;

	foreach(lc, all)
	{
		Oid			child = lfirst_oid(lc);

		if (get_rel_relkind(child) == RELKIND_FOREIGN_TABLE)
			note_participant(GetForeignTable(child)->serverid, GetUserId());
	}
}

static void
note_result_relations(List *relations, EState *estate)
{
	ListCell   *lc;

	foreach(lc, relations)
	{
		ResultRelInfo *rri = (ResultRelInfo *) lfirst(lc);
		Relation	rel = rri->ri_RelationDesc;
		Index		rti;
		RangeTblEntry *rte;
		Oid			userid;

		if (rel == NULL || rel->rd_rel->relkind != RELKIND_FOREIGN_TABLE)
			continue;
		/* postgres_fdw's user: the RTE's checkAsUser, a routed partition's from its root */
		rti = rri->ri_RangeTableIndex;
		if (rti == 0 && rri->ri_RootResultRelInfo != NULL)
			rti = rri->ri_RootResultRelInfo->ri_RangeTableIndex;
		rte = rti > 0 ? exec_rt_fetch(rti, estate) : NULL;
		userid = rte != NULL && OidIsValid(rte->checkAsUser) ? rte->checkAsUser : GetUserId();
		note_participant(GetForeignTable(RelationGetRelid(rel))->serverid, userid);
	}
}

static void
twophase_ExecutorEnd(QueryDesc *queryDesc)
{
	EState	   *estate = queryDesc->estate;

	/* any statement: a SELECT's data-modifying WITH writes through result relations too */
	if (estate != NULL)
	{
		note_result_relations(estate->es_opened_result_relations, estate);
		note_result_relations(estate->es_tuple_routing_result_relations, estate);
	}
	if (prev_ExecutorEnd)
		prev_ExecutorEnd(queryDesc);
	else
		standard_ExecutorEnd(queryDesc);
}

/*
 * COPY FROM and TRUNCATE write foreign tables without the executor's result
 * relations: every foreign table they could have written is a participant (a
 * shard that had nothing to do prepares an empty part, which costs a round
 * trip and nothing else).
 */
static void
twophase_ProcessUtility(PlannedStmt *pstmt, const char *queryString, bool readOnlyTree, ProcessUtilityContext context,
						ParamListInfo params, QueryEnvironment *queryEnv, DestReceiver *dest, QueryCompletion *qc)
{
	Node	   *parsetree = pstmt->utilityStmt;

	if (prev_ProcessUtility)
		prev_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);
	else
		standard_ProcessUtility(pstmt, queryString, readOnlyTree, context, params, queryEnv, dest, qc);

	if (!IsTransactionState())
		return;
	if (IsA(parsetree, CopyStmt) && ((CopyStmt *) parsetree)->is_from && ((CopyStmt *) parsetree)->relation != NULL)
	{
		Oid			relid = RangeVarGetRelid(((CopyStmt *) parsetree)->relation, NoLock, true);

		if (OidIsValid(relid))
			note_foreign_tables_of(relid);
	}
	else if (IsA(parsetree, TruncateStmt))
	{
		ListCell   *lc;

		foreach(lc, ((TruncateStmt *) parsetree)->relations)
		{
			Oid			relid = RangeVarGetRelid((RangeVar *) lfirst(lc), NoLock, true);

			if (OidIsValid(relid))
				note_foreign_tables_of(relid);
		}
	}
}

static void
notice_receiver(void *arg, const PGresult *res)
{
	const char *message = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

	if (message != NULL && strstr(message, "canceling wait for synchronous replication") != NULL)
		*(bool *) arg = true;
}

/* Reads and drops what a cancelled command still sends, for at most timeout_ms. */
static void
drain(PGconn *conn, long timeout_ms)
{
	TimestampTz deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), timeout_ms);
	PGresult   *res;

	for (;;)
	{
		while (PQisBusy(conn))
		{
			long		wait_ms = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), deadline);

			if (wait_ms <= 0)
				return;
			(void) WaitLatchOrSocket(MyLatch, WL_LATCH_SET | WL_SOCKET_READABLE | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
									 PQsocket(conn), wait_ms, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			if (!PQconsumeInput(conn))
				return;
		}
		res = PQgetResult(conn);
		if (res == NULL)
			return;
		PQclear(res);
	}
}

/* Sends a command without waiting; its notices of a cancelled synchronous wait set *cancelled. */
static bool
send_command(PGconn *conn, const char *sql, bool *cancelled)
{
	PQnoticeReceiver previous;

	*cancelled = false;
	previous = PQsetNoticeReceiver(conn, notice_receiver, cancelled);
	if (libpq_receiver == NULL && previous != notice_receiver)
		libpq_receiver = previous;
	return PQsendQuery(conn, sql) == 1;
}

/*
 * Waits for a sent command's end on the backend's latch and the socket, as
 * postgres_fdw does, so that a shard that never answers does not hang the
 * coordinator's backend: before the decision a cancel or a termination
 * interrupts it (an ERROR, the transaction aborts); after the local commit,
 * where interrupts are held, it gives up at the deadline (0: none) or when the
 * backend is told to die, cancels the shard's statement, and leaves the part
 * to the manager.  False (with the reason in *why) if the command failed, was
 * given up, or its synchronous wait was cancelled.
 */
static bool
await_command(PGconn *conn, bool *cancelled, char **why, TimestampTz deadline)
{
	PGresult   *res = NULL;
	PGresult   *last = NULL;
	bool		ok;
	bool		given_up = false;

	while (!given_up)
	{
		int			rc;
		long		wait_ms = -1;

		while (PQisBusy(conn))
		{
			if (deadline != 0)
			{
				wait_ms = TimestampDifferenceMilliseconds(GetCurrentTimestamp(), deadline);
				if (wait_ms <= 0 || ProcDiePending)
				{
					given_up = true;
					break;
				}
			}
			rc = WaitLatchOrSocket(MyLatch, WL_LATCH_SET | WL_SOCKET_READABLE | WL_EXIT_ON_PM_DEATH
								   | (deadline != 0 ? WL_TIMEOUT : 0), PQsocket(conn), wait_ms, PG_WAIT_EXTENSION);
			ResetLatch(MyLatch);
			CHECK_FOR_INTERRUPTS();	/* held (a no-op) after the local commit */
			if ((rc & WL_SOCKET_READABLE) && !PQconsumeInput(conn))
				break;
		}
		if (given_up)
			break;
		res = PQgetResult(conn);
		if (res == NULL)
			break;
		if (last != NULL)
			PQclear(last);
		last = res;
	}
	if (given_up)
	{
		/* ask the shard to stop, so the connection is usable again for postgres_fdw */
		PGcancel   *cancel = PQgetCancel(conn);
		char		errbuf[256];

		if (cancel != NULL)
		{
			(void) PQcancel(cancel, errbuf, sizeof(errbuf));
			PQfreeCancel(cancel);
		}
		drain(conn, 1000);
	}
	if (libpq_receiver != NULL)
		PQsetNoticeReceiver(conn, libpq_receiver, NULL);
	ok = !given_up && last != NULL && PQresultStatus(last) == PGRES_COMMAND_OK && !*cancelled;
	if (!ok && why != NULL)
		*why = given_up ? "the shard did not answer in time"
			: *cancelled ? "its synchronous standbys were not waited for"
			: (last != NULL && PQresultErrorMessage(last)[0] ? pstrdup(PQresultErrorMessage(last)) : pstrdup(PQerrorMessage(conn)));
	if (last != NULL)
		PQclear(last);
	return ok;
}

/* One command, sent and waited for (timeout_ms 0: no bound). */
static bool
run_command(PGconn *conn, const char *sql, char **why, long timeout_ms)
{
	bool		cancelled = false;

	if (!send_command(conn, sql, &cancelled))
	{
		if (why != NULL)
			*why = pstrdup(PQerrorMessage(conn));
		return false;
	}
	return await_command(conn, &cancelled, why,
						 timeout_ms > 0 ? TimestampTzPlusMilliseconds(GetCurrentTimestamp(), timeout_ms) : 0);
}

static void
record_decision(void)
{
	Oid			save_userid;
	int			save_sec_context;
	Datum		arg[1];
	Oid			argtype[1] = {TEXTOID};
	int			ret;

	/* as the bootstrap superuser, who owns the table: the application cannot write decisions */
	GetUserIdAndSecContext(&save_userid, &save_sec_context);
	SetUserIdAndSecContext(BOOTSTRAP_SUPERUSERID, save_sec_context | SECURITY_LOCAL_USERID_CHANGE);
	PushActiveSnapshot(GetTransactionSnapshot());
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "idcguard two-phase commit: SPI_connect failed");
	arg[0] = CStringGetTextDatum(current_gid);
	ret = SPI_execute_with_args("INSERT INTO " DECISION_SCHEMA "." DECISION_TABLE " (gid) VALUES ($1)", 1, argtype, arg, NULL, false, 0);
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "idcguard two-phase commit: recording the decision failed (%d)", ret);
	SPI_finish();
	PopActiveSnapshot();
	SetUserIdAndSecContext(save_userid, save_sec_context);
	CommandCounterIncrement();
}

/*
 * The decision table, as the manager made it: in the idcguard schema, owned
 * by the bootstrap superuser.  Anything else (missing, or a table someone
 * else owns) refuses the commit: committing shard by shard instead would be
 * the very tearing this module exists to prevent.
 */
static void
check_decision_table(void)
{
	Oid			schema = get_namespace_oid(DECISION_SCHEMA, true);
	Oid			relid = OidIsValid(schema) ? get_relname_relid(DECISION_TABLE, schema) : InvalidOid;
	HeapTuple	tuple;
	Oid			owner = InvalidOid;

	if (OidIsValid(relid))
	{
		tuple = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
		if (HeapTupleIsValid(tuple))
		{
			owner = ((Form_pg_class) GETSTRUCT(tuple))->relowner;
			ReleaseSysCache(tuple);
		}
	}
	if (!OidIsValid(relid) || owner != BOOTSTRAP_SUPERUSERID)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("this transaction wrote on several shards, and the table " DECISION_SCHEMA "." DECISION_TABLE
						" its commit must be recorded in is %s", OidIsValid(relid) ? "not the manager's" : "missing"),
				 errhint("Nothing was committed on any shard. The IDC Guard manager creates the table; retry once it runs.")));
}

/*
 * Prepares every part at once (each prepare waits for its shard's synchronous
 * standbys, so the waits overlap), then records the decision.  A part that
 * failed fails the transaction: the abort rolls back the parts prepared.
 */
static void
prepare_all(void)
{
	int			i;
	char		sql[160];
	char	   *why = NULL;
	char	   *first_why = NULL;
	int			failed = -1;

	check_decision_table();
	if (get_connection == NULL)
		get_connection = (GetConnection_type) load_external_function("$libdir/postgres_fdw", "GetConnection", true, NULL);
	snprintf(current_gid, sizeof(current_gid), "idcg_" UINT64_FORMAT "_%08x",
			 U64FromFullTransactionId(GetTopFullTransactionId()), pg_prng_uint32(&pg_global_prng_state));
	for (i = 0; i < participant_count; i++)
		participants[i].conn = get_connection(participants[i].mapping, false, NULL);
	for (i = 0; i < participant_count; i++)
	{
		/*
		 * The part waits for the shard's synchronous standbys whatever the
		 * remote role's settings say; each part has a gid of its own, since
		 * two connections may reach one shard (two user mappings of a server).
		 */
		snprintf(sql, sizeof(sql), "SET LOCAL synchronous_commit = on; PREPARE TRANSACTION '%s_%d'", current_gid, i);
		if (!send_command(participants[i].conn, sql, &participants[i].sync_cancelled))
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("the shard on foreign server %u could not be asked to prepare its part of the transaction: %s",
							participants[i].serverid, PQerrorMessage(participants[i].conn)),
					 errhint("Nothing was committed on any shard; retry the transaction.")));
	}
	/* every answer is read, so no connection is left busy, before a failure is raised */
	for (i = 0; i < participant_count; i++)
	{
		if (await_command(participants[i].conn, &participants[i].sync_cancelled, &why, 0))
			participants[i].prepared = true;
		else if (failed < 0)
		{
			failed = i;
			first_why = why;
		}
		if (i == 0)
			pause_if("after_first_prepare");
	}
	if (failed >= 0)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("the shard on foreign server %u could not prepare its part of the transaction: %s",
						participants[failed].serverid, first_why),
				 errhint("Nothing was committed on any shard; retry the transaction.")));
	/* an empty transaction on each connection, for postgres_fdw's own COMMIT at its pre-commit */
	for (i = 0; i < participant_count; i++)
		(void) run_command(participants[i].conn, "START TRANSACTION", NULL, 0);
	pause_if("after_prepare");
	/* the decision commits only once the coordinator's synchronous standbys have it, whatever the session set */
	if (synchronous_commit < SYNCHRONOUS_COMMIT_REMOTE_FLUSH)
		(void) set_config_option("synchronous_commit", "on", PGC_SUSET, PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0, false);
	record_decision();
}

/*
 * Whether the decision may be acted on by this backend: the local commit
 * reached the synchronous standbys (a wait cancelled by the client, a
 * statement timeout or a shutdown leaves it on this server alone, and a
 * takeover would lose it), and this primary still holds its lease.  When not,
 * the parts are left prepared, and the manager decides from the coordinator
 * primary that is the true one.
 */
static bool
decision_is_durable(void)
{
	bool		defined;
	XLogRecPtr	flushed;

	if (!idcguard_lease_lets_commit())
		return false;
	LWLockAcquire(SyncRepLock, LW_SHARED);
	defined = (WalSndCtl->sync_standbys_status & SYNC_STANDBY_DEFINED) != 0;
	flushed = WalSndCtl->lsn[SYNC_REP_WAIT_FLUSH];
	LWLockRelease(SyncRepLock);
	/* no synchronous standby named: the group runs unprotected, and a commit is acknowledged as it is */
	return !defined || flushed >= XactLastCommitEnd;
}

/* A part whose commit did not go through here: the manager's resolver commits it from the decision. */
static void
left_to_manager(int i, const char *why)
{
	ereport(WARNING,
			(errmsg("committing the part of transaction %s on foreign server %u is left to the IDC Guard manager: %s",
					current_gid, participants[i].serverid, why)));
}

/*
 * Commits every part at once (each COMMIT PREPARED waits for its shard's
 * synchronous standbys, so the waits overlap), all within one bound; what is
 * not committed by then is left to the manager.  A test holding the backend
 * between two shards' commits gets them one after the other.
 */
static void
commit_all(void)
{
	int			i;
	char		sql[128];
	char	   *why = NULL;
	bool		one_by_one = pause_at != NULL && strcmp(pause_at, "between_commits") == 0 && pause_ms > 0;
	bool		sent[MAX_PARTICIPANTS];
	TimestampTz deadline;

	pause_if("after_decision");
	if (!decision_is_durable())
	{
		ereport(WARNING,
				(errmsg("the commit of transaction %s is not known to have reached the synchronous standbys, or this "
						"primary's lease ran out: its parts on the shards are left to the IDC Guard manager", current_gid)));
		return;
	}
	deadline = TimestampTzPlusMilliseconds(GetCurrentTimestamp(), COMMIT_PREPARED_WAIT_MS);
	for (i = 0; i < participant_count; i++)
	{
		sent[i] = false;
		if (!participants[i].prepared)
			continue;
		if (one_by_one && i > 0)
			pause_if("between_commits");
		snprintf(sql, sizeof(sql), "COMMIT PREPARED '%s_%d'", current_gid, i);
		sent[i] = send_command(participants[i].conn, sql, &participants[i].sync_cancelled);
		if (!sent[i])
			left_to_manager(i, PQerrorMessage(participants[i].conn));
		else if (one_by_one
				 && !await_command(participants[i].conn, &participants[i].sync_cancelled, &why, deadline))
			left_to_manager(i, why);
	}
	if (one_by_one)
		return;
	for (i = 0; i < participant_count; i++)
	{
		if (sent[i] && !await_command(participants[i].conn, &participants[i].sync_cancelled, &why, deadline))
			left_to_manager(i, why);
	}
}

static void
rollback_all(void)
{
	int			i;
	char		sql[128];

	for (i = 0; i < participant_count; i++)
	{
		if (!participants[i].prepared || participants[i].conn == NULL)
			continue;
		/* a connection lost or still busy: the manager rolls the part back (no decision was recorded) */
		if (PQstatus(participants[i].conn) != CONNECTION_OK || PQisBusy(participants[i].conn))
			continue;
		/* end the empty transaction begun for postgres_fdw, then roll the prepared part back */
		snprintf(sql, sizeof(sql), "ROLLBACK PREPARED '%s_%d'", current_gid, i);
		(void) run_command(participants[i].conn, "ROLLBACK", NULL, COMMIT_PREPARED_WAIT_MS);
		(void) run_command(participants[i].conn, sql, NULL, COMMIT_PREPARED_WAIT_MS);
	}
}

static void
reset_participants(void)
{
	participant_count = 0;
	current_gid[0] = '\0';
}

static void
twophase_xact_callback(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_PRE_COMMIT:
			/* two connections or more: postgres_fdw would commit them one after the other */
			if (two_phase_enabled && participant_count >= 2)
				prepare_all();
			break;
		case XACT_EVENT_COMMIT:
			if (current_gid[0] != '\0')
				commit_all();
			reset_participants();
			break;
		case XACT_EVENT_ABORT:
			if (current_gid[0] != '\0')
				rollback_all();
			reset_participants();
			break;
		case XACT_EVENT_PREPARE:
			/* postgres_fdw refuses to PREPARE a transaction that used it; nothing of ours to carry */
			reset_participants();
			break;
		default:
			break;
	}
}

void
idcguard_twophase_init(void)
{
	DefineCustomBoolVariable("idcguard.two_phase_commit",
							 "Commits a transaction that wrote on several shards with two-phase commit.",
							 NULL, &two_phase_enabled, true, PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomStringVariable("idcguard.two_phase_pause",
							   "For tests: after_first_prepare, after_prepare, after_decision or between_commits.",
							   NULL, &pause_at, "", PGC_SUSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("idcguard.two_phase_pause_ms",
							"For tests: how long to pause at idcguard.two_phase_pause.",
							NULL, &pause_ms, 0, 0, 600000, PGC_SUSET, GUC_UNIT_MS, NULL, NULL, NULL);
	prev_ExecutorEnd = ExecutorEnd_hook;
	ExecutorEnd_hook = twophase_ExecutorEnd;
	prev_ProcessUtility = ProcessUtility_hook;
	ProcessUtility_hook = twophase_ProcessUtility;
	RegisterXactCallback(twophase_xact_callback, NULL);
}
