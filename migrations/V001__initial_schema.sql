-- Tenancy tables. Row-level security is switched on in V002.
--
-- The server connects as `backend_app` (or a login role that is a member of
-- it); this file runs as the owner role, which must not be `backend_app`.
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'backend_app') THEN
        RAISE EXCEPTION 'role backend_app does not exist; create it before migrating: '
            'CREATE ROLE backend_app LOGIN NOSUPERUSER NOBYPASSRLS (see docs/architecture/tenancy.md)';
    END IF;
END
$$;

CREATE FUNCTION set_updated_at() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;

-- Guests only: no e-mail, name, address or IP is ever stored.
CREATE TABLE users (
    id          uuid PRIMARY KEY,
    username    text NOT NULL CONSTRAINT users_username_key UNIQUE
                CHECK (username ~ '^guest-[0-9]{4,12}$'),
    guest_id    uuid NOT NULL CONSTRAINT users_guest_id_key UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE organizations (
    id          uuid PRIMARY KEY,
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    slug        text NOT NULL CONSTRAINT organizations_slug_key UNIQUE
                CHECK (char_length(slug) BETWEEN 3 AND 63 AND slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    created_by  uuid NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX organizations_created_at_idx ON organizations (created_at DESC);
CREATE TRIGGER organizations_updated_at BEFORE UPDATE ON organizations
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

CREATE TABLE memberships (
    org_id      uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role        text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_user_id_idx ON memberships (user_id, org_id);

CREATE TABLE projects (
    id          uuid PRIMARY KEY,
    org_id      uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    name        text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    slug        text NOT NULL
                CHECK (char_length(slug) BETWEEN 3 AND 63 AND slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT projects_org_id_slug_key UNIQUE (org_id, slug)
);
CREATE INDEX projects_org_id_created_at_idx ON projects (org_id, created_at DESC);
CREATE TRIGGER projects_updated_at BEFORE UPDATE ON projects
    FOR EACH ROW EXECUTE FUNCTION set_updated_at();

-- The application role gets data access only: no DDL, no ownership.
GRANT USAGE ON SCHEMA public TO backend_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON users, organizations, memberships, projects TO backend_app;
-- Lets /ready compare the schema version with the binary's migrations.
GRANT SELECT ON refinery_schema_history TO backend_app;
