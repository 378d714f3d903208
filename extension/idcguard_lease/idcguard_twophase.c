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
#include "catalog/pg_authid_d.h"
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
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#define MAX_PARTICIPANTS 64
#define DECISION_TABLE "idcguard_twophase_decision"

typedef struct PgFdwConnState PgFdwConnState;
typedef PGconn *(*GetConnection_type) (UserMapping *user, bool will_prep_stmt, PgFdwConnState **state);

typedef struct Participant
{
	Oid			serverid;
	Oid			userid;
	PGconn	   *conn;			/* set at prepare */
	bool		prepared;
} Participant;

void		idcguard_twophase_init(void);

static bool two_phase_enabled = true;
static char *pause_at = NULL;
static int	pause_ms = 0;

static ExecutorEnd_hook_type prev_ExecutorEnd = NULL;
static GetConnection_type get_connection = NULL;

static Participant participants[MAX_PARTICIPANTS];
static int	participant_count = 0;
static char current_gid[64];
static bool sync_wait_cancelled = false;

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

	for (i = 0; i < participant_count; i++)
		if (participants[i].serverid == serverid && participants[i].userid == userid)
			return;
	if (participant_count >= MAX_PARTICIPANTS)
		ereport(ERROR,
				(errmsg("a transaction may write to at most %d foreign servers", MAX_PARTICIPANTS)));
	participants[participant_count].serverid = serverid;
	participants[participant_count].userid = userid;
	participants[participant_count].conn = NULL;
	participants[participant_count].prepared = false;
	participant_count++;
	/* run before postgres_fdw's callback, which registered when it first connected */
	UnregisterXactCallback(twophase_xact_callback, NULL);
	RegisterXactCallback(twophase_xact_callback, NULL);
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

	if (estate != NULL && queryDesc->operation != CMD_SELECT)
	{
		note_result_relations(estate->es_opened_result_relations, estate);
		note_result_relations(estate->es_tuple_routing_result_relations, estate);
	}
	if (prev_ExecutorEnd)
		prev_ExecutorEnd(queryDesc);
	else
		standard_ExecutorEnd(queryDesc);
}

static void
notice_receiver(void *arg, const PGresult *res)
{
	const char *message = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

	if (message != NULL && strstr(message, "canceling wait for synchronous replication") != NULL)
		sync_wait_cancelled = true;
}

/* Runs a command; false (with the reason in *why) if it failed or its synchronous wait was cancelled. */
static bool
run_command(PGconn *conn, const char *sql, char **why)
{
	PQnoticeReceiver previous;
	PGresult   *res;
	bool		ok;

	sync_wait_cancelled = false;
	previous = PQsetNoticeReceiver(conn, notice_receiver, NULL);
	res = PQexec(conn, sql);
	PQsetNoticeReceiver(conn, previous, NULL);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK && !sync_wait_cancelled;
	if (!ok && why != NULL)
		*why = pstrdup(sync_wait_cancelled ? "its synchronous standbys were not waited for"
					   : (PQresultErrorMessage(res)[0] ? PQresultErrorMessage(res) : PQerrorMessage(conn)));
	PQclear(res);
	return ok;
}

static int
distinct_servers(void)
{
	int			count = 0;
	int			i,
				j;

	for (i = 0; i < participant_count; i++)
	{
		bool		seen = false;

		for (j = 0; j < i; j++)
			if (participants[j].serverid == participants[i].serverid)
				seen = true;
		if (!seen)
			count++;
	}
	return count;
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
	ret = SPI_execute_with_args("INSERT INTO public." DECISION_TABLE " (gid) VALUES ($1)", 1, argtype, arg, NULL, false, 0);
	if (ret != SPI_OK_INSERT)
		elog(ERROR, "idcguard two-phase commit: recording the decision failed (%d)", ret);
	SPI_finish();
	PopActiveSnapshot();
	SetUserIdAndSecContext(save_userid, save_sec_context);
	CommandCounterIncrement();
}

static bool
decision_table_exists(void)
{
	return OidIsValid(get_relname_relid(DECISION_TABLE, get_namespace_oid("public", true)));
}

static void
prepare_all(void)
{
	int			i;
	char		sql[128];
	char	   *why = NULL;

	if (get_connection == NULL)
		get_connection = (GetConnection_type) load_external_function("$libdir/postgres_fdw", "GetConnection", true, NULL);
	snprintf(current_gid, sizeof(current_gid), "idcg_" UINT64_FORMAT "_%08x",
			 U64FromFullTransactionId(GetTopFullTransactionId()), pg_prng_uint32(&pg_global_prng_state));
	snprintf(sql, sizeof(sql), "PREPARE TRANSACTION '%s'", current_gid);
	for (i = 0; i < participant_count; i++)
	{
		UserMapping *um = GetUserMapping(participants[i].userid, participants[i].serverid);

		participants[i].conn = get_connection(um, false, NULL);
		if (!run_command(participants[i].conn, sql, &why))
			ereport(ERROR,
					(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
					 errmsg("the shard on foreign server %u could not prepare its part of the transaction: %s",
							participants[i].serverid, why),
					 errhint("Nothing was committed on any shard; retry the transaction.")));
		participants[i].prepared = true;
		/* an empty transaction for postgres_fdw's own COMMIT at its pre-commit */
		(void) run_command(participants[i].conn, "START TRANSACTION", NULL);
		if (i == 0)
			pause_if("after_first_prepare");
	}
	pause_if("after_prepare");
	record_decision();
}

static void
commit_all(void)
{
	int			i;
	char		sql[128];
	char	   *why = NULL;

	pause_if("after_decision");
	snprintf(sql, sizeof(sql), "COMMIT PREPARED '%s'", current_gid);
	for (i = 0; i < participant_count; i++)
	{
		if (!participants[i].prepared)
			continue;
		if (i > 0)
			pause_if("between_commits");
		if (!run_command(participants[i].conn, sql, &why))
			ereport(WARNING,
					(errmsg("committing the part of transaction %s on foreign server %u is left to the IDC Guard manager: %s",
							current_gid, participants[i].serverid, why)));
	}
}

static void
rollback_all(void)
{
	int			i;
	char		sql[128];

	snprintf(sql, sizeof(sql), "ROLLBACK PREPARED '%s'", current_gid);
	for (i = 0; i < participant_count; i++)
	{
		if (!participants[i].prepared || participants[i].conn == NULL)
			continue;
		if (PQstatus(participants[i].conn) != CONNECTION_OK)
			continue;
		/* end the empty transaction begun for postgres_fdw, then roll the prepared part back */
		(void) run_command(participants[i].conn, "ROLLBACK", NULL);
		(void) run_command(participants[i].conn, sql, NULL);
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
			if (two_phase_enabled && distinct_servers() >= 2)
			{
				if (!decision_table_exists())
					ereport(WARNING,
							(errmsg("idcguard two-phase commit: table public.%s is missing, so this transaction commits "
									"on each shard one after the other", DECISION_TABLE)));
				else
					prepare_all();
			}
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
	RegisterXactCallback(twophase_xact_callback, NULL);
}
