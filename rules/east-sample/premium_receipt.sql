-- east-sample 实收保费表 (PREMIUM_RECEIPT), monthly full load.
-- Scope: every receipt received on or before the period end.
SELECT :period_end AS cjrq,
       CAST(:institution_code AS VARCHAR(20)) AS bxjgdm,
       r.receipt_no,
       r.policy_no,
       r.cov_seq,
       r.receipt_type,
       r.due_date,
       r.receipt_date,
       r.post_date,
       r.amount,
       r.pay_method,
       r.payer_account,
       r.account_kind,
       r.gl_account
  FROM premium_receipt r
 WHERE r.receipt_date <= :period_end
 ORDER BY r.receipt_no, r.policy_no
