-- The live schema: what the migrations in this directory build, as
-- `pg_dump --schema-only` prints it. Generated, never edited: see
-- server/tests/api/schema.rs.
--
-- PostgreSQL database dump
--



SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

--
-- Name: app_begin(uuid); Type: FUNCTION; Schema: public; Owner: backend_owner
--

CREATE FUNCTION public.app_begin(p_user uuid) RETURNS boolean
    LANGUAGE plpgsql
    AS $$
DECLARE
    ignored text;
BEGIN
    ignored := set_config('app.user_id', COALESCE(p_user::text, ''), true);
    RETURN EXISTS (SELECT 1 FROM users WHERE id = p_user);
END
$$;


ALTER FUNCTION public.app_begin(p_user uuid) OWNER TO backend_owner;

--
-- Name: app_begin(uuid, uuid); Type: FUNCTION; Schema: public; Owner: backend_owner
--

CREATE FUNCTION public.app_begin(p_user uuid, p_org uuid) RETURNS boolean
    LANGUAGE sql
    AS $$ SELECT app_begin(p_user) $$;


ALTER FUNCTION public.app_begin(p_user uuid, p_org uuid) OWNER TO backend_owner;

--
-- Name: app_can_bootstrap_owner(uuid); Type: FUNCTION; Schema: public; Owner: backend_owner
--

CREATE FUNCTION public.app_can_bootstrap_owner(p_org uuid) RETURNS boolean
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    RETURN EXISTS (SELECT 1 FROM organizations WHERE id = p_org AND created_by = app_user_id())
       AND NOT EXISTS (SELECT 1 FROM memberships WHERE org_id = p_org);
END
$$;


ALTER FUNCTION public.app_can_bootstrap_owner(p_org uuid) OWNER TO backend_owner;

--
-- Name: app_check_org_keeps_an_owner(); Type: FUNCTION; Schema: public; Owner: backend_owner
--

CREATE FUNCTION public.app_check_org_keeps_an_owner() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    -- Runs as the owner: it must see every membership of the organization,
    -- not only those the caller's policies let through.
    IF EXISTS (SELECT 1 FROM organizations o WHERE o.id = OLD.org_id)
       AND NOT EXISTS (SELECT 1 FROM memberships m
                        WHERE m.org_id = OLD.org_id AND m.role = 'owner') THEN
        RAISE EXCEPTION 'organization % would be left without an owner', OLD.org_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'memberships_last_owner';
    END IF;
    RETURN NULL;
END
$$;


ALTER FUNCTION public.app_check_org_keeps_an_owner() OWNER TO backend_owner;

--
-- Name: app_member_org_array(); Type: FUNCTION; Schema: public; Owner: backend_owner
--

CREATE FUNCTION public.app_member_org_array() RETURNS uuid[]
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    RETURN ARRAY(SELECT org_id FROM memberships WHERE user_id = app_user_id());
END
$$;


ALTER FUNCTION public.app_member_org_array() OWNER TO backend_owner;

--
-- Name: app_member_page_after(uuid, uuid, text, timestamp with time zone, uuid, bigint); Type: FUNCTION; Schema: public; Owner: backend_owner
--

CREATE FUNCTION public.app_member_page_after(p_user uuid, p_org_id uuid, p_slug text, p_after_at timestamp with time zone, p_after_id uuid, p_limit bigint, OUT user_exists boolean, OUT org_id uuid, OUT user_ids uuid[], OUT usernames text[], OUT roles text[], OUT created_ats timestamp with time zone[], OUT versions bigint[]) RETURNS record
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
    SELECT COALESCE(array_agg(pg.user_id ORDER BY pg.created_at, pg.user_id), '{}'),
           COALESCE(array_agg(pg.username ORDER BY pg.created_at, pg.user_id), '{}'),
           COALESCE(array_agg(pg.role ORDER BY pg.created_at, pg.user_id), '{}'),
           COALESCE(array_agg(pg.created_at ORDER BY pg.created_at, pg.user_id), '{}'),
           COALESCE(array_agg(pg.version ORDER BY pg.created_at, pg.user_id), '{}')
      INTO user_ids, usernames, roles, created_ats, versions
      FROM (SELECT m.user_id, u.username, m.role, m.created_at, m.version
              FROM memberships m
              JOIN users u ON u.id = m.user_id
             WHERE m.org_id = v_org
               AND (p_after_at IS NULL OR (m.created_at, m.user_id) > (p_after_at, p_after_id))
             ORDER BY m.created_at, m.user_id
             LIMIT p_limit) pg;
END
$$;


ALTER FUNCTION public.app_member_page_after(p_user uuid, p_org_id uuid, p_slug text, p_after_at timestamp with time zone, p_after_id uuid, p_limit bigint, OUT user_exists boolean, OUT org_id uuid, OUT user_ids uuid[], OUT usernames text[], OUT roles text[], OUT created_ats timestamp with time zone[], OUT versions bigint[]) OWNER TO backend_owner;

--
-- Name: app_org_page_after(uuid, timestamp with time zone, uuid, bigint); Type: FUNCTION; Schema: public; Owner: backend_owner
--

