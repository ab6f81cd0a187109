-- east-sample 财务总账表 (GL_SUMMARY).
-- Scope: the reporting period and the period before it (YYYYMM), the latter
-- so that rule R093 (opening = previous closing) can be checked within one
-- extract.  The previous period is computed with a CASE on the month so the
-- query stays portable (no date arithmetic).
SELECT :period_end AS cjrq,
       CAST(:institution_code AS VARCHAR(20)) AS bxjgdm,
       g.period,
       g.org_code,
       g.gl_account,
       g.gl_name,
       g.currency,
       g.balance_dir,
       g.opening,
       g.debit,
       g.credit,
       g.closing
  FROM gl_summary g
 WHERE g.period = substr(:period, 1, 4) || substr(:period, 6, 2)
    OR g.period = CASE substr(:period, 6, 2)
                    WHEN '01' THEN CAST(CAST(substr(:period, 1, 4) AS INTEGER) - 1 AS VARCHAR(4)) || '12'
                    WHEN '02' THEN substr(:period, 1, 4) || '01'
                    WHEN '03' THEN substr(:period, 1, 4) || '02'
                    WHEN '04' THEN substr(:period, 1, 4) || '03'
                    WHEN '05' THEN substr(:period, 1, 4) || '04'
                    WHEN '06' THEN substr(:period, 1, 4) || '05'
                    WHEN '07' THEN substr(:period, 1, 4) || '06'
                    WHEN '08' THEN substr(:period, 1, 4) || '07'
                    WHEN '09' THEN substr(:period, 1, 4) || '08'
                    WHEN '10' THEN substr(:period, 1, 4) || '09'
                    WHEN '11' THEN substr(:period, 1, 4) || '10'
                    WHEN '12' THEN substr(:period, 1, 4) || '11'
                  END
 ORDER BY g.period, g.org_code, g.gl_account, g.currency
