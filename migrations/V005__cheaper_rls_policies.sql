-- Cheaper row-level security, same rules. Every tenant statement pays for its
-- policies, so their cost is most of the database's work on the hot read
-- (docs/performance.md). Three changes; who may see or change what is exactly
-- as in V002, and the isolation tests run unchanged.
--
-- 1. The SECURITY DEFINER helpers move from SQL to PL/pgSQL. A SQL function that
--    is SECURITY DEFINER (or has a SET clause) is never inlined, and PostgreSQL
--    before 18 parses and plans its body again on every call; PL/pgSQL keeps
--    each statement's plan for the life of the session (the pooled connection).
--    The bodies are the V002 queries unchanged, and `CREATE OR REPLACE` keeps
--    their grants.
--
-- 2. The read policies ask "is the row's org one of mine?" as `= ANY` over an
--    array computed once per statement (an InitPlan), instead of `IN` over a
--    set-returning function, which built a hash table for every statement. The
--    `= ANY` form can also drive an index scan, so a list reads only the
--    caller's organizations instead of filtering all of them.
--
-- 3. `app_org_read` (V004) takes the caller's role from `app_role_in` instead of
--    joining memberships, which saved evaluating the memberships policy too.

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

-- The organizations the current user belongs to (V002's app_member_org_ids, as
-- an array).
CREATE FUNCTION app_member_org_array() RETURNS uuid[]
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
    RETURN ARRAY(SELECT org_id FROM memberships WHERE user_id = app_user_id());
END
$$;

REVOKE ALL ON FUNCTION app_member_org_array() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_member_org_array() TO backend_app;

-- `(SELECT f())` makes the call an InitPlan, run once per statement; the cast
-- makes `= ANY` take its value as an array rather than as a subquery's rows.
ALTER POLICY organizations_select ON organizations
    USING (id = ANY ((SELECT app_member_org_array())::uuid[]));
ALTER POLICY memberships_select ON memberships
    USING (org_id = ANY ((SELECT app_member_org_array())::uuid[])
           AND (app_org_id() IS NULL OR org_id = app_org_id()));
ALTER POLICY projects_select ON projects
    USING (org_id = ANY ((SELECT app_member_org_array())::uuid[])
           AND (app_org_id() IS NULL OR org_id = app_org_id()));

-- No policy calls it any more; a SECURITY DEFINER function nobody needs is
-- only attack surface.
DROP FUNCTION app_member_org_ids();

CREATE OR REPLACE FUNCTION app_org_read(p_user uuid, p_org_id uuid, p_slug text)
RETURNS TABLE (user_exists boolean, id uuid, name text, slug text, role text,
               created_at timestamptz, updated_at timestamptz)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    user_exists := app_begin(p_user, NULL);
    IF user_exists THEN
        SELECT o.id, o.name, o.slug, app_role_in(o.id), o.created_at, o.updated_at
          INTO id, name, slug, role, created_at, updated_at
          FROM organizations o
         WHERE (p_org_id IS NOT NULL AND o.id = p_org_id)
            OR (p_org_id IS NULL AND o.slug = p_slug);
    END IF;
    RETURN NEXT;
END
$$;
