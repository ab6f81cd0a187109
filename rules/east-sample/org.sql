-- east-sample 机构表 (ORG), monthly full load.
-- Scope: every organisation established on or before the period end, closed
-- ones (status 02 撤销) included: the table is a master list and policies and
-- ledgers may still refer to closed offices.
SELECT :period_end AS cjrq,
       CAST(:institution_code AS VARCHAR(20)) AS bxjgdm,
       o.org_code,
       o.org_name,
       o.parent_org_code,
       o.org_level,
       o.usci,
       o.region_code,
       o.status,
       o.est_date,
       o.close_date
  FROM org o
 WHERE o.est_date <= :period_end
 ORDER BY o.org_code
