#!/usr/bin/env bash
# The east-sample rule set against the demo data: generate the sample
# insurer database with the demo seed (scripts/gen-sample, 50,000 policies),
# extract 2026-10 with baosong-extract, validate with baosong-validate
# --report east-sample, and compare problems.csv and summary.json with the
# generator's defect record (demo.db.defects.json):
#   - validate exits 1 (there are errors) and writes review.xlsx;
#   - for every rule of DOMAIN §4.1 the rule set implements (rule ids R001,
#     or R001.1, R001.2... when a rule had to be split into several checks),
#     the number of problems and the set of keys equal the record's (0 for
#     a rule the generator did not seed);
#   - per category C1..C12 (counted as the first of a pair, as the record
#     does), the problems equal the record's total over ALL its seeded
#     rules (totals_by_category), so a seeded rule left out fails here;
#   - every seeded rule is implemented (a rule that cannot be is listed and
#     fails the test: no fudging);
#   - each implemented rule has the severity and category of §4.1;
#   - no problem comes from a rule that is not one of §4.1's, and no
#     expression failed at run time;
#   - every category C1..C12 has a rule.
# The rules the set does not implement (only ones the generator did not
# seed may be missing) are listed in the output.
. "$SRC/tests/lib.sh"
bs_test_init
PY=/usr/bin/python3

ws=$BS_TMP/ws
mkdir -p "$ws/data"
if ! "$PY" "$SRC/scripts/gen-sample" --seed 20261031 --out-sqlite "$ws/data/demo.db" \
	>"$BS_TMP/gen.log" 2>&1; then
	cat "$BS_TMP/gen.log"
	bs_fail "scripts/gen-sample failed"
	bs_test_done
fi
rec=$ws/data/demo.db.defects.json
inst=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["demo_extract"]["institution_code"])' "$rec")
cat >"$ws/baosong.yaml" <<YAML
institution: {code: "$inst", name: 瑞禾财产保险股份有限公司}
connections:
  demo: {sqlite: data/demo.db}
tracking: {sqlite: tracking.db}
reports: [$SRC/rules]
calendar: $SRC/rules/ref/calendar-cn.csv
YAML

assert_rc 0 "$BUILD_DIR/baosong-extract" --workspace "$ws" --report east-sample \
	--param period=2026-10 || bs_test_done
assert_rc 1 "$BUILD_DIR/baosong-validate" --workspace "$ws" --report east-sample \
	--param period=2026-10 || bs_test_done
run=$BS_OUT
assert_file "$run/problems.csv"
assert_file "$run/summary.json"
assert_file "$run/review.xlsx"

"$PY" - "$rec" "$run" "$SRC/rules/east-sample" <<'PY' || bs_fail "problems differ from the defect record"
import csv, json, os, re, sys
from collections import Counter, defaultdict

rec = json.load(open(sys.argv[1], encoding='utf-8'))
run, rules_dir = sys.argv[2], sys.argv[3]
summary = json.load(open(os.path.join(run, 'summary.json'), encoding='utf-8'))
with open(os.path.join(run, 'problems.csv'), encoding='utf-8', newline='') as f:
    problems = list(csv.DictReader(f))
bad = []

seeded = {r['rule']: r for r in rec['rules']}
domain = dict(seeded)                      # the 73 rules: seeded + not seeded
for rid, why in rec['conventions']['not_seeded'].items():
    domain[rid] = {'rule': rid, 'count': 0, 'keys': [], 'description': why}
SEV = {'E': 'error', 'W': 'warning'}


def base(rule_id):
    m = re.match(r'(R\d{3})(\.\w+)?$', rule_id)
    return m.group(1) if m and m.group(1) in domain else None


# the rule set: every rule id maps to a rule of DOMAIN §4.1
impl = defaultdict(list)
for r in summary['rules']:
    b = base(r['id'])
    if b is None:
        bad.append('rule %s is not a rule of DOMAIN 4.1' % r['id'])
        continue
    impl[b].append(r)
    if r['eval_errors']:
        bad.append('rule %s: %d runtime errors' % (r['id'], r['eval_errors']))
    if 'severity' in domain[b]:
        if r['severity'] != SEV[domain[b]['severity']]:
            bad.append('rule %s: severity %s, DOMAIN says %s' % (r['id'], r['severity'],
                       domain[b]['severity']))
        if r['category'] != domain[b]['category']:
            bad.append('rule %s: category %s, DOMAIN says %s' % (r['id'], r['category'],
                       domain[b]['category']))

