-- policies signed up to the end of the period
SELECT policy_no, holder, premium, ratio, sign_date, updated, note
FROM policy
WHERE sign_date <= :period_end AND sign_date >= :since
ORDER BY policy_no
