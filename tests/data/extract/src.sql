-- A small source database for the extract golden tests (sqlite3 src.db < src.sql).
CREATE TABLE policy (
  policy_no VARCHAR(20) PRIMARY KEY,
  holder VARCHAR(50),
  premium DECIMAL(20,2),
  ratio DECIMAL(10,4),
  sign_date DATE,
  updated TIMESTAMP,
  note VARCHAR(200)
);
INSERT INTO policy VALUES ('P001', '张三', 130.10, 0.1, '2026-10-01', '2026-10-01 08:30:00', 'a,b');
INSERT INTO policy VALUES ('P002', '李四', NULL, NULL, '2026-10-05', '2026-10-05 09:00:00', '');
INSERT INTO policy VALUES ('P003', '王"五', 0.30000000000000004, 2.5, '2026-10-31', '2026-10-31 23:59:59', NULL);
INSERT INTO policy VALUES ('P004', '赵六', 1999.995, 1, '2026-11-01', '2026-11-01 00:00:00', 'line1
line2');
INSERT INTO policy VALUES ('P005', 'O''Brien', -0.5, 0, '2026-09-30', NULL, ' padded ');
