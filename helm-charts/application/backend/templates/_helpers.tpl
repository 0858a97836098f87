{{/*
Names and labels, in the usual Helm layout. Names are cut to 63 characters (DNS label limit).
*/}}
{{- define "backend.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "backend.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "backend.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "backend.selectorLabels" -}}
app.kubernetes.io/name: {{ include "backend.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "backend.labels" -}}
helm.sh/chart: {{ include "backend.chart" . }}
{{ include "backend.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: backend
{{- end }}

{{/* Pods of one role: server, migration or test. Call with (dict "ctx" $ "component" "server"). */}}
{{- define "backend.componentSelectorLabels" -}}
{{ include "backend.selectorLabels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "backend.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "backend.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "backend.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
Secrets. One source is required: secret.existingSecret (pre-created, holding DATABASE_PASSWORD,
MIGRATION_DATABASE_PASSWORD, REDIS_PASSWORD and JWT_SECRET) or secret.create with secret.values.
Nothing is defaulted, so a staging or prod render without a source fails here.
*/}}
{{- define "backend.validateSecrets" -}}
{{- $s := .Values.secret }}
{{- $env := .Values.config.environment }}
{{- if and $s.existingSecret $s.create }}
{{- fail "backend: set either secret.existingSecret or secret.create=true, not both" }}
{{- end }}
{{- if not (or $s.existingSecret $s.create) }}
{{- fail (printf "backend: no secret source for environment %q: set secret.existingSecret to a pre-created Secret (keys DATABASE_PASSWORD, MIGRATION_DATABASE_PASSWORD, REDIS_PASSWORD, JWT_SECRET) or secret.create=true with secret.values.*; the chart ships no default secrets" $env) }}
{{- end }}
{{- if $s.create }}
{{- if not $s.values.jwtSecret }}
{{- fail "backend: secret.create=true needs secret.values.jwtSecret" }}
{{- end }}
{{- if ne $env "dev" }}
{{- if lt (len $s.values.jwtSecret) 32 }}
{{- fail (printf "backend: secret.values.jwtSecret must be at least 32 bytes in %s" $env) }}
{{- end }}
{{- range $k, $v := $s.values }}
{{- if hasPrefix "dev-only" (toString $v) }}
{{- fail (printf "backend: secret.values.%s holds a dev-only placeholder; not allowed in %s" $k $env) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* Secret the server reads DATABASE_PASSWORD, REDIS_PASSWORD and JWT_SECRET from. */}}
{{- define "backend.secretName" -}}
{{- include "backend.validateSecrets" . }}
{{- default (include "backend.fullname" .) .Values.secret.existingSecret }}
{{- end }}

{{/* Secret the migration Job reads MIGRATION_DATABASE_PASSWORD from (a hook Secret when created). */}}
{{- define "backend.migrationSecretName" -}}
{{- include "backend.validateSecrets" . }}
{{- default (printf "%s-migration" (include "backend.fullname" .)) .Values.secret.existingSecret }}
{{- end }}

{{/*
Non-secret settings of the server, one key per environment variable. The ConfigMap renders
this map and the Deployment lists every key as an explicit `env` entry, so the rendered
Deployment names every variable the server gets. URLs carry no password.
*/}}
{{- define "backend.config" -}}
{{- $c := .Values.config -}}
BIND_ADDRESS: {{ printf "0.0.0.0:%d" (int .Values.containerPort) | quote }}
ENVIRONMENT: {{ $c.environment | quote }}
LOG_LEVEL: {{ $c.logLevel | quote }}
DATABASE_URL: {{ printf "postgres://%s@%s:%d/%s" $c.database.user $c.database.host (int $c.database.port) $c.database.name | quote }}
DATABASE_MAX_CONNECTIONS: {{ $c.database.maxConnections | toString | quote }}
DATABASE_STATEMENT_TIMEOUT_MS: {{ $c.database.statementTimeoutMs | toString | quote }}
DATABASE_LOCK_TIMEOUT_MS: {{ $c.database.lockTimeoutMs | toString | quote }}
DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: {{ $c.database.idleInTransactionTimeoutMs | toString | quote }}
REQUEST_TIMEOUT_MS: {{ $c.requestTimeoutMs | toString | quote }}
PER_USER_CONCURRENCY: {{ $c.perUserConcurrency | toString | quote }}
REDIS_URL: {{ printf "redis://%s:%d" $c.redis.host (int $c.redis.port) | quote }}
JWT_ISSUER: {{ $c.jwt.issuer | quote }}
JWT_AUDIENCE: {{ $c.jwt.audience | quote }}
JWT_TTL_SECONDS: {{ $c.jwt.ttlSeconds | toString | quote }}
GUEST_SIGNIN_RATE_LIMIT_PER_MINUTE: {{ $c.guestSigninRateLimitPerMinute | toString | quote }}
TRUSTED_PROXY_HOPS: {{ $c.trustedProxyHops | toString | quote }}
CONFIG_RECONCILE_INTERVAL: {{ $c.configReconcileIntervalSeconds | toString | quote }}
SHUTDOWN_GRACE_SECONDS: {{ $c.shutdownGraceSeconds | toString | quote }}
{{- with $c.otlpEndpoint }}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ . | quote }}
{{- end }}
{{- if $c.httpFront }}
HTTP_FRONT: "on"
{{- end }}
{{- end }}

{{- define "backend.migrationDatabaseUrl" -}}
{{- $d := .Values.config.database -}}
{{- printf "postgres://%s@%s:%d/%s" $d.ownerUser $d.host (int $d.port) $d.name }}
{{- end }}

{{/* Pod-level security context meeting the "restricted" Pod Security Standard. */}}
{{- define "backend.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
fsGroup: {{ .Values.securityContext.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Container-level security context meeting the "restricted" Pod Security Standard. */}}
{{- define "backend.containerSecurityContext" -}}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Seconds Kubernetes waits after SIGTERM: preStop sleep + the server's drain + a margin. */}}
{{- define "backend.terminationGracePeriodSeconds" -}}
{{- add (int .Values.preStopSleepSeconds) (int .Values.config.shutdownGraceSeconds) 10 }}
{{- end }}
