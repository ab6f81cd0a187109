# Source from a case's setup: make a workspace here with the test database
# and a report definition "t" (policy table, decimals declared).
sqlite3 src.db < "$SRC/tests/data/extract/src.sql"
mkdir -p rules/t
cat > baosong.yaml <<'YAML'
institution: {code: "000001", name: 示例财产保险股份有限公司}
connections:
  src: {sqlite: src.db}
YAML
cat > rules/t/report.yaml <<'YAML'
report: t
title: 测试报表
connection: src
params:
  period: {type: month}
tables:
  - name: policy
    title: 保单表
    query: policy.sql
    decimals: {premium: 2, ratio: 4}
YAML
cat > rules/t/policy.sql <<'YAML'
SELECT :period_end AS cjrq, :institution_code AS bxjgdm, policy_no, holder, premium, ratio, sign_date, note
FROM policy WHERE sign_date BETWEEN :period_start AND :period_end ORDER BY policy_no
YAML
