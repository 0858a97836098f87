-- The /api/v2/ (cursor) page of the caller's organizations in one round
-- trip, as `app_project_page_after` (V014) is for an organization's
-- projects. The handler used to open a tenant transaction (BEGIN,
-- `app_begin`, the page, COMMIT). Same rules: the identity is set for this
-- statement's transaction only, and the read runs under the organizations
-- and memberships policies with the caller's rights (not SECURITY DEFINER).
--
-- Always exactly one row: `user_exists` false means the token's user is
-- gone; otherwise the arrays hold up to `p_limit` of the caller's
-- organizations after the position (`p_after_at`, `p_after_id`; both NULL
-- for the first page), newest first, each with the caller's role.

CREATE FUNCTION app_org_page_after(
    p_user uuid, p_after_at timestamptz, p_after_id uuid, p_limit bigint,
    OUT user_exists boolean,
    OUT ids uuid[], OUT names text[], OUT slugs text[], OUT roles text[],
    OUT created_ats timestamptz[], OUT updated_ats timestamptz[], OUT versions bigint[])
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    ignored text;
BEGIN
    -- The identity, as app_begin(p_user) sets it: this transaction only.
    ignored := set_config('app.user_id', COALESCE(p_user::text, ''), true);
    SELECT COALESCE(array_agg(pg.id ORDER BY pg.created_at DESC, pg.id DESC), '{}'),
           COALESCE(array_agg(pg.name ORDER BY pg.created_at DESC, pg.id DESC), '{}'),
           COALESCE(array_agg(pg.slug ORDER BY pg.created_at DESC, pg.id DESC), '{}'),
           COALESCE(array_agg(pg.role ORDER BY pg.created_at DESC, pg.id DESC), '{}'),
           COALESCE(array_agg(pg.created_at ORDER BY pg.created_at DESC, pg.id DESC), '{}'),
           COALESCE(array_agg(pg.updated_at ORDER BY pg.created_at DESC, pg.id DESC), '{}'),
           COALESCE(array_agg(pg.version ORDER BY pg.created_at DESC, pg.id DESC), '{}')
      INTO ids, names, slugs, roles, created_ats, updated_ats, versions
      FROM (SELECT o.id, o.name, o.slug, m.role, o.created_at, o.updated_at, o.version
              FROM organizations o
              JOIN memberships m ON m.org_id = o.id AND m.user_id = app_user_id()
             WHERE p_after_at IS NULL OR (o.created_at, o.id) < (p_after_at, p_after_id)
             ORDER BY o.created_at DESC, o.id DESC
             LIMIT p_limit) pg;
    -- A member of something exists; only an empty page needs to ask.
    user_exists := cardinality(ids) > 0 OR EXISTS (SELECT 1 FROM users u WHERE u.id = p_user);
END
$$;
