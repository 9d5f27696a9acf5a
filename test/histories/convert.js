// Convert a migration folder of a JavaScript migration tool into migrate's
// revision files, by running each migration's up and down functions against
// a recorder instead of a database: what the tool would send to an empty
// database is what the revision holds.
//
//   node convert.js FORMAT SRC OUT
//
// FORMAT is one of
//   db-migrate  files exports.up/down(db, callback) using db.runSql, db.all
//               and the few schema calls of db-migrate-pg (createTable,
//               addColumn, removeColumn, dropTable), in file-name order
//   typeorm     compiled TypeORM classes with up/down(queryRunner), in the
//               order of the timestamp that ends the class name; a file
//               whose exported featureFlag is not enabled by default (read
//               from ../loaders/feature-flags/*.js, or MEDUSA_FLAGS) is left
//               out, as Medusa's runner does
//   sql-folder  numbered .sql files run in order with no down, SCHEMA_VAR
//               replaced by SCHEMA
//
// BOOTSTRAP, when set, is the SQL the tool runs before the first migration
// (its own bookkeeping table, its schema): it becomes a first revision,
// "tool_bootstrap", with no downgrade.
//
// Each piece of SQL is recorded and also run, with psql, on the empty
// database that the PG* variables name, so that migrations that read the
// database (a count, a catalog check, rows to rewrite) take the branch they
// take on a new install.  The ups run in order, then the downs in reverse
// order, each piece as one query string (one implicit transaction, as the
// tools' drivers send it).
//
// Writes OUT/revisions/<5-digit sequence>_<id>.sql, a chain in the tool's
// order, OUT/baseline.sql, the upgrade SQL of all of them in order, for
// psql, and OUT/downgrade-target: "base", or the revision whose down failed
// (the round trip goes down to it).
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const Module = require('module');
const { execFileSync } = require('child_process');

const [format, src, out] = process.argv.slice(2);
if (!format || !src || !out) {
	console.error('usage: node convert.js db-migrate|typeorm|sql-folder SRC OUT');
	process.exit(2);
}

// A revision id: the file's stem with anything outside [A-Za-z0-9_.] as "_".
function revisionId(stem) {
	return stem.replace(/[^A-Za-z0-9_.]/g, '_').slice(0, 64);
}

// Join the SQL texts a migration sent, each ended by a semicolon.
function joinSql(texts) {
	return texts.map((t) => {
		t = t.replace(/\s+$/, '');
		if (t === '' || t.endsWith(';'))
			return t;
		const lastLine = t.slice(t.lastIndexOf('\n') + 1);
		return lastLine.includes('--') ? t + '\n;' : t + ';';
	}).filter((t) => t !== '').join('\n\n');
}

