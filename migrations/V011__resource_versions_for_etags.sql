-- A version per organization, project and membership: 1 when created, one
-- more with every update, by trigger (so no statement can forget it). It is
-- what the API's ETag says (`"<version>"`), so that `If-Match` can make a
-- concurrent edit fail with 412 instead of silently overwriting another, and
-- `If-None-Match` can answer 304. A column, not `xmin`: `xmin` is the id of
-- the last writing transaction, which wraps around, stays the same across
-- two updates in one transaction, and exposes the database's internals; a
-- version is explicit, only grows, and survives a dump and restore.

ALTER TABLE organizations ADD COLUMN version bigint NOT NULL DEFAULT 1 CHECK (version >= 1);
ALTER TABLE projects ADD COLUMN version bigint NOT NULL DEFAULT 1 CHECK (version >= 1);
ALTER TABLE memberships ADD COLUMN version bigint NOT NULL DEFAULT 1 CHECK (version >= 1);

CREATE FUNCTION bump_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.version := OLD.version + 1;
    RETURN NEW;
END
$$;

CREATE TRIGGER organizations_version BEFORE UPDATE ON organizations
    FOR EACH ROW EXECUTE FUNCTION bump_version();
CREATE TRIGGER projects_version BEFORE UPDATE ON projects
    FOR EACH ROW EXECUTE FUNCTION bump_version();
CREATE TRIGGER memberships_version BEFORE UPDATE ON memberships
    FOR EACH ROW EXECUTE FUNCTION bump_version();

-- The one-statement reads return the version too. Adding an OUT parameter
-- changes the result type, hence DROP and CREATE; the columns of the previous
-- release come first and unchanged, so its servers (which read columns by
-- name) keep working during a rolling deploy. Bodies as in V009, plus the
-- version.
DROP FUNCTION app_org_read(uuid, uuid, text);

CREATE FUNCTION app_org_read(
    p_user uuid, p_org_id uuid, p_slug text,
    OUT user_exists boolean, OUT id uuid, OUT name text, OUT slug text, OUT role text,
    OUT created_at timestamptz, OUT updated_at timestamptz, OUT version bigint)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    ignored text;
BEGIN
    -- As app_begin(p_user, NULL): this transaction only, no organization scope.
    ignored := set_config('app.user_id', COALESCE(p_user::text, ''), true);
    ignored := set_config('app.org_id', '', true);
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

DROP FUNCTION app_project_page(uuid, uuid, text, bigint, bigint);

CREATE FUNCTION app_project_page(
    p_user uuid, p_org_id uuid, p_slug text, p_limit bigint, p_offset bigint,
    OUT user_exists boolean, OUT org_id uuid, OUT total bigint,
    OUT ids uuid[], OUT names text[], OUT slugs text[],
    OUT created_ats timestamptz[], OUT updated_ats timestamptz[], OUT versions bigint[])
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    ignored text;
    v_org uuid;
BEGIN
    -- As app_begin(p_user, NULL): this transaction only, no organization scope.
    ignored := set_config('app.user_id', COALESCE(p_user::text, ''), true);
    ignored := set_config('app.org_id', '', true);
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
