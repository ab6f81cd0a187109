-- east-sample 赔案表 (CLAIM), monthly full load.
-- Scope: every claim reported on or before the period end, open or closed.
SELECT :period_end AS cjrq,
       CAST(:institution_code AS VARCHAR(20)) AS bxjgdm,
       c.claim_no,
       c.policy_no,
       c.report_no,
       c.register_no,
       c.accident_date,
       c.report_date,
       c.register_date,
       c.close_date,
       c.claim_status,
       c.approved_amount,
       c.accident_region
  FROM claim c
 WHERE c.report_date <= :period_end
 ORDER BY c.claim_no, c.policy_no