CREATE FUNCTION public.app_org_page_after(p_user uuid, p_after_at timestamp with time zone, p_after_id uuid, p_limit bigint, OUT user_exists boolean, OUT ids uuid[], OUT names text[], OUT slugs text[], OUT roles text[], OUT created_ats timestamp with time zone[], OUT updated_ats timestamp with time zone[], OUT versions bigint[]) RETURNS record
    LANGUAGE plpgsql
    AS $$
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


ALTER FUNCTION public.app_org_page_after(p_user uuid, p_after_at timestamp with time zone, p_after_id uuid, p_limit bigint, OUT user_exists boolean, OUT ids uuid[], OUT names text[], OUT slugs text[], OUT roles text[], OUT created_ats timestamp with time zone[], OUT updated_ats timestamp with time zone[], OUT versions bigint[]) OWNER TO backend_owner;

--
-- Name: app_org_read(uuid, uuid, text); Type: FUNCTION; Schema: public; Owner: backend_owner
--

CREATE FUNCTION public.app_org_read(p_user uuid, p_org_id uuid, p_slug text, OUT user_exists boolean, OUT id uuid, OUT name text, OUT slug text, OUT role text, OUT created_at timestamp with time zone, OUT updated_at timestamp with time zone, OUT version bigint) RETURNS record
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


ALTER FUNCTION public.app_org_read(p_user uuid, p_org_id uuid, p_slug text, OUT user_exists boolean, OUT id uuid, OUT name text, OUT slug text, OUT role text, OUT created_at timestamp with time zone, OUT updated_at timestamp with time zone, OUT version bigint) OWNER TO backend_owner;

--
-- Name: app_project_page(uuid, uuid, text, bigint, bigint); Type: FUNCTION; Schema: public; Owner: backend_owner
--

CREATE FUNCTION public.app_project_page(p_user uuid, p_org_id uuid, p_slug text, p_limit bigint, p_offset bigint, OUT user_exists boolean, OUT org_id uuid, OUT total bigint, OUT ids uuid[], OUT names text[], OUT slugs text[], OUT created_ats timestamp with time zone[], OUT updated_ats timestamp with time zone[], OUT versions bigint[]) RETURNS record
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


ALTER FUNCTION public.app_project_page(p_user uuid, p_org_id uuid, p_slug text, p_limit bigint, p_offset bigint, OUT user_exists boolean, OUT org_id uuid, OUT total bigint, OUT ids uuid[], OUT names text[], OUT slugs text[], OUT created_ats timestamp with time zone[], OUT updated_ats timestamp with time zone[], OUT versions bigint[]) OWNER TO backend_owner;

--
-- Name: app_project_page_after(uuid, uuid, text, timestamp with time zone, uuid, bigint); Type: FUNCTION; Schema: public; Owner: backend_owner
--

CREATE FUNCTION public.app_project_page_after(p_user uuid, p_org_id uuid, p_slug text, p_after_at timestamp with time zone, p_after_id uuid, p_limit bigint, OUT user_exists boolean, OUT org_id uuid, OUT ids uuid[], OUT names text[], OUT slugs text[], OUT created_ats timestamp with time zone[], OUT updated_ats timestamp with time zone[], OUT versions bigint[]) RETURNS record
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
               AND (p_after_at IS NULL OR (p.created_at, p.id) < (p_after_at, p_after_id))
             ORDER BY p.created_at DESC, p.id DESC
             LIMIT p_limit) pg;
END
$$;


ALTER FUNCTION public.app_project_page_after(p_user uuid, p_org_id uuid, p_slug text, p_after_at timestamp with time zone, p_after_id uuid, p_limit bigint, OUT user_exists boolean, OUT org_id uuid, OUT ids uuid[], OUT names text[], OUT slugs text[], OUT created_ats timestamp with time zone[], OUT updated_ats timestamp with time zone[], OUT versions bigint[]) OWNER TO backend_owner;

--
-- Name: app_prune_idempotency_keys(integer); Type: FUNCTION; Schema: public; Owner: backend_owner
--

CREATE FUNCTION public.app_prune_idempotency_keys(p_limit integer) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    v_deleted integer;
BEGIN
    DELETE FROM idempotency_keys
     WHERE (user_id, key) IN (SELECT user_id, key FROM idempotency_keys
                               WHERE expires_at < now()
                               ORDER BY expires_at
                               LIMIT least(greatest(p_limit, 0), 10000)
                               FOR UPDATE SKIP LOCKED);
    GET DIAGNOSTICS v_deleted = ROW_COUNT;
    RETURN v_deleted;
END
$$;


ALTER FUNCTION public.app_prune_idempotency_keys(p_limit integer) OWNER TO backend_owner;

--
-- Name: app_prune_token_revocations(integer); Type: FUNCTION; Schema: public; Owner: backend_owner
--

CREATE FUNCTION public.app_prune_token_revocations(p_limit integer) RETURNS integer
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    v_deleted integer;
BEGIN
    DELETE FROM token_revocations
     WHERE seq IN (SELECT seq FROM token_revocations
                    WHERE expires_at < now() - interval '1 minute'
                    ORDER BY expires_at
                    LIMIT least(greatest(p_limit, 0), 10000)
                    FOR UPDATE SKIP LOCKED);
    GET DIAGNOSTICS v_deleted = ROW_COUNT;
    RETURN v_deleted;
