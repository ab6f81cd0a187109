-- east-sample 客户表 (CUSTOMER), monthly full load.
-- Scope: all customers (the source keeps no creation date).
-- cust_id is the key; id_no breaks ties between rows that share a cust_id.
SELECT :period_end AS cjrq,
       CAST(:institution_code AS VARCHAR(20)) AS bxjgdm,
       c.cust_id,
       c.cust_type,
       c.cust_name,
       c.id_type,
       c.id_no,
       c.gender,
       c.birth_date,
       c.mobile,
       c.nationality,
       c.region_code
  FROM customer c
 ORDER BY c.cust_id, c.id_no
