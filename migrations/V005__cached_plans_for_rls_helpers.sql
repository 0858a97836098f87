-- The RLS helpers of V002, same signatures, same rights, same answers, in
-- PL/pgSQL instead of SQL.
--
-- Why: a SQL function that is SECURITY DEFINER (or has a SET clause) is never
-- inlined, and PostgreSQL (before 18) parses and plans its body again on every
-- call. The policies call these helpers in every tenant statement, so that
-- planning was most of the database's work on the hot read: pgbench running
-- `app_org_read` at 16 clients went from about 4.0k to 7.7k TPS on the
-- benchmark machine with this change (docs/performance.md). PL/pgSQL keeps each
-- statement's plan for the life of the session, i.e. of the pooled connection.
--
-- The bodies are the V002 queries unchanged; `CREATE OR REPLACE` keeps the
-- grants (EXECUTE for backend_app only) and the policies that call them.

CREATE OR REPLACE FUNCTION app_member_org_ids() RETURNS SETOF uuid
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN QUERY SELECT org_id FROM memberships WHERE user_id = app_user_id();
END
$$;

CREATE OR REPLACE FUNCTION app_role_in(p_org uuid) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN (SELECT role FROM memberships WHERE org_id = p_org AND user_id = app_user_id());
END
$$;

CREATE OR REPLACE FUNCTION app_can_bootstrap_owner(p_org uuid) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM organizations WHERE id = p_org AND created_by = app_user_id())
       AND NOT EXISTS (SELECT 1 FROM memberships WHERE org_id = p_org);
END
$$;
