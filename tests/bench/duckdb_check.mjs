// The ten rules of policy.rules.yaml in DuckDB, for bench_validate.sh.
//   node duckdb_check.mjs [--table] NODE_DIR POLICY_CSV REF_CSV
// NODE_DIR holds node_modules/@duckdb/node-api.  Prints {"V01": n, ...} on
// stdout and the DuckDB version on stderr.  By default one query makes one
// pass over the CSV (read_csv plus SQL: DuckDB's fastest and leanest way);
// with --table the CSV is loaded into a table first (CREATE TABLE AS
// read_csv) and each rule is a query of its own, as in sqlite_check.sql.
//
// Same meaning as baosong-validate: NULL (an empty unquoted field) passes
// every rule but V01, and a rule fails only when its condition is
// definitely false (FILTER (WHERE NOT cond) counts neither TRUE nor NULL).
// allow_quoted_nulls=false keeps "" as the empty text, as baosong reads it.
import { createRequire } from 'node:module';
import path from 'node:path';

const argv = process.argv.slice(2);
const table = argv[0] === '--table';
const [nodeDir, csv, ref] = table ? argv.slice(1) : argv;
if (!ref) {
	console.error('usage: node duckdb_check.mjs [--table] NODE_DIR POLICY_CSV REF_CSV');
	process.exit(64);
}
const require = createRequire(path.join(path.resolve(nodeDir), 'x.js'));
const { DuckDBInstance } = require('@duckdb/node-api');

// Amounts are exact decimals, as in baosong.  DECIMAL(18,2), not the
// rule file's (20,2): DuckDB 1.5 parses a wider (HUGEINT) decimal over ten
// times slower, and the generated amounts fit 18 digits.  BS_DUCKDB_DECIMAL
// overrides it, to measure that.
const DEC = process.env.BS_DUCKDB_DECIMAL || 'DECIMAL(18,2)';
const lit = (s) => "'" + s.replaceAll("'", "''") + "'";
const types = {
	policy_no: 'VARCHAR', org_code: 'VARCHAR', applicant_name: 'VARCHAR', id_type: 'VARCHAR',
	id_no: 'VARCHAR', mobile: 'VARCHAR', sign_date: 'DATE', eff_date: 'DATE', exp_date: 'DATE',
	status: 'VARCHAR', currency: 'VARCHAR', product_code: 'VARCHAR',
	sum_insured: DEC, total_premium: DEC, paid_premium: DEC,
	pay_mode: 'VARCHAR', channel: 'VARCHAR', agent_code: 'VARCHAR', insured_name: 'VARCHAR',
	remark: 'VARCHAR',
};
const columns = '{' + Object.entries(types).map(([k, v]) => `${lit(k)}: ${lit(v)}`).join(', ') + '}';
// Required: not NULL, not '', not only spaces, tabs and U+3000.
const blank = (c) => `(${c} IS NULL OR trim(${c}, ' ' || chr(9) || chr(12288)) = '')`;
// MOD 11-2 (GB 11643): the check character of the first 17 digits.
const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const idsum = weights.map((w, i) => `(ascii(substr(id_no, ${i + 1}, 1)) - 48) * ${w}`).join(' + ');
const idOk = `regexp_full_match(id_no, '[0-9]{17}[0-9X]')`;

// One aggregate per rule, over p (the policy table) LEFT JOIN r (the
// reference list) for V07.
const rules = [
	['V01', `count(*) FILTER (WHERE ${blank('policy_no')}) + count(*) FILTER (WHERE ${blank('applicant_name')})`],
	['V02', `count(*) FILTER (WHERE id_type = '01' AND NOT ${idOk})`],
	['V03', `count(*) FILTER (WHERE id_type = '01' AND ${idOk}
	         AND substr('10X98765432', 1 + ((${idsum}) % 11)::INTEGER, 1) <> substr(id_no, 18, 1))`],
	['V04', 'count(*) FILTER (WHERE NOT (sign_date <= eff_date AND eff_date < exp_date))'],
	['V05', 'count(*) FILTER (WHERE NOT (sum_insured >= 0 AND total_premium >= 0 AND paid_premium >= 0))'],
	['V06', 'count(*) FILTER (WHERE NOT (paid_premium <= total_premium))'],
	['V07', 'count(*) FILTER (WHERE p.product_code IS NOT NULL AND r.code IS NULL)', true],
	['V08', 'count(p.policy_no) - count(DISTINCT p.policy_no)'],
	['V09', "count(*) FILTER (WHERE NOT regexp_full_match(mobile, '1[3-9][0-9]{9}'))"],
	['V10', "count(*) FILTER (WHERE status NOT IN ('01', '02', '03', '04', '05'))"],
];
const readPolicy = `read_csv(${lit(csv)}, header = true, delim = ',', quote = '"', escape = '"',
                        allow_quoted_nulls = false, columns = ${columns})`;
const readRef = `read_csv(${lit(ref)}, header = true, all_varchar = true)`;
const join = 'p LEFT JOIN r ON p.product_code = r.code';

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const ver = await con.runAndReadAll('SELECT version()');
console.error('duckdb ' + ver.getRows()[0][0]);
const out = {};
if (table) {
	await con.run(`CREATE TABLE p AS SELECT * FROM ${readPolicy}`);
	await con.run(`CREATE TABLE r AS SELECT code FROM ${readRef}`);
	for (const [id, agg, needsRef] of rules) {
		const res = await con.runAndReadAll(`SELECT ${agg} FROM ${needsRef ? join : 'p'}`);
		out[id] = Number(res.getRows()[0][0]);
	}
} else {
	const res = await con.runAndReadAll(`WITH p AS (SELECT * FROM ${readPolicy}),
	  r AS (SELECT code FROM ${readRef})
	  SELECT ${rules.map(([id, agg]) => `${agg} AS ${id}`).join(',\n  ')} FROM ${join}`);
	for (const [k, v] of Object.entries(res.getRowObjects()[0]))
		out[k.toUpperCase()] = Number(v);
}
console.log(JSON.stringify(out));