END
$$;


ALTER FUNCTION public.app_prune_token_revocations(p_limit integer) OWNER TO backend_owner;

--
-- Name: app_revoke_token(uuid, timestamp with time zone, text); Type: FUNCTION; Schema: public; Owner: backend_owner
--

CREATE FUNCTION public.app_revoke_token(p_jti uuid, p_expires_at timestamp with time zone, p_reason text) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
DECLARE
    v_seq bigint;
BEGIN
    IF p_jti IS NULL OR p_expires_at IS NULL THEN
        RAISE EXCEPTION 'app_revoke_token: token id and expiry are required'
            USING ERRCODE = '22004';
    END IF;
    -- No token outlives 31 days (JWT_TTL_SECONDS is at most 30 days), so a
    -- later expiry can only be a mistake that would keep a row forever.
    IF p_expires_at > now() + interval '31 days' THEN
        RAISE EXCEPTION 'app_revoke_token: expiry is more than 31 days ahead'
            USING ERRCODE = '22023';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('token_revocations', 0));
    INSERT INTO token_revocations (jti, expires_at, reason)
    VALUES (p_jti, p_expires_at, p_reason)
    ON CONFLICT (jti) DO NOTHING
    RETURNING seq INTO v_seq;
    IF v_seq IS NULL THEN
        SELECT seq INTO v_seq FROM token_revocations WHERE jti = p_jti;
    END IF;
    RETURN v_seq;
END
$$;


ALTER FUNCTION public.app_revoke_token(p_jti uuid, p_expires_at timestamp with time zone, p_reason text) OWNER TO backend_owner;

--
-- Name: app_role_in(uuid); Type: FUNCTION; Schema: public; Owner: backend_owner
--

CREATE FUNCTION public.app_role_in(p_org uuid) RETURNS text
    LANGUAGE plpgsql STABLE SECURITY DEFINER
    SET search_path TO 'public', 'pg_temp'
    AS $$
BEGIN
    RETURN (SELECT role FROM memberships WHERE org_id = p_org AND user_id = app_user_id());
END
$$;


ALTER FUNCTION public.app_role_in(p_org uuid) OWNER TO backend_owner;

--
-- Name: app_user_id(); Type: FUNCTION; Schema: public; Owner: backend_owner
--

CREATE FUNCTION public.app_user_id() RETURNS uuid
    LANGUAGE sql STABLE
    AS $$
    SELECT NULLIF(current_setting('app.user_id', true), '')::uuid
$$;


ALTER FUNCTION public.app_user_id() OWNER TO backend_owner;

--
-- Name: bump_version(); Type: FUNCTION; Schema: public; Owner: backend_owner
--

CREATE FUNCTION public.bump_version() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.version := OLD.version + 1;
    RETURN NEW;
END
$$;


ALTER FUNCTION public.bump_version() OWNER TO backend_owner;

--
-- Name: set_updated_at(); Type: FUNCTION; Schema: public; Owner: backend_owner
--

CREATE FUNCTION public.set_updated_at() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END
$$;


ALTER FUNCTION public.set_updated_at() OWNER TO backend_owner;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: config_history; Type: TABLE; Schema: public; Owner: backend_owner
--

CREATE TABLE public.config_history (
    id bigint NOT NULL,
    config_id bigint NOT NULL,
    old_value text,
    new_value text NOT NULL,
    version bigint NOT NULL,
    changed_by text NOT NULL,
    changed_at timestamp with time zone DEFAULT now() NOT NULL,
    reason text
);


ALTER TABLE public.config_history OWNER TO backend_owner;

--
-- Name: config_history_id_seq; Type: SEQUENCE; Schema: public; Owner: backend_owner
--

CREATE SEQUENCE public.config_history_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE public.config_history_id_seq OWNER TO backend_owner;

--
-- Name: config_history_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: backend_owner
--

ALTER SEQUENCE public.config_history_id_seq OWNED BY public.config_history.id;


--
-- Name: idempotency_keys; Type: TABLE; Schema: public; Owner: backend_owner
--

CREATE TABLE public.idempotency_keys (
    user_id uuid NOT NULL,
    key text NOT NULL,
    operation text NOT NULL,
    request_hash bytea NOT NULL,
    status smallint NOT NULL,
    response jsonb NOT NULL,
    location text,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    CONSTRAINT idempotency_keys_key_check CHECK (((char_length(key) >= 1) AND (char_length(key) <= 255))),
    CONSTRAINT idempotency_keys_request_hash_check CHECK ((octet_length(request_hash) = 32)),
    CONSTRAINT idempotency_keys_status_check CHECK (((status >= 200) AND (status <= 299)))
);

ALTER TABLE ONLY public.idempotency_keys FORCE ROW LEVEL SECURITY;


ALTER TABLE public.idempotency_keys OWNER TO backend_owner;

--
-- Name: memberships; Type: TABLE; Schema: public; Owner: backend_owner
--

