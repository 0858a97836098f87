# syntax=docker/dockerfile:1
# The `backend` binary in a distroless image, for linux/amd64 and linux/arm64:
#   docker buildx build --platform linux/amd64,linux/arm64 -t ghcr.io/adask-b/backend:0.1.0-dev .
# Nothing here names an architecture: each platform builds natively in its own builder stage
# (QEMU or a native node). TLS is rustls/aws-lc, so no OpenSSL is needed at build or run time.
ARG RUST_IMAGE=rust:1.95.0-slim-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot

# cargo-chef splits the build: dependencies are compiled from a recipe of the manifests
# and cached as their own layer, so a source change rebuilds only the workspace crates.
FROM ${RUST_IMAGE} AS chef
ARG CARGO_CHEF_VERSION=0.1.77
RUN cargo install cargo-chef --locked --version "${CARGO_CHEF_VERSION}" \
    && rm -rf "${CARGO_HOME}/registry" "${CARGO_HOME}/git"
WORKDIR /src

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
ENV SQLX_OFFLINE=true \
    CARGO_TERM_COLOR=never
COPY --from=planner /src/recipe.json recipe.json
# Build settings the dependencies are compiled with (the allocator's defaults).
COPY .cargo .cargo
RUN cargo chef cook --release --locked --recipe-path recipe.json --bin backend
# The whole workspace is needed: the client crate reads openapi/ and migrations/ are embedded.
COPY . .
RUN cargo build --release --locked --bin backend \
    && install -D -m 0755 target/release/backend /out/backend

# glibc, libgcc and CA certificates; no shell, no package manager.
FROM ${RUNTIME_IMAGE} AS runtime
LABEL org.opencontainers.image.title="backend" \
      org.opencontainers.image.description="Multi-tenant SaaS Backend API" \
      org.opencontainers.image.source="https://github.com/adask-b/agent-ready-k8s" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY --from=builder /out/backend /usr/local/bin/backend
# The distroless "nonroot" identity; the Helm chart runs the pods with the same IDs.
USER 65532:65532
ENV BIND_ADDRESS=0.0.0.0:8000
EXPOSE 8000
ENTRYPOINT ["backend"]
CMD ["serve"]
