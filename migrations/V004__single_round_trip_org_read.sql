-- The hot read path in one round trip: `app_org_read` runs in the statement's
-- own (implicit) transaction, opens it through `app_begin` like every tenant
-- transaction, then reads the organization with the caller's role. It runs
-- with the caller's rights, so every RLS policy applies exactly as in a
-- multi-statement transaction; the identity ends with the statement.
--
-- Exactly one row: (user_exists, the organization's columns or NULLs).
CREATE FUNCTION app_org_read(p_user uuid, p_org_id uuid, p_slug text)
RETURNS TABLE (user_exists boolean, id uuid, name text, slug text, role text,
               created_at timestamptz, updated_at timestamptz)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    user_exists := app_begin(p_user, NULL);
    IF user_exists THEN
        SELECT o.id, o.name, o.slug, m.role, o.created_at, o.updated_at
          INTO id, name, slug, role, created_at, updated_at
          FROM organizations o
          JOIN memberships m ON m.org_id = o.id AND m.user_id = app_user_id()
         WHERE (p_org_id IS NOT NULL AND o.id = p_org_id)
            OR (p_org_id IS NULL AND o.slug = p_slug);
    END IF;
    RETURN NEXT;
END
$$;