CREATE TABLE public.memberships (
    org_id uuid NOT NULL,
    user_id uuid NOT NULL,
    role text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    CONSTRAINT memberships_role_check CHECK ((role = ANY (ARRAY['owner'::text, 'admin'::text, 'member'::text]))),
    CONSTRAINT memberships_version_check CHECK ((version >= 1))
);

ALTER TABLE ONLY public.memberships FORCE ROW LEVEL SECURITY;


ALTER TABLE public.memberships OWNER TO backend_owner;

--
-- Name: organizations; Type: TABLE; Schema: public; Owner: backend_owner
--

CREATE TABLE public.organizations (
    id uuid NOT NULL,
    name text NOT NULL,
    slug text NOT NULL,
    created_by uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    CONSTRAINT organizations_name_check CHECK (((char_length(name) >= 1) AND (char_length(name) <= 100))),
    CONSTRAINT organizations_slug_check CHECK ((((char_length(slug) >= 3) AND (char_length(slug) <= 63)) AND (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'::text))),
    CONSTRAINT organizations_version_check CHECK ((version >= 1))
);

ALTER TABLE ONLY public.organizations FORCE ROW LEVEL SECURITY;


ALTER TABLE public.organizations OWNER TO backend_owner;

--
-- Name: projects; Type: TABLE; Schema: public; Owner: backend_owner
--

CREATE TABLE public.projects (
    id uuid NOT NULL,
    org_id uuid NOT NULL,
    name text NOT NULL,
    slug text NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    CONSTRAINT projects_name_check CHECK (((char_length(name) >= 1) AND (char_length(name) <= 100))),
    CONSTRAINT projects_slug_check CHECK ((((char_length(slug) >= 3) AND (char_length(slug) <= 63)) AND (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'::text))),
    CONSTRAINT projects_version_check CHECK ((version >= 1))
);

ALTER TABLE ONLY public.projects FORCE ROW LEVEL SECURITY;


ALTER TABLE public.projects OWNER TO backend_owner;

--
-- Name: refinery_schema_history; Type: TABLE; Schema: public; Owner: backend_owner
--

CREATE TABLE public.refinery_schema_history (
    version integer NOT NULL,
    name character varying(255),
    applied_on character varying(255),
    checksum character varying(255)
);


ALTER TABLE public.refinery_schema_history OWNER TO backend_owner;

--
-- Name: service_configs; Type: TABLE; Schema: public; Owner: backend_owner
--

CREATE TABLE public.service_configs (
    id bigint NOT NULL,
    service_name text NOT NULL,
    config_key text NOT NULL,
    config_value text NOT NULL,
    version bigint DEFAULT 1 NOT NULL,
    updated_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT service_configs_version_check CHECK ((version >= 1))
);


ALTER TABLE public.service_configs OWNER TO backend_owner;

--
-- Name: service_configs_id_seq; Type: SEQUENCE; Schema: public; Owner: backend_owner
--

CREATE SEQUENCE public.service_configs_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;


ALTER TABLE public.service_configs_id_seq OWNER TO backend_owner;

--
-- Name: service_configs_id_seq; Type: SEQUENCE OWNED BY; Schema: public; Owner: backend_owner
--

ALTER SEQUENCE public.service_configs_id_seq OWNED BY public.service_configs.id;


--
-- Name: token_revocations; Type: TABLE; Schema: public; Owner: backend_owner
--

CREATE TABLE public.token_revocations (
    seq bigint NOT NULL,
    jti uuid NOT NULL,
    expires_at timestamp with time zone NOT NULL,
    revoked_at timestamp with time zone DEFAULT now() NOT NULL,
    reason text NOT NULL,
    CONSTRAINT token_revocations_reason_check CHECK ((reason = ANY (ARRAY['logout'::text, 'refresh'::text, 'admin'::text])))
);


ALTER TABLE public.token_revocations OWNER TO backend_owner;

--
-- Name: token_revocations_seq_seq; Type: SEQUENCE; Schema: public; Owner: backend_owner
--

ALTER TABLE public.token_revocations ALTER COLUMN seq ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME public.token_revocations_seq_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);


--
-- Name: users; Type: TABLE; Schema: public; Owner: backend_owner
--

CREATE TABLE public.users (
    id uuid NOT NULL,
    username text NOT NULL,
    guest_id uuid NOT NULL,
    created_at timestamp with time zone DEFAULT now() NOT NULL,
    CONSTRAINT users_username_check CHECK ((username ~ '^guest-[0-9]{4,12}$'::text))
);

ALTER TABLE ONLY public.users FORCE ROW LEVEL SECURITY;


ALTER TABLE public.users OWNER TO backend_owner;

--
-- Name: config_history id; Type: DEFAULT; Schema: public; Owner: backend_owner
--

ALTER TABLE ONLY public.config_history ALTER COLUMN id SET DEFAULT nextval('public.config_history_id_seq'::regclass);


--
-- Name: service_configs id; Type: DEFAULT; Schema: public; Owner: backend_owner
--

ALTER TABLE ONLY public.service_configs ALTER COLUMN id SET DEFAULT nextval('public.service_configs_id_seq'::regclass);


--
-- Name: config_history config_history_config_version_key; Type: CONSTRAINT; Schema: public; Owner: backend_owner
--

ALTER TABLE ONLY public.config_history
    ADD CONSTRAINT config_history_config_version_key UNIQUE (config_id, version);


--
-- Name: config_history config_history_pkey; Type: CONSTRAINT; Schema: public; Owner: backend_owner
--

ALTER TABLE ONLY public.config_history
    ADD CONSTRAINT config_history_pkey PRIMARY KEY (id);


--
-- Name: idempotency_keys idempotency_keys_pkey; Type: CONSTRAINT; Schema: public; Owner: backend_owner
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT idempotency_keys_pkey PRIMARY KEY (user_id, key);


--
-- Name: memberships memberships_pkey; Type: CONSTRAINT; Schema: public; Owner: backend_owner
--

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_pkey PRIMARY KEY (org_id, user_id);


--
-- Name: organizations organizations_pkey; Type: CONSTRAINT; Schema: public; Owner: backend_owner
--

ALTER TABLE ONLY public.organizations
    ADD CONSTRAINT organizations_pkey PRIMARY KEY (id);


--
-- Name: organizations organizations_slug_key; Type: CONSTRAINT; Schema: public; Owner: backend_owner
--

ALTER TABLE ONLY public.organizations
    ADD CONSTRAINT organizations_slug_key UNIQUE (slug);


--
-- Name: projects projects_org_id_slug_key; Type: CONSTRAINT; Schema: public; Owner: backend_owner
--

ALTER TABLE ONLY public.projects
    ADD CONSTRAINT projects_org_id_slug_key UNIQUE (org_id, slug);


--
-- Name: projects projects_pkey; Type: CONSTRAINT; Schema: public; Owner: backend_owner
--

ALTER TABLE ONLY public.projects
    ADD CONSTRAINT projects_pkey PRIMARY KEY (id);


--
-- Name: refinery_schema_history refinery_schema_history_pkey; Type: CONSTRAINT; Schema: public; Owner: backend_owner
--

ALTER TABLE ONLY public.refinery_schema_history
    ADD CONSTRAINT refinery_schema_history_pkey PRIMARY KEY (version);


--
-- Name: service_configs service_configs_pkey; Type: CONSTRAINT; Schema: public; Owner: backend_owner
--

ALTER TABLE ONLY public.service_configs
    ADD CONSTRAINT service_configs_pkey PRIMARY KEY (id);


--
-- Name: service_configs service_configs_service_key; Type: CONSTRAINT; Schema: public; Owner: backend_owner
--

ALTER TABLE ONLY public.service_configs
    ADD CONSTRAINT service_configs_service_key UNIQUE (service_name, config_key);


--
-- Name: token_revocations token_revocations_jti_key; Type: CONSTRAINT; Schema: public; Owner: backend_owner
--

ALTER TABLE ONLY public.token_revocations
    ADD CONSTRAINT token_revocations_jti_key UNIQUE (jti);


--
-- Name: token_revocations token_revocations_pkey; Type: CONSTRAINT; Schema: public; Owner: backend_owner
--

ALTER TABLE ONLY public.token_revocations
    ADD CONSTRAINT token_revocations_pkey PRIMARY KEY (seq);


--
-- Name: users users_guest_id_key; Type: CONSTRAINT; Schema: public; Owner: backend_owner
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_guest_id_key UNIQUE (guest_id);


--
-- Name: users users_pkey; Type: CONSTRAINT; Schema: public; Owner: backend_owner
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_pkey PRIMARY KEY (id);


--
-- Name: users users_username_key; Type: CONSTRAINT; Schema: public; Owner: backend_owner
--

ALTER TABLE ONLY public.users
    ADD CONSTRAINT users_username_key UNIQUE (username);


--
-- Name: idempotency_keys_expires_at_idx; Type: INDEX; Schema: public; Owner: backend_owner
--

CREATE INDEX idempotency_keys_expires_at_idx ON public.idempotency_keys USING btree (expires_at);


--
-- Name: memberships_user_id_idx; Type: INDEX; Schema: public; Owner: backend_owner
--

CREATE INDEX memberships_user_id_idx ON public.memberships USING btree (user_id, org_id);


--
-- Name: organizations_created_at_idx; Type: INDEX; Schema: public; Owner: backend_owner
--

CREATE INDEX organizations_created_at_idx ON public.organizations USING btree (created_at DESC);


--
-- Name: projects_org_id_created_at_idx; Type: INDEX; Schema: public; Owner: backend_owner
--

CREATE INDEX projects_org_id_created_at_idx ON public.projects USING btree (org_id, created_at DESC);


--
-- Name: token_revocations_expires_at_idx; Type: INDEX; Schema: public; Owner: backend_owner
--

CREATE INDEX token_revocations_expires_at_idx ON public.token_revocations USING btree (expires_at);


--
-- Name: memberships memberships_last_owner; Type: TRIGGER; Schema: public; Owner: backend_owner
--

CREATE CONSTRAINT TRIGGER memberships_last_owner AFTER DELETE OR UPDATE OF role ON public.memberships DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ((old.role = 'owner'::text)) EXECUTE FUNCTION public.app_check_org_keeps_an_owner();


--
-- Name: memberships memberships_version; Type: TRIGGER; Schema: public; Owner: backend_owner
--

CREATE TRIGGER memberships_version BEFORE UPDATE ON public.memberships FOR EACH ROW EXECUTE FUNCTION public.bump_version();


--
-- Name: organizations organizations_updated_at; Type: TRIGGER; Schema: public; Owner: backend_owner
--

CREATE TRIGGER organizations_updated_at BEFORE UPDATE ON public.organizations FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: organizations organizations_version; Type: TRIGGER; Schema: public; Owner: backend_owner
--

CREATE TRIGGER organizations_version BEFORE UPDATE ON public.organizations FOR EACH ROW EXECUTE FUNCTION public.bump_version();


--
-- Name: projects projects_updated_at; Type: TRIGGER; Schema: public; Owner: backend_owner
--

CREATE TRIGGER projects_updated_at BEFORE UPDATE ON public.projects FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();


--
-- Name: projects projects_version; Type: TRIGGER; Schema: public; Owner: backend_owner
--

CREATE TRIGGER projects_version BEFORE UPDATE ON public.projects FOR EACH ROW EXECUTE FUNCTION public.bump_version();


--
-- Name: config_history config_history_config_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: backend_owner
--

ALTER TABLE ONLY public.config_history
    ADD CONSTRAINT config_history_config_id_fkey FOREIGN KEY (config_id) REFERENCES public.service_configs(id) ON DELETE CASCADE;


--
-- Name: idempotency_keys idempotency_keys_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: backend_owner
--

ALTER TABLE ONLY public.idempotency_keys
    ADD CONSTRAINT idempotency_keys_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: memberships memberships_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: backend_owner
--

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


--
-- Name: memberships memberships_user_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: backend_owner
--

ALTER TABLE ONLY public.memberships
    ADD CONSTRAINT memberships_user_id_fkey FOREIGN KEY (user_id) REFERENCES public.users(id) ON DELETE CASCADE;


--
-- Name: organizations organizations_created_by_fkey; Type: FK CONSTRAINT; Schema: public; Owner: backend_owner
--

ALTER TABLE ONLY public.organizations
    ADD CONSTRAINT organizations_created_by_fkey FOREIGN KEY (created_by) REFERENCES public.users(id);


--
-- Name: projects projects_org_id_fkey; Type: FK CONSTRAINT; Schema: public; Owner: backend_owner
--

ALTER TABLE ONLY public.projects
    ADD CONSTRAINT projects_org_id_fkey FOREIGN KEY (org_id) REFERENCES public.organizations(id) ON DELETE CASCADE;


--
-- Name: idempotency_keys; Type: ROW SECURITY; Schema: public; Owner: backend_owner
--

ALTER TABLE public.idempotency_keys ENABLE ROW LEVEL SECURITY;

--
-- Name: idempotency_keys idempotency_keys_delete; Type: POLICY; Schema: public; Owner: backend_owner
--

CREATE POLICY idempotency_keys_delete ON public.idempotency_keys FOR DELETE TO backend_app USING (((user_id = public.app_user_id()) AND (expires_at < now())));


--
-- Name: idempotency_keys idempotency_keys_insert; Type: POLICY; Schema: public; Owner: backend_owner
--

CREATE POLICY idempotency_keys_insert ON public.idempotency_keys FOR INSERT TO backend_app WITH CHECK ((user_id = public.app_user_id()));


--
-- Name: idempotency_keys idempotency_keys_select; Type: POLICY; Schema: public; Owner: backend_owner
--

CREATE POLICY idempotency_keys_select ON public.idempotency_keys FOR SELECT TO backend_app USING ((user_id = public.app_user_id()));


--
-- Name: memberships; Type: ROW SECURITY; Schema: public; Owner: backend_owner
--

ALTER TABLE public.memberships ENABLE ROW LEVEL SECURITY;

--
-- Name: memberships memberships_delete; Type: POLICY; Schema: public; Owner: backend_owner
--

CREATE POLICY memberships_delete ON public.memberships FOR DELETE TO backend_app USING (((user_id = public.app_user_id()) OR (public.app_role_in(org_id) = 'owner'::text) OR ((public.app_role_in(org_id) = 'admin'::text) AND (role <> 'owner'::text))));


--
-- Name: memberships memberships_insert; Type: POLICY; Schema: public; Owner: backend_owner
--

CREATE POLICY memberships_insert ON public.memberships FOR INSERT TO backend_app WITH CHECK (((public.app_role_in(org_id) = 'owner'::text) OR ((public.app_role_in(org_id) = 'admin'::text) AND (role <> 'owner'::text)) OR ((user_id = public.app_user_id()) AND (role = 'owner'::text) AND public.app_can_bootstrap_owner(org_id))));


--
-- Name: memberships memberships_select; Type: POLICY; Schema: public; Owner: backend_owner
--

CREATE POLICY memberships_select ON public.memberships FOR SELECT TO backend_app USING ((org_id = ANY (( SELECT public.app_member_org_array() AS app_member_org_array)::uuid[])));


--
-- Name: memberships memberships_update; Type: POLICY; Schema: public; Owner: backend_owner
--

CREATE POLICY memberships_update ON public.memberships FOR UPDATE TO backend_app USING (((public.app_role_in(org_id) = 'owner'::text) OR ((public.app_role_in(org_id) = 'admin'::text) AND (role <> 'owner'::text)))) WITH CHECK (((public.app_role_in(org_id) = 'owner'::text) OR ((public.app_role_in(org_id) = 'admin'::text) AND (role <> 'owner'::text))));


--
-- Name: organizations; Type: ROW SECURITY; Schema: public; Owner: backend_owner
--

ALTER TABLE public.organizations ENABLE ROW LEVEL SECURITY;

--
-- Name: organizations organizations_delete; Type: POLICY; Schema: public; Owner: backend_owner
--

CREATE POLICY organizations_delete ON public.organizations FOR DELETE TO backend_app USING ((public.app_role_in(id) = 'owner'::text));


--
-- Name: organizations organizations_insert; Type: POLICY; Schema: public; Owner: backend_owner
--

CREATE POLICY organizations_insert ON public.organizations FOR INSERT TO backend_app WITH CHECK ((created_by = public.app_user_id()));


--
-- Name: organizations organizations_select; Type: POLICY; Schema: public; Owner: backend_owner
--

CREATE POLICY organizations_select ON public.organizations FOR SELECT TO backend_app USING ((id = ANY (( SELECT public.app_member_org_array() AS app_member_org_array)::uuid[])));


--
-- Name: organizations organizations_update; Type: POLICY; Schema: public; Owner: backend_owner
--

CREATE POLICY organizations_update ON public.organizations FOR UPDATE TO backend_app USING ((public.app_role_in(id) = ANY (ARRAY['owner'::text, 'admin'::text]))) WITH CHECK ((public.app_role_in(id) = ANY (ARRAY['owner'::text, 'admin'::text])));


--
-- Name: idempotency_keys owner_prunes_idempotency_keys; Type: POLICY; Schema: public; Owner: backend_owner
--

CREATE POLICY owner_prunes_idempotency_keys ON public.idempotency_keys TO backend_owner USING ((expires_at < now()));


--
-- Name: memberships owner_reads_memberships; Type: POLICY; Schema: public; Owner: backend_owner
--

CREATE POLICY owner_reads_memberships ON public.memberships FOR SELECT TO backend_owner USING (true);


--
-- Name: organizations owner_reads_organizations; Type: POLICY; Schema: public; Owner: backend_owner
--

CREATE POLICY owner_reads_organizations ON public.organizations FOR SELECT TO backend_owner USING (true);


--
-- Name: projects; Type: ROW SECURITY; Schema: public; Owner: backend_owner
--

ALTER TABLE public.projects ENABLE ROW LEVEL SECURITY;

--
-- Name: projects projects_delete; Type: POLICY; Schema: public; Owner: backend_owner
--

CREATE POLICY projects_delete ON public.projects FOR DELETE TO backend_app USING ((public.app_role_in(org_id) = ANY (ARRAY['owner'::text, 'admin'::text])));


--
-- Name: projects projects_insert; Type: POLICY; Schema: public; Owner: backend_owner
--

CREATE POLICY projects_insert ON public.projects FOR INSERT TO backend_app WITH CHECK ((public.app_role_in(org_id) = ANY (ARRAY['owner'::text, 'admin'::text])));


--
-- Name: projects projects_select; Type: POLICY; Schema: public; Owner: backend_owner
--

CREATE POLICY projects_select ON public.projects FOR SELECT TO backend_app USING ((org_id = ANY (( SELECT public.app_member_org_array() AS app_member_org_array)::uuid[])));


--
-- Name: projects projects_update; Type: POLICY; Schema: public; Owner: backend_owner
--

CREATE POLICY projects_update ON public.projects FOR UPDATE TO backend_app USING ((public.app_role_in(org_id) = ANY (ARRAY['owner'::text, 'admin'::text]))) WITH CHECK ((public.app_role_in(org_id) = ANY (ARRAY['owner'::text, 'admin'::text])));


--
-- Name: users; Type: ROW SECURITY; Schema: public; Owner: backend_owner
--

ALTER TABLE public.users ENABLE ROW LEVEL SECURITY;

--
-- Name: users users_insert; Type: POLICY; Schema: public; Owner: backend_owner
--

CREATE POLICY users_insert ON public.users FOR INSERT TO backend_app WITH CHECK ((id = public.app_user_id()));


--
-- Name: users users_select; Type: POLICY; Schema: public; Owner: backend_owner
--

CREATE POLICY users_select ON public.users FOR SELECT TO backend_app USING (((id = public.app_user_id()) OR (id IN ( SELECT memberships.user_id
   FROM public.memberships))));


--
-- Name: SCHEMA public; Type: ACL; Schema: -; Owner: pg_database_owner
--

GRANT USAGE ON SCHEMA public TO backend_app;


--
-- Name: FUNCTION app_can_bootstrap_owner(p_org uuid); Type: ACL; Schema: public; Owner: backend_owner
--

REVOKE ALL ON FUNCTION public.app_can_bootstrap_owner(p_org uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_can_bootstrap_owner(p_org uuid) TO backend_app;


--
-- Name: FUNCTION app_check_org_keeps_an_owner(); Type: ACL; Schema: public; Owner: backend_owner
--

REVOKE ALL ON FUNCTION public.app_check_org_keeps_an_owner() FROM PUBLIC;


--
-- Name: FUNCTION app_member_org_array(); Type: ACL; Schema: public; Owner: backend_owner
--

REVOKE ALL ON FUNCTION public.app_member_org_array() FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_member_org_array() TO backend_app;


--
-- Name: FUNCTION app_prune_idempotency_keys(p_limit integer); Type: ACL; Schema: public; Owner: backend_owner
--

REVOKE ALL ON FUNCTION public.app_prune_idempotency_keys(p_limit integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_prune_idempotency_keys(p_limit integer) TO backend_app;


--
-- Name: FUNCTION app_prune_token_revocations(p_limit integer); Type: ACL; Schema: public; Owner: backend_owner
--

REVOKE ALL ON FUNCTION public.app_prune_token_revocations(p_limit integer) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_prune_token_revocations(p_limit integer) TO backend_app;


--
-- Name: FUNCTION app_revoke_token(p_jti uuid, p_expires_at timestamp with time zone, p_reason text); Type: ACL; Schema: public; Owner: backend_owner
--

REVOKE ALL ON FUNCTION public.app_revoke_token(p_jti uuid, p_expires_at timestamp with time zone, p_reason text) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_revoke_token(p_jti uuid, p_expires_at timestamp with time zone, p_reason text) TO backend_app;


--
-- Name: FUNCTION app_role_in(p_org uuid); Type: ACL; Schema: public; Owner: backend_owner
--

REVOKE ALL ON FUNCTION public.app_role_in(p_org uuid) FROM PUBLIC;
GRANT ALL ON FUNCTION public.app_role_in(p_org uuid) TO backend_app;


--
-- Name: TABLE config_history; Type: ACL; Schema: public; Owner: backend_owner
--

GRANT SELECT,INSERT ON TABLE public.config_history TO backend_app;


--
-- Name: SEQUENCE config_history_id_seq; Type: ACL; Schema: public; Owner: backend_owner
--

GRANT USAGE ON SEQUENCE public.config_history_id_seq TO backend_app;


--
-- Name: TABLE idempotency_keys; Type: ACL; Schema: public; Owner: backend_owner
--

GRANT SELECT,INSERT,DELETE ON TABLE public.idempotency_keys TO backend_app;


--
-- Name: TABLE memberships; Type: ACL; Schema: public; Owner: backend_owner
--

GRANT SELECT,INSERT,DELETE ON TABLE public.memberships TO backend_app;


--
-- Name: COLUMN memberships.role; Type: ACL; Schema: public; Owner: backend_owner
--

GRANT UPDATE(role) ON TABLE public.memberships TO backend_app;


--
-- Name: TABLE organizations; Type: ACL; Schema: public; Owner: backend_owner
--

GRANT SELECT,INSERT,DELETE ON TABLE public.organizations TO backend_app;


--
-- Name: COLUMN organizations.name; Type: ACL; Schema: public; Owner: backend_owner
--

GRANT UPDATE(name) ON TABLE public.organizations TO backend_app;


--
-- Name: COLUMN organizations.slug; Type: ACL; Schema: public; Owner: backend_owner
--

GRANT UPDATE(slug) ON TABLE public.organizations TO backend_app;


--
-- Name: TABLE projects; Type: ACL; Schema: public; Owner: backend_owner
--

GRANT SELECT,INSERT,DELETE ON TABLE public.projects TO backend_app;


--
-- Name: COLUMN projects.name; Type: ACL; Schema: public; Owner: backend_owner
--

GRANT UPDATE(name) ON TABLE public.projects TO backend_app;


--
-- Name: COLUMN projects.slug; Type: ACL; Schema: public; Owner: backend_owner
--

GRANT UPDATE(slug) ON TABLE public.projects TO backend_app;


--
-- Name: TABLE refinery_schema_history; Type: ACL; Schema: public; Owner: backend_owner
--

GRANT SELECT ON TABLE public.refinery_schema_history TO backend_app;


--
-- Name: TABLE service_configs; Type: ACL; Schema: public; Owner: backend_owner
--

GRANT SELECT,INSERT,UPDATE ON TABLE public.service_configs TO backend_app;


--
-- Name: SEQUENCE service_configs_id_seq; Type: ACL; Schema: public; Owner: backend_owner
--

GRANT USAGE ON SEQUENCE public.service_configs_id_seq TO backend_app;


--
-- Name: TABLE token_revocations; Type: ACL; Schema: public; Owner: backend_owner
--

GRANT SELECT ON TABLE public.token_revocations TO backend_app;


--
-- Name: TABLE users; Type: ACL; Schema: public; Owner: backend_owner
--

GRANT SELECT,INSERT,DELETE ON TABLE public.users TO backend_app;


--
-- PostgreSQL database dump complete
--


