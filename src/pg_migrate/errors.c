/*-------------------------------------------------------------------------
 *
 * errors.c
 *	  The first error of a pg_migrate run, kept for --json.
 *
 * pg_migrate.h makes every pg_log_error (and the pg_log_error_detail and
 * pg_log_error_hint that follow it) note its text here before printing it,
 * so that the JSON of a failed run carries the error whatever part of the
 * client reported it: a refused file of a load, a server error (with its
 * SQLSTATE, detail, hint and context, and the revision, statement and
 * line that the context names), a folder that cannot be read.  The first
 * error wins: what comes after it (a lock that could not be released, a
 * summary) is a consequence.
 *
 * At exit, a run that noted an error and printed no JSON of its own
 * prints {"ok": false, "error": {...}} on stdout (with --json only).
 * json_string, which every JSON of the client uses for its strings, lives
 * here, at the bottom, for that.
 *
 *-------------------------------------------------------------------------
 */
#include "pg_migrate.h"

RunError	run_error;
bool		json_printed;


/*
 * Note part 0 (the message), 1 (a detail) or 2 (a hint) of an error that
 * the client reports.  A message is kept when it is the run's first; a
 * detail or hint when it belongs to that error and the server did not give
 * the error (its fields are the server's).
 */
void
error_note(int part, const char *fmt,...)
{
	int			save_errno = errno;
	va_list		ap;
	char		buf[2048];
	char	  **field;

	if (part == 0 && run_error.set)
		return;
	if (part != 0 && (!run_error.set || run_error.from_server))
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	errno = save_errno;

	if (part == 0)
	{
		run_error.set = true;
		run_error.message = pg_strdup(buf);
		return;
	}
	field = part == 1 ? &run_error.detail : &run_error.hint;
	if (*field == NULL)
		*field = pg_strdup(buf);
	else
		*field = psprintf("%s\n%s", *field, buf);
}

/*
 * Note a server error: its fields, and the revision, statement and line
 * that the error context names ("upgrade of revision "x", statement 2
 * (line 8)").  "what" prefixes the message, as it is printed.
 */
void
error_note_server(const PGresult *res, const char *what)
{
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	const char *context = PQresultErrorField(res, PG_DIAG_CONTEXT);
	const char *sqlstate = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	if (run_error.set)
		return;
	if (msg == NULL)
	{
		const char *whole = PQresultErrorMessage(res);

		msg = (whole && whole[0]) ? whole : "unexpected result from the server";
	}
	run_error.set = true;
	run_error.from_server = true;
	run_error.message = what ? psprintf("%s: %s", what, msg) : pg_strdup(msg);
	run_error.sqlstate = sqlstate ? pg_strdup(sqlstate) : NULL;
	run_error.detail = detail ? pg_strdup(detail) : NULL;
	run_error.hint = hint ? pg_strdup(hint) : NULL;
	run_error.context = context ? pg_strdup(context) : NULL;
	for (const char *p = context; p && *p;)
	{
		const char *at = strstr(p, " of revision \"");
		const char *end;
		int			statement;
		int			line;

		if (at == NULL)
			break;
		at += strlen(" of revision \"");
		end = strchr(at, '"');
		if (end && sscanf(end, "\", statement %d (line %d)", &statement,
						  &line) == 2)
		{
			error_note_position(pnstrdup(at, end - at), statement, line);
			break;
		}
		p = at;
	}
}

/* Note the revision, statement and line of the noted error. */
void
error_note_position(const char *revision, int statement, int line)
{
	run_error.revision = pg_strdup(revision);
	run_error.statement = statement;
	run_error.line = line;
}

/* Append s as a JSON string, or null. */
void
json_string(PQExpBuffer buf, const char *s)
{
	if (s == NULL)
	{
		appendPQExpBufferStr(buf, "null");
		return;
	}
	appendPQExpBufferChar(buf, '"');
	for (const unsigned char *p = (const unsigned char *) s; *p; p++)
	{
		switch (*p)
		{
			case '"':
				appendPQExpBufferStr(buf, "\\\"");
				break;
			case '\\':
				appendPQExpBufferStr(buf, "\\\\");
				break;
			case '\n':
				appendPQExpBufferStr(buf, "\\n");
				break;
			case '\r':
				appendPQExpBufferStr(buf, "\\r");
				break;
			case '\t':
				appendPQExpBufferStr(buf, "\\t");
				break;
			default:
				if (*p < 0x20)
					appendPQExpBuffer(buf, "\\u%04x", *p);
				else
					appendPQExpBufferChar(buf, *p);
		}
	}
	appendPQExpBufferChar(buf, '"');
}

/*
 * Append the noted error as a JSON object: {"sqlstate", "message",
 * "detail", "hint", "context", "revision", "statement", "line", "file"},
 * null for what is not known; null when no error was noted.
 */
void
error_print_json(PQExpBuffer buf)
{
	if (!run_error.set)
	{
		appendPQExpBufferStr(buf, "null");
		return;
	}
	appendPQExpBufferStr(buf, "{\"sqlstate\": ");
	json_string(buf, run_error.sqlstate);
	appendPQExpBufferStr(buf, ", \"message\": ");
	json_string(buf, run_error.message);
	appendPQExpBufferStr(buf, ", \"detail\": ");
	json_string(buf, run_error.detail);
	appendPQExpBufferStr(buf, ", \"hint\": ");
	json_string(buf, run_error.hint);
	appendPQExpBufferStr(buf, ", \"context\": ");
	json_string(buf, run_error.context);
	appendPQExpBufferStr(buf, ", \"revision\": ");
	json_string(buf, run_error.revision);
	if (run_error.statement > 0)
		appendPQExpBuffer(buf, ", \"statement\": %d, \"line\": %d",
						  run_error.statement, run_error.line);
	else
		appendPQExpBufferStr(buf, ", \"statement\": null, \"line\": null");
	appendPQExpBufferStr(buf, ", \"file\": ");
	json_string(buf, run_error.file);
	appendPQExpBufferChar(buf, '}');
}

/*
 * atexit: with --json, a run that noted an error and printed no JSON of
 * its own prints {"ok": false, "error": {...}}.
 */
void
error_json_at_exit(void)
{
	PQExpBufferData buf;

	if (!opts.json || json_printed || !run_error.set)
		return;
	initPQExpBuffer(&buf);
	appendPQExpBufferStr(&buf, "{\"ok\": false, \"error\": ");
	error_print_json(&buf);
	appendPQExpBufferChar(&buf, '}');
	printf("%s\n", buf.data);
	fflush(stdout);
	termPQExpBuffer(&buf);
}
