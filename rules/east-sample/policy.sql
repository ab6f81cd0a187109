-- east-sample 保单表 (POLICY), monthly full load.
-- Scope: every policy signed or in force by the period end, whatever its
-- status (terminated policies stay in the full load).  The OR keeps a policy
-- whose sign date was mistyped into the future visible to rule R034.
SELECT :period_end AS cjrq,
       CAST(:institution_code AS VARCHAR(20)) AS bxjgdm,
       p.policy_no,
       p.org_code,
       p.group_flag,
       p.applicant_id,
       p.insured_id,
       p.sign_date,
       p.eff_date,
       p.exp_date,
       p.status,
       p.currency,
       p.sum_insured,
       p.total_premium,
       p.pay_mode,
       p.channel
  FROM policy p
 WHERE p.sign_date <= :period_end
    OR p.eff_date <= :period_end
 ORDER BY p.policy_no
