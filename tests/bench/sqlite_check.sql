-- The ten rules of policy.rules.yaml in SQLite, for bench_validate.sh:
--   sqlite3 -cmd '.cd DIR' NEW.db '.read sqlite_check.sql'
-- where DIR holds policy.csv and bench_product.csv.
-- .import then one SELECT per rule; prints "V01|n" lines.
--
-- Same meaning as baosong-validate.  .import reads every field as text and
-- an empty field as '' (never NULL), so '' stands for NULL: it passes every
-- rule but V01, and a rule fails only when its condition is definitely
-- false (WHERE NOT cond counts neither true nor NULL).  Dates are compared
-- as their YYYY-MM-DD text (the data holds no malformed date) and amounts
-- as REAL (two decimals, far below 2^53: order and equality are exact).
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
.mode csv
.import policy.csv policy
.import bench_product.csv ref
.mode list
.separator |
-- V01 required: not '', not only spaces, tabs and U+3000; one per column
SELECT 'V01', (SELECT count(*) FROM policy WHERE trim(policy_no, ' ' || char(9, 12288)) = '')
            + (SELECT count(*) FROM policy WHERE trim(applicant_name, ' ' || char(9, 12288)) = '');
-- V02 id_type = '01': id_no is [0-9]{17}[0-9X] (GLOB matches the whole value)
SELECT 'V02', count(*) FROM policy
 WHERE id_type = '01' AND id_no <> '' AND id_no NOT GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9X]';
-- V03 id_type = '01': the MOD 11-2 check character of a well-formed id_no
SELECT 'V03', count(*) FROM policy
 WHERE id_type = '01' AND id_no GLOB '[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9X]'
   AND substr('10X98765432', 1 + (substr(id_no, 1, 1) * 7 + substr(id_no, 2, 1) * 9 + substr(id_no, 3, 1) * 10 + substr(id_no, 4, 1) * 5 + substr(id_no, 5, 1) * 8 + substr(id_no, 6, 1) * 4 + substr(id_no, 7, 1) * 2 + substr(id_no, 8, 1) * 1 + substr(id_no, 9, 1) * 6 + substr(id_no, 10, 1) * 3 + substr(id_no, 11, 1) * 7 + substr(id_no, 12, 1) * 9 + substr(id_no, 13, 1) * 10 + substr(id_no, 14, 1) * 5 + substr(id_no, 15, 1) * 8 + substr(id_no, 16, 1) * 4 + substr(id_no, 17, 1) * 2) % 11, 1) <> substr(id_no, 18, 1);
-- V04 sign_date <= eff_date and eff_date < exp_date
SELECT 'V04', count(*) FROM policy
 WHERE NOT (nullif(sign_date, '') <= nullif(eff_date, '') AND nullif(eff_date, '') < nullif(exp_date, ''));
-- V05 sum_insured, total_premium and paid_premium >= 0
SELECT 'V05', count(*) FROM policy
 WHERE NOT (CAST(nullif(sum_insured, '') AS REAL) >= 0 AND CAST(nullif(total_premium, '') AS REAL) >= 0
            AND CAST(nullif(paid_premium, '') AS REAL) >= 0);
-- V06 paid_premium <= total_premium
SELECT 'V06', count(*) FROM policy
 WHERE NOT (CAST(nullif(paid_premium, '') AS REAL) <= CAST(nullif(total_premium, '') AS REAL));
-- V07 product_code in the reference list
SELECT 'V07', count(*) FROM policy WHERE product_code <> '' AND product_code NOT IN (SELECT code FROM ref);
-- V08 policy_no unique: every record after the first with a value
SELECT 'V08', count(*) - count(DISTINCT policy_no) FROM policy WHERE policy_no <> '';
-- V09 mobile is 1[3-9][0-9]{9}
SELECT 'V09', count(*) FROM policy WHERE mobile <> '' AND mobile NOT GLOB '1[3-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]';
-- V10 status in the code list
SELECT 'V10', count(*) FROM policy WHERE status <> '' AND status NOT IN ('01', '02', '03', '04', '05');