per_rule = Counter(p['rule_id'] for p in problems)
for r in summary['rules']:
    if per_rule[r['id']] != r['count']:
        bad.append('rule %s: summary.json counts %d, problems.csv has %d'
                   % (r['id'], r['count'], per_rule[r['id']]))


def expected_key(rid, k):
    if rid == 'R018':
        return (k['id_type'], k['id_no'])
    return tuple(str(v) for v in k.values())


def found_key(rid, p):
    if rid == 'R018':
        return tuple(p['values'].split(';'))
    key = tuple(p['key'].split('|'))
    if rid in ('R102', 'R103'):
        return (p['table'], p['columns']) + key
    return key


found = defaultdict(list)
for p in problems:
    b = base(p['rule_id'])
    if b:
        found[b].append(found_key(b, p))

print('%-5s %-6s %-4s %8s %8s  %s' % ('rule', 'cat.', 'sev', 'expected', 'found', ''))
cat_exp, cat_found, cat_rules = Counter(), Counter(), defaultdict(list)
for rid in sorted(domain):
    d = domain[rid]
    if rid not in impl:
        continue
    exp = Counter(expected_key(rid, k) for k in d['keys'])
    got = Counter(found[rid])
    ok = exp == got and d['count'] == len(found[rid])
    cat = d.get('counted_as') or impl[rid][0]['category'].split('/')[0]
    cat_exp[cat] += d['count']
    cat_found[cat] += len(found[rid])
    cat_rules[cat].append(rid)
    ids = ','.join(r['id'] for r in impl[rid])
    print('%-5s %-6s %-4s %8d %8d  %s%s' % (rid, cat, impl[rid][0]['severity'][0].upper(),
          d['count'], len(found[rid]), 'ok' if ok else 'MISMATCH',
          '' if ids == rid else '  (' + ids + ')'))
    if not ok:
        bad.append('%s: expected %d problems, found %d' % (rid, d['count'], len(found[rid])))
        for k in sorted((exp - got).elements())[:5]:
            bad.append('    missing: %s' % '|'.join(k))
        for k in sorted((got - exp).elements())[:5]:
            bad.append('    unexpected: %s' % '|'.join(k))

print()
print('per category (seeded rules implemented; the record\'s total over all its seeded rules; problems):')
totals = rec['totals_by_category']
for c in ['C%d' % i for i in range(1, 13)]:
    n_seeded = sum(1 for r in rec['rules'] if r['counted_as'] == c)
    n_impl = sum(1 for r in cat_rules[c] if r in seeded)
    want = totals.get(c, 0)
    if isinstance(want, dict):
        want = want.get('violations', want.get('count', 0))
    print('  %-4s %2d of %2d seeded rules  expected %4d  found %4d  %s' % (
        c, n_impl, n_seeded, want, cat_found[c],
        'ok' if want == cat_found[c] else 'MISMATCH'))
    if want != cat_found[c]:
        bad.append('category %s: the record has %d violations, found %d'
                   % (c, want, cat_found[c]))
    if not cat_rules[c]:
        bad.append('category %s has no rule' % c)

missing = [rid for rid in sorted(domain) if rid not in impl]
print()
print('not implemented (%d of %d rules of DOMAIN 4.1):' % (len(missing), len(domain)))
for rid in missing:
    d = domain[rid]
    print('  %s %-6s %s' % (rid, d.get('category', ''), d['description']))
n_impl = sum(1 for r in impl if r in seeded)
print('implemented: %d of %d seeded rules, %d problems' % (n_impl, len(seeded), len(problems)))
for rid in sorted(seeded):
    if rid not in impl:
        bad.append('seeded rule %s (%d violations) is not implemented'
                   % (rid, seeded[rid]['count']))

# R006's whitelist is repeated in the rule file: it must be the reference list
with open(os.path.join(rules_dir, 'ref', 'usci_whitelist.csv'), encoding='utf-8') as f:
    wl = sorted(r['code'] for r in csv.DictReader(f))
org = open(os.path.join(rules_dir, 'org.rules.yaml'), encoding='utf-8').read()
m = re.search(r"usci not in \(([^)]*)\)", org)
inline = sorted(re.findall(r"'([^']*)'", m.group(1))) if m else []
if inline != wl:
    bad.append('R006: whitelist in org.rules.yaml %s differs from ref/usci_whitelist.csv %s'
               % (inline, wl))

for b in bad:
    print('FAIL: ' + b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
bs_test_done