// Inline $1.. parameters as SQL literals (db-migrate passes them apart).
function inlineParams(sql, params) {
	const lit = (v) => {
		if (v === null || v === undefined) return 'NULL';
		if (typeof v === 'number' || typeof v === 'boolean') return String(v);
		if (typeof v === 'object') v = JSON.stringify(v);
		return "'" + String(v).replace(/'/g, "''") + "'";
	};
	if (!/\$\d/.test(sql)) {
		// db-migrate-pg also takes "?" placeholders
		let k = 0;
		return sql.replace(/\?/g, () => lit(params[k++]));
	}
	return sql.replace(/\$(\d+)/g, (m, n) => lit(params[n - 1]));
}

// Parse psql's CSV output: a header line, then rows; an unquoted empty
// field is NULL.
function parseCsv(text) {
	const rows = [];
	let row = [], field = '', quoted = false, wasQuoted = false, i = 0;
	const endField = () => {
		row.push(field === '' && !wasQuoted ? null : field);
		field = '';
		wasQuoted = false;
	};
	while (i < text.length) {
		const c = text[i];
		if (quoted) {
			if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
			if (c === '"') { quoted = false; i++; continue; }
			field += c; i++; continue;
		}
		if (c === '"') { quoted = true; wasQuoted = true; i++; continue; }
		if (c === ',') { endField(); i++; continue; }
		if (c === '\n') { endField(); rows.push(row); row = []; i++; continue; }
		field += c; i++;
	}
	if (field !== '' || row.length) { endField(); rows.push(row); }
	if (rows.length === 0) return [];
	const header = rows.shift();
	const value = (v) => {
		if (v === 't') return true;
		if (v === 'f') return false;
		if (v && /^[[{]/.test(v)) { try { return JSON.parse(v); } catch (e) { /* text */ } }
		return v;
	};
	return rows.map((r) => Object.fromEntries(header.map((h, k) => [h, value(r[k])])));
}

// Run one query string on the database and return the rows of its last
// result (values as text, but for booleans and JSON).
let tmpFile = null;
function execSql(text) {
	const args = ['-X', '-q', '--csv', '-v', 'ON_ERROR_STOP=1'];
	if (text.length < 100000)
		args.push('-c', text);
	else {
		tmpFile = tmpFile || path.join(os.tmpdir(), 'convert-' + process.pid + '.sql');
		fs.writeFileSync(tmpFile, text);
		args.push('-1', '-f', tmpFile);
	}
	let output;
	try {
		output = execFileSync('psql', args, { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'] });
	} catch (e) {
		throw new Error('psql failed on:\n' + text.slice(0, 2000) + '\n' + (e.stderr || e.message));
	}
	return parseCsv(output);
}

// Drop the lines that only say BEGIN; or COMMIT; (and the like) outside
// dollar-quoted bodies, as pg_migrate import does: a revision runs in a
// transaction of its own.  Says so for each line dropped.
function dropTransactionLines(sql, id) {
	let tag = null;
	return sql.split('\n').filter((line) => {
		const bare = /^\s*(BEGIN|COMMIT|END|ROLLBACK|START TRANSACTION|BEGIN TRANSACTION|COMMIT TRANSACTION)\s*;\s*$/i.test(line);
		const keep = tag !== null || !bare;
		const re = /\$([A-Za-z_][A-Za-z0-9_]*)?\$/g;
		let m;
		while ((m = re.exec(line)) !== null) {
			if (tag === null) tag = m[0];
			else if (m[0] === tag) tag = null;
		}
		if (!keep)
			console.error(`convert: dropped "${line.trim()}" from ${id}, as pg_migrate import does`);
		return keep;
	}).join('\n');
}

// Statements that cannot run in a transaction block make the revision
// non-transactional.
function needsNoTransaction(sql) {
	const code = sql.replace(/--[^\n]*/g, '');
	return /\bCONCURRENTLY\b/i.test(code) || /^\s*VACUUM\b/im.test(code);
}

// Modules a migration may require that are not in the package: a minimal
// async.series, and deterministic UUIDs so that a conversion is repeatable.
let uuidCounter = 0;
const stubs = {
	async: {
		series(tasks, cb) {
			const results = [];
			const next = (i) => {
				if (i === tasks.length) return cb && cb(null, results);
				tasks[i]((err, r) => {
					if (err) return cb && cb(err);
					results.push(r);
					next(i + 1);
				});
			};
			next(0);
		},
	},
	crypto: Object.assign(Object.create(require('crypto')), {
		randomUUID() {
			uuidCounter++;
			return '00000000-0000-4000-8000-' + String(uuidCounter).padStart(12, '0');
		},
	}),
};
// MODULE_FROM_FILES="name=a.js:b.js": require("name") gives the exports of
// those files of a dependency's package, merged (a package whose index
// would pull in its own dependencies).
const extraStubs = {};
if (process.env.MODULE_FROM_FILES) {
	const [name, list] = process.env.MODULE_FROM_FILES.split('=');
	extraStubs[name] = Object.assign({}, ...list.split(':').map((f) => require(path.resolve(f))));
}
const origLoad = Module._load;
Module._load = function (request, parent, isMain) {
	if (Object.prototype.hasOwnProperty.call(extraStubs, request))
		return extraStubs[request];
	if (Object.prototype.hasOwnProperty.call(stubs, request))
		return stubs[request];
	return origLoad.call(this, request, parent, isMain);
};

// Wait for a migration function that either calls back or returns a promise.
function runStep(fn, self, arg) {
	return new Promise((resolve, reject) => {
		let done = false;
		const finish = (err) => {
			if (done) return;
			done = true;
			err ? reject(err) : resolve();
		};
		const timer = setTimeout(() => finish(new Error('migration neither called back nor resolved')), 10000);
		const cb = (err) => { clearTimeout(timer); finish(err); };
		let r;
		try {
			r = fn.call(self, arg, cb);
		} catch (e) {
			return cb(e);
		}
		if (r && typeof r.then === 'function')
			r.then(() => cb(), cb);
		else if (fn.length < 2)
			cb();
	});
}

// A recorder with db-migrate's API as db-migrate-pg renders it.
function dbMigrateRecorder(texts) {
	const q = (s) => '"' + s + '"';
	const type = (spec) => {
		const t = String(spec.type).toLowerCase();
		const map = { string: 'VARCHAR', datetime: 'TIMESTAMP', blob: 'BYTEA' };
		return (map[t] || t.toUpperCase()) + (spec.length ? '(' + spec.length + ')' : '');
	};
	const constraints = (spec) => {
		const c = [];
		if (spec.primaryKey) {
			if (spec.autoIncrement) c.push('SERIAL');
			c.push('PRIMARY KEY');
		}
		if (spec.notNull === true) c.push('NOT NULL');
		if (spec.unique) c.push('UNIQUE');
		if (spec.defaultValue !== undefined) {
			c.push('DEFAULT');
			c.push(typeof spec.defaultValue === 'string' ? "'" + spec.defaultValue + "'" : String(spec.defaultValue));
		}
		return c.join(' ');
	};
	const columnDef = (name, spec) => {
		if (typeof spec === 'string') spec = { type: spec };
		// db-migrate-pg leaves the type to SERIAL for an auto-increment key
		const t = spec.primaryKey && spec.autoIncrement ? '' : type(spec);
		return [q(name), t, constraints(spec)].filter(Boolean).join(' ');
	};
	const answer = (cb, rows) => {
		if (typeof cb === 'function') {
			setImmediate(cb, null, rows);
			return undefined;
		}
		return Promise.resolve(rows);
	};
	const run = (text, params) => {
		text = params && params.length ? inlineParams(text, params) : text;
		texts.push(text);
		return execSql(text);
	};
	const sql = (text, params, cb) => {
		if (typeof params === 'function') { cb = params; params = undefined; }
		const rows = run(text, params);
		return answer(cb, { rows, rowCount: rows.length });
	};
	return {
		runSql: sql,
		all(text, params, cb) {
			if (typeof params === 'function') { cb = params; params = undefined; }
			return answer(cb, run(text, params));
		},
		createTable(name, spec, cb) {
			const cols = spec.columns || spec;
			const opts = spec.columns ? spec : {};
			const defs = Object.keys(cols).map((c) => columnDef(c, cols[c]));
			return sql('CREATE TABLE ' + (opts.ifNotExists ? 'IF NOT EXISTS ' : '') + q(name) + ' (' + defs.join(', ') + ')', cb);
		},
		dropTable(name, opts, cb) {
			if (typeof opts === 'function') { cb = opts; opts = {}; }
			return sql('DROP TABLE ' + (opts && opts.ifExists ? 'IF EXISTS ' : '') + q(name), cb);
		},
		addColumn(table, name, spec, cb) {
			return sql('ALTER TABLE ' + q(table) + ' ADD COLUMN ' + columnDef(name, spec), cb);
		},
		removeColumn(table, name, cb) {
			return sql('ALTER TABLE ' + q(table) + ' DROP COLUMN ' + q(name), cb);
		},
	};
}

// A TypeORM query runner that records.
function typeormRecorder(texts) {
	return {
		query(text, params) {
			text = params && params.length ? inlineParams(text, params) : text;
			texts.push(text);
			return Promise.resolve(execSql(text));
		},
	};
}

let downTarget = 'base';

async function collect(files) {
	const revs = [];
	// what the tool creates before the first migration (its own table)
	if (process.env.BOOTSTRAP) {
		execSql(process.env.BOOTSTRAP);
		revs.push({ id: 'tool_bootstrap', message: 'what the tool creates before its first migration', up: [process.env.BOOTSTRAP], down: [] });
	}
	if (format === 'db-migrate') {
		for (const f of files) {
			const m = require(path.resolve(src, f));
			const stem = f.replace(/\.js$/, '');
			const r = { id: revisionId(stem), message: stem.replace(/^\d+-/, '').replace(/[-_]/g, ' '), up: [], down: [] };
			await runStep(m.up, m, dbMigrateRecorder(r.up));
			r.undo = () => (m.down ? runStep(m.down, m, dbMigrateRecorder(r.down)) : null);
			revs.push(r);
		}
	} else if (format === 'typeorm') {
		const flags = readFlags();
		const found = [];
		for (const f of files) {
			const m = require(path.resolve(src, f));
			const wanted = m.featureFlag === undefined ? true :
				Array.isArray(m.featureFlag) ? m.featureFlag.every((k) => flags[k]) : !!flags[m.featureFlag];
			if (!wanted) {
				console.error(`convert: leaving out ${f}: feature flag ${m.featureFlag} is off by default`);
				continue;
			}
			for (const [name, cls] of Object.entries(m)) {
				if (typeof cls !== 'function' || !cls.prototype || !cls.prototype.up) continue;
				const ts = (name.match(/(\d{13})$/) || [])[1] || '0';
				found.push({ f, name, cls, ts });
			}
		}
		found.sort((a, b) => (a.ts === b.ts ? 0 : a.ts < b.ts ? -1 : 1));
		for (const { f, cls } of found) {
			const obj = new cls();
			const stem = f.replace(/\.js$/, '');
			const r = { id: revisionId(stem), message: stem.replace(/^\d+-/, '').replace(/[-_]/g, ' '), up: [], down: [] };
			await obj.up(typeormRecorder(r.up));
			r.undo = () => obj.down(typeormRecorder(r.down));
			revs.push(r);
		}
	} else if (format === 'sql-folder') {
		const v = process.env.SCHEMA_VAR, s = process.env.SCHEMA;
		for (const f of files) {
			let text = fs.readFileSync(path.resolve(src, f), 'utf8');
			if (v) text = text.split(v).join(s);
			const stem = f.replace(/\.sql$/, '');
			execSql(text);
			revs.push({ id: revisionId(stem), message: stem, up: [text], down: [] });
		}
	} else {
		throw new Error('unknown format ' + format);
	}
	// the downs, newest first, until one fails as it would with the tool:
	// that revision and those below it get no downgrade, and the round
	// trip goes down to it instead of to base
	downTarget = 'base';
	for (const r of revs.slice().reverse()) {
		try {
			if (r.undo) await r.undo();
		} catch (e) {
			downTarget = r.id;
			console.error(`convert: the down of ${r.id} fails: ${String(e.message).split('\n').filter((l) => /^ERROR/.test(l)).join(' ')}`);
			console.error(`convert: downgrades written for the revisions above it only; downgrade target ${r.id}`);
			for (const below of revs.slice(0, revs.indexOf(r) + 1)) below.down = [];
			break;
		}
	}
	return revs;
}

// Feature flags on by default, from the package's flag definitions, and
// the package's dependencies' flags given as MEDUSA_FLAGS=key=0,key=1.
function readFlags() {
	const flags = {};
	const dir = path.resolve(src, '..', 'loaders', 'feature-flags');
	if (fs.existsSync(dir))
		for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.js') && n !== 'index.js')) {
			const d = require(path.join(dir, f)).default;
			if (d && d.key) flags[d.key] = !!d.default_val;
		}
	for (const kv of (process.env.MEDUSA_FLAGS || '').split(',').filter(Boolean)) {
		const [k, val] = kv.split('=');
		flags[k] = val === '1';
	}
	return flags;
}

async function main() {
	const ext = format === 'sql-folder' ? '.sql' : '.js';
	const files = fs.readdirSync(src).filter((n) => n.endsWith(ext) && !n.endsWith('.d.ts')).sort();
	const revs = await collect(files);
	fs.mkdirSync(path.join(out, 'revisions'), { recursive: true });
	let parent = null, baseline = '', n = 0, nontx = 0;
	for (const r of revs) {
		const up = dropTransactionLines(joinSql(r.up), r.id), down = dropTransactionLines(joinSql(r.down), r.id);
		const tx = !(needsNoTransaction(up) || needsNoTransaction(down));
		if (!tx) nontx++;
		let text = `-- migrate:revision ${r.id}\n`;
		if (parent) text += `-- migrate:parents ${parent}\n`;
		if (!tx) text += '-- migrate:transactional false\n';
		text += `-- migrate:message ${r.message.replace(/\s+/g, ' ').trim()}\n\n`;
		text += `-- migrate:upgrade\n${up}\n\n-- migrate:downgrade\n${down}\n`;
		n++;
		fs.writeFileSync(path.join(out, 'revisions', String(n).padStart(5, '0') + '_' + r.id + '.sql'), text);
		baseline += `-- ${r.id}\n${up}\n\n`;
		parent = r.id;
	}
	fs.writeFileSync(path.join(out, 'baseline.sql'), baseline);
	fs.writeFileSync(path.join(out, 'downgrade-target'), downTarget + '\n');
	if (tmpFile) fs.rmSync(tmpFile, { force: true });
	console.error(`convert: ${n} revisions (${nontx} not transactional) in ${out}/revisions`);
}

main().catch((e) => {
	console.error('convert: ' + (e && e.stack || e));
	process.exit(1);
});
