-- Row-level security for every tenant table.
--
-- Identity comes from two transaction-local settings, written only by the
-- server's tenant-transaction entry point (`app_begin` below):
--   app.user_id  the signed-in user
--   app.org_id   optionally, the organization a route is scoped to
-- A transaction that set nothing sees nothing: every policy compares with
-- app_user_id(), which is NULL then, and NULL never matches (fail closed).
--
-- Policies are granted to `backend_app` only. Any other role that is subject
-- to RLS (not superuser, not BYPASSRLS) has no policy and sees no rows. The
-- owner is subject too (FORCE), except for the read-only policies that let the
-- SECURITY DEFINER helpers below look up memberships without recursing into
-- the memberships policy itself.

CREATE FUNCTION app_user_id() RETURNS uuid
LANGUAGE sql STABLE AS $$
    SELECT NULLIF(current_setting('app.user_id', true), '')::uuid
$$;

CREATE FUNCTION app_org_id() RETURNS uuid
LANGUAGE sql STABLE AS $$
    SELECT NULLIF(current_setting('app.org_id', true), '')::uuid
$$;

-- Organizations the current user belongs to.
CREATE FUNCTION app_member_org_ids() RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT org_id FROM memberships WHERE user_id = app_user_id()
$$;

-- The current user's role in an organization, NULL if not a member.
CREATE FUNCTION app_role_in(p_org uuid) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT role FROM memberships WHERE org_id = p_org AND user_id = app_user_id()
$$;

-- May the current user make itself the first owner of this organization?
-- Only its creator, and only while it has no members at all.
CREATE FUNCTION app_can_bootstrap_owner(p_org uuid) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    SELECT EXISTS (SELECT 1 FROM organizations WHERE id = p_org AND created_by = app_user_id())
       AND NOT EXISTS (SELECT 1 FROM memberships WHERE org_id = p_org)
$$;

-- The one way the server opens a tenant transaction: sets the identity for
-- this transaction only (`set_config(.., true)`, so nothing leaks to the next
-- user of a pooled connection) and says whether the user exists. Runs with the
-- caller's rights, so the users policy applies to the check.
CREATE FUNCTION app_begin(p_user uuid, p_org uuid) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM set_config('app.user_id', COALESCE(p_user::text, ''), true);
    PERFORM set_config('app.org_id', COALESCE(p_org::text, ''), true);
    RETURN EXISTS (SELECT 1 FROM users WHERE id = p_user);
END
$$;

REVOKE ALL ON FUNCTION app_member_org_ids(), app_role_in(uuid), app_can_bootstrap_owner(uuid)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app_member_org_ids(), app_role_in(uuid), app_can_bootstrap_owner(uuid)
    TO backend_app;

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
ALTER TABLE organizations ENABLE ROW LEVEL SECURITY;
ALTER TABLE organizations FORCE ROW LEVEL SECURITY;
ALTER TABLE memberships ENABLE ROW LEVEL SECURITY;
ALTER TABLE memberships FORCE ROW LEVEL SECURITY;
ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
ALTER TABLE projects FORCE ROW LEVEL SECURITY;

-- Read access for the definer helpers (they run as the owner).
CREATE POLICY owner_reads_memberships ON memberships FOR SELECT TO CURRENT_USER USING (true);
CREATE POLICY owner_reads_organizations ON organizations FOR SELECT TO CURRENT_USER USING (true);

-- users: yourself, and the members of your organizations.
CREATE POLICY users_select ON users FOR SELECT TO backend_app
    USING (id = app_user_id() OR id IN (SELECT user_id FROM memberships));
CREATE POLICY users_insert ON users FOR INSERT TO backend_app
    WITH CHECK (id = app_user_id());

-- organizations: members see; owners and admins change; owners delete.
CREATE POLICY organizations_select ON organizations FOR SELECT TO backend_app
    USING (id IN (SELECT app_member_org_ids()));
CREATE POLICY organizations_insert ON organizations FOR INSERT TO backend_app
    WITH CHECK (created_by = app_user_id());
CREATE POLICY organizations_update ON organizations FOR UPDATE TO backend_app
    USING (app_role_in(id) IN ('owner', 'admin'))
    WITH CHECK (app_role_in(id) IN ('owner', 'admin'));
CREATE POLICY organizations_delete ON organizations FOR DELETE TO backend_app
    USING (app_role_in(id) = 'owner');

-- memberships: members see their organizations' memberships; owners manage
-- all, admins all but owners; anyone may leave.
CREATE POLICY memberships_select ON memberships FOR SELECT TO backend_app
    USING (org_id IN (SELECT app_member_org_ids())
           AND (app_org_id() IS NULL OR org_id = app_org_id()));
CREATE POLICY memberships_insert ON memberships FOR INSERT TO backend_app
    WITH CHECK (
        app_role_in(org_id) = 'owner'
        OR (app_role_in(org_id) = 'admin' AND role <> 'owner')
        OR (user_id = app_user_id() AND role = 'owner' AND app_can_bootstrap_owner(org_id))
    );
CREATE POLICY memberships_update ON memberships FOR UPDATE TO backend_app
    USING (app_role_in(org_id) = 'owner' OR (app_role_in(org_id) = 'admin' AND role <> 'owner'))
    WITH CHECK (app_role_in(org_id) = 'owner' OR (app_role_in(org_id) = 'admin' AND role <> 'owner'));
CREATE POLICY memberships_delete ON memberships FOR DELETE TO backend_app
    USING (user_id = app_user_id()
           OR app_role_in(org_id) = 'owner'
           OR (app_role_in(org_id) = 'admin' AND role <> 'owner'));

-- projects: members see; owners and admins create, change and delete.
CREATE POLICY projects_select ON projects FOR SELECT TO backend_app
    USING (org_id IN (SELECT app_member_org_ids())
           AND (app_org_id() IS NULL OR org_id = app_org_id()));
CREATE POLICY projects_insert ON projects FOR INSERT TO backend_app
    WITH CHECK (app_role_in(org_id) IN ('owner', 'admin'));
CREATE POLICY projects_update ON projects FOR UPDATE TO backend_app
    USING (app_role_in(org_id) IN ('owner', 'admin'))
    WITH CHECK (app_role_in(org_id) IN ('owner', 'admin'));
CREATE POLICY projects_delete ON projects FOR DELETE TO backend_app
    USING (app_role_in(org_id) IN ('owner', 'admin'));
