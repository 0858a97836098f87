-- The server's whole database side of one org read (`app_org_read`,
-- migrations V004 to V006), as pgbench runs it (-M prepared, 16 clients):
-- what the org read would reach if the server, its Redis check and the
-- HTTP exchange cost nothing. :uid and :oid come from -D.
SELECT * FROM app_org_read(:uid, :oid, NULL);
