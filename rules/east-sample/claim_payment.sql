-- east-sample 赔款支付表 (CLAIM_PAYMENT), monthly full load.
-- Scope: every payment made on or before the period end.
SELECT :period_end AS cjrq,
       CAST(:institution_code AS VARCHAR(20)) AS bxjgdm,
       x.pay_no,
       x.claim_no,
       x.payee_name,
       x.payee_id_type,
       x.payee_id_no,
       x.payee_account,
       x.account_kind,
       x.pay_date,
       x.pay_amount
  FROM claim_payment x
 WHERE x.pay_date <= :period_end
 ORDER BY x.pay_no, x.claim_no
