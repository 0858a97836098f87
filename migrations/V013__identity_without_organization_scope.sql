-- The organization scope goes: `app.org_id` was set by `app_begin(user, org)`
-- and narrowed the select policies of memberships and projects to one
-- organization, but the server never set it (every call passed NULL), while
-- every row check evaluated the branch. A forgotten WHERE is already covered
-- by the membership test each policy keeps; the branch protected nothing.
--
-- The identity is now set by one line, the same in every function that sets
-- it (`server/tests/api/schema.rs` compares them): `app_begin(user)`, and
-- the two statement-sized reads, which keep the assignment inline rather than
-- calling `app_begin` (V006 measured why).

ALTER POLICY memberships_select ON memberships
    USING (org_id = ANY ((SELECT app_member_org_array())::uuid[]));
ALTER POLICY projects_select ON projects
    USING (org_id = ANY ((SELECT app_member_org_array())::uuid[]));
DROP FUNCTION app_org_id();

CREATE FUNCTION app_begin(p_user uuid) RETURNS boolean
    LANGUAGE plpgsql
    AS $$
DECLARE
    ignored text;
BEGIN
    ignored := set_config('app.user_id', COALESCE(p_user::text, ''), true);
    RETURN EXISTS (SELECT 1 FROM users WHERE id = p_user);
END
$$;

-- The binaries of the previous release call the two-argument form until a
-- rolling update has replaced them; it ignores the organization, which they
-- always passed as NULL. A later migration drops it.
CREATE OR REPLACE FUNCTION app_begin(p_user uuid, p_org uuid) RETURNS boolean
    LANGUAGE sql
    AS $$ SELECT app_begin(p_user) $$;

CREATE OR REPLACE FUNCTION app_org_read(p_user uuid, p_org_id uuid, p_slug text, OUT user_exists boolean, OUT id uuid, OUT name text, OUT slug text, OUT role text, OUT created_at timestamp with time zone, OUT updated_at timestamp with time zone, OUT version bigint) RETURNS record
    LANGUAGE plpgsql
    AS $$
DECLARE
    ignored text;
BEGIN
    -- The identity, as app_begin(p_user) sets it: this transaction only.
    ignored := set_config('app.user_id', COALESCE(p_user::text, ''), true);
    IF p_org_id IS NOT NULL THEN
        SELECT o.id, o.name, o.slug, app_role_in(o.id), o.created_at, o.updated_at, o.version
          INTO id, name, slug, role, created_at, updated_at, version
          FROM organizations o
         WHERE o.id = p_org_id;
    ELSE
        SELECT o.id, o.name, o.slug, app_role_in(o.id), o.created_at, o.updated_at, o.version
          INTO id, name, slug, role, created_at, updated_at, version
          FROM organizations o
         WHERE o.slug = p_slug;
    END IF;
    user_exists := FOUND OR EXISTS (SELECT 1 FROM users u WHERE u.id = p_user);
END
$$;

CREATE OR REPLACE FUNCTION app_project_page(p_user uuid, p_org_id uuid, p_slug text, p_limit bigint, p_offset bigint, OUT user_exists boolean, OUT org_id uuid, OUT total bigint, OUT ids uuid[], OUT names text[], OUT slugs text[], OUT created_ats timestamp with time zone[], OUT updated_ats timestamp with time zone[], OUT versions bigint[]) RETURNS record
    LANGUAGE plpgsql
    AS $$
DECLARE
    ignored text;
    v_org uuid;
BEGIN
    -- The identity, as app_begin(p_user) sets it: this transaction only.
    ignored := set_config('app.user_id', COALESCE(p_user::text, ''), true);
    IF p_org_id IS NOT NULL THEN
        SELECT o.id INTO v_org FROM organizations o WHERE o.id = p_org_id;
    ELSE
        SELECT o.id INTO v_org FROM organizations o WHERE o.slug = p_slug;
    END IF;
    IF v_org IS NULL THEN
        user_exists := EXISTS (SELECT 1 FROM users u WHERE u.id = p_user);
        RETURN;
    END IF;
    user_exists := true;
    org_id := v_org;
    SELECT count(*) INTO total FROM projects p WHERE p.org_id = v_org;
    SELECT COALESCE(array_agg(pg.id ORDER BY pg.created_at DESC, pg.id DESC), '{}'),
           COALESCE(array_agg(pg.name ORDER BY pg.created_at DESC, pg.id DESC), '{}'),
           COALESCE(array_agg(pg.slug ORDER BY pg.created_at DESC, pg.id DESC), '{}'),
           COALESCE(array_agg(pg.created_at ORDER BY pg.created_at DESC, pg.id DESC), '{}'),
           COALESCE(array_agg(pg.updated_at ORDER BY pg.created_at DESC, pg.id DESC), '{}'),
           COALESCE(array_agg(pg.version ORDER BY pg.created_at DESC, pg.id DESC), '{}')
      INTO ids, names, slugs, created_ats, updated_ats, versions
      FROM (SELECT p.id, p.name, p.slug, p.created_at, p.updated_at, p.version
              FROM projects p
             WHERE p.org_id = v_org
             ORDER BY p.created_at DESC, p.id DESC
             LIMIT p_limit OFFSET p_offset) pg;
END
$$;
