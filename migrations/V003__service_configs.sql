-- Service configuration: PostgreSQL is the source of truth, Redis only carries
-- "version N of key K changed" events. Not tenant data, so no RLS: any
-- signed-in user may read, and only admin tokens may write (checked by the
-- server). History is append-only for the application role.
CREATE TABLE service_configs (
    id            bigserial PRIMARY KEY,
    service_name  text NOT NULL,
    config_key    text NOT NULL,
    config_value  text NOT NULL,
    version       bigint NOT NULL DEFAULT 1 CHECK (version >= 1),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT service_configs_service_key UNIQUE (service_name, config_key)
);

CREATE TABLE config_history (
    id          bigserial PRIMARY KEY,
    config_id   bigint NOT NULL REFERENCES service_configs (id) ON DELETE CASCADE,
    old_value   text,
    new_value   text NOT NULL,
    version     bigint NOT NULL,
    changed_by  text NOT NULL,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    reason      text,
    CONSTRAINT config_history_config_version_key UNIQUE (config_id, version)
);

GRANT SELECT, INSERT, UPDATE ON service_configs TO backend_app;
GRANT SELECT, INSERT ON config_history TO backend_app;
GRANT USAGE ON SEQUENCE service_configs_id_seq, config_history_id_seq TO backend_app;
