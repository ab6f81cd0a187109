#!/usr/bin/python3
"""The ten rules of policy.rules.yaml in pandas, for bench_validate.sh.

    pandas_check.py POLICY_CSV REF_CSV

read_csv (the C parser, every field as text, only the columns the rules
use) then one vectorised test per rule; prints {"V01": n, ...} on stdout.

Same meaning as baosong-validate.  The fields are read as text with no NA
conversion, so an empty field is '' and stands for NULL: it passes every
rule but V01, and a rule fails only when its condition is definitely false
(a comparison with NaN/NaT is false, so "definitely false" is spelled as
the failing comparison itself).  Dates are parsed as YYYY-MM-DD (NaT if
not one, like a value not of its declared type in baosong) and amounts as
float (two decimals, far below 2^53: order and equality are exact).
"""

import json
import sys

import numpy as np
import pandas as pd

USE = ['policy_no', 'applicant_name', 'id_type', 'id_no', 'mobile', 'sign_date', 'eff_date',
       'exp_date', 'status', 'product_code', 'sum_insured', 'total_premium', 'paid_premium']
WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
ID_RE = r'[0-9]{17}[0-9X]'
MOBILE_RE = r'1[3-9][0-9]{9}'
BLANKS = ' \t\u3000'


def check(csv, ref):
    df = pd.read_csv(csv, usecols=USE, dtype=str, keep_default_na=False, na_filter=False,
                     encoding='utf-8')
    codes = set(pd.read_csv(ref, dtype=str, keep_default_na=False, na_filter=False)['code'])
    n = {}

    def blank(col):
        return int((df[col].str.strip(BLANKS) == '').sum())

    n['V01'] = blank('policy_no') + blank('applicant_name')

    id01 = df['id_type'] == '01'
    idno = df['id_no']
    well = idno.str.fullmatch(ID_RE)
    n['V02'] = int((id01 & (idno != '') & ~well).sum())

    ids = idno[id01 & well]
    if len(ids):
        a = np.frombuffer(''.join(ids).encode('ascii'), dtype=np.uint8).reshape(-1, 18)
        s = (a[:, :17].astype(np.int64) - 48) @ WEIGHTS
        want = np.frombuffer(b'10X98765432', dtype=np.uint8)[s % 11]
        n['V03'] = int((want != a[:, 17]).sum())
    else:
        n['V03'] = 0

    def date(col):
        return pd.to_datetime(df[col], format='%Y-%m-%d', errors='coerce')

    sign, eff, exp = date('sign_date'), date('eff_date'), date('exp_date')
    n['V04'] = int(((sign > eff) | (eff >= exp)).sum())

    def money(col):
        return pd.to_numeric(df[col].replace('', np.nan), errors='coerce')

    si, prem, paid = money('sum_insured'), money('total_premium'), money('paid_premium')
    n['V05'] = int(((si < 0) | (prem < 0) | (paid < 0)).sum())
    n['V06'] = int((paid > prem).sum())

    pc = df['product_code']
    n['V07'] = int(((pc != '') & ~pc.isin(codes)).sum())

    pn = df['policy_no']
    n['V08'] = int(pn[pn != ''].duplicated(keep='first').sum())

    mob = df['mobile']
    n['V09'] = int(((mob != '') & ~mob.str.fullmatch(MOBILE_RE)).sum())

    st = df['status']
    n['V10'] = int(((st != '') & ~st.isin(['01', '02', '03', '04', '05'])).sum())
    return n


def main(argv):
    if len(argv) != 2:
        print('usage: pandas_check.py POLICY_CSV REF_CSV', file=sys.stderr)
        return 64
    print('pandas %s, numpy %s' % (pd.__version__, np.__version__), file=sys.stderr)
    print(json.dumps(check(argv[0], argv[1])))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
