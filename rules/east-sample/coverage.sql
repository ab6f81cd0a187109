-- east-sample 险种表 (COVERAGE), monthly full load.
-- Scope: the coverages of the policies in policy.sql's scope, plus coverages
-- whose policy is missing from POLICY and that started by the period end (so
-- that rule R051 can see them).
SELECT :period_end AS cjrq,
       CAST(:institution_code AS VARCHAR(20)) AS bxjgdm,
       c.policy_no,
       c.cov_seq,
       c.product_code,
       c.main_flag,
       c.cov_eff_date,
       c.cov_exp_date,
       c.cov_sum_insured,
       c.cov_premium
  FROM coverage c
 WHERE EXISTS (SELECT 1
                 FROM policy p
                WHERE p.policy_no = c.policy_no
                  AND (p.sign_date <= :period_end OR p.eff_date <= :period_end))
    OR (c.cov_eff_date <= :period_end
        AND NOT EXISTS (SELECT 1 FROM policy p WHERE p.policy_no = c.policy_no))
 ORDER BY c.policy_no, c.cov_seq, c.product_code
